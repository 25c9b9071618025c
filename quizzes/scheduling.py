"""The study loop's rules: FSRS memory updates, grades from quiz answers, the order of the
review queue, interval labels and the learner's study day.

Pure Python on purpose, like quizzes/engine.py: no Django import, the clock (`now`, a
timezone-aware datetime) always comes in as an argument, and the only randomness, the fuzz
that spreads review intervals, is seeded by the caller. quizzes/services/reviews.py reads and
writes the rows; tests/test_scheduling.py tests every rule without a database.

The memory model itself is py-fsrs 6 (`fsrs.Scheduler`); this module keeps what the site adds
around it: a "new" state for cards never studied, lapse counts and leeches, a fuzz that the
grade buttons can preview exactly, learning steps written as Anki writes them, and Anki's habit
of counting time in study days: review cards are due for a whole study day, and the days
between two reviews are the study days between them.
"""

from __future__ import annotations

import math
import random
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum, StrEnum
from functools import cache
from itertools import accumulate, groupby
from zoneinfo import ZoneInfo, available_timezones

import fsrs
import fsrs_rs_python
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from quizzes import engine

DEFAULT_DESIRED_RETENTION = 0.9
MIN_DESIRED_RETENTION = 0.70
MAX_DESIRED_RETENTION = 0.97
DEFAULT_NEW_CARDS_PER_DAY = 20
MAX_NEW_CARDS_PER_DAY = 1000
# Anki's "Maximum reviews/day": review cards past it wait for the next day (the oldest
# overdue relative to their stability go first), so a learner back from a month away is not
# met with 600 cards at once. Learning steps are not limited by it; new cards are, as in
# Anki's v3 scheduler, unless the learner lets them ignore it (review_room_for_new).
DEFAULT_MAX_REVIEWS_PER_DAY = 200
MAX_MAX_REVIEWS_PER_DAY = 9999
DEFAULT_DAY_START_HOUR = 4
# Anki's "Maximum interval": no review interval is longer. Its default, 100 years, is the
# most it takes.
MAX_INTERVAL_DAYS = 36500
# A learning card due within this window is shown early once nothing else is left (Anki's
# "learn ahead limit"), so a session does not end with a card coming back in two minutes.
LEARN_AHEAD = timedelta(minutes=20)
# Anki's cap on the time one answer counts for: a learner who walked away did not think for
# an hour.
MAX_ANSWER_SECONDS = 60.0
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
# No (re)learning steps by default: FSRS schedules every review, as Anki does when the steps
# are left empty. Its manual: "repeating a card multiple times in a single day does not
# significantly contribute to long-term memory" (bench/learning.py measures it too).
DEFAULT_LEARNING_STEPS: tuple[timedelta, ...] = ()
DEFAULT_RELEARNING_STEPS: tuple[timedelta, ...] = ()
MAX_STEPS = 10
# FSRS's authors: every step should end on the day it starts, so no step of more than 12 hours.
MAX_STEP = timedelta(hours=12)
# Anki's leech rule: a card forgotten 8 times (lapses) is suspended, and again every 4 lapses
# after that if the learner brings it back.
LEECH_THRESHOLD = 8
# The rating a Forget is logged with (Anki logs its resets as "Manual" entries of ease 0):
# not a grade, the point where a card's history starts again.
RESET_RATING = 0


class Grade(IntEnum):
    """The four answers of a review, with FSRS's numbers (fsrs.Rating)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


class NewReviewOrder(StrEnum):
    """Anki's "New/review order": where the day's new cards go among the review cards due.
    (Re)learning steps due come first whatever the order, as in Anki."""

    MIX = "mix"
    AFTER = "after"
    BEFORE = "before"

    @property
    def label(self) -> str:
        return {
            NewReviewOrder.MIX: "Mixed with reviews",
            NewReviewOrder.AFTER: "After reviews",
            NewReviewOrder.BEFORE: "Before reviews",
        }[self]


# Not Anki's default (mixed): reviews first keeps what is learnt already when a session is cut
# short, and bench/learning.py measured the queue so.
DEFAULT_NEW_REVIEW_ORDER = NewReviewOrder.AFTER


class MemoryState(IntEnum):
    """Where a card stands for a learner. NEW is the site's own: py-fsrs 6 starts every card
    in Learning, and a card nobody studied has no stability yet."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True, kw_only=True)
class Memory:
    """One learner's memory of one card, as stored per (user, card)."""

    state: MemoryState = MemoryState.NEW
    step: int | None = None
    stability: float | None = None  # days until recall falls to 90%
    difficulty: float | None = None  # 1 (easy) to 10 (hard)
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


NEW_MEMORY = Memory()


def _utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"Times must be timezone-aware, got {moment!r}.")
    # py-fsrs insists on datetime.UTC itself, not just an offset of zero.
    return moment.astimezone(UTC)


# --- FSRS -----------------------------------------------------------------------------------


def make_scheduler(
    *,
    desired_retention: float = DEFAULT_DESIRED_RETENTION,
    parameters: Sequence[float] | None = None,
    learning_steps: Sequence[timedelta] = DEFAULT_LEARNING_STEPS,
    relearning_steps: Sequence[timedelta] = DEFAULT_RELEARNING_STEPS,
    maximum_interval: int = MAX_INTERVAL_DAYS,
) -> fsrs.Scheduler:
    """An FSRS scheduler for one learner. Fuzz is off inside py-fsrs (it draws from the
    global random module) and applied by `schedule` with a seed instead. Without steps a
    new or forgotten card goes straight to a review interval of a day or more; none is
    longer than `maximum_interval` days (Anki's "Maximum interval")."""
    if not MIN_DESIRED_RETENTION <= desired_retention <= MAX_DESIRED_RETENTION:
        raise ValueError(
            f"Desired retention must be between {MIN_DESIRED_RETENTION} and "
            f"{MAX_DESIRED_RETENTION}, not {desired_retention}."
        )
    return fsrs.Scheduler(
        parameters=tuple(parameters) if parameters else DEFAULT_PARAMETERS,
        desired_retention=desired_retention,
        learning_steps=tuple(learning_steps),
        relearning_steps=tuple(relearning_steps),
        maximum_interval=maximum_interval,
        enable_fuzzing=False,
    )


