"""The study loop: what to review now, recording a grade, undoing it, and reading a card's
memory. Every answer a signed-in learner gives (a review, a flashcard, a multiple-choice
question) comes through `review_record`.

Keyword-only and clock-free: `now` always comes from the caller, so a benchmark can drive
ninety simulated days in a second of wall time. The rules are in quizzes/scheduling.py.

Every write of a learner's card memories (`_record`, `review_answer_store`, `review_undo`,
`leeches_unsuspend`) ends with `caching.learner_memory_changed`, so what is kept of them
(`review_counts`, the navigation's "Review (N)") is counted afresh at once, in every process.
A card deleted takes its memories along and moves the decks' version on instead.
"""

import copy
import hashlib
import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.models import (
    Count,
    Exists,
    JSONField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from quizzes import caching, engine, scheduling
from quizzes.models import (
    Attempt,
    AttemptQuestion,
    Card,
    CardHold,
    CardMemory,
    LearnerSettings,
    ReviewLog,
)
from quizzes.models.deck import askable, askable_fields
from quizzes.services import cards as card_services
from quizzes.services import play_sql

Source = ReviewLog.Source
Grade = scheduling.Grade

# The review shows a card as a flashcard quiz does, so it introduces only the new cards such a
# quiz could ask: not one whose question needs an image the site has not cached (nobody can
# recall the answer to a question they cannot see). Such a card waits: caching its image
# renders it again and moves the decks' version on (services.card_pages.cards_rerender), so
# the queue and the counts take it from then on. Cards already studied come due as usual.
INTRODUCED_AS = engine.QuizMode.FLASHCARD


class NothingToForget(Exception):
    """The card is new to the learner already."""


class NothingToUndo(Exception):
    """The review asked for cannot be undone (not the card's latest, or not a review)."""


class UndoCardRemoved(Exception):
    """The review asked for is of a card staff deleted since: the review stays in the
    learner's history, but there is no card to bring back."""


class UndoGone(Exception):
    """The review asked for is gone, and nothing tells whether it was undone or went with
    its card (an Undo button from before buttons named the card, its undo forgotten)."""


# How long an undone review is remembered (shared cache), to tell it from one that went with
# its card: a day, longer than a review page is left open.
UNDONE_REMEMBERED_SECONDS = 24 * 3600


# --- Settings -------------------------------------------------------------------------------


def learner_settings(*, user) -> LearnerSettings:
    """The learner's settings; an unsaved row with the defaults when they never changed any."""
    return _settings_of(user.pk)


# The cached settings are named by the columns they hold: those kept by a release before a
# new setting's migration would come back without it, each read then fetching it anew.
_SETTINGS_COLUMNS = " ".join(field.attname for field in LearnerSettings._meta.concrete_fields)
_SETTINGS_CACHED_AS = f"settings-{hashlib.sha1(_SETTINGS_COLUMNS.encode()).hexdigest()[:8]}"


def _settings_of(user_id: int) -> LearnerSettings:
    """Read from the cache until they change (caching.learner_cached): every answer of a
    signed-in learner needs them."""
    values = caching.learner_cached(
        user_id,
        _SETTINGS_CACHED_AS,
        lambda: LearnerSettings.objects.filter(user_id=user_id).values().first() or {},
    )
    if not values:
        return LearnerSettings(user_id=user_id)
    return LearnerSettings.from_db(DEFAULT_DB_ALIAS, list(values), list(values.values()))


@transaction.atomic
def settings_update(
    *,
    user,
    desired_retention: float,
    new_cards_per_day: int,
    day_start_hour: int,
    time_zone: str,
    learning_steps: tuple[timedelta, ...] = scheduling.DEFAULT_LEARNING_STEPS,
    relearning_steps: tuple[timedelta, ...] = scheduling.DEFAULT_RELEARNING_STEPS,
    max_reviews_per_day: int = scheduling.DEFAULT_MAX_REVIEWS_PER_DAY,
    bury_siblings: bool = False,
    new_review_order: str = scheduling.DEFAULT_NEW_REVIEW_ORDER,
    new_cards_ignore_review_limit: bool = False,
    reschedule_on_change: bool = False,
    maximum_interval: int = scheduling.MAX_INTERVAL_DAYS,
    easy_days: tuple[scheduling.EasyDay, ...] = scheduling.NORMAL_WEEK,
    now: datetime | None = None,
) -> int:
    """Save the learner's study settings (`easy_days` Monday first). With
    `reschedule_on_change`, a new desired retention or new easy days reschedule their review
    cards (review_cards_reschedule, logged at `now`, the moment of the save; None: the
    server's clock), as Anki's "Reschedule cards on change" does on saving its options;
    returns how many it moved."""
    settings, _created = LearnerSettings.objects.select_for_update().get_or_create(user=user)
    # What moves due dates, as in Anki: easy days only where the load balancer weighs them.
    changed = (
        settings.desired_retention != desired_retention
        or settings.easy_day_settings != tuple(easy_days)
    )
    settings.desired_retention = desired_retention
    settings.reschedule_on_change = reschedule_on_change
    settings.maximum_interval = maximum_interval
    settings.new_cards_per_day = new_cards_per_day
    settings.max_reviews_per_day = max_reviews_per_day
    settings.day_start_hour = day_start_hour
    settings.time_zone = time_zone
    settings.learning_steps = [round(step.total_seconds()) for step in learning_steps]
    settings.relearning_steps = [round(step.total_seconds()) for step in relearning_steps]
    settings.bury_siblings = bury_siblings
    settings.new_review_order = scheduling.NewReviewOrder(new_review_order)
    settings.new_cards_ignore_review_limit = new_cards_ignore_review_limit
    settings.easy_days = [scheduling.EasyDay(day).value for day in easy_days]
    settings.save(
        update_fields=[
            "easy_days",
            "new_cards_ignore_review_limit",
            "bury_siblings",
            "new_review_order",
            "desired_retention",
            "new_cards_per_day",
            "max_reviews_per_day",
            "day_start_hour",
            "time_zone",
            "learning_steps",
            "relearning_steps",
            "reschedule_on_change",
            "maximum_interval",
        ]
    )
    if reschedule_on_change and changed:
        return review_cards_reschedule(user=user, now=now or timezone.now())
    return 0


@transaction.atomic
def review_cards_reschedule(*, user, now: datetime) -> int:
    """Anki's "Reschedule cards on change" (rslib/src/scheduler/fsrs/memory_state.rs):
    every review card of the learner's not suspended (a buried one too) is due when its
    memory now says, under their desired retention and parameters
    (scheduling.rescheduled_due). Cards in a (re)learning step keep their step, and a new
    card made a review card by Set due date and not answered since keeps its date: it has
    no answer to count from (Anki passes over a card without a graded review too). Each
    card moved gets a "Rescheduled" entry at `now` (Anki's log_rescheduled_review), its
    memory before kept, so that its history shows the move; a card whose date stays gets
    none. The days are load balanced over the cards due and the easy days, as Anki's
    Rescheduler does (scheduling.rescheduled_due). Returns how many due dates moved: one
    query reads the cards, with their last answers, one counts the cards answered today,
    one writes each 500 moved and one logs each 500; the rows are locked, so an answer
    given meanwhile waits rather than being overwritten."""
    settings = _settings_of(user.pk)
    scheduler = _scheduler(settings)
    today = _today(settings, now)
    day_start, _day_end = study_day_bounds(settings=settings, now=now)
    last_answer = (
        ReviewLog.objects.filter(
            user=user, card=OuterRef("card"), reviewed_at=OuterRef("last_review")
        )
        .exclude(source__in=ReviewLog.NOT_ANSWERS)
        .order_by("-pk")
    )
    rows = list(
        CardMemory.objects.select_for_update(of=("self",))
        .filter(user=user, state=scheduling.MemoryState.REVIEW, suspended=False)
        .filter(~Exists(CardHold.objects.filter(user=user, card=OuterRef("card"), suspended=True)))
        .annotate(
            last_rating=Subquery(last_answer.values("rating")[:1]),
            last_memory_before=Subquery(
                last_answer.values("memory_before")[:1], output_field=JSONField()
            ),
        )
        .order_by("card_id")
    )
    # Anki's Rescheduler balances the load over the review cards so read (each day's, and
    # today's with those overdue and the cards answered today), moving each as it goes.
    due_on = Counter(max((_today(settings, row.due) - today).days, 0) for row in rows)
    due_on[0] += (
        ReviewLog.objects.filter(user=user, reviewed_at__gte=day_start, card__isnull=False)
        .exclude(source__in=ReviewLog.NOT_ANSWERS)
        .values("card")
        .distinct()
        .count()
    )
    workload = scheduling.Workload(
        due_on=due_on, today_weekday=today.weekday(), easy_days=settings.easy_day_settings
    )
    moved, logs = [], []
    for row in rows:
        if not row.reps:
            continue
        memory = row.as_memory()
        due = scheduling.rescheduled_due(
            memory,
            scheduler=scheduler,
            previous_interval=_interval_before(row.last_rating, row.last_memory_before),
            fuzz_seed=_fuzz_seed(
                user_id=user.pk, card_id=row.card_id, reps=max(memory.reps - 1, 0)
            ),
            time_zone=settings.time_zone,
            day_start_hour=settings.day_start_hour,
            workload=workload,
            elapsed_days=_elapsed_days(settings, memory, now),
        )
        if due != row.due:
            due_on[max((_today(settings, row.due) - today).days, 0)] -= 1
            due_on[max((_today(settings, due) - today).days, 0)] += 1
            logs.append(
                ReviewLog(
                    user=user,
                    card_id=row.card_id,
                    rating=scheduling.RESET_RATING,
                    reviewed_at=now,
                    elapsed_seconds=0.0,
                    source=Source.RESCHEDULED,
                    state_before=row.state,
                    memory_before=_memory_json(row),
                    due_after=due,
                    stability_after=row.stability,
                )
            )
            row.due = due
            moved.append(row)
    CardMemory.objects.bulk_update(moved, ["due"], batch_size=500)
    ReviewLog.objects.bulk_create(logs, batch_size=500)
    if moved:
        caching.learner_memory_changed(user.pk)
    return len(moved)


def _interval_before(rating: int | None, memory_before: dict | None) -> int:
    """The interval, in days, a card had before its last answer, when that answer passed
    and the card was in review (Anki's previous_interval); 0 otherwise."""
    if not rating or rating == Grade.AGAIN or not memory_before:
        return 0
    if memory_before["state"] != scheduling.MemoryState.REVIEW:
        return 0
    before = _memory_from_json(memory_before)
    return round((before.due - before.last_review).total_seconds() / 86400)


def time_zone_set(*, user, time_zone: str) -> None:
    """Set the learner's time zone alone (the browser's, at sign-up)."""
    LearnerSettings.objects.update_or_create(user=user, defaults={"time_zone": time_zone})


def study_day_bounds(*, settings: LearnerSettings, now: datetime) -> tuple[datetime, datetime]:
    return scheduling.study_day_bounds(
        now, time_zone=settings.time_zone, day_start_hour=settings.day_start_hour
    )


def _scheduler(settings: LearnerSettings):
    return scheduling.make_scheduler(
        desired_retention=settings.desired_retention,
        parameters=settings.fsrs_parameters or None,
        learning_steps=settings.learning_step_durations,
        relearning_steps=settings.relearning_step_durations,
        maximum_interval=settings.maximum_interval,
    )


def _elapsed_days(
    settings: LearnerSettings, memory: scheduling.Memory | None, now: datetime
) -> int | None:
    if memory is None or memory.last_review is None:
        return None
    return scheduling.elapsed_study_days(
        memory.last_review,
        now,
        time_zone=settings.time_zone,
        day_start_hour=settings.day_start_hour,
    )


def _today(settings: LearnerSettings, now: datetime) -> date:
    return scheduling.study_day(
        now, time_zone=settings.time_zone, day_start_hour=settings.day_start_hour
    )


def _workload(
    *,
    settings: LearnerSettings,
    card_id: int,
    memory: scheduling.Memory | None,
    grades,
    now: datetime,
    scheduler,
    elapsed_days: int | None,
) -> scheduling.Workload | None:
    """What Anki's load balancer weighs `grades` of the card by: the learner's cards due on
    each study day of the fuzz ranges (scheduling.load_window), the card itself left out
    since it is the one moving, counted in one query through the (user, due) index; their
    easy days; and when they bury siblings (Anki's "Bury review siblings"), the days from
    today on within reach of the ranges on which a sibling of the card is due, counted in
    the same query. None, and no query, when no grade gives a range to balance. As Anki's,
    it counts every card due on those days, suspended and buried ones too."""
    window = scheduling.load_window(
        memory, grades, now=now, scheduler=scheduler, elapsed_days=elapsed_days
    )
    if window is None:
        return None
    first, last = window
    days = range(first, last + 1)
    # Sibling days are read this far around the ranges, from today on.
    reach = scheduling.SIBLING_REACH if settings.bury_siblings else None
    near = range(max(first - reach, 0), last + reach + 1) if reach is not None else range(0)
    read = near or days  # the sibling days' reach holds the ranges' days
    today = _today(settings, now)
    starts = {
        day: scheduling.study_day_start(
            today + timedelta(days=day),
            time_zone=settings.time_zone,
            day_start_hour=settings.day_start_hour,
        )
        for day in range(read.start, read.stop + 1)
    }
    due_on, sibling_days = play_sql.due_by_day(
        user_id=settings.user_id, card_id=card_id, starts=starts, days=days, near=near
    )
    return scheduling.Workload(
        due_on=due_on,
        today_weekday=today.weekday(),
        easy_days=settings.easy_day_settings,
        sibling_days=sibling_days,
    )


def _fuzz_seed(*, user_id: int, card_id: int, reps: int) -> int:
    """Fixed per learner, card and review number: a preview and the answer agree."""
    return (user_id * 1_000_003 + card_id) * 1_009 + reps


# --- The queue ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class QueueItem:
    card: Card
    memory: CardMemory | None  # None for a new card

    @property
    def is_new(self) -> bool:
        return self.memory is None


@dataclass(frozen=True, kw_only=True)
class QueueCounts:
    # studied cards due now: reviews, and learning steps due within LEARN_AHEAD (shown
    # once nothing else is left)
    due: int
    new: int  # new cards left for today
    over_limit: int = 0  # review cards due today past the day's maximum of reviews
    new_over_limit: int = 0  # new cards left today that the day's maximum of reviews holds
    learning: int = 0  # of `due`, the (re)learning steps: Anki's red count, apart
    # The day's budget, shared by every deck (deck_counts): new cards the day's allowance
    # leaves (before the cards there are, or the maximum of reviews, cap them), and the
    # review cards left under the day's maximum.
    new_allowance: int = 0
    reviews_left: int = 0

    @property
    def reviews(self) -> int:
        """Of `due`, the review cards: Anki's green count."""
        return self.due - self.learning

    @property
    def total(self) -> int:
        return self.due + self.new


@dataclass(frozen=True, kw_only=True)
class UnstudiedCards:
    """The cards a learner has never studied."""

    ready: int  # the review can introduce them
    waiting: int  # their question needs an image the site has not cached yet

    @property
    def waiting_message(self) -> str:
        """Why the review does not offer the waiting ones, for its end screen."""
        if self.waiting == 1:
            return "1 new card waits: its question needs a picture this site does not have yet."
        return (
            f"{self.waiting} new cards wait: their question needs a picture this site does "
            "not have yet."
        )


def held_out(*, user, now: datetime, card: str = "card") -> Exists:
    """Whether the learner holds the card `card` (an OuterRef's field) out of the review now:
    buried or suspended by hand (CardHold). Holds are few, each found by its (user, card)
    key, so the queries that leave them out keep their number."""
    return Exists(CardHold.objects.active(now).filter(user=user, card=OuterRef(card)))


def _new_card_ids(
    *, user, now: datetime, allowance: int, count: int, deck_ids: frozenset[int] | None = None
) -> list[int]:
    """The first `count` new cards to show, in Anki's default order ("card type, then order
    gathered"): today's `allowance` of them gathered deck by deck in their order, then each
    note's first card (card_ord 0) before its reversed card or next cloze, so that siblings
    do not follow each other. Cards held (buried, suspended) are passed over."""
    if count <= 0:
        return []
    studied = CardMemory.objects.filter(user=user, card=OuterRef("pk"))
    cards = Card.objects.all() if deck_ids is None else Card.objects.filter(deck_id__in=deck_ids)
    gathered = (
        cards.filter(~Exists(studied), ~held_out(user=user, now=now, card="pk"))
        .askable(INTRODUCED_AS)
        .order_by("deck__name", "deck_id", "number")
        .values_list("pk", "card_ord")[:allowance]
    )
    ordered = sorted(enumerate(gathered), key=lambda row: (row[1][1], row[0]))
    return [card_id for _place, (card_id, _card_ord) in ordered[:count]]


def _memories(*, user, deck_ids: frozenset[int] | None = None):
    """The learner's card memories, of the decks `deck_ids` only when given (one study of a
    deck and its subdecks)."""
    memories = CardMemory.objects.filter(user=user)
    return memories if deck_ids is None else memories.filter(card__deck_id__in=deck_ids)


def _scheduled(
    *, user, now: datetime, until: datetime, deck_ids: frozenset[int] | None = None
) -> list[scheduling.Scheduled]:
    rows = (
        _memories(user=user, deck_ids=deck_ids)
        .filter(due__lt=until, suspended=False)
        .filter(~held_out(user=user, now=now))
        .values_list("card_id", "state", "due", "stability")
    )
    return [
        scheduling.Scheduled(
            card_id=card_id, state=scheduling.MemoryState(state), due=due, stability=stability
        )
        for card_id, state, due, stability in rows
    ]


def _introduced_since(*, user, start: datetime) -> int:
    """The cards first studied since `start`: those the learner remembers, and those staff
    deleted since (their memories went with them, their reviews stay), which Anki counts
    too: a deleted card does not give back the day's new cards. A new card given a due date
    (card_set_due: no rep yet) was not studied, and Anki does not count it either."""
    remembered = CardMemory.objects.filter(user=user, first_review__gte=start, reps__gt=0).values(
        "pk"
    )
    deleted = (
        ReviewLog.objects.filter(
            user=user, card=None, reviewed_at__gte=start, state_before=scheduling.MemoryState.NEW
        )
        .exclude(source__in=ReviewLog.NOT_ANSWERS)
        .values("pk")
    )
    return remembered.union(deleted, all=True).count()  # one query, as the queue's others


@dataclass(frozen=True, kw_only=True)
class AnsweredToday:
    """The cards answered on the review page since the study day started (quiz answers are
    not held to the day's limits): review cards, and new cards met there."""

    reviews: int
    new: int


def _answered_today(*, user, day_start: datetime) -> AnsweredToday:
    """One query, the cards of both kinds counted together."""
    figures = ReviewLog.objects.filter(
        user=user, reviewed_at__gte=day_start, source=Source.REVIEW
    ).aggregate(
        reviews=Count("pk", filter=Q(state_before=scheduling.MemoryState.REVIEW)),
        new=Count("pk", filter=Q(state_before=scheduling.MemoryState.NEW)),
    )
    return AnsweredToday(**figures)


def _review_allowance(
    *, settings: LearnerSettings, day_start: datetime, answered: AnsweredToday
) -> int:
    """Review cards left for today: the daily maximum less the review cards answered on the
    review page since the study day started, and the new cards met there unless they
    ignore the maximum (Anki's v3 scheduler counts them: "any reviewed new cards contribute
    to the review limit")."""
    done = answered.reviews
    if not settings.new_cards_ignore_review_limit:
        done += answered.new
    return scheduling.review_allowance(
        per_day=settings.max_reviews_per_day,
        reviewed_today=done,
        extra_today=settings.extra_reviews_on(_today(settings, day_start)),
    )


def _new_shown(
    *, settings: LearnerSettings, allowance: int, reviews_left: int, reviews_due: int
) -> int:
    """Of today's new-card allowance, those the day's maximum of reviews lets the queue
    show (all of them when the learner lets new cards ignore it)."""
    if settings.new_cards_ignore_review_limit:
        return allowance
    room = scheduling.review_room_for_new(reviews_left=reviews_left, reviews_due=reviews_due)
    return min(allowance, room)


def _due_counts(
    scheduled: list[scheduling.Scheduled], *, now: datetime, day_end: datetime
) -> tuple[int, int]:
    """The learning steps due now, and the review cards due today."""
    due = [entry for entry in scheduled if scheduling.is_due(entry, now=now, day_end=day_end)]
    reviews_due = sum(entry.state is scheduling.MemoryState.REVIEW for entry in due)
    return len(due) - reviews_due, reviews_due


def review_queue(
    *,
    user,
    now: datetime,
    limit: int,
    settings: LearnerSettings | None = None,
    deck_ids: frozenset[int] | None = None,
) -> list[QueueItem]:
    """The cards to study now, in order (see scheduling.order_queue), each with its memory;
    with `deck_ids`, of those decks only (a deck and its subdecks), the day's limits still
    the learner's, shared by every deck.

    A fixed number of queries whatever the number of cards: the due rows come from the
    (user, due) index in one query, and the cards shown in one more. Pass `settings` when
    already read.
    """
    settings = settings or learner_settings(user=user)
    day_start, day_end = study_day_bounds(settings=settings, now=now)
    scheduled = _scheduled(
        user=user, now=now, until=max(day_end, now + scheduling.LEARN_AHEAD), deck_ids=deck_ids
    )
    allowance = scheduling.new_card_allowance(
        per_day=settings.new_cards_per_day,
        introduced_today=_introduced_since(user=user, start=day_start),
        extra_today=settings.extra_new_cards_on(_today(settings, now)),
    )
    answered = _answered_today(user=user, day_start=day_start)
    reviews_left = _review_allowance(settings=settings, day_start=day_start, answered=answered)
    steps_due, reviews_due = _due_counts(scheduled, now=now, day_end=day_end)
    due_count = scheduling.due_shown(
        steps_due=steps_due, reviews_due=reviews_due, reviews_left=reviews_left
    )
    allowance = _new_shown(
        settings=settings, allowance=allowance, reviews_left=reviews_left, reviews_due=reviews_due
    )
    new_order = scheduling.NewReviewOrder(settings.new_review_order)
    # After the reviews, only the new cards the limit leaves room for; mixed in or before
    # them, any of the first `limit` places may be a new card's.
    room = limit - due_count if new_order is scheduling.NewReviewOrder.AFTER else limit
    new_ids = _new_card_ids(
        user=user,
        now=now,
        allowance=allowance,
        count=min(allowance, max(room, 0)),
        deck_ids=deck_ids,
    )
    new_left = allowance
    if new_order is scheduling.NewReviewOrder.MIX and len(new_ids) < allowance:
        # The mix spreads the new cards there are, not the allowance: the counts know
        # them (kept in the cache, and the page reads them next anyway).
        new_left = review_counts(user=user, now=now, settings=settings, deck_ids=deck_ids).new
    ordered = scheduling.order_queue(
        scheduled,
        new_card_ids=new_ids,
        now=now,
        day_end=day_end,
        limit=limit,
        review_allowance=reviews_left,
        new_order=new_order,
        new_left=new_left,
        reviews_done=answered.reviews,
        new_done=answered.new,
    )
    if not ordered:
        return []
    cards = Card.objects.select_related("deck").with_sibling_count().in_bulk(ordered)
    memories = {
        memory.card_id: memory
        for memory in CardMemory.objects.filter(user=user, card_id__in=ordered)
    }
    return [
        QueueItem(card=cards[card_id], memory=memories.get(card_id))
        for card_id in ordered
        if card_id in cards
    ]


def _deck_cards() -> dict[str, int]:
    """Every deck's cards ("total"), and how many of them the review cannot introduce
    ("waiting"): counted once per change of the decks (caching), not at every page a
    learner opens (the navigation's "Review (N due)" needs them)."""
    return caching.cached(
        "cards:counts",
        lambda: Card.objects.aggregate(
            total=Count("pk"), waiting=Count("pk", filter=~askable(INTRODUCED_AS))
        ),
    )


def card_count() -> int:
    """Every deck's cards, kept as `_deck_cards` is."""
    return _deck_cards()["total"]


def _studied_waiting(deck_cards: dict[str, int]) -> dict[str, Count]:
    """For an aggregate of the learner's memories: how many of the cards they studied are
    waiting ones. Joined to the cards only when some card is waiting: at 10,000 studied
    cards the join made the count a third slower (SQLite)."""
    if not deck_cards["waiting"]:
        return {}
    return {"studied_waiting": Count("pk", filter=~askable(INTRODUCED_AS, prefix="card__"))}


def _unstudied(deck_cards: dict[str, int], figures: dict, *, held_new: int) -> UnstudiedCards:
    """From the decks' counts, an aggregate of the learner's memories with "studied" and
    _studied_waiting's figure, and the new cards the review could introduce that the learner
    holds (buried, suspended)."""
    studied_waiting = figures.get("studied_waiting", 0)
    ready = (
        deck_cards["total"]
        - deck_cards["waiting"]
        - (figures["studied"] - studied_waiting)
        - held_new
    )
    return UnstudiedCards(
        ready=max(ready, 0), waiting=max(deck_cards["waiting"] - studied_waiting, 0)
    )


def review_counts(
    *,
    user,
    now: datetime,
    settings: LearnerSettings | None = None,
    deck_ids: frozenset[int] | None = None,
) -> QueueCounts:
    """How many cards the queue holds now: for the navigation, on every page a signed-in
    learner opens. Kept until the learner's settings, their card memories or the decks
    change, or until it could change by itself (caching.learner_kept_until); else counted
    in one query (and the decks' card count, kept apart). With `deck_ids`, those the study
    of those decks holds (deck_counts)."""
    if deck_ids is not None:
        return scope_counts(user=user, now=now, settings=settings, deck_ids=deck_ids)
    return caching.learner_kept_until(
        user.pk,
        "review-counts",
        now=now,
        build=lambda: _review_counts(user=user, now=now, settings=settings),
    )


def _review_counts(
    *, user, now: datetime, settings: LearnerSettings | None
) -> tuple[QueueCounts, datetime]:
    """The counts, and until when they hold: a learning step's card counts from
    LEARN_AHEAD before its minute (the queue shows it then, once nothing else is left, as
    Anki counts it), the cards due in the day ahead and a fresh new-card allowance when the
    next study day starts."""
    settings = settings or learner_settings(user=user)
    day_start, day_end = study_day_bounds(settings=settings, now=now)
    deck_cards = _deck_cards()
    # reviews_due: review cards due today (not suspended, not held); steps_due: learning
    # steps due by LEARN_AHEAD from now (not held), next_step_due the first one after;
    # introduced_today: cards first studied today; studied: every card studied;
    # studied_waiting: those of them the review cannot introduce (a card waiting for an
    # image), counted only when some card is; held_new: the new cards the review could
    # introduce that the learner buried or suspended; answered_reviews_today and
    # answered_new_today: the review cards and new cards answered on the review page today.
    figures = play_sql.memory_figures(
        user_id=user.pk,
        now=now,
        review_state=scheduling.MemoryState.REVIEW,
        new_state=scheduling.MemoryState.NEW,
        day_start=day_start,
        day_end=day_end,
        ahead=scheduling.learn_ahead_until(now=now, day_end=day_end),
        waiting=askable_fields(INTRODUCED_AS) if deck_cards["waiting"] else None,
    )
    allowance = scheduling.new_card_allowance(
        per_day=settings.new_cards_per_day,
        introduced_today=figures["introduced_today"],
        extra_today=settings.extra_new_cards_on(_today(settings, now)),
    )
    unstudied = _unstudied(deck_cards, figures, held_new=figures["held_new"])
    # The day's maximum of reviews holds back review cards due, and new cards unless they
    # ignore it.
    new_ready = max(min(allowance, unstudied.ready), 0)
    answered = AnsweredToday(
        reviews=figures["answered_reviews_today"], new=figures["answered_new_today"]
    )
    reviews_left = _review_allowance(settings=settings, day_start=day_start, answered=answered)
    new_shown = _new_shown(
        settings=settings,
        allowance=new_ready,
        reviews_left=reviews_left,
        reviews_due=figures["reviews_due"],
    )
    counts = QueueCounts(
        due=scheduling.due_shown(
            steps_due=figures["steps_due"],
            reviews_due=figures["reviews_due"],
            reviews_left=reviews_left,
        ),
        new=new_shown,
        over_limit=max(figures["reviews_due"] - reviews_left, 0),
        new_over_limit=new_ready - new_shown,
        learning=figures["steps_due"],
        new_allowance=allowance,
        reviews_left=reviews_left,
    )
    # The next step counts from LEARN_AHEAD before its minute, or from the next study day's
    # start when it is due then (it was not counted before it).
    next_step = figures["next_step_due"]
    if next_step is not None and next_step < day_end:
        return counts, next_step - scheduling.LEARN_AHEAD
    return counts, day_end


# --- One deck, or a branch of decks: Anki's deck list ---------------------------------------


@dataclass(frozen=True, kw_only=True)
class DeckFigures:
    """A learner's cards of one deck before the day's limits take their share: review cards
    due today, learning steps due within LEARN_AHEAD (neither held nor a suspended leech),
    the cards studied, those of them the review could introduce (not waiting for an
    image), and the new cards it could introduce that the learner holds."""

    reviews_due: int = 0
    steps_due: int = 0
    studied: int = 0
    studied_ready: int = 0
    held_new: int = 0


NO_FIGURES = DeckFigures()


def _cards_by_deck() -> dict[int, tuple[int, int]]:
    """Each deck's cards, and of them those the review can introduce: counted once per
    change of the decks (caching), as `_deck_cards`."""
    return caching.cached(
        "cards:by-deck",
        lambda: {
            deck_id: (total, ready)
            for deck_id, total, ready in Card.objects.values_list("deck_id")
            .annotate(total=Count("pk"), ready=Count("pk", filter=askable(INTRODUCED_AS)))
            .values_list("deck_id", "total", "ready")
            .order_by()
        },
    )


def deck_figures(
    *, user, now: datetime, settings: LearnerSettings | None = None
) -> dict[int, DeckFigures]:
    """Every deck's DeckFigures for the learner, by deck id (a deck they never studied nor
    held a card of is not there). Kept as `review_counts` is, until their memories, settings
    or the decks change or a learning step comes within LEARN_AHEAD; else counted in two
    queries whatever the decks and cards: the memories grouped by deck, and the holds of
    new cards (few) grouped by deck."""
    return caching.learner_kept_until(
        user.pk,
        "deck-figures",
        now=now,
        build=lambda: _deck_figures(user=user, now=now, settings=settings),
    )


def _deck_figures(
    *, user, now: datetime, settings: LearnerSettings | None
) -> tuple[dict[int, DeckFigures], datetime]:
    settings = settings or learner_settings(user=user)
    _day_start, day_end = study_day_bounds(settings=settings, now=now)
    ahead = scheduling.learn_ahead_until(now=now, day_end=day_end)
    review = scheduling.MemoryState.REVIEW
    counted = Q(suspended=False) & ~held_out(user=user, now=now)
    rows = (
        CardMemory.objects.filter(user=user)
        .values_list("card__deck_id")
        .annotate(
            reviews_due=Count("pk", filter=counted & Q(state=review, due__lt=day_end)),
            steps_due=Count("pk", filter=counted & ~Q(state=review) & Q(due__lte=ahead)),
            next_step=Min("due", filter=Q(suspended=False, due__gt=ahead) & ~Q(state=review)),
            studied=Count("pk"),
            studied_ready=Count("pk", filter=askable(INTRODUCED_AS, prefix="card__")),
        )
        .order_by()
    )
    studied = CardMemory.objects.filter(user=user, card=OuterRef("card"))
    held_new = dict(
        CardHold.objects.active(now)
        .filter(user=user)
        .filter(~Exists(studied), askable(INTRODUCED_AS, prefix="card__"))
        .values_list("card__deck_id")
        .annotate(held=Count("pk"))
        .order_by()
    )
    figures, next_steps = {}, []
    for deck_id, reviews_due, steps_due, next_step, studied_count, studied_ready in rows:
        figures[deck_id] = DeckFigures(
            reviews_due=reviews_due,
            steps_due=steps_due,
            studied=studied_count,
            studied_ready=studied_ready,
            held_new=held_new.pop(deck_id, 0),
        )
        if next_step is not None:
            next_steps.append(next_step)
    for deck_id, held in held_new.items():
        figures[deck_id] = DeckFigures(held_new=held)
    next_step = min(next_steps, default=None)
    if next_step is not None and next_step < day_end:
        return figures, next_step - scheduling.LEARN_AHEAD
    return figures, day_end


def _unstudied_in(
    deck_ids: frozenset[int], figures: dict[int, DeckFigures], cards: dict[int, tuple[int, int]]
) -> UnstudiedCards:
    ready = waiting = 0
    for deck_id in deck_ids:
        total, askable_count = cards.get(deck_id, (0, 0))
        deck = figures.get(deck_id, NO_FIGURES)
        ready += max(askable_count - deck.studied_ready - deck.held_new, 0)
        waiting += max(total - askable_count - (deck.studied - deck.studied_ready), 0)
    return UnstudiedCards(ready=ready, waiting=waiting)


def _counts_within(
    deck_ids: frozenset[int],
    *,
    day: QueueCounts,
    figures: dict[int, DeckFigures],
    cards: dict[int, tuple[int, int]],
    settings: LearnerSettings,
) -> QueueCounts:
    """The counts of a study of `deck_ids`: their cards, under the day's limits (`day`, the
    learner's counts over every deck), which every deck shares."""
    reviews_due = sum(figures.get(deck_id, NO_FIGURES).reviews_due for deck_id in deck_ids)
    steps_due = sum(figures.get(deck_id, NO_FIGURES).steps_due for deck_id in deck_ids)
    new_ready = min(day.new_allowance, _unstudied_in(deck_ids, figures, cards).ready)
    new_shown = _new_shown(
        settings=settings,
        allowance=new_ready,
        reviews_left=day.reviews_left,
        reviews_due=reviews_due,
    )
    return QueueCounts(
        due=scheduling.due_shown(
            steps_due=steps_due, reviews_due=reviews_due, reviews_left=day.reviews_left
        ),
        new=new_shown,
        over_limit=max(reviews_due - day.reviews_left, 0),
        new_over_limit=new_ready - new_shown,
        learning=steps_due,
        new_allowance=day.new_allowance,
        reviews_left=day.reviews_left,
    )


def deck_counts(
    *, user, now: datetime, scopes: dict[str, frozenset[int]]
) -> dict[str, QueueCounts]:
    """Anki's deck list: for each scope (a name, and the ids of its decks: a deck and its
    subdecks), the new, learning and review cards a study of it holds now. The day's limits
    are the learner's, over every deck: a deck's counts are its cards' up to what is left
    of them, as a parent deck's in Anki are its subdecks' up to its own limits. No query
    when what it reads is kept (the learner's counts, deck_figures, the decks' cards)."""
    settings = learner_settings(user=user)
    day = review_counts(user=user, now=now, settings=settings)
    figures = deck_figures(user=user, now=now, settings=settings)
    cards = _cards_by_deck()
    return {
        name: _counts_within(deck_ids, day=day, figures=figures, cards=cards, settings=settings)
        for name, deck_ids in scopes.items()
    }


def scope_counts(
    *, user, now: datetime, deck_ids: frozenset[int], settings: LearnerSettings | None = None
) -> QueueCounts:
    """The counts of a study of the decks `deck_ids` (deck_counts)."""
    return deck_counts(user=user, now=now, scopes={"": deck_ids})[""]


def queue_item(*, user, card: Card) -> QueueItem:
    """`card` with the learner's memory of it, to show it out of queue order (after undo).
    The card is read again with its siblings counted, as the queue's are."""
    card = Card.objects.select_related("deck").with_sibling_count().get(pk=card.pk)
    return QueueItem(card=card, memory=CardMemory.objects.filter(user=user, card=card).first())


@dataclass(frozen=True, kw_only=True)
class Studied:
    """The cards answered in a stretch of time, and the time they took (each answer's capped
    at a minute, scheduling.answer_seconds): Anki's "Studied 20 cards in 4.3 minutes
    today"."""

    cards: int
    seconds: float

    @property
    def time_label(self) -> str:
        return "less than a minute" if self.seconds < 60 else f"{self.seconds / 60:.1f} minutes"

    @property
    def seconds_per_card(self) -> int:
        return round(self.seconds / self.cards) if self.cards else 0


def studied_since(*, user, start: datetime) -> Studied:
    """The cards answered since `start` and the time they took (a Forget or a Set due date
    answers nothing). One query."""
    figures = (
        ReviewLog.objects.filter(user=user, reviewed_at__gte=start)
        .exclude(source__in=ReviewLog.NOT_ANSWERS)
        .aggregate(cards=Count("pk"), seconds=Sum("elapsed_seconds"))
    )
    return Studied(cards=figures["cards"], seconds=figures["seconds"] or 0.0)


# How near the next study day's start must be for the end screen to say when it starts, not
# "tomorrow".
NEW_DAY_SOON = timedelta(hours=6)


@dataclass(frozen=True, kw_only=True)
class NextDue:
    """When the review will next have a studied card to show."""

    at: datetime  # a review card from the start of its study day, a step 20 minutes early
    day: date  # the study day that is, in the learner's time zone
    days: int  # study days from today: 0 later today, 1 tomorrow
    # Tomorrow's study day starts within NEW_DAY_SOON: at 3:55, with days starting at 4,
    # "tomorrow" reads as after a night's sleep, not in five minutes.
    day_starts_soon: bool = False

    @property
    def label(self) -> str:
        """'tomorrow', 'in 3 days': the days an Anki user counts."""
        return "tomorrow" if self.days == 1 else f"in {self.days} days"

    def comes_back_in(self, now: datetime) -> int | None:
        """Seconds until the review has this card to show, when that is later today (a
        learning step): the end screen asks for the review again then, as Anki's shows the
        card when it is due. A second late, so that it is due for sure; a minute when it
        is due already and the queue still has nothing (a card held since), so that the page
        does not ask again and again."""
        if self.days:
            return None
        if self.at <= now:
            return 60
        return math.ceil((self.at - now).total_seconds()) + 1


def next_due(
    *,
    user,
    now: datetime,
    settings: LearnerSettings | None = None,
    deck_ids: frozenset[int] | None = None,
) -> NextDue | None:
    """When the learner's next studied card joins the queue (suspended leeches and cards held
    aside): a review card when its study day starts (it is due all that day), a learning step
    LEARN_AHEAD before its minute, as the queue takes them. Review cards due today that the
    day's maximum of reviews holds back wait for the next study day."""
    settings = settings or learner_settings(user=user)
    review = scheduling.MemoryState.REVIEW
    unheld = (
        _memories(user=user, deck_ids=deck_ids)
        .filter(suspended=False)
        .filter(~held_out(user=user, now=now))
    )
    figures = unheld.aggregate(
        review=Min("due", filter=Q(state=review)), step=Min("due", filter=~Q(state=review))
    )
    moments = []
    if figures["review"] is not None:
        review_at = scheduling.study_day_start(
            _today(settings, figures["review"]),
            time_zone=settings.time_zone,
            day_start_hour=settings.day_start_hour,
        )
        day_start, day_end = study_day_bounds(settings=settings, now=now)
        if review_at < day_end and not _review_allowance(
            settings=settings,
            day_start=day_start,
            answered=_answered_today(user=user, day_start=day_start),
        ):
            # No reviews left today: every review card due by today's end is held back.
            review_at = day_end
        moments.append(review_at)
    if figures["step"] is not None:
        # LEARN_AHEAD early, but not before the study day it is due in starts.
        step_day_start = scheduling.study_day_start(
            _today(settings, figures["step"]),
            time_zone=settings.time_zone,
            day_start_hour=settings.day_start_hour,
        )
        moments.append(max(figures["step"] - scheduling.LEARN_AHEAD, step_day_start))
    if not moments:
        return None
    at = max(min(moments), now)
    day = _today(settings, at)
    days = (day - _today(settings, now)).days
    return NextDue(at=at, day=day, days=days, day_starts_soon=days == 1 and at - now < NEW_DAY_SOON)


# --- When the queue is done: more new cards, leeches ----------------------------------------


def new_cards_unstudied(
    *, user, now: datetime, deck_ids: frozenset[int] | None = None
) -> UnstudiedCards:
    """The cards the learner has never studied: those the review can introduce (but those
    held now), and those that wait for an image; of the decks `deck_ids` when given."""
    if deck_ids is not None:
        figures = deck_figures(user=user, now=now)
        return _unstudied_in(deck_ids, figures, _cards_by_deck())
    deck_cards = _deck_cards()
    figures = CardMemory.objects.filter(user=user).aggregate(
        studied=Count("pk"), **_studied_waiting(deck_cards)
    )
    studied = CardMemory.objects.filter(user=user, card=OuterRef("card"))
    held_new = (
        CardHold.objects.active(now)
        .filter(user=user)
        .filter(~Exists(studied), askable(INTRODUCED_AS, prefix="card__"))
        .count()
    )
    return _unstudied(deck_cards, figures, held_new=held_new)


@transaction.atomic
def new_cards_extend(*, user, now: datetime, count: int) -> int:
    """Learn `count` more new cards today (Anki's custom study): raises today's new-card
    allowance so that `count` more are left from now; tomorrow the daily setting applies
    again. Returns today's extra cards."""
    if count < 1:
        raise ValueError("Ask for at least one more card.")
    settings, _created = LearnerSettings.objects.select_for_update().get_or_create(user=user)
    today = _today(settings, now)
    day_start, _day_end = study_day_bounds(settings=settings, now=now)
    # Quizzes meet new cards too, past the day's setting: those are not owed back.
    beyond_setting = _introduced_since(user=user, start=day_start) - settings.new_cards_per_day
    extra = max(settings.extra_new_cards_on(today), beyond_setting) + count
    settings.extra_new_cards = min(extra, scheduling.MAX_NEW_CARDS_PER_DAY)
    settings.extra_new_cards_day = today
    fields = ["extra_new_cards", "extra_new_cards_day"]
    if not settings.new_cards_ignore_review_limit:
        # The cards asked for come even when the day's maximum of reviews, which new cards
        # count towards, is reached: today's maximum goes up by what they need.
        short = count - _review_room_for_new(user=user, settings=settings, now=now)
        if short > 0:
            settings.extra_reviews = min(
                settings.extra_reviews_on(today) + short, scheduling.MAX_MAX_REVIEWS_PER_DAY
            )
            settings.extra_reviews_day = today
            fields += ["extra_reviews", "extra_reviews_day"]
    settings.save(update_fields=fields)
    return settings.extra_new_cards


def _review_room_for_new(*, user, settings: LearnerSettings, now: datetime) -> int:
    """How many new cards the day's maximum of reviews leaves room for now."""
    day_start, day_end = study_day_bounds(settings=settings, now=now)
    reviews_due = (
        CardMemory.objects.filter(
            user=user, state=scheduling.MemoryState.REVIEW, due__lt=day_end, suspended=False
        )
        .filter(~held_out(user=user, now=now))
        .count()
    )
    answered = _answered_today(user=user, day_start=day_start)
    reviews_left = _review_allowance(settings=settings, day_start=day_start, answered=answered)
    return scheduling.review_room_for_new(reviews_left=reviews_left, reviews_due=reviews_due)


@transaction.atomic
def reviews_extend(*, user, now: datetime, count: int) -> int:
    """Review `count` more cards today past the daily maximum (Anki's custom study
    "Increase today's review limit"); tomorrow the daily maximum applies again. Returns
    today's extra reviews."""
    if count < 1:
        raise ValueError("Ask for at least one more review.")
    settings, _created = LearnerSettings.objects.select_for_update().get_or_create(user=user)
    today = _today(settings, now)
    extra = settings.extra_reviews_on(today) + count
    settings.extra_reviews = min(extra, scheduling.MAX_MAX_REVIEWS_PER_DAY)
    settings.extra_reviews_day = today
    settings.save(update_fields=["extra_reviews", "extra_reviews_day"])
    return settings.extra_reviews


def leeches_suspended(*, user, deck_ids: frozenset[int] | None = None) -> int:
    """How many of the learner's cards (of the decks `deck_ids`, when given) are suspended
    as leeches."""
    return _memories(user=user, deck_ids=deck_ids).filter(suspended=True).count()


def leeches_unsuspend(*, user, deck_ids: frozenset[int] | None = None) -> int:
    """Bring every suspended leech (of the decks `deck_ids`, when given) back into the
    queue, its memory as it was; returns how many. Four more lapses suspend it again."""
    leeches = _memories(user=user, deck_ids=deck_ids).filter(suspended=True)
    count = leeches.update(suspended=False)
    caching.learner_memory_changed(user.pk)
    return count


def became_leech(*, user, card: Card, at: datetime) -> bool:
    """Whether the answer recorded at `at` made `card` a leech and suspended it."""
    if not CardMemory.objects.filter(user=user, card=card, suspended=True, last_review=at).exists():
        return False
    review = ReviewLog.objects.filter(user=user, card=card, reviewed_at=at).first()
    return review is not None and not (review.memory_before or {}).get("suspended", False)


# --- Recording ------------------------------------------------------------------------------


def _memory_json(row: CardMemory | None) -> dict | None:
    """The row as it was before a review, for undo; None when the card was new."""
    if row is None:
        return None
    memory = row.as_memory()
    return {
        "state": int(memory.state),
        "step": memory.step,
        "stability": memory.stability,
        "difficulty": memory.difficulty,
        "due": memory.due.isoformat(),
        "last_review": memory.last_review.isoformat(),
        "reps": memory.reps,
        "lapses": memory.lapses,
        "suspended": row.suspended,
    }


def _memory_from_json(data: dict) -> scheduling.Memory:
    return scheduling.Memory(
        state=scheduling.MemoryState(data["state"]),
        step=data["step"],
        stability=data["stability"],
        difficulty=data["difficulty"],
        due=datetime.fromisoformat(data["due"]),
        last_review=datetime.fromisoformat(data["last_review"]),
        reps=data["reps"],
        lapses=data["lapses"],
    )


@dataclass(frozen=True, kw_only=True)
class _Review:
    """One answer's effect on a learner's memory of a card, worked out from the memory as it
    was read: the row to write and the log entry, neither saved yet."""

    read: CardMemory | None  # as read, None for a card new to the learner
    memory: CardMemory
    log: ReviewLog
    settings: LearnerSettings  # the learner's, as the review was worked out with them


def _work_out(
    *,
    read: CardMemory | None,
    user_id: int,
    card_id: int,
    grade: Grade,
    now: datetime,
    elapsed_seconds: float,
    source: str,
    attempt_question_id: int | None = None,
) -> _Review:
    settings = _settings_of(user_id)
    before = read.as_memory() if read else None
    scheduler = _scheduler(settings)
    elapsed_days = _elapsed_days(settings, before, now)
    after = scheduling.schedule(
        before,
        grade,
        now=now,
        scheduler=scheduler,
        fuzz_seed=_fuzz_seed(user_id=user_id, card_id=card_id, reps=before.reps if before else 0),
        elapsed_days=elapsed_days,
        time_zone=settings.time_zone,
        day_start_hour=settings.day_start_hour,
        workload=_workload(
            settings=settings,
            card_id=card_id,
            memory=before,
            grades=[grade],
            now=now,
            scheduler=scheduler,
            elapsed_days=elapsed_days,
        ),
    )
    if read is None:
        memory = CardMemory(user_id=user_id, card_id=card_id, first_review=now)
    else:
        memory = copy.copy(read)  # `read` stays as read, for the conditional write
    memory.take(after)
    if scheduling.becomes_leech(
        lapses_before=before.lapses if before else 0, lapses_after=after.lapses
    ):
        memory.suspended = True
    log = ReviewLog(
        user_id=user_id,
        card_id=card_id,
        rating=int(grade),
        reviewed_at=now,
        elapsed_seconds=scheduling.answer_seconds(elapsed_seconds),
        source=source,
        attempt_question_id=attempt_question_id,
        state_before=int(before.state if before else scheduling.MemoryState.NEW),
        memory_before=_memory_json(read),
        due_after=after.due,
        stability_after=after.stability,
    )
    return _Review(read=read, memory=memory, log=log, settings=settings)


def _reviewed_after(read: CardMemory | None, moment: datetime) -> bool:
    """Whether the card was reviewed after `moment`: an answer given then (a quiz question's
    timeout noticed late, a guest's answer) comes too late, as memory cannot be rewritten
    backwards."""
    return read is not None and read.last_review > moment


def _record(*, unless_reviewed_since: datetime | None = None, **kwargs) -> datetime | None:
    """Read the memory locked, work the review out and save it: in the caller's transaction.
    None, and nothing saved, when the card was reviewed at or after `unless_reviewed_since`,
    or after the answer (`_reviewed_after`)."""
    read = play_sql.card_memory(user_id=kwargs["user_id"], card_id=kwargs["card_id"], locked=True)
    if read and unless_reviewed_since and read.last_review >= unless_reviewed_since:
        return None
    if _reviewed_after(read, kwargs["now"]):
        return None
    review = _work_out(read=read, **kwargs)
    review.memory.save()
    review.log.save()
    caching.learner_memory_changed(kwargs["user_id"])
    return review.memory.due


def _record_once(**kwargs) -> datetime | None:
    """`_record` in a savepoint, tried again once if a concurrent first review of the same
    card created the memory row first."""
    try:
        with transaction.atomic():
            return _record(**kwargs)
    except IntegrityError:
        with transaction.atomic():
            return _record(**kwargs)


@transaction.atomic
def review_record(
    *,
    user,
    card: Card,
    rating: Grade | int,
    now: datetime,
    elapsed_seconds: float,
    source: str = Source.REVIEW,
) -> datetime | None:
    """Apply one answer to the learner's memory of `card` and log it; returns the new due,
    or None when the card was reviewed after `now` (nothing is recorded)."""
    return _record_once(
        user_id=user.pk,
        card_id=card.pk,
        grade=Grade(rating),
        now=now,
        elapsed_seconds=elapsed_seconds,
        source=Source(source),
    )


@transaction.atomic
def review_grade(
    *, user, card: Card, rating: Grade | int, shown_at: datetime, now: datetime
) -> bool:
    """Record the grade the learner gave `card`, shown to them at `shown_at`, unless it was
    reviewed since: a grade posted twice from one page (a double click, a resent form, both
    at once) counts once. Checked under the lock on the memory of the card, so that two
    posts at the same moment cannot both find it unanswered. Whether it was recorded."""
    due = _record_once(
        user_id=user.pk,
        card_id=card.pk,
        grade=Grade(rating),
        now=now,
        elapsed_seconds=(now - shown_at).total_seconds(),
        source=Source.REVIEW,
        unless_reviewed_since=shown_at,
    )
    if due is not None and learner_settings(user=user).bury_siblings:
        _siblings_bury(user=user, card=card, now=now)
    return due is not None


# Siblings held with a card are held a microsecond before it (card_holds' Bury note, and a
# grade's siblings buried by Anki's "Bury siblings"): Undo, which takes the latest grade or
# hold, names that card, and finds its siblings by that instant.
NOTE_STEP = timedelta(microseconds=1)


def _siblings_bury(*, user, card: Card, now: datetime) -> None:
    """Anki's "Bury new siblings" and "Bury review siblings": the other cards of `card`'s
    note that would still show today (new ones, review cards due) wait for the next study
    day. Those held already are left as they are, so that an undo of the grade
    (review_undo) brings back only what it buried."""
    settings = learner_settings(user=user)
    _day_start, day_end = study_day_bounds(settings=settings, now=now)
    memories = CardMemory.objects.filter(user=user, card=OuterRef("pk"))
    due_today = memories.filter(
        state=scheduling.MemoryState.REVIEW, due__lt=day_end, suspended=False
    )
    siblings = (
        card.note_cards()
        .exclude(pk=card.pk)
        .filter(~Exists(CardHold.objects.filter(user=user, card=OuterRef("pk"))))
        .filter(~Exists(memories) | Exists(due_today))
    )
    held_at = now - NOTE_STEP
    CardHold.objects.bulk_create(
        CardHold(
            user=user,
            card=sibling,
            buried_until=day_end,
            last_action=CardHold.Action.BURY,
            held_at=held_at,
        )
        for sibling in siblings
    )
    caching.learner_memory_changed(user.pk)


def _answer_grade(*, attempt: Attempt, question: AttemptQuestion) -> Grade | None:
    return scheduling.grade_for_answer(
        outcome=question.outcome,
        elapsed_seconds=question.elapsed.total_seconds() if question.elapsed else None,
        limit_seconds=engine.time_budget_per_question(
            limit=attempt.time_limit,
            question_count=attempt.question_count,
            seconds_allowed=question.seconds_allowed,
        ),
    )


def _answer_moment(question: AttemptQuestion, now: datetime) -> datetime:
    return question.answered_at or question.deadline_at or now


@dataclass(frozen=True, kw_only=True)
class PreparedAnswer:
    """A quiz answer's review worked out before the transaction that stores it (see
    review_answer_prepare)."""

    review: _Review
    arguments: dict  # _record's, should the memory change before it is stored


def _answer_review_arguments(
    *, attempt: Attempt, question: AttemptQuestion, now: datetime
) -> dict | None:
    """_record's arguments for a quiz answer or timeout, None when it feeds no memory (a
    guest's, whose answers wait for `review_record_claimed`)."""
    if attempt.user_id is None or not question.outcome:
        return None
    grade = _answer_grade(attempt=attempt, question=question)
    if grade is None:
        return None
    return {
        "user_id": attempt.user_id,
        "card_id": question.card_id,
        "grade": grade,
        "now": _answer_moment(question, now),
        "elapsed_seconds": question.elapsed.total_seconds() if question.elapsed else 0.0,
        "source": Source.FLASHCARD if attempt.mode == Attempt.Mode.FLASHCARD else Source.QUIZ,
        "attempt_question_id": question.pk,
    }


def review_answer_prepare(
    *, attempt: Attempt, question: AttemptQuestion, now: datetime
) -> PreparedAnswer | None:
    """Work out what `question`'s answer (its outcome set, not stored yet) does to the
    learner's memory of the card, from the memory as it is now: one read (and the load
    balancer's count, for an interval it balances), no lock. Storing it
    (review_answer_store) is then two short writes, so a quiz answer holds the database's
    write lock (SQLite) or the memory's row (PostgreSQL) only while it writes, not while
    FSRS, the ORM and the cache work. The memory is the one read with the question
    (attempts.question_get_owned) when it was, else read here."""
    arguments = _answer_review_arguments(attempt=attempt, question=question, now=now)
    if arguments is None:
        return None
    if hasattr(question, "memory_as_read"):
        read = question.memory_as_read
    else:
        read = play_sql.card_memory(user_id=arguments["user_id"], card_id=arguments["card_id"])
    if _reviewed_after(read, arguments["now"]):
        return None
    return PreparedAnswer(review=_work_out(read=read, **arguments), arguments=arguments)


def review_answer_store(prepared: PreparedAnswer) -> datetime | None:
    """Store a prepared answer's review, in the caller's transaction: written only if the
    memory is still as it was read (a review in another tab, or an undo, in between: it is
    worked out again from the memory as it is then, locked). Returns the new due date (None
    when the card was reviewed after the answer, in between)."""
    review = prepared.review
    if not play_sql.card_memory_write(memory=review.memory, read=review.read):
        return _record(**prepared.arguments)
    play_sql.review_log_insert(review.log)
    caching.learner_memory_changed(review.memory.user_id, at_commit_only=True)
    return review.memory.due


def _counted_now(memory: CardMemory | None, *, now: datetime, day_end: datetime) -> bool:
    """Whether `review_counts` counts the card among those due now (see _review_counts)."""
    if memory is None or memory.suspended:
        return False
    if memory.state == scheduling.MemoryState.REVIEW:
        return memory.due < day_end
    return memory.due <= scheduling.learn_ahead_until(now=now, day_end=day_end)


def review_answer_moves_counts(prepared: PreparedAnswer, *, now: datetime) -> bool:
    """Whether a quiz answer's review changes the navigation's "Review (N)": a card met for
    the first time (one new card fewer today), or one counted as due before and not after,
    or the other way round (a lapse into a relearning step of minutes). Worked out from the
    memory before and after, with no query: an answer that leaves the counts as they were
    need not count them again."""
    review = prepared.review
    if review.read is None:
        return True
    _day_start, day_end = study_day_bounds(settings=review.settings, now=now)
    before = _counted_now(review.read, now=now, day_end=day_end)
    return before != _counted_now(review.memory, now=now, day_end=day_end)


def timeout_made_leech(*, user, question: AttemptQuestion) -> bool:
    """Whether `question`, closed by the clock (Again for its card), made its card a leech,
    as review_answer_made_leech tells of an answer; asked when its feedback is shown. One
    query (two for a card suspended since that moment)."""
    if question.outcome != AttemptQuestion.Outcome.TIMED_OUT or question.card_id is None:
        return False
    return became_leech(user=user, card=question.card, at=_answer_moment(question, None))


def review_answer_made_leech(prepared: PreparedAnswer) -> bool:
    """Whether a quiz answer's review made its card a leech, suspended from the reviews (the
    leech rule counts every lapse, a quiz's too), as the review page tells: worked out from
    the memory before and after, with no query."""
    review = prepared.review
    return review.memory.suspended and not (review.read is not None and review.read.suspended)


def review_record_answer(
    *, attempt: Attempt, question: AttemptQuestion, now: datetime
) -> datetime | None:
    """Feed a signed-in learner's quiz answer (or timeout) into their memory of the card;
    a guest's answers wait for `review_record_claimed`. Returns the new due date.

    Call it once per question, when its outcome is first stored: the log's one-to-one link
    to the question refuses a second record.
    """
    arguments = _answer_review_arguments(attempt=attempt, question=question, now=now)
    if arguments is None:
        return None
    return _record_once(**arguments)


@transaction.atomic
def review_record_claimed(*, user, attempt_ids: list[str]) -> int:
    """Apply the answers of a guest's attempts, just given to `user`, in the order they were
    given. An answer older than the learner's last review of its card is skipped: memory
    cannot be rewritten backwards. Returns how many answers were applied."""
    questions = (
        AttemptQuestion.objects.filter(
            attempt_id__in=attempt_ids, attempt__user=user, review_log__isnull=True
        )
        .exclude(outcome="")
        .select_related("attempt")
    )
    last_reviews = dict(
        CardMemory.objects.filter(user=user, card_id__in=questions.values("card_id")).values_list(
            "card_id", "last_review"
        )
    )
    applied = 0
    answers = sorted(
        (question for question in questions if question.answered_at or question.deadline_at),
        key=lambda question: _answer_moment(question, question.attempt.started_at),
    )
    for question in answers:
        moment = _answer_moment(question, question.attempt.started_at)
        last = last_reviews.get(question.card_id)
        if last is not None and moment < last:
            continue
        if review_record_answer(attempt=question.attempt, question=question, now=moment):
            last_reviews[question.card_id] = moment
            applied += 1
    return applied


# --- Undo -----------------------------------------------------------------------------------


UNDOABLE_SOURCES = (Source.REVIEW, Source.RESET, Source.RESCHEDULE)


def undoable_review(*, user, since: datetime) -> ReviewLog | None:
    """The learner's latest review-page grade, Forget or Set due date since `since`, if
    nothing has changed its card since (nor, for a Set due date, any card it changed: it is
    undone whole), and its card is still there. One changed since (by a quiz answer, which
    has no undo) is passed over for the one before it, which an undo can still take back."""
    later = ReviewLog.objects.filter(
        user=user, card=OuterRef("card"), reviewed_at__gt=OuterRef("reviewed_at")
    )
    set_due_changed = _set_due_changed_since(user=user, at=OuterRef("reviewed_at"))
    # The Undo button of a Set due date on many cards names how many it takes back.
    operation = (
        ReviewLog.objects.filter(
            user=user, source=Source.RESCHEDULE, reviewed_at=OuterRef("reviewed_at")
        )
        .exclude(card=None)
        .values("user")
        .annotate(cards=Count("pk"))
        .values("cards")
    )
    return (
        ReviewLog.objects.filter(
            user=user, source__in=UNDOABLE_SOURCES, card__isnull=False, reviewed_at__gte=since
        )
        .filter(~Exists(later))
        .exclude(Q(source=Source.RESCHEDULE) & Exists(set_due_changed))
        .annotate(operation_cards=Subquery(operation))
        .select_related("card__deck")
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def _undone_key(user_id: int, review_id: int) -> str:
    return f"review-undone:{user_id}:{review_id}"


def _why_gone(*, user, review_id: int, card_id: int | None) -> Exception:
    """Why review `review_id` is not there to undo. An undo deletes the one it takes back,
    and deleting a card deleted its reviews before they were kept (migration 0030): what
    tells them apart is the undo remembered (review_undo), else the card the Undo button
    names, if it names one."""
    if cache.get(_undone_key(user.pk, review_id)):
        return ReviewLog.DoesNotExist()
    if card_id is None:
        return UndoGone()
    if not Card.objects.filter(pk=card_id).exists():
        return UndoCardRemoved()
    return ReviewLog.DoesNotExist()


@transaction.atomic
def review_undo(*, user, review_id: int, card_id: int | None = None) -> ReviewLog:
    """Take back review `review_id` (a grade, or a Forget): the card's memory returns to what
    it was before and the log entry goes; returns it, with its card. Raises
    ReviewLog.DoesNotExist for another learner's review or one undone already,
    UndoCardRemoved when it is gone because its card `card_id` (as the Undo button names it)
    is, UndoGone when it is gone and nothing tells why, and NothingToUndo when the card was
    answered again since, or it was a quiz answer."""
    try:
        card_id = ReviewLog.objects.values_list("card_id", flat=True).get(user=user, pk=review_id)
    except ReviewLog.DoesNotExist:
        raise _why_gone(user=user, review_id=review_id, card_id=card_id) from None
    if card_id is None:  # staff deleted the card since; its review stays in the history
        raise UndoCardRemoved()
    # Locked before the review is read again: an undo of the same review posted at once (a
    # double click) waits here, then finds the review gone.
    row = CardMemory.objects.select_for_update().filter(user=user, card=card_id).first()
    review = ReviewLog.objects.select_related("card__deck").get(user=user, pk=review_id)
    if review.source not in UNDOABLE_SOURCES:
        raise NothingToUndo("Only a grade given on the review page can be undone.")
    if review.source == Source.RESCHEDULE:
        return _set_due_undo(user=user, review=review)
    later = ReviewLog.objects.filter(user=user, card=review.card_id).filter(
        Q(reviewed_at__gt=review.reviewed_at) | Q(reviewed_at=review.reviewed_at, pk__gt=review.pk)
    )
    if later.exists():
        raise NothingToUndo("This card was answered again since: that grade stays.")
    if review.memory_before is None:
        row.delete()
    else:
        if row is None:  # a Forget's: the memory it took comes back
            first_review = datetime.fromisoformat(review.memory_before["first_review"])
            row = CardMemory(user=user, card_id=review.card_id, first_review=first_review)
        row.take(_memory_from_json(review.memory_before))
        row.suspended = review.memory_before.get("suspended", False)
        row.save()
    # The siblings the grade buried (_siblings_bury) come back with it.
    CardHold.objects.filter(
        user=user,
        card__in=review.card.note_cards().exclude(pk=review.card_id),
        last_action=CardHold.Action.BURY,
        held_at=review.reviewed_at - NOTE_STEP,
        suspended=False,
    ).delete()
    review.delete()
    caching.learner_memory_changed(user.pk)
    # Read only once the review is gone: an undo that fails after this leaves it unread.
    cache.set(_undone_key(user.pk, review_id), True, UNDONE_REMEMBERED_SECONDS)
    return review


# --- Forget ---------------------------------------------------------------------------------


@transaction.atomic
def card_forget(*, user, card: Card, now: datetime) -> ReviewLog:
    """Anki's Forget: `card` becomes new to the learner, its memory gone (a leech's
    suspension with it; a hold by hand stays), and a reset is logged in its place. A fit of
    the parameters reads the card's reviews after the reset only, the progress page does
    not count it as a review, and Undo (review_undo) brings the memory back. Raises
    NothingToForget when the card is new to the learner already."""
    row = CardMemory.objects.select_for_update().filter(user=user, card=card).first()
    if row is None:
        raise NothingToForget(f"{card.named} is new to you already.")
    log = ReviewLog.objects.create(
        user=user,
        card=card,
        rating=scheduling.RESET_RATING,
        reviewed_at=now,
        elapsed_seconds=0.0,
        source=Source.RESET,
        state_before=row.state,
        memory_before={**_memory_json(row), "first_review": row.first_review.isoformat()},
        due_after=now,
        stability_after=0.0,
    )
    row.delete()
    caching.learner_memory_changed(user.pk)
    return log


# --- Set due date ---------------------------------------------------------------------------

# Rows a bulk write sends at once: a learner's 5,000 cards take ten queries a write on
# PostgreSQL, not 5,000 (on SQLite Django makes a batch smaller, to its 999 parameters).
SET_DUE_BATCH = 500
# Tries of a Set due date that a concurrent first review of one of its cards beats to
# creating the card's memory: each try after the first finds more of the memories there.
SET_DUE_TRIES = 3


@transaction.atomic
def cards_set_due(
    *, user, cards, spec: scheduling.DueDateSpec, now: datetime, rng: random.Random
) -> int:
    """Anki's Set Due Date for `cards` (a Card queryset): each becomes a review card due
    `spec`'s days from today, a range drawn per card from `rng` (scheduling.set_due), and a
    "Manual" entry is logged for it, so that the day's counts, the progress page and a fit
    of the parameters know it is no answer. Returns how many cards. A fixed number of
    queries whatever the number of cards (writes in batches of SET_DUE_BATCH).

    A card new to the learner has no memory to lock: a grade or another Set due date of it
    at the same moment (a form sent twice) can create it first. Then the Set due date is
    made again in a savepoint, from the memories as they are now, as `_record_once` does
    for a grade; `rng` draws the same days again."""
    drawn_from = rng.getstate()
    for _ in range(SET_DUE_TRIES - 1):
        try:
            with transaction.atomic():
                return _set_due(user=user, cards=cards, spec=spec, now=now, rng=rng)
        except IntegrityError:
            rng.setstate(drawn_from)
    return _set_due(user=user, cards=cards, spec=spec, now=now, rng=rng)


def _set_due(
    *, user, cards, spec: scheduling.DueDateSpec, now: datetime, rng: random.Random
) -> int:
    settings = learner_settings(user=user)
    scheduler = _scheduler(settings)
    card_ids = sorted(cards.values_list("pk", flat=True))  # in order: `rng` draws the same
    rows = {
        row.card_id: row
        for row in CardMemory.objects.select_for_update().filter(
            user=user, card_id__in=cards.values("pk")
        )
    }
    created, changed, logs = [], [], []
    for card_id in card_ids:
        row = rows.get(card_id)
        before = row.as_memory() if row else None
        log = ReviewLog(
            user=user,
            card_id=card_id,
            rating=scheduling.RESET_RATING,
            reviewed_at=now,
            elapsed_seconds=0.0,
            source=Source.RESCHEDULE,
            state_before=int(before.state if before else scheduling.MemoryState.NEW),
            memory_before=_memory_json(row),
        )
        after = scheduling.set_due(
            before,
            days=spec.draw(rng),
            set_interval=spec.set_interval,
            now=now,
            scheduler=scheduler,
            time_zone=settings.time_zone,
            day_start_hour=settings.day_start_hour,
        )
        if row is None:
            row = CardMemory(user=user, card_id=card_id, first_review=now)
            created.append(row)
        else:
            changed.append(row)
        row.take(after)
        log.due_after, log.stability_after = after.due, after.stability
        logs.append(log)
    CardMemory.objects.bulk_create(created, batch_size=SET_DUE_BATCH)
    CardMemory.objects.bulk_update(
        changed,
        ["state", "step", "stability", "difficulty", "due", "last_review"],
        batch_size=SET_DUE_BATCH,
    )
    ReviewLog.objects.bulk_create(logs, batch_size=SET_DUE_BATCH)
    caching.learner_memory_changed(user.pk)
    return len(logs)


def _set_due_changed_since(*, user, at) -> QuerySet:
    """The learner's entries logged after their Set due date made at `at` (a moment, or
    an OuterRef to one) of a card it changed: any one ends its undo."""
    return ReviewLog.objects.filter(
        user=user,
        reviewed_at__gt=at,
        card__review_logs__user=user,
        card__review_logs__source=Source.RESCHEDULE,
        card__review_logs__reviewed_at=at,
    )


@dataclass(frozen=True)
class UndoDeck:
    """A deck an undo takes cards back in, named as the decks' tree names it ("Biology
    (bio-b)" beside another "Biology"), and how many."""

    deck_id: int
    label: str
    cards: int


def _decks_of(logs: QuerySet) -> list[UndoDeck]:
    rows = (
        logs.values("card__deck_id", "card__deck__name", "card__deck__slug")
        .annotate(cards=Count("pk"))
        .order_by("-cards", "card__deck__name")
    )
    scopes = card_services.tree_scopes_kept()
    return [
        UndoDeck(
            row["card__deck_id"],
            scopes.label(
                deck_id=row["card__deck_id"],
                name=row["card__deck__name"],
                slug=row["card__deck__slug"],
            ),
            row["cards"],
        )
        for row in rows
    ]


def set_due_decks(*, user, at: datetime) -> list[UndoDeck]:
    """The decks of the cards the learner's Set due date made at `at` changed, with how
    many in each, most first: what its Undo takes back, said before it does (a Set due date
    on Your cards may span many decks, and its Undo, as Anki's, takes the whole operation
    back, from whichever deck's study it is asked). One query (and the decks' tree, kept)."""
    return _decks_of(
        ReviewLog.objects.filter(
            user=user, source=Source.RESCHEDULE, reviewed_at=at, card__isnull=False
        )
    )


def undo_decks(*, user, review_id: int) -> list[UndoDeck]:
    """The decks an undo of review `review_id` takes cards back in: its card's, or for a
    Set due date every card's it changed (set_due_decks); none for a review there is not
    (another learner's, undone already: the undo's own to refuse). Two queries at most."""
    review = (
        ReviewLog.objects.select_related("card__deck")
        .filter(user=user, pk=review_id, card__isnull=False)
        .first()
    )
    if review is None:
        return []
    if review.source == Source.RESCHEDULE:
        return set_due_decks(user=user, at=review.reviewed_at)
    named_alike = card_services.tree_scopes_kept().named_alike
    return [UndoDeck(review.card.deck_id, review.card.deck.label_among(named_alike), 1)]


def _set_due_undo(*, user, review: ReviewLog) -> ReviewLog:
    """Take back the whole Set due date `review` was part of (every card it changed at that
    moment, as Anki's undo takes back the operation): each memory as it was before, a card
    that was new new again. NothingToUndo when one of them was answered or changed since.
    A fixed number of queries however many cards (writes in batches)."""
    operation = ReviewLog.objects.filter(
        user=user, source=Source.RESCHEDULE, reviewed_at=review.reviewed_at, card__isnull=False
    )
    if _set_due_changed_since(user=user, at=review.reviewed_at).exists():
        raise NothingToUndo("A card of that Set due date was answered or changed since: it stays.")
    befores = dict(operation.values_list("card_id", "memory_before"))
    review.operation_decks = set_due_decks(user=user, at=review.reviewed_at)
    rows = CardMemory.objects.select_for_update().filter(
        user=user, card__in=operation.values("card_id")
    )
    restored, made_new = [], []
    for row in rows:
        before = befores[row.card_id]
        if before is None:
            made_new.append(row.pk)
        else:
            row.take(_memory_from_json(before))
            restored.append(row)
    CardMemory.objects.filter(pk__in=made_new).delete()
    CardMemory.objects.bulk_update(
        restored,
        ["state", "step", "stability", "difficulty", "due", "last_review"],
        batch_size=SET_DUE_BATCH,
    )
    operation.delete()
    caching.learner_memory_changed(user.pk)
    cache.set(_undone_key(user.pk, review.pk), True, UNDONE_REMEMBERED_SECONDS)
    review.operation_cards = len(befores)
    return review


# --- Reading memory -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MemoryFigures:
    state: scheduling.MemoryState
    stability: float | None
    difficulty: float | None
    retrievability: float
    due: datetime | None
    suspended: bool = False  # a leech's suspension
    time_zone: str = "UTC"  # the learner's: when it is due, on their clock
    due_day: date | None = None  # the study day it is due in

    @property
    def due_all_day(self) -> bool:
        """A review card is due for the whole study day it falls in (as the queue takes
        it, and as Anki's card info gives its date alone); a learning step at its minute."""
        return self.state is scheduling.MemoryState.REVIEW


def memory_state(*, user, card: Card, now: datetime) -> MemoryFigures:
    """Stability (days), difficulty (1-10) and retrievability (chance of recall now)."""
    settings = learner_settings(user=user)
    row = CardMemory.objects.filter(user=user, card=card).first()
    memory = row.as_memory() if row else scheduling.NEW_MEMORY
    return MemoryFigures(
        state=memory.state,
        stability=memory.stability,
        difficulty=memory.difficulty,
        retrievability=scheduling.retrievability(memory, now=now, parameters=settings.parameters),
        due=memory.due,
        suspended=row.suspended if row else False,
        time_zone=settings.time_zone,
        due_day=_today(settings, memory.due) if memory.due else None,
    )


@dataclass(frozen=True, kw_only=True)
class GradeOption:
    grade: Grade
    interval_label: str

    @property
    def key(self) -> int:
        return int(self.grade)


def grade_options(
    *, user, settings: LearnerSettings, memory: CardMemory | None, card: Card, now: datetime
) -> list[GradeOption]:
    """The four grade buttons for `card`, each with the interval it would give: load
    balanced as the answer will be (one query, when a grade gives a range to balance)."""
    before = memory.as_memory() if memory else None
    scheduler = _scheduler(settings)
    elapsed_days = _elapsed_days(settings, before, now)
    intervals = scheduling.preview(
        before,
        now=now,
        scheduler=scheduler,
        fuzz_seed=_fuzz_seed(user_id=user.pk, card_id=card.pk, reps=before.reps if before else 0),
        elapsed_days=elapsed_days,
        time_zone=settings.time_zone,
        day_start_hour=settings.day_start_hour,
        workload=_workload(
            settings=settings,
            card_id=card.pk,
            memory=before,
            grades=list(Grade),
            now=now,
            scheduler=scheduler,
            elapsed_days=elapsed_days,
        ),
    )
    return [
        GradeOption(grade=grade, interval_label=scheduling.interval_label(interval))
        for grade, interval in intervals.items()
    ]


# --- Smart quizzes --------------------------------------------------------------------------


def smart_quiz_card_ids(*, user, deck_id: int, now: datetime) -> list[int]:
    """The deck's cards in the order a Smart quiz asks them: due cards (queue order), then
    the learner's other cards from least to best remembered, then new cards; none the
    learner buried or suspended (a leech, suspended by the rule, among the weakest)."""
    settings = learner_settings(user=user)
    _day_start, day_end = study_day_bounds(settings=settings, now=now)
    rows = list(
        CardMemory.objects.filter(user=user, card__deck_id=deck_id).filter(
            ~held_out(user=user, now=now)
        )
    )
    scheduled = [
        scheduling.Scheduled(
            card_id=row.card_id,
            state=scheduling.MemoryState(row.state),
            due=row.due,
            stability=row.stability,
        )
        for row in rows
    ]
    suspended = {row.card_id for row in rows if row.suspended}
    due_ids = scheduling.order_queue(
        [
            entry
            for entry in scheduled
            if entry.card_id not in suspended and scheduling.is_due(entry, now=now, day_end=day_end)
        ],
        new_card_ids=(),
        now=now,
        day_end=day_end,
        limit=len(scheduled),
    )
    chosen = set(due_ids)
    weakest = sorted(
        (row for row in rows if row.card_id not in chosen),
        key=lambda row: (
            scheduling.retrievability(row.as_memory(), now=now, parameters=settings.parameters),
            row.card_id,
        ),
    )
    # Each note's first card before its siblings, as the review introduces them.
    studied = CardMemory.objects.filter(user=user, card=OuterRef("pk"))
    new_ids = (
        Card.objects.filter(deck_id=deck_id)
        .filter(~Exists(studied), ~held_out(user=user, now=now, card="pk"))
        .order_by("card_ord", "number")
        .values_list("pk", flat=True)
    )
    return [*due_ids, *(row.card_id for row in weakest), *new_ids]
