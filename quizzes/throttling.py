"""Limits on requests that add rows for whoever asks: a quiz start writes an attempt and its
questions, so a script posting the start form in a loop could fill the database. Counted in
the cache, a fixed window per client: the shared cache, so Redis when REDIS_URL is set, and
every app server counts together. A limit of 0 turns it off.
"""

from django.conf import settings
from django.core.cache import cache


def within_limit(key: str, *, limit: int, window_seconds: int, now: float) -> bool:
    """Count one more request for `key` in the window of `window_seconds` that `now` (a Unix
    time) falls in; whether the window's count is still within `limit`."""
    if limit <= 0:
        return True
    cache_key = f"limit:{key}:{int(now // window_seconds)}"
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        return True
    try:
        return cache.incr(cache_key) <= limit
    except ValueError:  # the window's entry expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 1)
        return True


def within_limits(*limits: tuple[str, int], window_seconds: int, now: float) -> bool:
    """`within_limit` for each (key, limit) in turn, stopping at the first one reached: a
    request it refuses is not counted against the limits after it."""
    return all(
        within_limit(key, limit=limit, window_seconds=window_seconds, now=now)
        for key, limit in limits
    )


# Checks of an account's password at an open session (changing it, the site's and the
# admin's; changing the email; deleting the account) per account and quarter of an hour:
# see forms.PasswordTriesLimited and forms.PasswordConfirmedForm.
PASSWORD_CHANGE_TRIES = 5
PASSWORD_CHANGE_WINDOW = 15 * 60


def password_try_allowed(*, user_id: int, now: float) -> bool:
    """Count one more check of the account's password; whether it is within the limit."""
    return within_limit(
        f"password-change:user:{user_id}",
        limit=PASSWORD_CHANGE_TRIES,
        window_seconds=PASSWORD_CHANGE_WINDOW,
        now=now,
    )


# Links sent to confirm an email, per account, per address and per client an hour (sign-up's
# included): each is an email to an address someone typed, naming an account someone chose,
# so neither many accounts nor one may fill a stranger's inbox.
EMAIL_CONFIRMATIONS_PER_HOUR = 3
EMAIL_CONFIRMATIONS_PER_CLIENT_PER_HOUR = 30
EMAIL_CONFIRMATION_WINDOW = 3600


def email_confirmation_allowed(
    *, user_id: int, email: str, client_ip: str | None, now: float
) -> bool:
    """Count one more link for the account, the address and the client, the client first
    (a request refused for its client spends nothing of the address's)."""
    return within_limits(
        (
            f"email-confirmation:ip:{client_ip or 'unknown'}",
            EMAIL_CONFIRMATIONS_PER_CLIENT_PER_HOUR,
        ),
        (f"email-confirmation:user:{user_id}", EMAIL_CONFIRMATIONS_PER_HOUR),
        (f"email-confirmation:email:{email.casefold()}", EMAIL_CONFIRMATIONS_PER_HOUR),
        window_seconds=EMAIL_CONFIRMATION_WINDOW,
        now=now,
    )


# Downloads of a learner's data per account and hour: each reads the whole history (a few
# MB for a long one), so a script must not ask for it in a loop.
DATA_EXPORTS_PER_HOUR = 10
DATA_EXPORT_WINDOW = 3600


def window_left(*, window_seconds: int, now: float) -> int:
    """Whole seconds until the window `now` falls in ends (for Retry-After)."""
    return int(window_seconds - now % window_seconds) or window_seconds


def data_export_allowed(*, user_id: int, now: float) -> bool:
    return within_limit(
        f"data-export:user:{user_id}",
        limit=DATA_EXPORTS_PER_HOUR,
        window_seconds=DATA_EXPORT_WINDOW,
        now=now,
    )


# Problem reports per account and hour: each waits for an editor, and a script sending them
# with a new message each time would bury the real ones.
REPORTS_PER_HOUR = 30
REPORT_WINDOW = 3600


def report_allowed(*, user_id: int, now: float) -> bool:
    return within_limit(
        f"report:user:{user_id}", limit=REPORTS_PER_HOUR, window_seconds=REPORT_WINDOW, now=now
    )


PASSWORD_RESET_WINDOW = 15 * 60


def password_reset_allowed(*, email: str, client_ip: str | None, now: float) -> bool:
    """Count one more reset link asked for `email` (standing for its accounts, which the
    request does not look up) by the client at `client_ip`, against three limits, each
    counted only if those before it allow it (settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES
    is the `limit`):

    - the client's requests, for any address: ten times the limit (a class behind one
      address shares it);
    - the client's requests for this address: the limit;
    - everyone's requests for this address: twice the limit, so that many clients cannot
      fill its inbox. One client (a stranger) spends at most half of it, so the owner can
      still ask from their own; and once it is spent, that many links went to the address
      this quarter of an hour, each working for a day: its owner is not locked out.
    """
    limit = settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES
    client = client_ip or "unknown"
    address = email.casefold()
    return within_limits(
        (f"password-reset:ip:{client}", limit * 10),
        (f"password-reset:ip-email:{client}:{address}", limit),
        (f"password-reset:email:{address}", limit * 2),
        window_seconds=PASSWORD_RESET_WINDOW,
        now=now,
    )


DAY = 24 * 3600


def quiz_start_refused(*, user_id: int | None, client_ip: str | None, now: float) -> int | None:
    """Count one more quiz start; None when it is within the limits of the minute and of
    the day (UTC), else the window, in seconds, whose limit refused it. A learner's starts
    count against their account; a guest's against their address, where a class behind one
    NAT gateway shares the (larger) limits."""
    if user_id is not None:
        key = f"quiz-start:user:{user_id}"
        per_minute = settings.QUIZSITE_QUIZ_STARTS_PER_MINUTE
        per_day = settings.QUIZSITE_QUIZ_STARTS_PER_DAY
    else:
        key = f"quiz-start:ip:{client_ip or 'unknown'}"
        per_minute = settings.QUIZSITE_GUEST_QUIZ_STARTS_PER_MINUTE
        per_day = settings.QUIZSITE_GUEST_QUIZ_STARTS_PER_DAY
    if not within_limit(key, limit=per_minute, window_seconds=60, now=now):
        return 60
    if not within_limit(f"{key}:day", limit=per_day, window_seconds=DAY, now=now):
        return DAY
    return None


SIGNUP_WINDOW = 3600


def signup_allowed(*, client_ip: str | None, now: float) -> bool:
    """Count one more account made from the client's address; whether it is within the
    hour's limit (settings.QUIZSITE_SIGNUPS_PER_HOUR)."""
    return within_limit(
        f"signup:ip:{client_ip or 'unknown'}",
        limit=settings.QUIZSITE_SIGNUPS_PER_HOUR,
        window_seconds=SIGNUP_WINDOW,
        now=now,
    )


LOGIN_WINDOW = 15 * 60


def login_allowed(*, client_ip: str | None, now: float) -> bool:
    """Count one more log-in tried from the client's address (the site's or the admin's);
    whether it is within the limit (settings.QUIZSITE_LOGINS_PER_15_MINUTES)."""
    return within_limit(
        f"login:ip:{client_ip or 'unknown'}",
        limit=settings.QUIZSITE_LOGINS_PER_15_MINUTES,
        window_seconds=LOGIN_WINDOW,
        now=now,
    )