def _fsrs_card(memory: Memory, now: datetime, elapsed_days: int | None) -> fsrs.Card:
    if memory.state is MemoryState.NEW:
        return fsrs.Card(card_id=1, state=fsrs.State.Learning, step=0, due=now)
    last_review = _utc(memory.last_review) if memory.last_review else None
    if last_review is not None and elapsed_days is not None:
        # py-fsrs counts whole 24-hour periods since the last review; moving the last review
        # to exactly `elapsed_days` days ago makes it count study days instead.
        last_review = now - timedelta(days=elapsed_days)
    return fsrs.Card(
        card_id=1,
        state=fsrs.State(int(memory.state)),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=_utc(memory.due) if memory.due else now,
        last_review=last_review,
    )


# Anki's fuzz (rslib/src/scheduler/states/fuzz.rs): an interval of n days is spread by a day,
# plus these shares of its days in each range, either way.
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


def _round_half_up(value: float) -> int:
    """Rust's f32::round for the positive values here (Python's round goes to even)."""
    return math.floor(value + 0.5)


def _fuzz_bounds(
    interval: float, *, minimum: int = 1, maximum: int = MAX_INTERVAL_DAYS
) -> tuple[int, int]:
    """The days a review interval of `interval` days may be spread over, kept within
    [minimum, maximum], as Anki's constrained_fuzz_bounds: the interval is brought within
    them first, so a floor above it spreads the floor's own range, and the range is at least
    two days wide where the limits allow it."""
    maximum = max(maximum, 1)
    minimum = min(max(minimum, 1), maximum)
    interval = min(max(interval, minimum), maximum)
    delta = 0.0
    if interval >= 2.5:
        delta = 1.0 + sum(
            factor * max(min(interval, end) - start, 0.0) for start, end, factor in _FUZZ_RANGES
        )
    low = min(max(_round_half_up(interval - delta), minimum), maximum)
    high = min(max(_round_half_up(interval + delta), minimum), maximum)
    if high == low and 2 < high < maximum:
        high = low + 1
    return low, high


def fuzzed_interval(interval: float, *, minimum: int, maximum: int, fuzz_factor: float) -> int:
    """`interval` spread over its fuzz range, `fuzz_factor` (0 to 1) picking the day in it,
    as Anki's with_review_fuzz."""
    low, high = _fuzz_bounds(interval, minimum=minimum, maximum=maximum)
    return min(math.floor(low + fuzz_factor * (1 + high - low)), high)


# --- Load balancing and easy days -----------------------------------------------------------

# Anki's load balancer leaves longer intervals to the fuzz alone: that far out, one day more or
# less evens out nothing (rslib/src/scheduler/states/load_balancer.rs).
MAX_LOAD_BALANCE_INTERVAL = 90


class EasyDay(StrEnum):
    """A weekday's share of the reviews, as Anki's deck options "Easy days" set it."""

    NORMAL = "normal"
    REDUCED = "reduced"
    MINIMUM = "minimum"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def load(self) -> float:
        """Anki's load modifier: Minimum is not quite nothing, so that a week of Minimum
        days balances as a week of Normal ones."""
        return {EasyDay.NORMAL: 1.0, EasyDay.REDUCED: 0.5, EasyDay.MINIMUM: 0.0001}[self]


# With siblings buried (Anki's "Bury review siblings"), a day on which a sibling of the card
# is due weighs almost nothing, and the days around it less the nearer they are (Anki's
# SIBLING_MODIFIER_RANGE, from 5 days before it to 5 days after).
SIBLING_MODIFIERS = (1.0, 0.8, 0.6, 0.4, 0.2, 0.000001, 0.2, 0.4, 0.6, 0.8, 1.0)
SIBLING_REACH = len(SIBLING_MODIFIERS) // 2

# Monday first, as Anki lists them.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NORMAL_WEEK: tuple[EasyDay, ...] = (EasyDay.NORMAL,) * 7


@dataclass(frozen=True, kw_only=True)
class Workload:
    """What Anki's load balancer weighs the days of a review interval's fuzz range by: the
    cards already due on each study day ahead (`due_on`, by days from today), the weekday of
    today (0 for Monday), the learner's easy days, and the days from today on which a
    sibling of the card is due, when the learner buries siblings."""

    due_on: Mapping[int, int]
    today_weekday: int
    easy_days: Sequence[EasyDay] = NORMAL_WEEK
    sibling_days: frozenset[int] = frozenset()

    def pick(self, low: int, high: int, *, fuzz_factor: float, days_ago: int = 0) -> int:
        """An interval from `low` to `high` days, counted from `days_ago` days before today
        (a card rescheduled, from its last review), as Anki's select_weighted_interval draws
        it: the day it ends on weighs (1 / cards due) ** 2.15 * (1 / days) ** 3 times its
        easy-day modifier (shorter intervals and emptier days are likelier, and a day with
        no card due weighs 1, its easy day whatever it is, as in Anki); `fuzz_factor` (0 to
        1) is the draw."""
        days = range(low, high + 1)
        counts = [self.due_on.get(day - days_ago, 0) for day in days]
        modifiers = easy_day_modifiers(
            [self.easy_days[(self.today_weekday + day - days_ago) % 7] for day in days], counts
        )
        weights = [
            1.0
            if count == 0
            else (1 / count) ** 2.15
            * (1 / max(day, 1)) ** 3
            * modifier
            * self._sibling_modifier(day - days_ago)
            for day, count, modifier in zip(days, counts, modifiers, strict=True)
        ]
        cumulative = list(accumulate(weights))
        index = bisect_right(cumulative, fuzz_factor * cumulative[-1])
        return days[min(index, len(days) - 1)]

    def _sibling_modifier(self, day: int) -> float:
        """Anki's calculate_sibling_modifiers: the product of every sibling's modifier."""
        modifier = 1.0
        for sibling_day in self.sibling_days:
            if abs(day - sibling_day) <= SIBLING_REACH:
                modifier *= SIBLING_MODIFIERS[day - sibling_day + SIBLING_REACH]
        return modifier


