"""`manage.py db_worker`: django-tasks-db's worker, at a lower CPU priority than the web
processes (QUIZSITE_WORKER_NICENESS). What it does (Quick quizzes planned ahead, pictures
cached, packages built, emails sent) can wait a moment; a learner's request should not wait
for it. When a class finishes a quiz together, the worker plans the next ones while the
site serves the results and the new starts: at the same priority it took their CPU (200
quiz takers on two cores: bench/load.py)."""

import os

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = f"{DatabaseWorkerCommand.help}, at a lower CPU priority than the web processes"

    def handle(self, *args, **options):
        lower_priority(settings.QUIZSITE_WORKER_NICENESS)
        return super().handle(*args, **options)


def lower_priority(niceness: int) -> None:
    """Raise this process's niceness to `niceness` (never lower it: only root may, and a
    worker the autoreloader starts again inherits it already)."""
    if not hasattr(os, "nice"):  # Windows: a development machine
        return
    current = os.nice(0)
    if current < niceness:
        os.nice(niceness - current)
