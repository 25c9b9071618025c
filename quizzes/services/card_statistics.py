"""What the admin's card list shows: how learners did on each card, its open reports and
the state of its images, for any number of cards in a fixed number of queries."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import (
    Count,
    DurationField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.aggregates import Avg
from django.db.models.functions import Coalesce, NullIf
from django.utils.text import Truncator

from quizzes.models import (
    Attempt,
    AttemptQuestion,
    CachedImage,
    Card,
    CardImage,
    CardStatisticsRollUp,
    CardStatisticsWaiting,
    ProblemReport,
)

# A quiz's questions are written when it starts, in one transaction; on PostgreSQL one not
# yet committed can hold ids below ones a roll-up already saw. The questions of quizzes
# started this recently are read again by the next roll-up (those answered already are
# remembered as counted), so none is passed over.
SETTLING = timedelta(minutes=5)
# How long after its quiz started an unanswered question is looked for: quizzes left
# mid-way are left for good, and their questions must not pile up (see _forget_after).
WAITED_FOR = timedelta(days=1)
# Ids a statement names at most (SQLite allows 32,766 variables; Django batches by 999).
_BATCH = 500


def cards_with_statistics(queryset: QuerySet[Card]) -> QuerySet[Card]:
    """Annotate each card with how learners did on it, in the same single query:
    `times_answered`, `percent_correct` (None before any answer), `average_elapsed`, and
    the wrong answer picked most often (`most_picked_wrong_id`, `_number`, `_count`)."""
    answered = AttemptQuestion.objects.attempted().filter(card=OuterRef("pk"))
    most_picked_wrong = (
        AttemptQuestion.objects.filter(
            card=OuterRef("pk"),
            outcome=AttemptQuestion.Outcome.WRONG,
            chosen_card__isnull=False,
            chosen_distractor__isnull=True,
        )
        .values("chosen_card", "chosen_card__number")
        .annotate(picks=Count("pk"))
        .order_by("-picks", "chosen_card__number")
    )
    return queryset.annotate(
        times_answered=_count_of(answered),
        times_correct=_count_of(answered.correct()),
        percent_correct=100.0
        * F("times_correct")
        / NullIf(F("times_answered"), 0, output_field=FloatField()),
        average_elapsed=Subquery(
            answered.filter(elapsed__isnull=False)
            .values("card")
            .annotate(average=Avg("elapsed"))
            .values("average"),
            output_field=DurationField(),
        ),
        most_picked_wrong_id=Subquery(most_picked_wrong.values("chosen_card")[:1]),
        most_picked_wrong_number=Subquery(most_picked_wrong.values("chosen_card__number")[:1]),
        most_picked_wrong_count=Subquery(most_picked_wrong.values("picks")[:1]),
    )


@transaction.atomic
def card_statistics_roll_up(*, now: datetime) -> int:
    """Bring every card's rolled-up statistics (Card.stats_*) up to the answers stored now:
    read the questions written since the last roll-up and those it saw unanswered that have
    been answered since, and count again the cards they are for. Returns how many cards.
    The work grows with the questions since and those left open (a day's at most), not
    with the cards or all the answers; two at once take turns (the row is locked)."""
    state, _ = CardStatisticsRollUp.objects.select_for_update().get_or_create(pk=1)
    written = {
        pk: (card_id, outcome, started_at, deadline_at)
        for pk, card_id, outcome, started_at, deadline_at in AttemptQuestion.objects.filter(
            pk__gt=state.seen_up_to
        )
        .order_by()
        .values_list("pk", "card_id", "outcome", "attempt__started_at", "attempt__deadline_at")
    }
    answered_since = dict(
        AttemptQuestion.objects.answered()
        .filter(pk__in=CardStatisticsWaiting.objects.values("question_id"))
        .order_by()
        .values_list("pk", "card_id")
    )
    counted = set(state.counted)
    changed = set(answered_since.values()) | {
        card_id for pk, (card_id, outcome, *_) in written.items() if outcome and pk not in counted
    }

    seen_up_to = state.seen_up_to
    for pk in sorted(written):
        if written[pk][2] >= now - SETTLING:
            break
        seen_up_to = pk
    # By the ids read, not "answered now": an answer given since that read is for the next.
    for batch in _batches(list(answered_since)):
        CardStatisticsWaiting.objects.filter(question_id__in=batch).delete()
    # After the read: an answer given before this roll-up is counted even if its time to be
    # looked for has just run out.
    CardStatisticsWaiting.objects.filter(forget_after__lt=now).delete()
    # Read again while above `seen_up_to`: already waiting then.
    CardStatisticsWaiting.objects.bulk_create(
        [
            CardStatisticsWaiting(question_id=pk, forget_after=forget_after)
            for pk, (_, outcome, started_at, deadline_at) in written.items()
            if not outcome and (forget_after := _forget_after(started_at, deadline_at)) >= now
        ],
        ignore_conflicts=True,
    )
    counted_now = sorted(
        pk for pk, (_, outcome, *_) in written.items() if outcome and pk > seen_up_to
    )
    if (seen_up_to, counted_now) != (state.seen_up_to, sorted(counted)):
        state.seen_up_to, state.counted = seen_up_to, counted_now
        state.save(update_fields=["seen_up_to", "counted"])
    cards_recount(card_ids=changed)
    return len(changed)


def _forget_after(started_at: datetime, deadline_at: datetime | None) -> datetime:
    """When the roll-up stops looking for the answer of a question unanswered in a quiz
    started at `started_at`: a quiz is played in one sitting, and past its time limit
    nothing can answer it (the clock closes what is left: missed, which counts for
    nothing, or the question shown timed out, counted at the card's next answer)."""
    forget_after = started_at + WAITED_FOR
    if deadline_at is not None:
        forget_after = min(forget_after, deadline_at + SETTLING)
    return forget_after


def cards_recount(*, card_ids) -> None:
    """Count the statistics of the cards `card_ids` again from all their answers, through
    the answers' (card, outcome) index: for cards whose answers changed or were deleted."""
    for batch in _batches(sorted(card_ids)):
        counted = {
            row["card"]: row
            for row in AttemptQuestion.objects.attempted()
            .filter(card__in=batch)
            .order_by()
            .values("card")
            .annotate(
                answered=Count("pk"),
                correct=Count("pk", filter=AttemptQuestion.CORRECT),
                average=Avg("elapsed"),
            )
        }
        cards = [_counted_card(pk, counted.get(pk)) for pk in batch]
        Card.objects.bulk_update(
            cards,
            ["stats_answered", "stats_correct", "stats_percent_correct", "stats_average_elapsed"],
        )


@contextmanager
def statistics_recounted_after_deleting(*, attempts: QuerySet[Attempt]) -> Iterator[None]:
    """Around deleting `attempts` (a learner, guests' abandoned quizzes): the cards their
    answers counted for are counted again afterwards. The roll-up sees answers come, not go."""
    answered = set(
        AttemptQuestion.objects.attempted()
        .filter(attempt__in=attempts)
        .values_list("card_id", flat=True)
        .distinct()
    )
    yield
    cards_recount(card_ids=answered)


def _counted_card(pk: int, counted: dict | None) -> Card:
    if counted is None:
        return Card(pk=pk, stats_answered=0, stats_correct=0)
    return Card(
        pk=pk,
        stats_answered=counted["answered"],
        stats_correct=counted["correct"],
        stats_percent_correct=100.0 * counted["correct"] / counted["answered"],
        stats_average_elapsed=counted["average"],
    )


def _batches(items: list) -> list[list]:
    return [items[start : start + _BATCH] for start in range(0, len(items), _BATCH)]


def cards_for_admin_list(queryset: QuerySet[Card]) -> QuerySet[Card]:
    """Everything the card changelist shows, for any number of cards in a fixed number of
    queries: open reports and image counts as annotations, tags prefetched. The statistics
    are the card's own rolled-up columns (card_statistics_roll_up)."""
    open_reports = ProblemReport.objects.filter(card=OuterRef("pk"), resolved_at__isnull=True)
    return (
        cards_with_image_counts(queryset)
        .annotate(open_report_count=_count_of(open_reports))
        .select_related("deck")
        .prefetch_related("tags")
    )


def cards_with_image_counts(queryset: QuerySet[Card]) -> QuerySet[Card]:
    """How many images each card shows, how many are not cached and how many failed: what
    the changelist's image filters read."""
    images = CardImage.objects.filter(card=OuterRef("pk"))
    return queryset.annotate(
        image_count=_count_of(images),
        uncached_image_count=_count_of(images.filter(~Q(image__status=CachedImage.Status.CACHED))),
        failed_image_count=_count_of(images.filter(image__status=CachedImage.Status.FAILED)),
    )


def _count_of(rows: QuerySet) -> Coalesce:
    """How many of `rows` (one card's, through OuterRef) there are, as a subquery."""
    counted = rows.order_by().values("card").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True, kw_only=True)
class WrongAnswerPicks:
    """A wrong answer a card's multiple choice offers, and how often learners fell for it."""

    label: str
    picked: int
    offered: int | None = None  # known for the hand-written ones

    @property
    def share(self) -> str:
        if not self.offered:
            return ""
        return f"{round(100 * self.picked / self.offered)} %"


def wrong_answer_picks(*, card: Card, others: int = 5) -> list[WrongAnswerPicks]:
    """Each hand-written distractor of `card` (picked, offered), then the other cards'
    answers learners picked most, in two queries. A distractor nobody picks fools nobody."""
    hand_written = card.distractors.annotate(picked=Count("picks")).order_by("pk")
    rows = [
        WrongAnswerPicks(
            label=f"Written: {Truncator(row.text).chars(100)}",
            picked=row.picked,
            offered=row.times_offered,
        )
        for row in hand_written
    ]
    from_cards = (
        AttemptQuestion.objects.filter(
            card=card,
            outcome=AttemptQuestion.Outcome.WRONG,
            chosen_distractor__isnull=True,
            chosen_card__isnull=False,
        )
        .exclude(chosen_card=card)
        .values("chosen_card__number", "chosen_card__choice_text")
        .annotate(picked=Count("pk"))
        .order_by("-picked", "chosen_card__number")[:others]
    )
    rows += [
        WrongAnswerPicks(
            label=(
                f"Card {row['chosen_card__number']}: "
                f"{Truncator(row['chosen_card__choice_text']).chars(80)}"
            ),
            picked=row["picked"],
        )
        for row in from_cards
    ]
    return rows
