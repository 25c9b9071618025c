"""A learner's own account: everything the site keeps of them, as one file to take away,
the account's deletion with all of it, its email (kept once its owner confirms it) and the
reset links sent there, and the look of its name beside the others'."""

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from quizzes.lookalikes import lock_key, reading, skeleton
from quizzes.models import (
    Attempt,
    AttemptQuestion,
    CardFlag,
    CardHold,
    CardMemory,
    NameSkeleton,
    PendingEmail,
    ProblemReport,
    ReviewLog,
)
from quizzes.services.card_statistics import statistics_recounted_after_deleting
from quizzes.services.reviews import learner_settings

EXPORT_FORMAT = "quizsite learner data, version 1"


class AccountDeleteRefused(Exception):
    pass


class EmailConfirmationInvalid(Exception):
    """A confirmation link that cannot be used; the message says why, to its reader."""


@dataclass(frozen=True, kw_only=True)
class AccountFigures:
    quizzes: int
    reviews: int
    cards_studied: int


def account_figures(*, user) -> AccountFigures:
    """What the account holds, for the page that offers to download or delete it."""
    return AccountFigures(
        quizzes=Attempt.objects.filter(user=user).count(),
        reviews=ReviewLog.objects.filter(user=user).count(),
        cards_studied=CardMemory.objects.filter(user=user).count(),
    )


def account_export(*, user, now: datetime) -> dict:
    """Everything kept of `user`, as JSON-ready values (datetimes aside): the account and
    its sign-ins, study settings, every quiz with each question as it was asked and
    answered, the memory of each card studied, every review, the cards held out of the
    review (buried, suspended) and the problems reported. Cards are named by deck and
    number, as their addresses are (a review of a card deleted since names none). A fixed
    number of queries, however long the history."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now,
        "account": {
            "username": user.get_username(),
            "email": user.email,
            # Asked for, not confirmed (yet): the link went there.
            "email_waiting": PendingEmail.objects.filter(user=user)
            .values_list("email", flat=True)
            .first(),
            "joined": user.date_joined,
            "last_login": user.last_login,
        },
        "sign_ins": [
            {
                "at": row["attempt_time"],
                "signed_out_at": row["logout_time"],
                "ip_address": row["ip_address"],
                "browser": row["user_agent"],
            }
            for row in AccessLog.objects.filter(username=user.get_username())
            .order_by("attempt_time", "pk")
            .values("attempt_time", "logout_time", "ip_address", "user_agent")
        ],
        "study_settings": _settings(user),
        "quizzes": _quizzes(user),
        "card_memories": [
            {
                "card": _card(row),
                "state": CardMemory.State(row["state"]).label,
                "learning_step": row["step"],
                "stability_days": row["stability"],
                "difficulty": row["difficulty"],
                "due": row["due"],
                "last_review": row["last_review"],
                "first_review": row["first_review"],
                "reviews": row["reps"],
                "lapses": row["lapses"],
                "suspended": row["suspended"],
            }
            for row in CardMemory.objects.filter(user=user)
            .order_by("card__deck__slug", "card__number")
            .values(
                *_CARD_VALUES,
                "state",
                "step",
                "stability",
                "difficulty",
                "due",
                "last_review",
                "first_review",
                "reps",
                "lapses",
                "suspended",
            )
        ],
        "reviews": [
            {
                "card": _card(row),
                "reviewed_at": row["reviewed_at"],
                "rating": ReviewLog.Rating(row["rating"]).label,
                "seconds_taken": row["elapsed_seconds"],
                "source": ReviewLog.Source(row["source"]).label,
                "due_after": row["due_after"],
                "stability_after_days": row["stability_after"],
            }
            for row in ReviewLog.objects.filter(user=user)
            .order_by("reviewed_at", "pk")
            .values(
                *_CARD_VALUES,
                "reviewed_at",
                "rating",
                "elapsed_seconds",
                "source",
                "due_after",
                "stability_after",
            )
        ],
        "cards_held": [
            {
                "card": _card(row),
                "suspended": row["suspended"],
                "buried_until": row["buried_until"],
                "last_action": CardHold.Action(row["last_action"]).label,
                "at": row["held_at"],
            }
            for row in CardHold.objects.filter(user=user)
            .order_by("card__deck__slug", "card__number")
            .values(*_CARD_VALUES, "suspended", "buried_until", "last_action", "held_at")
        ],
        "cards_flagged": [
            {
                "card": _card(row),
                "flag": CardFlag.Colour(row["flag"]).label,
                "at": row["flagged_at"],
            }
            for row in CardFlag.objects.filter(user=user)
            .order_by("card__deck__slug", "card__number")
            .values(*_CARD_VALUES, "flag", "flagged_at")
        ],
        "problem_reports": [
            {
                "card": _card(row),
                "kind": ProblemReport.Kind(row["kind"]).label,
                "message": row["message"],
                "sent_at": row["created_at"],
                "resolved_at": row["resolved_at"],
            }
            for row in ProblemReport.objects.filter(reporter=user)
            .order_by("created_at", "pk")
            .values(*_CARD_VALUES, "kind", "message", "created_at", "resolved_at")
        ],
    }


_CARD_VALUES = ("card__deck__slug", "card__number")


def _card(row: dict) -> dict | None:
    """The card by deck and number; None for a review of a card deleted since."""
    if row["card__number"] is None:
        return None
    return {"deck": row["card__deck__slug"], "number": row["card__number"]}


def _settings(user) -> dict:
    """The learner's settings, the defaults when they never changed any."""
    settings = learner_settings(user=user)
    return {
        "desired_retention": settings.desired_retention,
        "reschedule_on_change": settings.reschedule_on_change,
        "maximum_interval_days": settings.maximum_interval,
        "new_cards_per_day": settings.new_cards_per_day,
        "max_reviews_per_day": settings.max_reviews_per_day,
        "learning_steps": settings.learning_steps,
        "relearning_steps": settings.relearning_steps,
        "bury_siblings": settings.bury_siblings,
        "day_starts_at_hour": settings.day_start_hour,
        "time_zone": settings.time_zone,
        "fsrs_parameters": settings.fsrs_parameters,
        "parameters_fitted_at": settings.parameters_fitted_at,
    }


