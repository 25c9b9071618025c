"""The Quick quiz leaderboard: each learner's best Quick quiz on a deck."""

from datetime import datetime, timedelta

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from quizzes.models import Attempt, Deck


def leaderboard(*, deck: Deck, since: datetime | None = None, limit: int = 20) -> list[Attempt]:
    """The best finished Quick quiz of each user (points, then time), in one query. A quiz
    answered faster than it can be read (engine.IMPLAUSIBLY_FAST_RULE) does not count."""
    attempts = Attempt.objects.finished().filter(
        deck=deck, is_quick=True, user__isnull=False, implausibly_fast=False
    )
    if since is not None:
        attempts = attempts.filter(started_at__gte=since)
    ranked = attempts.annotate(
        rank_in_user=Window(
            RowNumber(),
            partition_by=[F("user_id")],
            order_by=[F("score").desc(), F("total_time").asc(), F("finished_at").asc()],
        )
    )
    return list(
        ranked.filter(rank_in_user=1)
        .select_related("user")
        .order_by("-score", "total_time", "finished_at")[:limit]
    )


def week_start(now: datetime) -> datetime:
    """Monday 00:00 of the week `now` falls in, in its time zone."""
    start = now - timedelta(days=now.weekday())
    return start.replace(hour=0, minute=0, second=0, microsecond=0)