def easy_day_modifiers(easy_days: Sequence[EasyDay], counts: Sequence[int]) -> list[float]:
    """How much each day of a fuzz range (its easy day, its cards due) may take, as Anki's
    calculate_easy_days_modifiers: a Normal day fully, a Minimum day almost nothing, and a
    Reduced day fully while it holds no more than half what the range's other days hold per
    unit of their load, almost nothing once it does."""
    total_count = sum(counts)
    total_load = sum(day.load for day in easy_days)
    modifiers = []
    for day, count in zip(easy_days, counts, strict=True):
        if day is EasyDay.REDUCED:
            other_load = total_load - EasyDay.REDUCED.load
            over = other_load > 0 and count / EasyDay.REDUCED.load > (
                (total_count - count) / other_load
            )
            day = EasyDay.MINIMUM if over else EasyDay.NORMAL
        modifiers.append(day.load)
    return modifiers


def review_interval(
    interval: float,
    *,
    minimum: int,
    maximum: int,
    fuzz_factor: float,
    workload: Workload | _WindowProbe | None = None,
) -> int:
    """The days a review interval of `interval` days gets: a day of its fuzz range picked by
    the load balancer from the `workload`, as Anki's with_review_fuzz does when its load
    balancer is on (the default), or by `fuzz_factor` alone without one, or past
    MAX_LOAD_BALANCE_INTERVAL."""
    if workload is None or int(interval) > MAX_LOAD_BALANCE_INTERVAL:
        return fuzzed_interval(interval, minimum=minimum, maximum=maximum, fuzz_factor=fuzz_factor)
    low, high = _fuzz_bounds(interval, minimum=minimum, maximum=maximum)
    day = workload.pick(low, high, fuzz_factor=fuzz_factor)
    # Anki does not balance above a floor past the limit either; the range is still shown
    # to a _WindowProbe, whose floors (a lower grade's last day) are higher than the
    # answer's will be.
    if minimum > MAX_LOAD_BALANCE_INTERVAL:
        return fuzzed_interval(interval, minimum=minimum, maximum=maximum, fuzz_factor=fuzz_factor)
    return day


class _WindowProbe:
    """Stands for a Workload to find which days a grade's fuzz ranges cover, before their
    cards due are counted (load_window). It picks each range's last day: a later grade's
    range, kept past the one before, is then as late as it can be."""

    def __init__(self):
        self.low: int | None = None
        self.high: int | None = None

    def pick(self, low: int, high: int, *, fuzz_factor: float) -> int:
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)
        return high


def least_review_interval(
    interval: float, *, previous: int, maximum: int = MAX_INTERVAL_DAYS
) -> int:
    """The floor a passing review's fuzz keeps to, from the card's last scheduled interval
    (`previous` days, not the days since: Anki's ReviewState.scheduled_days), as Anki's
    minimum_review_fuzz_interval: past the last interval when the new one grew; at it while
    it is within the new one's fuzz range (a 4-day interval is not fuzzed back to 3); no
    floor when it shrank further, as after a lower desired retention."""
    if _round_half_up(interval) > previous:
        return previous + 1
    if previous <= _fuzz_bounds(interval, maximum=maximum)[1]:
        return previous
    return 0