_UNANSWERED = {
    "card": None,
    "question": None,
    "choices_html": [],
    "right_choice": None,
    "your_choice": None,
    "outcome": None,
    "points": 0,
    "shown_at": None,
    "answered_at": None,
    "seconds_taken": None,
}


def _quizzes(user) -> list[dict]:
    questions = defaultdict(list)
    for row in (
        AttemptQuestion.objects.filter(attempt__user=user)
        .order_by("attempt_id", "position")
        .values(
            "attempt_id",
            "position",
            *_CARD_VALUES,
            "card__question_text",
            "choices",
            "correct_choice_id",
            "chosen_choice_id",
            "typed",
            "typed_expected",
            "outcome",
            "points",
            "started_at",
            "answered_at",
            "elapsed",
        )
    ):
        if not row["outcome"]:
            # Not answered yet, the quiz under way: the file, downloaded in another tab, would
            # give its right answer away, and a question to come before its clock starts.
            questions[row["attempt_id"]].append({"position": row["position"]} | _UNANSWERED)
            continue
        choices = row["choices"] or []
        ids = [choice["id"] for choice in choices]
        answer = {
            "position": row["position"],
            "card": _card(row),
            "question": row["card__question_text"],
            "choices_html": [choice["html"] for choice in choices],
            "right_choice": _number_of(row["correct_choice_id"], ids),
            "your_choice": _number_of(row["chosen_choice_id"], ids),
            "outcome": AttemptQuestion.Outcome(row["outcome"]).label if row["outcome"] else None,
            "points": row["points"],
            "shown_at": row["started_at"],
            "answered_at": row["answered_at"],
            "seconds_taken": _seconds(row["elapsed"]),
        }
        if row["typed_expected"]:  # a "Type the answer" question
            answer |= {"you_typed": row["typed"], "to_type": row["typed_expected"]}
        questions[row["attempt_id"]].append(answer)
    return [
        {
            "id": str(row["id"]),
            "deck": row["deck__slug"],
            "mode": Attempt.Mode(row["mode"]).label,
            "quick_quiz": row["is_quick"],
            "time_limit": Attempt.TimeLimitKind(row["time_limit_kind"]).label,
            "time_limit_seconds": row["time_limit_seconds"],
            "started_at": row["started_at"],
            "finished_at": row["finished_at"],
            "score": row["score"],
            "correct": row["correct_count"],
            "seconds_taken": _seconds(row["total_time"]),
            "too_fast_to_rank": row["implausibly_fast"],
            "past_the_days_ranked_quizzes": row["past_ranked_per_day"],
            "played_as_guest": row["played_as_guest"],
            "questions": questions.get(row["id"], []),
        }
        for row in Attempt.objects.filter(user=user)
        .order_by("started_at", "pk")
        .values(
            "id",
            "deck__slug",
            "mode",
            "is_quick",
            "time_limit_kind",
            "time_limit_seconds",
            "started_at",
            "finished_at",
            "score",
            "correct_count",
            "total_time",
            "implausibly_fast",
            "past_ranked_per_day",
            "played_as_guest",
        )
    ]


