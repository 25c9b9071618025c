"""A learner's progress: their quiz history and how they did on each card."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet

from quizzes.models import Attempt, AttemptQuestion, Card

HISTORY_PAGE = 50


@dataclass(frozen=True)
class HistoryPage:
    attempts: list[Attempt]
    older_than: str | None  # the id to ask the next page with (`before`), if there is one


def attempt_history(*, user, before: str | None = None) -> HistoryPage:
    """The user's attempts, latest first, HISTORY_PAGE at a time: those started before the
    attempt `before` (an id of theirs; anything else gives the first page). Each page is a
    range of the (user, started_at) index, however long the history."""
    size = HISTORY_PAGE
    attempts = Attempt.objects.owned_by(user=user)
    after = _owned_attempt(attempts, before)
    if after is not None:
        attempts = attempts.filter(
            Q(started_at__lt=after.started_at) | Q(started_at=after.started_at, pk__lt=after.pk)
        )
    rows = list(attempts.select_related("deck").order_by("-started_at", "-pk")[: size + 1])
    return HistoryPage(
        attempts=rows[:size], older_than=str(rows[size - 1].pk) if len(rows) > size else None
    )


def _owned_attempt(attempts: QuerySet, attempt_id: str | None) -> Attempt | None:
    try:
        return attempts.only("pk", "started_at").get(pk=uuid.UUID(attempt_id or ""))
    except (ValueError, Attempt.DoesNotExist):
        return None


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
    # What the page shows of a card: not its HTML, which a learner's hundreds of cards
    # would bring along for nothing.
    cards = (
        Card.objects.select_related("deck")
        .only("number", "question_text", "deck__name", "deck__slug")
        .in_bulk([row["card_id"] for row in rows])
    )
    figures = [
        CardFigures(
            card=cards[row["card_id"]],
            seen=row["seen"],
            correct=row["correct"],
            last_seen=row["last_seen"],
        )
        for row in rows
    ]
    # Two decks of one name apart: the page lists each deck's cards under its name.
    return sorted(figures, key=lambda f: (f.card.deck.name, f.card.deck_id, f.card.number))


def asked_cards(*, user):
    """The cards `user` was asked (those `card_figures` lists), as a queryset: a bulk change
    of them all reads their ids in the database, not a page of figures."""
    asked = AttemptQuestion.objects.answered().filter(attempt__user=user, started_at__isnull=False)
    return Card.objects.filter(pk__in=asked.values("card_id"))


CARD_FIGURES_PAGE = 100


def card_figures_page(figures: list[CardFigures], *, page: int) -> tuple[list[CardFigures], int]:
    """CARD_FIGURES_PAGE of `figures` from page `page` (1 for the first; out of range gives
    the nearest), and the page shown."""
    pages = max(1, -(-len(figures) // CARD_FIGURES_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * CARD_FIGURES_PAGE
    return figures[start : start + CARD_FIGURES_PAGE], page


def weakest_cards(figures: list[CardFigures], *, limit: int = 5) -> list[CardFigures]:
    """The cards answered wrong at least once, lowest accuracy first, then most seen."""
    missed = [f for f in figures if f.correct < f.seen]
    return sorted(missed, key=lambda f: (f.accuracy, -f.seen, f.card.number))[:limit]