def schedule(
    memory: Memory | None,
    grade: Grade | int,
    *,
    now: datetime,
    scheduler: fsrs.Scheduler,
    fuzz_seed: int = 0,
    elapsed_days: int | None = None,
    time_zone: str = "UTC",
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
    workload: Workload | None = None,
) -> Memory:
    """The memory after answering `grade` at `now`.

    The fuzz is drawn from `random.Random(fuzz_seed)`: the same seed gives the same due date,
    so the interval a grade button shows is the one the answer then gets. `elapsed_days` is
    the number of study days since the last review (`elapsed_study_days`), as Anki and the
    optimizer's training items count it; None counts 24-hour periods, as py-fsrs does.
    A review interval of n days ends n calendar days later at the same time on the clock of
    `time_zone`, so that it falls n study days later across a daylight saving change too (24
    hours after 4:30 am, the day before the clocks go back, is 3:30 am: the same study day),
    or, when that time does not exist, in the study day n days after the answer's.
    With a `workload` (the cards due on the days `load_window` names), the day of the fuzz
    range is the load balancer's (Workload.pick), drawn from the same seed.
    """
    grade = Grade(grade)
    now = _utc(now)
    memory = memory or NEW_MEMORY
    outcomes = _Outcomes(memory, now=now, scheduler=scheduler, elapsed_days=elapsed_days)
    card = outcomes[grade]
    due = card.due
    if card.state is fsrs.State.Review:
        days = _review_days(
            outcomes,
            grade,
            memory=memory,
            fuzz_factor=random.Random(fuzz_seed).random(),
            workload=workload,
        )
        due = _days_later(now, days, time_zone=time_zone, day_start_hour=day_start_hour)
    else:
        due = _step_due(due, now=now, time_zone=time_zone, day_start_hour=day_start_hour)
    return Memory(
        state=MemoryState(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=due,
        last_review=now,
        reps=memory.reps + 1,
        lapses=memory.lapses + (grade is Grade.AGAIN and memory.state is MemoryState.REVIEW),
    )


def _step_due(due: datetime, *, now: datetime, time_zone: str, day_start_hour: int) -> datetime:
    """When a (re)learning step ends: at its minute within the study day, and from the start
    of the study day it ends in when it reaches a later one, as Anki turns such a step into
    days (its IntervalKind::maybe_as_days): 12 hours from 8 pm is due from 4 am, not 8 am."""
    kwargs = {"time_zone": time_zone, "day_start_hour": day_start_hour}
    day = study_day(due, **kwargs)
    if day == study_day(now, **kwargs):
        return due
    return study_day_start(day, **kwargs)


class _Outcomes(dict):
    """py-fsrs's card after each grade, worked out when first asked for."""

    def __init__(self, memory: Memory, *, now: datetime, scheduler, elapsed_days: int | None):
        super().__init__()
        self.now = now
        self.scheduler = scheduler
        self.card = _fsrs_card(memory, now, elapsed_days)

    def __missing__(self, grade: Grade) -> fsrs.Card:
        card, _log = self.scheduler.review_card(self.card, fsrs.Rating(int(grade)), self.now)
        self[grade] = card
        return card


def _review_days(
    outcomes: _Outcomes,
    grade: Grade,
    *,
    memory: Memory,
    fuzz_factor: float,
    workload: Workload | _WindowProbe | None = None,
) -> int:
    """The fuzzed interval, in days, that `grade` gives, as Anki's FSRS states give it
    (rslib/src/scheduler/states/review.rs, learning.rs, relearning.rs). On a review card
    Hard, Good and Easy spread FSRS's unrounded interval above `least_review_interval`, Good
    at least a day past Hard and Easy a day past Good; Again is not fuzzed. On a new or
    (re)learning card the rounded interval is fuzzed, Easy at least a day past Good. One fuzz
    factor for every grade, as Anki draws it once per card; with a `workload` the load
    balancer picks the day of each range (review_interval)."""
    maximum = outcomes.scheduler.maximum_interval
    spread = {"maximum": maximum, "fuzz_factor": fuzz_factor, "workload": workload}
    if memory.state is MemoryState.REVIEW:
        if grade is Grade.AGAIN:
            return min(max((outcomes[grade].due - outcomes.now).days, 1), maximum)
        interval = _unrounded_interval(outcomes.scheduler, outcomes[grade].stability)
        previous = round((_utc(memory.due) - _utc(memory.last_review)).total_seconds() / 86400)
        minimum = max(least_review_interval(interval, previous=previous, maximum=maximum), 1)
        if grade is not Grade.HARD:
            lower = Grade(grade - 1)
            lower_days = _review_days(
                outcomes, lower, memory=memory, fuzz_factor=fuzz_factor, workload=workload
            )
            minimum = max(minimum, lower_days + 1)
        return review_interval(interval, minimum=minimum, **spread)
    minimum = 1
    if grade is Grade.EASY and outcomes[Grade.GOOD].state is fsrs.State.Review:
        good = _review_days(
            outcomes, Grade.GOOD, memory=memory, fuzz_factor=fuzz_factor, workload=workload
        )
        minimum = good + 1
    days = (outcomes[grade].due - outcomes.now).days
    return review_interval(days, minimum=minimum, **spread)


def load_window(
    memory: Memory | None,
    grades: Iterable[Grade],
    *,
    now: datetime,
    scheduler: fsrs.Scheduler,
    elapsed_days: int | None = None,
) -> tuple[int, int] | None:
    """The days from today (first, last) whose cards due the load balancer may weigh for
    `grades` of `memory` at `now`, so that one query counts them all before `schedule` or
    `preview` is given the Workload; None when no grade gives a review interval it
    balances (a learning step, Again on a review card, an interval past
    MAX_LOAD_BALANCE_INTERVAL or a range of one day)."""
    memory = memory or NEW_MEMORY
    outcomes = _Outcomes(memory, now=_utc(now), scheduler=scheduler, elapsed_days=elapsed_days)
    probe = _WindowProbe()
    for grade in grades:
        if outcomes[grade].state is fsrs.State.Review:
            _review_days(outcomes, Grade(grade), memory=memory, fuzz_factor=0.0, workload=probe)
    if probe.low is None or probe.low == probe.high:
        return None
    return probe.low, probe.high


def _unrounded_interval(scheduler: fsrs.Scheduler, stability: float) -> float:
    """The days until recall falls to the desired retention, before py-fsrs rounds them to
    whole days: what Anki's fsrs crate hands its fuzz for a review card."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return stability / factor * (scheduler.desired_retention ** (1 / decay) - 1)


def _days_later(
    moment: datetime, days: int, *, time_zone: str, day_start_hour: int = DEFAULT_DAY_START_HOUR
) -> datetime:
    """`days` calendar days after `moment` at the same wall-clock time in `time_zone`, in
    UTC (aware arithmetic in a zone adds to the wall clock), always `days` study days later.

    A wall-clock time the clocks skip (02:30 on the night they go forward) is read with the
    offset from before the change, an hour later (03:30): with the study day starting at 3
    am that is a day too late, so the time is then read with the offset after the change
    (01:30), and failing both it is brought into the study day it belongs to.
    """
    kwargs = {"time_zone": time_zone, "day_start_hour": day_start_hour}
    target = study_day(moment, **kwargs) + timedelta(days=days)
    wall = moment.astimezone(ZoneInfo(time_zone)) + timedelta(days=days)
    for candidate in (wall, wall.replace(fold=1 - wall.fold)):
        due = _utc(candidate)
        if study_day(due, **kwargs) == target:
            return due
    start = study_day_start(target, **kwargs)
    end = study_day_start(target + timedelta(days=1), **kwargs)
    return min(max(due, start), end - timedelta(seconds=1))


def preview(
    memory: Memory | None,
    *,
    now: datetime,
    scheduler: fsrs.Scheduler,
    fuzz_seed: int = 0,
    elapsed_days: int | None = None,
    time_zone: str = "UTC",
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
    workload: Workload | None = None,
) -> dict[Grade, timedelta]:
    """The interval each grade would give now: what the grade buttons show. A step due on
    a later study day shows the study days to it ("1 d"), as Anki shows it. With the
    `workload` the answer will have, each is the load balancer's day, as in Anki."""
    now = _utc(now)
    kwargs = {"time_zone": time_zone, "day_start_hour": day_start_hour}
    intervals = {}
    for grade in Grade:
        after = schedule(
            memory,
            grade,
            now=now,
            scheduler=scheduler,
            fuzz_seed=fuzz_seed,
            elapsed_days=elapsed_days,
            workload=workload,
            **kwargs,
        )
        intervals[grade] = after.due - now
        if after.state is not MemoryState.REVIEW and after.due > now:
            days = (study_day(after.due, **kwargs) - study_day(now, **kwargs)).days
            if days:
                intervals[grade] = timedelta(days=days)
    return intervals


def replay(
    reviews: Iterable[tuple[datetime, Grade | int]],
    *,
    scheduler: fsrs.Scheduler,
    time_zone: str = "UTC",
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> Memory | None:
    """The memory a card's reviews (when, grade; oldest first) leave under `scheduler`'s
    parameters, days counted in study days as `schedule` counts them: Anki's "compute memory
    states" after new parameters. None for no reviews. Its due date is the replay's own."""
    kwargs = {"time_zone": time_zone, "day_start_hour": day_start_hour}
    memory = None
    for moment, grade in reviews:
        elapsed = elapsed_study_days(memory.last_review, moment, **kwargs) if memory else None
        memory = schedule(
            memory, grade, now=moment, scheduler=scheduler, elapsed_days=elapsed, **kwargs
        )
    return memory


def rescheduled_due(
    memory: Memory,
    *,
    scheduler: fsrs.Scheduler,
    previous_interval: int,
    fuzz_seed: int,
    time_zone: str = "UTC",
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
    workload: Workload | None = None,
    elapsed_days: int = 0,
) -> datetime:
    """When a review card is due once the desired retention or the parameters change, for a
    learner who asked for Anki's "Reschedule cards on change" (rslib/src/scheduler/fsrs/
    memory_state.rs): the interval its stability gives under `scheduler`, fuzzed with its
    last answer's seed and kept above the interval before that answer (`previous_interval`,
    0 when it failed) as that answer kept it, counted from the study day of its last review.
    It can fall in the past: the card is then overdue, as in Anki.

    With a `workload` (the cards due on each day from today, today's holding those overdue
    and those answered today), the day is load balanced as Anki's Rescheduler does: among
    the days of the fuzz range from today on, `elapsed_days` (study days since the last
    review) being today; a card whose whole range is past stays on the fuzz's day."""
    maximum = scheduler.maximum_interval
    interval = _unrounded_interval(scheduler, memory.stability)
    minimum = max(least_review_interval(interval, previous=previous_interval, maximum=maximum), 1)
    fuzz_factor = random.Random(fuzz_seed).random()
    days = fuzzed_interval(interval, minimum=minimum, maximum=maximum, fuzz_factor=fuzz_factor)
    low, high = _fuzz_bounds(interval, minimum=minimum, maximum=maximum)
    if workload is not None and high >= elapsed_days:
        days = workload.pick(
            max(low, elapsed_days), high, fuzz_factor=fuzz_factor, days_ago=elapsed_days
        )
    return _days_later(
        _utc(memory.last_review), days, time_zone=time_zone, day_start_hour=day_start_hour
    )


def becomes_leech(*, lapses_before: int, lapses_after: int) -> bool:
    """Whether the lapse just counted makes the card a leech: at LEECH_THRESHOLD lapses, and
    every half threshold after that (8, 12, 16, ...), as in Anki."""
    if lapses_after <= lapses_before or lapses_after < LEECH_THRESHOLD:
        return False
    return (lapses_after - LEECH_THRESHOLD) % max(LEECH_THRESHOLD // 2, 1) == 0


def retrievability(memory: Memory | None, *, now: datetime, parameters: Sequence[float]) -> float:
    """The chance of recalling the card at `now` under FSRS's forgetting curve; 0 when new."""
    if memory is None or memory.stability is None or memory.last_review is None:
        return 0.0
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    elapsed_days = max((_utc(now) - _utc(memory.last_review)).total_seconds() / 86400, 0.0)
    return (1 + factor * elapsed_days / memory.stability) ** decay


# --- Set due date ---------------------------------------------------------------------------

# Anki's longest interval (its "Maximum interval" default): a due date further off is a typo.
MAX_DUE_DAYS = MAX_INTERVAL_DAYS
_DUE_DATE = re.compile(r"([0-9]+)(?:-([0-9]+))?(!?)", re.ASCII)
DUE_DATE_HELP = (
    "Write days from today as Anki does: 0 for today, 1 for tomorrow, 3-7 for a day picked "
    "at random between them (to spread the load), and ! at the end (5!, 3-7!) to make that "
    "many days the card's interval too."
)


@dataclass(frozen=True, kw_only=True)
class DueDateSpec:
    """Anki's Set Due Date input: a day `first` to `last` days from today, and whether the
    interval is set to it too (its "!")."""

    first: int
    last: int
    set_interval: bool = False

    def draw(self, rng: random.Random) -> int:
        """The days for one card: one of the range, drawn from `rng` (a single day draws
        nothing, so the cards of a bulk change do not depend on their order)."""
        return self.first if self.first == self.last else rng.randint(self.first, self.last)

    @property
    def label(self) -> str:
        """ "today", "tomorrow", "in 5 days", "in 3 to 7 days"."""
        if self.first != self.last:
            return f"in {self.first} to {self.last} days"
        return {0: "today", 1: "tomorrow"}.get(self.first, f"in {self.first} days")


def parse_due_date(text: str) -> DueDateSpec:
    """ "0", "5", "3-7", "5!" or "3-7!", spaces anywhere allowed. Raises ValueError with a
    readable reason for anything else: a negative number, a range written backwards (Anki
    swaps it; here a typo is more likely, so it is refused), letters, more than
    MAX_DUE_DAYS."""
    compact = "".join(text.split())
    match = _DUE_DATE.fullmatch(compact)
    if match is None:
        if not compact:
            raise ValueError("Write how many days from today. " + DUE_DATE_HELP)
        raise ValueError(f"“{compact[:20]}” is not a due date. " + DUE_DATE_HELP)
    first_text, last_text, bang = match.groups()
    # Counted on the digits, before int(): a number of thousands of digits is refused at once.
    if any(
        len(part.lstrip("0")) > len(str(MAX_DUE_DAYS)) for part in (first_text, last_text or "")
    ):
        raise ValueError(f"At most {MAX_DUE_DAYS:,} days (100 years) from today.")
    first = int(first_text)
    last = int(last_text) if last_text else first
    if max(first, last) > MAX_DUE_DAYS:
        raise ValueError(f"At most {MAX_DUE_DAYS:,} days (100 years) from today.")
    if last < first:
        raise ValueError(
            f"“{compact}”: write the range with the smaller number first ({last}-{first})."
        )
    return DueDateSpec(first=first, last=last, set_interval=bool(bang))


def set_due(
    memory: Memory | None,
    *,
    days: int,
    set_interval: bool,
    now: datetime,
    scheduler: fsrs.Scheduler,
    time_zone: str = "UTC",
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> Memory:
    """The memory after Anki's Set Due Date: a review card due `days` study days from `now`
    (due for that whole study day, as review cards are). Not a review: no rep is counted and
    the last review stays what it was, so the next answer's elapsed days are the real ones.

    A review card keeps its stability unless `set_interval` ("!"): then the interval becomes
    the stability, as Anki's FSRS does. A (re)learning card becomes a review card. A new
    card becomes a review card as Anki makes it one, with the interval as its stability (at
    least a day: Anki's shortest interval; FSRS then puts recall at the desired retention
    about when it is due, as if the learner had just shown they know it that well), the
    difficulty a first Good would give it, and `now` as its last review (it has none, and
    FSRS counts from one)."""
    now = _utc(now)
    due = _days_later(now, days, time_zone=time_zone, day_start_hour=day_start_hour)
    if memory is None or memory.state is MemoryState.NEW:
        first_good = _Outcomes(NEW_MEMORY, now=now, scheduler=scheduler, elapsed_days=None)[
            Grade.GOOD
        ]
        return Memory(
            state=MemoryState.REVIEW,
            stability=float(max(days, 1)),
            difficulty=first_good.difficulty,
            due=due,
            last_review=now,
        )
    stability = float(max(days, 1)) if set_interval else memory.stability
    return replace(memory, state=MemoryState.REVIEW, step=None, stability=stability, due=due)


# --- Grades from quiz answers ---------------------------------------------------------------


def grade_for_answer(
    *, outcome: engine.Outcome | str, elapsed_seconds: float | None, limit_seconds: float | None
) -> Grade | None:
    """The grade a quiz answer gives the card; None for a question never shown.

    Wrong or timed out: Again. Right, but slower than half the time allowed: Hard. Right:
    Good. A flashcard's "knew it" is Good, "didn't know" Again.
    """
    outcome = engine.Outcome(outcome)
    if outcome is engine.Outcome.MISSED:
        return None
    if not outcome.counts_as_correct:
        return Grade.AGAIN
    if (
        outcome is engine.Outcome.CORRECT
        and limit_seconds is not None
        and elapsed_seconds is not None
        and elapsed_seconds > limit_seconds / 2
    ):
        return Grade.HARD
    return Grade.GOOD


def answer_seconds(elapsed_seconds: float) -> float:
    """The time a review counts for: never negative, never more than MAX_ANSWER_SECONDS."""
    return min(max(float(elapsed_seconds), 0.0), MAX_ANSWER_SECONDS)


# --- The queue ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Scheduled:
    """What the queue needs of a studied card."""

    card_id: int
    state: MemoryState
    due: datetime
    stability: float


def is_due(entry: Scheduled, *, now: datetime, day_end: datetime) -> bool:
    """Review cards are due for the whole study day they fall in, as in Anki; learning and
    relearning steps are minutes long and due at their minute."""
    if entry.state is MemoryState.REVIEW:
        return entry.due < day_end
    return entry.due <= now


def learn_ahead_until(*, now: datetime, day_end: datetime) -> datetime:
    """The latest due a (re)learning step may have to be shown now, ahead of its minute:
    LEARN_AHEAD from now, but never into the next study day (a step that reaches it is due
    from its start, _step_due), as Anki shows nothing of the next day before it starts."""
    return min(now + LEARN_AHEAD, day_end - timedelta(microseconds=1))


def relative_overdueness(entry: Scheduled, *, now: datetime) -> float:
    """Days overdue per day of stability: a card forgotten faster comes first."""
    overdue_days = (now - entry.due).total_seconds() / 86400
    return overdue_days / max(entry.stability, 0.01)


def intersperse(
    reviews: Sequence[int],
    new: Sequence[int],
    *,
    reviews_left: int,
    new_left: int,
    reviews_done: int = 0,
    new_done: int = 0,
) -> list[int]:
    """`reviews` and `new` (the first of the `reviews_left` and `new_left` still to show)
    spread evenly through each other, as Anki's "Mix with reviews" does (its Intersperser):
    the new card at place j of the day's N goes after about j * (R + 1) / (N + 1) of its R
    review cards. Counted over the whole study day, from the cards already answered today
    (`reviews_done`, `new_done`), so that the page, which asks for one card at a time, goes
    on with the day's spread instead of starting it again at every card."""
    ratio = (reviews_done + reviews_left + 1) / (new_done + new_left + 1)
    merged, i, j = [], 0, 0
    while i < len(reviews) and j < len(new):
        if (new_done + j + 1) * ratio < reviews_done + i + 1:
            merged.append(new[j])
            j += 1
        else:
            merged.append(reviews[i])
            i += 1
    return [*merged, *reviews[i:], *new[j:]]


def order_queue(
    scheduled: Iterable[Scheduled],
    *,
    new_card_ids: Sequence[int],
    now: datetime,
    day_end: datetime,
    limit: int,
    review_allowance: int | None = None,
    new_order: NewReviewOrder = DEFAULT_NEW_REVIEW_ORDER,
    new_left: int | None = None,
    reviews_done: int = 0,
    new_done: int = 0,
) -> list[int]:
    """Card ids in the order to study them, as Anki's queue: (re)learning steps due now,
    the earliest first (a card in learning is shown as soon as its step is up, so that
    "10m" means about ten minutes, however many reviews are overdue); then due review
    cards, most overdue relative to their stability first, and new cards (`new_card_ids`,
    already cut to today's allowance; `new_left` of them left today, when more than those
    given) after them, before them or mixed in (`new_order`, with the cards answered today
    for the mix: `intersperse`); then learning cards due within LEARN_AHEAD
    (learn_ahead_until). With `review_allowance`, only that many review cards (the first in
    that order): the reviews left today."""
    steps, due, ahead = [], [], []
    until = learn_ahead_until(now=now, day_end=day_end)
    for entry in scheduled:
        if not is_due(entry, now=now, day_end=day_end):
            if entry.state is not MemoryState.REVIEW and entry.due <= until:
                ahead.append(entry)
        elif entry.state is MemoryState.REVIEW:
            due.append(entry)
        else:
            steps.append(entry)
    due.sort(key=lambda entry: (-relative_overdueness(entry, now=now), entry.card_id))
    if review_allowance is not None:
        due = due[: max(review_allowance, 0)]
    steps.sort(key=lambda entry: (entry.due, entry.card_id))
    ahead.sort(key=lambda entry: (entry.due, entry.card_id))
    review_ids = [entry.card_id for entry in due]
    new_ids = list(new_card_ids)
    if new_order is NewReviewOrder.BEFORE:
        main = new_ids + review_ids
    elif new_order is NewReviewOrder.MIX:
        main = intersperse(
            review_ids,
            new_ids,
            reviews_left=len(review_ids),
            new_left=max(new_left or 0, len(new_ids)),
            reviews_done=reviews_done,
            new_done=new_done,
        )
    else:
        main = review_ids + new_ids
    ordered = [entry.card_id for entry in steps] + main + [entry.card_id for entry in ahead]
    return ordered[: max(limit, 0)]


def review_allowance(*, per_day: int, reviewed_today: int, extra_today: int = 0) -> int:
    """Review cards left for today: the daily maximum, plus the extra reviews the learner
    asked for today (Anki's custom study "Increase today's review limit"), less the review
    cards answered."""
    return max(per_day + extra_today - reviewed_today, 0)


def due_shown(*, steps_due: int, reviews_due: int, reviews_left: int) -> int:
    """The due cards the queue shows (order_queue): every learning step, and review cards
    up to those left today."""
    return steps_due + min(reviews_due, reviews_left)


def review_room_for_new(*, reviews_left: int, reviews_due: int) -> int:
    """New cards the day's maximum of reviews leaves room for, as Anki's v3 scheduler caps
    them (unless "New cards ignore review limit"): the reviews left today (new cards met
    today counted among those done) less the review cards due, which come first. With 200 a
    day and 190 due, 10 new cards at most; none once the maximum is reached."""
    return max(reviews_left - reviews_due, 0)


def new_card_allowance(*, per_day: int, introduced_today: int, extra_today: int = 0) -> int:
    """New cards left for today: the daily setting, plus the extra cards the learner asked for
    today ("Learn more new cards today", Anki's custom study), less those already met."""
    return max(per_day + extra_today - introduced_today, 0)


# --- Study days -----------------------------------------------------------------------------

# Names zoneinfo lists that are no place a learner lives: the server's own zone, tzdata's
# placeholder and zic's default rules.
NOT_TIME_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def time_zone_names() -> frozenset[str]:
    """The zones a learner may choose. available_timezones() walks the whole tz database on
    the disk, so it is read once per process."""
    return frozenset(available_timezones()) - NOT_TIME_ZONES


def usable_time_zone(name: str) -> str:
    """`name`, or "UTC" when it is not a zone a learner may choose: a zone the tz database
    no longer has, or a row written by hand, must not break every page of the learner."""
    return name if name in time_zone_names() else "UTC"


def study_day(moment: datetime, *, time_zone: str, day_start_hour: int) -> date:
    """The study day `moment` belongs to: a day starts at `day_start_hour` in the learner's
    time zone, so a review at 1 am still counts for the evening before."""
    local = _utc(moment).astimezone(ZoneInfo(time_zone))
    return (local - timedelta(hours=day_start_hour)).date()


def study_day_start(day: date, *, time_zone: str, day_start_hour: int) -> datetime:
    """When study day `day` begins, in UTC: the first instant the learner's clock reads
    `day_start_hour` or later on `day`, as `study_day` counts (daylight saving time
    included). When the clocks read that hour twice (they go back), the first time; when
    they skip it (they go forward over it), the instant they go forward."""
    zone = ZoneInfo(time_zone)
    wall = datetime.combine(day, time(day_start_hour))
    start = wall.replace(tzinfo=zone).astimezone(UTC)
    if start.astimezone(zone).replace(tzinfo=None) == wall:
        return start
    # Skipped: zoneinfo reads the hour with the offset from before the change, which puts
    # it after the change; with the offset after it, before. The change, found to the
    # second between the two, is the first instant the clock reads the hour or later.
    before = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    after = int(start.timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def elapsed_study_days(
    last_review: datetime, now: datetime, *, time_zone: str, day_start_hour: int
) -> int:
    """Study days from `last_review` to `now`: a card reviewed at 8 pm and again at 6 pm the
    next day was seen one day later, though not 24 hours later, as Anki counts it."""
    days = study_day(now, time_zone=time_zone, day_start_hour=day_start_hour) - study_day(
        last_review, time_zone=time_zone, day_start_hour=day_start_hour
    )
    return max(days.days, 0)


def study_day_bounds(
    now: datetime, *, time_zone: str, day_start_hour: int
) -> tuple[datetime, datetime]:
    """The start and end (UTC) of the study day `now` falls in."""
    today = study_day(now, time_zone=time_zone, day_start_hour=day_start_hour)
    start = study_day_start(today, time_zone=time_zone, day_start_hour=day_start_hour)
    end = study_day_start(
        today + timedelta(days=1), time_zone=time_zone, day_start_hour=day_start_hour
    )
    return start, end


# --- Labels ---------------------------------------------------------------------------------


def interval_label(interval: timedelta) -> str:
    """A short interval as the grade buttons show it: "1 m", "10 m", "5 h", "3 d", "2.1 mo",
    "1.5 y"."""
    seconds = max(interval.total_seconds(), 0)
    minutes = seconds / 60
    if minutes < 60:
        return f"{max(round(minutes), 1)} m"
    hours = minutes / 60
    # Steps last at most 12 hours and review intervals whole days, give or take the hour a
    # daylight saving change adds or takes: 23 hours is a day.
    if hours < 23:
        return f"{round(hours)} h"
    days = hours / 24
    if round(days) < 30:
        return f"{round(days)} d"
    if days < 365:
        return f"{days / 30:.1f} mo".replace(".0 ", " ")
    return f"{days / 365:.1f} y".replace(".0 ", " ")


# --- Learning steps -------------------------------------------------------------------------

_STEP = re.compile(r"(\d+(?:\.\d+)?)([smh]?)")
_STEP_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """Learning steps as Anki writes them, "1m 10m" or "30m 2h" (a bare number is minutes);
    blank for none. Raises ValueError with a readable reason."""
    steps = []
    for word in text.replace(",", " ").split():
        match = _STEP.fullmatch(word.lower())
        if match is None:
            raise ValueError(f"“{word}” is not a step: write minutes or hours, like 10m or 2h.")
        number, unit = match.groups()
        try:
            step = timedelta(**{_STEP_UNITS[unit or "m"]: float(number)})
        except OverflowError:  # more days than a timedelta holds: too long, as below
            step = timedelta.max
        if not timedelta(minutes=1) <= step <= MAX_STEP:
            raise ValueError(
                f"“{word}”: each step must be from 1 minute to 12 hours, so that it ends the "
                "same day; FSRS schedules everything longer."
            )
        steps.append(step)
    if len(steps) > MAX_STEPS:
        raise ValueError(f"At most {MAX_STEPS} steps.")
    return tuple(steps)


def steps_label(steps: Sequence[timedelta]) -> str:
    """Steps as Anki writes them: "1m 10m", "90m", "2h"; empty for none."""
    words = []
    for step in steps:
        minutes = step.total_seconds() / 60
        if minutes >= 60 and minutes % 60 == 0:
            words.append(f"{minutes / 60:g}h")
        else:
            words.append(f"{minutes:g}m")
    return " ".join(words)


# --- Fitting parameters ---------------------------------------------------------------------


def since_last_reset(reviews: list[tuple]) -> list[tuple]:
    """Rows of (card id, when, rating, ...) sorted by card then time, each card's reviews
    after its last reset (RESET_RATING) only, the resets left out: a card the learner chose
    to forget starts a new history, as Anki's optimizer and its memory states take it."""
    kept = []
    for _card_id, rows in groupby(reviews, key=lambda row: row[0]):
        history = []
        for row in rows:
            if row[2] == RESET_RATING:
                history = []
            else:
                history.append(row)
        kept += history
    return kept


def training_items(
    reviews: list[tuple[int, datetime, int]], *, time_zone: str, day_start_hour: int
) -> list[fsrs_rs_python.FSRSItem]:
    """fsrs-rs items from (card id, when, rating) rows sorted by card then time: one item per
    review after a card's first, holding the card's history up to it, with the days between
    reviews counted in the learner's study days. Only items with a long-term review."""
    items = []
    for _card_id, rows in groupby(reviews, key=lambda row: row[0]):
        history, previous_day = [], None
        for _card, moment, rating in rows:
            day = study_day(moment, time_zone=time_zone, day_start_hour=day_start_hour)
            delta = 0 if previous_day is None else (day - previous_day).days
            history.append(fsrs_rs_python.FSRSReview(rating, max(delta, 0)))
            previous_day = day
            if len(history) > 1:
                item = fsrs_rs_python.FSRSItem(list(history))
                if item.long_term_review_cnt() > 0:
                    items.append(item)
    return items


def clamp_parameters(parameters) -> tuple[float, ...]:
    """py-fsrs refuses parameters outside its bounds; fsrs-rs keeps to the same ones, and
    this only guards against a rounding difference between the two (f32 against f64)."""
    return tuple(
        min(max(float(value), low), high)
        for value, low, high in zip(
            parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    )