def _number_of(choice_id: str, ids: list[str]) -> int | None:
    """A choice's number as the learner saw it (1 for the first), None for none."""
    return ids.index(choice_id) + 1 if choice_id in ids else None


def _seconds(span) -> float | None:
    return None if span is None else span.total_seconds()


@transaction.atomic
def account_delete(*, user) -> None:
    """Delete `user` and all that is theirs: quizzes (and so their places on the
    leaderboard), card memories, reviews, settings, sign-in records. Problem reports they
    sent stay, for the editors, without their name. Staff accounts are removed by other
    staff in the admin, so the site cannot lose its last one from here."""
    if not account_deletable(user=user):
        raise AccountDeleteRefused(
            "A staff account is deleted by another member of staff, in the admin."
        )
    # The login records django-axes keeps by name (address, browser, time) go too: a
    # learner who signs up later under the same name must not inherit them.
    username = user.get_username()
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        model.objects.filter(username=username).delete()
    with statistics_recounted_after_deleting(attempts=user.attempts.all()):
        user.delete()


def normalized_email(email: str) -> str:
    """`email` as it is stored: its domain in lower case, as Django's sign-up keeps it."""
    return get_user_model().objects.normalize_email(email)


def account_email_set(*, user, email: str) -> None:
    """The address a forgotten password's link goes to; "" for none. Only an address its
    owner confirmed (or staff set in the admin). Any link asked for before stops working
    (_pending_email_forget)."""
    user.email = normalized_email(email)
    user.save(update_fields=["email"])


# An address is kept for an account only once a link sent to it is opened, by the account's
# owner, signed in: whoever reads an account's email can reset its password, so neither a
# mistyped address nor whoever holds it (a catch-all on a look-alike domain) may get that
# power. The link carries the account, the address, the nonce of the request it answers
# (PendingEmail: only the latest request's link works, and none once the email is set) and a
# digest of the email the account had when it was sent (not the email itself, which the new
# address must not learn), signed: it stops working once the account's email changes
# (a later request confirmed, the address removed, or staff changing it). It works for as
# long as a reset link does.
EMAIL_CONFIRMATION_SALT = "quizsite.accounts.email-confirmation"


@dataclass(frozen=True, kw_only=True)
class EmailConfirmation:
    user: object
    email: str
    already: bool  # the account has this address already (the link opened twice)


def _email_digest(email: str) -> str:
    return salted_hmac(EMAIL_CONFIRMATION_SALT, email).hexdigest()[:20]


def _link_lifetime() -> timedelta:
    return timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def email_confirmation_token(*, user, pending: PendingEmail) -> str:
    payload = {
        "user": user.pk,
        "email": pending.email,
        "ask": pending.nonce,
        "was": _email_digest(user.email),
    }
    return signing.dumps(payload, salt=EMAIL_CONFIRMATION_SALT, compress=True)


