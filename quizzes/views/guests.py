"""Guests' attempts: remembered in the session by id, given to the account they log in to.

Django rotates the session key on login, so the session holds the attempt ids themselves.
The services never see the session: they take the ids and the session key as plain values.
"""

from quizzes.models import Attempt
from quizzes.services.attempts import attempts_claim

GUEST_ATTEMPTS_KEY = "guest_attempt_ids"
# Enough for a long evening of quizzes; older guest attempts simply stay unclaimed.
GUEST_ATTEMPTS_KEPT = 50


def guest_attempt_ids(session) -> list[str]:
    return list(session.get(GUEST_ATTEMPTS_KEY, []))


def guest_attempt_remember(session, attempt: Attempt) -> None:
    ids = [str(attempt.pk), *guest_attempt_ids(session)][:GUEST_ATTEMPTS_KEPT]
    session[GUEST_ATTEMPTS_KEY] = ids


def guest_session_key(session) -> str:
    """The guest's session key, creating the session if it has none yet."""
    if not session.session_key:
        session.save()
    return session.session_key


def guest_attempts_claim(request, attempt_ids: list[str]) -> int:
    """Attach the attempts `attempt_ids` (read before login) to the user just logged in,
    and forget them."""
    claimed = attempts_claim(user=request.user, attempt_ids=attempt_ids)
    request.session.pop(GUEST_ATTEMPTS_KEY, None)
    return claimed
