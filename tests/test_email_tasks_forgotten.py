"""The worker's record of an email it sent (a task row of django-tasks-db, whose arguments
hold the address someone typed) is deleted once sent (quizzes/tasks.py), not kept until the
table is pruned; other tasks' rows, and a failed email's, stay."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as UpstreamWorker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from quizzes.services.accounts import email_confirmation_ask
from quizzes.tasks import password_reset_email_task
from tests.tasks import noted_task

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    """What `manage.py db_worker` does, in this process, until no task waits (the upstream
    command: ours would lower this process's priority for good)."""
    call_command(UpstreamWorker(), "--batch", "--no-startup-delay", "--interval", "0")


@pytest.fixture
def database_tasks(settings, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    # The worker takes SIGTERM and SIGINT for itself: here they stay pytest's.
    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)


def ask_to_keep(user, email: str) -> None:
    """The learner asks for a link to `email` on their account page: the worker sends it."""
    email_confirmation_ask(
        user=user, email=email, domain="testserver", use_https=False, now=timezone.now()
    )


def stored_addresses() -> list[str]:
    return [str(row.args_kwargs) for row in DBTaskResult.objects.all()]


@pytest.mark.django_db(transaction=True)
def test_sent_emails_leave_no_address_behind(database_tasks, alice, mailoutbox):
    ask_to_keep(alice, "new@example.org")
    password_reset_email_task.enqueue(
        email="alice@example.com", domain="testserver", use_https=False
    )
    noted_task.enqueue()
    assert any("new@example.org" in row for row in stored_addresses())

    run_worker()

    assert sorted(address for mail in mailoutbox for address in mail.to) == [
        "alice@example.com",
        "new@example.org",
    ]
    left = DBTaskResult.objects.all()
    assert [row.task_path for row in left] == [noted_task.module_path]
    assert not any("@" in row for row in stored_addresses())


@pytest.mark.django_db(transaction=True)
def test_a_failed_email_stays_with_its_error(database_tasks, alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    ask_to_keep(alice, "new@example.org")
    run_worker()

    [row] = DBTaskResult.objects.all()
    assert row.status == "FAILED"
    assert "new@example.org" in str(row.args_kwargs)
