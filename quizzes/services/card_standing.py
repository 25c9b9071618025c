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


# The newest of a card's reviews its box lists; older ones are counted, not listed.
HISTORY_ROWS = 30
# What each review was, as Anki's card info names it (Learn, Review, Relearn, Manual).
KINDS = {
    scheduling.MemoryState.NEW: "Learn",
    scheduling.MemoryState.LEARNING: "Learn",
    scheduling.MemoryState.REVIEW: "Review",
    scheduling.MemoryState.RELEARNING: "Relearn",
}
# What was no answer: what the learner did by hand (Anki's "Manual" entries), and a due date
# moved by a change of settings (Anki's "Rescheduled").
MANUAL_KINDS = {
    ReviewLog.Source.RESET: "Forget",
    ReviewLog.Source.RESCHEDULE: "Set due date",
    ReviewLog.Source.RESCHEDULED: "Rescheduled",
}
# Where an answer was given, when not on the review page.
ACTIVITIES = {
    ReviewLog.Source.QUIZ: "in a quiz",
    ReviewLog.Source.FLASHCARD: "in a flashcard quiz",
}


@dataclass(frozen=True, kw_only=True)
class PastReview:
    """One line of a card's review history, as Anki's card info lists it."""

    at: datetime
    # "Learn", "Review", "Relearn"; "Forget" / "Set due date" (Anki's "Manual"), "Rescheduled"
    kind: str
    activity: str  # "in a quiz", "in a flashcard quiz"; "" on the review page, or no answer
    rating: str  # "Again", "Hard", "Good", "Easy"; "" for a Forget or a Set due date
    interval: str  # until it was due again ("10 m", "3 d"); "" for a Forget
    seconds: float  # the time taken to answer (capped at a minute)


@dataclass(frozen=True, kw_only=True)
class ReviewHistory:
    reviews: list[PastReview]  # newest first, at most HISTORY_ROWS
    older: int  # how many more, not listed


def card_review_history(*, user, card: Card) -> ReviewHistory:
    """The learner's reviews of `card`, newest first, every activity's (reviews, quizzes,
    Forget, Set due date): Anki's card info. Two queries at most (the count only past a
    full list)."""
    logs = ReviewLog.objects.filter(user=user, card=card)
    rows = list(
        logs.order_by("-reviewed_at", "-pk").values_list(
            "reviewed_at", "source", "rating", "state_before", "due_after", "elapsed_seconds"
        )[:HISTORY_ROWS]
    )
    older = logs.count() - HISTORY_ROWS if len(rows) == HISTORY_ROWS else 0
    history = []
    for at, source, rating, state_before, due_after, seconds in rows:
        manual = source in MANUAL_KINDS
        history.append(
            PastReview(
                at=at,
                kind=MANUAL_KINDS[source] if manual else KINDS.get(state_before, "Review"),
                activity="" if manual else ACTIVITIES.get(source, ""),
                rating="" if manual else ReviewLog.Rating(rating).label,
                interval=""
                if source == ReviewLog.Source.RESET
                else scheduling.interval_label(due_after - at),
                seconds=0.0 if manual else seconds,
            )
        )
    return ReviewHistory(reviews=history, older=older)


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
