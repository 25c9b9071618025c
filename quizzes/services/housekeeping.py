"""Rows nobody can reach any more, removed on a schedule (`manage.py purge_guest_attempts`,
beside Django's `clearsessions`; see README "Production")."""

from datetime import datetime

from django.db import transaction

from quizzes.models import Attempt
from quizzes.services.card_statistics import statistics_recounted_after_deleting

_BATCH = 500


def guest_attempts_purge(*, started_before: datetime) -> int:
    """Delete guests' quizzes left unfinished and started before `started_before`, with
    their questions; returns how many quizzes. Once the guest's session has expired nobody
    can finish, claim or see them. Finished ones stay: a guest's result can be a challenge
    link someone still opens. In batches, each its own transaction, so a large purge never
    holds SQLite's write lock for long."""
    abandoned = Attempt.objects.unfinished().filter(user=None, started_at__lt=started_before)
    deleted = 0
    while batch := list(abandoned.values_list("pk", flat=True)[:_BATCH]):
        purged = Attempt.objects.filter(pk__in=batch)
        with transaction.atomic(), statistics_recounted_after_deleting(attempts=purged):
            purged.delete()
        deleted += len(batch)
    return deleted
