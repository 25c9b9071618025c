"""What the admin's card list shows: how learners did on each card, its open reports and
the state of its images, for any number of cards in a fixed number of queries."""

from dataclasses import dataclass

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

from quizzes.models import AttemptQuestion, CachedImage, Card, CardImage, ProblemReport


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


def cards_for_admin_list(queryset: QuerySet[Card]) -> QuerySet[Card]:
    """Everything the card changelist shows, for any number of cards in a fixed number of
    queries: statistics, open reports and image counts as annotations, tags prefetched."""
    open_reports = ProblemReport.objects.filter(card=OuterRef("pk"), resolved_at__isnull=True)
    return (
        cards_with_image_counts(cards_with_statistics(queryset))
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
