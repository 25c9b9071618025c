"""The Quick quiz leaderboard: each learner's best Quick quiz on a deck."""

from datetime import datetime, timedelta

from quizzes.models import Attempt, Deck
from quizzes.models.attempts import LEADERBOARD_RANKED

# Attempt's "attempt_leaderboard" index holds exactly the attempts a leaderboard ranks, best
# first, so a board reads the top of an index instead of every attempt.
RANKED = LEADERBOARD_RANKED
BEST_FIRST = ("-score", "total_time", "finished_at", "pk")
FIRST_BATCH = 100


def leaderboard(*, deck: Deck, since: datetime | None = None, limit: int = 20) -> list[Attempt]:
    """The best finished Quick quiz of each user (points, then time, then who finished
    first), in two queries whatever the number of attempts: their ids are read best first
    from the index, in batches that grow fourfold (usually one), until `limit` learners are
    found; then those attempts. A quiz answered faster than it can be read
    (engine.IMPLAUSIBLY_FAST_RULE), or started after the learner's first of the day on the
    deck (engine.RANKED_PER_DAY_RULE), does not count."""
    attempts = Attempt.objects.filter(RANKED, deck=deck)
    if since is not None:
        attempts = attempts.filter(started_at__gte=since)
    attempts = attempts.order_by(*BEST_FIRST).values_list("pk", "user_id")
    best: dict[int, str] = {}  # user id -> their best attempt's id, best first
    start, size = 0, FIRST_BATCH
    while len(best) < limit:
        batch = list(attempts[start : start + size])
        for attempt_id, user_id in batch:
            best.setdefault(user_id, attempt_id)
            if len(best) == limit:
                break
        if len(batch) < size:
            break
        start, size = start + size, size * 4
    rows = Attempt.objects.select_related("user").in_bulk(best.values())
    return [rows[attempt_id] for attempt_id in best.values()]


def week_start(now: datetime) -> datetime:
    """Monday 00:00 of the week `now` falls in, in its time zone."""
    start = now - timedelta(days=now.weekday())
    return start.replace(hour=0, minute=0, second=0, microsecond=0)
