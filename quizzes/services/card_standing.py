"""What a card's study box tells a learner in plain words: where the card stands, when it
comes back, and how often they answered it (the FSRS figures stay in its Details)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Count, Q, Subquery, Value
from django.db.models.functions import Coalesce

from quizzes import scheduling
from quizzes.models import Card, ReviewLog
from quizzes.services import reviews
from quizzes.services.reviews import MemoryFigures

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STAGES = {
    scheduling.MemoryState.LEARNING: "Learning",
    scheduling.MemoryState.REVIEW: "Learned",
    scheduling.MemoryState.RELEARNING: "Relearning",
}


@dataclass(frozen=True, kw_only=True)
class CardStanding:
    stage: str  # "Learning", "Learned", "Relearning", "Not answered yet" (due set by hand)
    next_review: str  # "in 2 days", "tomorrow", "today", "in 10 minutes", "now"
    answered: int  # answers in reviews and quizzes since its last Forget
    right: int  # of those, any grade but Again


def card_standing(*, user, card: Card, memory: MemoryFigures, now: datetime) -> CardStanding:
    settings = reviews.learner_settings(user=user)
    today = scheduling.study_day(
        now, time_zone=settings.time_zone, day_start_hour=settings.day_start_hour
    )
    logs = ReviewLog.objects.filter(user=user, card=card)
    # A Forget makes the card new again: the answers before it are not this card's count.
    last_forget = logs.filter(source=ReviewLog.Source.RESET).order_by("-reviewed_at")
    since = Coalesce(Subquery(last_forget.values("reviewed_at")[:1]), Value(EPOCH))
    counts = (
        logs.exclude(source__in=ReviewLog.NOT_ANSWERS)
        .filter(reviewed_at__gt=since)
        .aggregate(
            answered=Count("pk"), right=Count("pk", filter=Q(rating__gt=ReviewLog.Rating.AGAIN))
        )
    )
    stage = STAGES.get(memory.state, "")
    if not counts["answered"]:
        stage = "Not answered yet"  # given a date by hand (Set due date): nothing learned
    elif not counts["right"] and memory.state is scheduling.MemoryState.REVIEW:
        stage = "Learning"  # without learning steps a miss goes to review: no card learned
    return CardStanding(
        stage=stage,
        next_review=next_review_words(memory, today=today, now=now),
        answered=counts["answered"],
        right=counts["right"],
    )


def next_review_words(memory: MemoryFigures, *, today: date, now: datetime) -> str:
    """When the card comes back, from now: a review card by its study day ("today",
    "tomorrow", "in 3 days", "now (overdue by 2 days)"), a learning step by its minute ("in
    10 minutes")."""
    if memory.due is None:
        return ""
    if memory.due_all_day and memory.due_day is not None:
        days = (memory.due_day - today).days
        if days < 0:
            return f"now (overdue by {-days} day{'s' if days != -1 else ''})"
        if days == 0:
            return "today"
        return "tomorrow" if days == 1 else f"in {days} days"
    minutes = round((memory.due - now).total_seconds() / 60)
    if minutes <= 0:
        return "now"
    if minutes < 60:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    if hours < 24:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = round(hours / 24)
    return f"in {days} day{'s' if days != 1 else ''}"