def email_confirmation_read(token: str) -> EmailConfirmation:
    """What a confirmation link asks; EmailConfirmationInvalid when it cannot be used."""
    try:
        asked = signing.loads(
            token, salt=EMAIL_CONFIRMATION_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT
        )
        user_id, email, was = int(asked["user"]), str(asked["email"]), str(asked["was"])
        nonce = str(asked.get("ask", ""))
    except signing.SignatureExpired:
        raise EmailConfirmationInvalid(
            "This link has expired: ask for a new one on your account page."
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise EmailConfirmationInvalid(
            "This link is not one the site sent, or it was cut short: open the whole link "
            "from the email, or ask for a new one on your account page."
        ) from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise EmailConfirmationInvalid("The account this link was sent for is gone.")
    if user.email == email:
        return EmailConfirmation(user=user, email=email, already=True)
    if not constant_time_compare(_email_digest(user.email), was):
        raise EmailConfirmationInvalid(
            "The account's email changed after this link was sent, so it no longer works: "
            "ask for a new one on your account page."
        )
    if not nonce:
        # Sent before links named the request they answer (migration 0016): whether a
        # later one was asked for since cannot be told.
        raise EmailConfirmationInvalid(
            "This link was sent before the site changed how confirmation links work, and "
            "links that old no longer work: ask for a new one on your account page."
        )
    pending = PendingEmail.objects.filter(user=user).first()
    if pending is None or pending.email != email or not constant_time_compare(pending.nonce, nonce):
        raise EmailConfirmationInvalid(
            "A later link was asked for after this one, so this one no longer works: open "
            "the latest, or ask for a new one on your account page."
        )
    return EmailConfirmation(user=user, email=email, already=False)


def pending_emails_purge(*, asked_before: datetime) -> int:
    """Forget the addresses typed for links that no longer work (asked before
    `asked_before`); how many. Run at each request for a link, and daily
    (`manage.py purge_guest_attempts`), so a quiet site does not keep them either."""
    deleted, _ = PendingEmail.objects.filter(asked_at__lte=asked_before).delete()
    return deleted


def pending_emails_expired_before(now: datetime) -> datetime:
    return now - _link_lifetime()


def email_waiting(*, user, now: datetime) -> str | None:
    """The address a link went to for `user` that still works, while the account has
    another: what their account page names, in every browser."""
    pending = PendingEmail.objects.filter(user=user, asked_at__gt=now - _link_lifetime()).first()
    return pending.email if pending is not None and pending.email != user.email else None


def account_lock(*, user_id: int) -> None:
    """Lock the account's row until the caller's transaction ends, so that its writes that
    read before they write (a learner's Quick quiz starts, a confirmation link asked for)
    happen one at a time. What the caller reads after the lock is a statement of its own:
    in PostgreSQL's READ COMMITTED a statement sees what was committed as it began. On
    SQLite, whose transactions here take the database's write lock, nothing is sent.
    Written out: every signed-in Quick start takes it, and building and compiling the
    queryset cost more than the statement."""
    if connection.features.has_select_for_update:
        users = get_user_model()._meta
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {quote(users.db_table)} WHERE {quote(users.pk.column)} = %s "
                "FOR UPDATE",
                [user_id],
            )


def email_confirmation_ask(*, user, email: str, domain: str, use_https: bool, now: datetime) -> str:
    """Have the worker send `email` a link that keeps it as `user`'s address; the address
    as it will be kept. A link asked for before to another address stops working; one to
    the same address still works (the learner may open the first email that arrives)."""
    from quizzes.tasks import email_confirmation_email_task

    email = normalized_email(email)
    with transaction.atomic():
        # The same request sent twice at once (a double click) writes its one row in turn,
        # not two INSERTs of one key.
        account_lock(user_id=user.pk)
        pending_emails_purge(asked_before=now - _link_lifetime())
        pending = PendingEmail.objects.filter(user=user).first()
        if pending is None or pending.email != email:
            pending = PendingEmail(user=user, email=email, nonce=secrets.token_urlsafe(16))
        pending.asked_at = now
        pending.save()
    email_confirmation_email_task.enqueue(
        user_id=user.pk, email=email, domain=domain, use_https=use_https
    )
    return email


