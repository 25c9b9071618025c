"""A learner's progress: their quiz history and how they did on each card."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, QuerySet

from quizzes.models import Attempt, AttemptQuestion, Card


def attempt_history(*, user) -> QuerySet:
    return Attempt.objects.owned_by(user=user).select_related("deck").order_by("-started_at")


@dataclass(frozen=True, kw_only=True)
class CardFigures:
    card: Card
    seen: int
    correct: int
    last_seen: datetime | None

    @property
    def accuracy(self) -> float:
        return self.correct / self.seen if self.seen else 0.0


def card_figures(*, user) -> list[CardFigures]:
    """Per card the user was asked: how often, how often right, and when last; in two queries.

    Only questions shown count: one never shown before the quiz ran out of time was not seen.
    """
    rows = list(
        AttemptQuestion.objects.answered()
        .filter(attempt__user=user, started_at__isnull=False)
        .values("card_id")
        .annotate(
            seen=Count("pk"),
            correct=Count("pk", filter=AttemptQuestion.CORRECT),
            last_seen=Max("started_at"),
        )
    )
    cards = Card.objects.select_related("deck").in_bulk([row["card_id"] for row in rows])
    figures = [
        CardFigures(
            card=cards[row["card_id"]],
            seen=row["seen"],
            correct=row["correct"],
            last_seen=row["last_seen"],
        )
        for row in rows
    ]
    return sorted(figures, key=lambda f: (f.card.deck.name, f.card.number))


def weakest_cards(figures: list[CardFigures], *, limit: int = 5) -> list[CardFigures]:
    """The cards answered wrong at least once, lowest accuracy first, then most seen."""
    missed = [f for f in figures if f.correct < f.seen]
    return sorted(missed, key=lambda f: (f.accuracy, -f.seen, f.card.number))[:limit]
