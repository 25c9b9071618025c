"""Work that runs outside the request, in the `manage.py db_worker` process (django-tasks
with its database backend; see TASKS in settings)."""

import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished

from quizzes.models import Deck
from quizzes.services import accounts, attempts, deck_exports, deck_packages, fsrs_fitting
from quizzes.services import images as image_services
from quizzes.services.anki_io import import_job_run

logger = logging.getLogger(__name__)


@task()
def anki_import_task(job_id: int) -> str:
    """A big Anki import confirmed in the admin; its progress is on the ImportJob."""
    return import_job_run(job_id=job_id)


@task()
def images_cache_pending(*, retry_failed: bool = False) -> dict[str, int]:
    """Download every pending image (and the failed ones with `retry_failed`)."""
    outcomes = list(image_services.image_cache_pending(retry_failed=retry_failed))
    cached = sum(outcome.cached for outcome in outcomes)
    return {"cached": cached, "failed": len(outcomes) - cached}


@task()
def fsrs_parameters_fit(user_id: int) -> str:
    """A learner asked, on their settings page, for parameters fitted to their reviews."""
    try:
        user = get_user_model().objects.get(pk=user_id)
        return fsrs_fitting.parameters_fit(user=user, now=timezone.now()).summary
    finally:
        cache.delete(fsrs_fitting.fit_asked_key(user_id))


@task()
def ready_quick_quizzes_top_up_task(deck_id: int) -> int:
    """Quick quizzes planned ahead for a deck, asked for by a start that found few or none,
    or by `sync_decks` as the site starts."""
    try:
        deck = Deck.objects.filter(pk=deck_id).first()
        return attempts.ready_quick_quizzes_top_up(deck=deck) if deck is not None else 0
    finally:
        cache.delete(attempts.ready_refill_key(deck_id))


@task()
def choices_settle_task(deck_id: int) -> bool:
    """The wrong answers of another batch of a large deck's cards, chosen ahead of their
    quizzes; asked for again while cards are left."""
    try:
        deck = Deck.objects.filter(pk=deck_id).first()
        more = deck is not None and attempts.choices_settle(deck)
    finally:
        cache.delete(attempts.choices_wanted_key(deck_id))
    if more:
        attempts.choices_wanted(deck)
    return more


@task()
def deck_package_build_task(deck_id: int, version: int) -> str:
    """A learner asked for a big deck's Anki package, not built for `version` of the decks."""
    deck = Deck.objects.filter(pk=deck_id).first()
    if deck is None:
        return "no such deck"
    return str(deck_packages.deck_package_build(deck=deck, version=version))


@task()
def deck_export_task(job_id: int) -> str:
    """Staff asked for a big deck's Anki package; its progress is on the ExportJob."""
    return deck_exports.export_job_run(job_id=job_id)


@task()
def email_confirmation_email_task(
    *, user_id: int, email: str, domain: str, use_https: bool
) -> bool:
    """A learner gave `email` for their account (at sign-up, or on their account page)."""
    return accounts.email_confirmation_send(
        user_id=user_id, email=email, domain=domain, use_https=use_https
    )


@task()
def password_reset_email_task(*, email: str, domain: str, use_https: bool) -> int:
    """Someone asked on the site for a reset link for `email`."""
    return accounts.password_reset_email_send(email=email, domain=domain, use_https=use_https)


# Tasks whose arguments hold an email address someone typed: once sent, the row that
# recorded the task (the worker's queue, django-tasks-db) is deleted, so the addresses do not
# stay in the database until the table is pruned. A failed one stays, with its error, for
# staff to see why the email did not go.
FORGET_WHEN_DONE = frozenset(
    task.module_path for task in (email_confirmation_email_task, password_reset_email_task)
)


@receiver(task_finished)
def _email_task_forget(sender, task_result, **kwargs):
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    # The worker sends its backend, as an instance or a class depending on the outcome.
    backend = sender if isinstance(sender, type) else type(sender)
    if not issubclass(backend, DatabaseBackend):
        return  # tasks run in the request keep no row
    if task_result.status != TaskResultStatus.SUCCESSFUL:
        return
    if task_result.task.module_path not in FORGET_WHEN_DONE:
        return
    try:
        DBTaskResult.objects.filter(id=task_result.id).delete()
    except DatabaseError:
        # The email went: a failure here must not mark its task failed (the worker would).
        logger.exception("The sent email task %s could not be deleted", task_result.id)