def email_confirmation_send(*, user_id: int, email: str, domain: str, use_https: bool) -> bool:
    """Send `email` its confirmation link for the account `user_id`; False when the account
    is gone, already has the address, or asked for another since."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email == email:
        return False
    pending = PendingEmail.objects.filter(user=user, email=email).first()
    if pending is None:
        return False
    context = {
        "user": user,
        "email": email,
        "token": email_confirmation_token(user=user, pending=pending),
    }
    _email_send("email_confirmation", context, to=email, domain=domain, use_https=use_https)
    return True


# The accounts one reset email names at most: a learner with more under one address asks
# staff (and a script that signs many up under someone's address cannot make one request
# send many emails: each request sends one).
RESET_ACCOUNTS_PER_EMAIL = 5


def password_reset_email_send(*, email: str, domain: str, use_https: bool) -> int:
    """Send the address one email with a reset link for each active account that has it
    (none when no account has it); return how many links it held."""
    # Accounts signed in lately first: the address's owner's, before any a stranger may
    # have signed up under it.
    users = sorted(
        PasswordResetForm().get_users(email),
        key=lambda user: (user.last_login is not None, user.last_login or user.date_joined),
        reverse=True,
    )[:RESET_ACCOUNTS_PER_EMAIL]
    if not users:
        return 0
    accounts = [
        {
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
        for user in users
    ]
    _email_send(
        "password_reset",
        {"accounts": accounts},
        to=users[0].email,
        domain=domain,
        use_https=use_https,
    )
    return len(users)


def _email_send(name: str, context: dict, *, to: str, domain: str, use_https: bool) -> None:
    """The email of templates registration/<name>_subject.txt and <name>_email.txt, whose
    links lead to `domain`."""
    context = {**context, "domain": domain, "protocol": "https" if use_https else "http"}
    subject = render_to_string(f"registration/{name}_subject.txt", context)
    body = render_to_string(f"registration/{name}_email.txt", context)
    send_mail("".join(subject.splitlines()), body, None, [to])


def account_deletable(*, user) -> bool:
    return not (user.is_staff or user.is_superuser)


def username_look_alike_taken(
    *, username: str, other_than: int | None = None, locked: bool = False
) -> str | None:
    """The name of a user (other than the user `other_than`, being renamed) whose name can
    pass for `username` (the same skeleton), if any. `locked`, in the caller's transaction
    before it saves the name: a second caller with a look-alike name ("Carol" and "carol"
    signing up at once, or staff renaming an account meanwhile) waits there until the
    first's transaction ends, then finds its name. On PostgreSQL through an advisory lock on
    the skeleton, held to the transaction's end (outside one it would end at once: none is
    taken); SQLite's transaction holds the database's write lock already."""
    if locked and connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [lock_key(username)])
    return (
        NameSkeleton.objects.filter(Q(skeleton=skeleton(username)) | Q(reading=reading(username)))
        .exclude(user_id=other_than)
        .values_list("user__username", flat=True)
        .first()
    )


def name_skeletons_refresh(*, batch_size: int = 1000) -> int:
    """Work every user's skeleton and reading out again, by the rules as they are now
    (quizzes.lookalikes), and store those that changed; returns how many changed. Names
    keep theirs from when they were saved: run after the rules change (a migration does
    too), or look-alikes of names taken before slip through, and names the old rules
    confused stay refused."""
    user_model = get_user_model()
    users = user_model.objects.order_by("pk").values_list(
        "pk", user_model.USERNAME_FIELD, "name_skeleton__skeleton", "name_skeleton__reading"
    )
    changed = []
    for pk, name, kept_skeleton, kept_reading in users.iterator(chunk_size=batch_size):
        if (kept_skeleton, kept_reading) != (skeleton(name), reading(name)):
            changed.append(NameSkeleton(user_id=pk, skeleton=skeleton(name), reading=reading(name)))
    with transaction.atomic():
        NameSkeleton.objects.bulk_create(
            changed,
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["skeleton", "reading"],
        )
    return len(changed)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _name_before_note(sender, instance, update_fields=None, **kwargs):
    """The name and email an account had before a save that may change them (_name_keep,
    _pending_email_forget)."""
    if instance.pk is None or (
        update_fields is not None and not {sender.USERNAME_FIELD, "email"} & set(update_fields)
    ):
        return
    before = (
        sender.objects.filter(pk=instance.pk).values_list(sender.USERNAME_FIELD, "email").first()
    )
    instance._name_before, instance._email_before = before or (None, None)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _name_keep(sender, instance, created, update_fields=None, **kwargs):
    """Every save that may set the name, not each login's save of last_login: its skeleton
    kept, and after a rename (staff, in the admin) the sign-in records django-axes keeps by
    name follow it, so the account's data download and deletion still find them. A
    receiver, not a service, because names are also set where no service of ours runs:
    Django's admin forms, `createsuperuser`, `create_user` in a shell."""
    if update_fields is not None and "username" not in update_fields:
        return
    name = instance.get_username()
    NameSkeleton.objects.update_or_create(
        user=instance, defaults={"skeleton": skeleton(name), "reading": reading(name)}
    )
    before = getattr(instance, "_name_before", None)
    if before is not None and before != name:
        for model in (AccessLog, AccessFailureLog, AccessAttempt):
            model.objects.filter(username=before).update(username=name)
    instance._name_before = name


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _pending_email_forget(sender, instance, created, **kwargs):
    """An account's email changed by any save (staff in the admin too): a link asked for
    before no longer works (its digest of the old email), so the account page stops
    naming its address as waiting, and the address is not kept."""
    before = getattr(instance, "_email_before", None)
    if before is not None and before != instance.email:
        PendingEmail.objects.filter(user=instance).delete()
    instance._email_before = instance.email
