"""Anki's Set Due Date, without a database: its input ("0", "5", "3-7", "5!"), the days a
range draws, and what it does to a card's memory (new, learning, review)."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from quizzes import scheduling
from quizzes.scheduling import DueDateSpec, Grade, Memory, MemoryState

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
SCHEDULER = scheduling.make_scheduler()


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("0", DueDateSpec(first=0, last=0)),
        ("1", DueDateSpec(first=1, last=1)),
        ("  5 ", DueDateSpec(first=5, last=5)),
        ("3-7", DueDateSpec(first=3, last=7)),
        (" 3 - 7 ", DueDateSpec(first=3, last=7)),
        ("5!", DueDateSpec(first=5, last=5, set_interval=True)),
        ("3-7 !", DueDateSpec(first=3, last=7, set_interval=True)),
        ("4-4", DueDateSpec(first=4, last=4)),
        ("007", DueDateSpec(first=7, last=7)),
        ("36500", DueDateSpec(first=36500, last=36500)),
    ],
)
def test_it_reads_what_ankis_set_due_date_takes(text, spec):
    assert scheduling.parse_due_date(text) == spec


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Write how many days from today."),
        ("   ", "Write how many days from today."),
        ("-5", "“-5” is not a due date."),
        ("7-3", "write the range with the smaller number first (3-7)"),
        ("abc", "“abc” is not a due date."),
        ("5d", "“5d” is not a due date."),
        ("3-", "“3-” is not a due date."),
        ("!", "“!” is not a due date."),
        ("5!!", "“5!!” is not a due date."),
        ("1.5", "“1.5” is not a due date."),
        ("٣", "“٣” is not a due date."),  # an Arabic-Indic 3: digits are 0-9 only
        ("36501", "At most 36,500 days (100 years) from today."),
        ("1-36501", "At most 36,500 days"),
        ("9" * 5000, "At most 36,500 days"),  # refused before int() would refuse it
    ],
)
def test_anything_else_is_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError) as refused:
        scheduling.parse_due_date(text)
    assert reason in str(refused.value)


def test_a_range_draws_each_day_from_the_random_source_passed_in():
    spec = scheduling.parse_due_date("3-7")
    drawn = [spec.draw(random.Random(seed)) for seed in range(200)]
    assert set(drawn) == {3, 4, 5, 6, 7}
    assert [spec.draw(random.Random(1)) for _ in range(3)] == [spec.draw(random.Random(1))] * 3
    single = scheduling.parse_due_date("5")
    rng = random.Random(1)
    assert single.draw(rng) == 5
    assert rng.random() == random.Random(1).random()  # a single day draws nothing


@pytest.mark.parametrize(
    ("text", "label"),
    [("0", "today"), ("1", "tomorrow"), ("5!", "in 5 days"), ("3-7", "in 3 to 7 days")],
)
def test_the_label_says_when(text, label):
    assert scheduling.parse_due_date(text).label == label


def _set_due(memory, days, *, set_interval=False, **kwargs):
    return scheduling.set_due(
        memory, days=days, set_interval=set_interval, now=NOW, scheduler=SCHEDULER, **kwargs
    )


def _study_day(moment):
    return scheduling.study_day(moment, time_zone="UTC", day_start_hour=4)


def test_a_new_card_becomes_a_review_card_with_the_interval_as_its_stability():
    after = _set_due(None, 10)
    first_good = scheduling.schedule(None, Grade.GOOD, now=NOW, scheduler=SCHEDULER)
    assert after.state is MemoryState.REVIEW
    assert after.stability == 10.0
    assert after.difficulty == first_good.difficulty
    assert after.last_review == NOW
    assert after.due == NOW + timedelta(days=10)
    assert (after.reps, after.lapses, after.step) == (0, 0, None)
    # Due then, recall is what FSRS aims at: 90%, as if just shown known that well.
    at_due = scheduling.retrievability(
        after, now=after.due, parameters=scheduling.DEFAULT_PARAMETERS
    )
    assert at_due == pytest.approx(0.9, abs=0.001)


def test_a_new_card_due_today_has_a_days_stability():
    after = _set_due(None, 0)
    assert after.due == NOW
    assert after.stability == 1.0
    assert _set_due(None, 0, set_interval=True).stability == 1.0


def test_a_review_card_keeps_its_memory_unless_asked_to_set_the_interval():
    before = Memory(
        state=MemoryState.REVIEW,
        stability=12.5,
        difficulty=6.0,
        due=NOW + timedelta(days=8),
        last_review=NOW - timedelta(days=4),
        reps=5,
        lapses=1,
    )
    moved = _set_due(before, 30)
    assert moved.due == NOW + timedelta(days=30)
    assert (moved.stability, moved.difficulty, moved.last_review) == (12.5, 6.0, before.last_review)
    assert (moved.reps, moved.lapses) == (5, 1)  # not a review
    reset = _set_due(before, 30, set_interval=True)
    assert reset.stability == 30.0
    assert (reset.difficulty, reset.last_review, reset.reps) == (6.0, before.last_review, 5)


def test_the_days_set_are_kept_past_the_maximum_interval_as_anki_keeps_them():
    """Anki's set_due_date (rslib/src/scheduler/reviews.rs) puts the card on the day asked
    whatever the preset's maximum interval, which holds for the intervals answers give."""
    before = Memory(
        state=MemoryState.REVIEW,
        stability=12.5,
        difficulty=6.0,
        due=NOW,
        last_review=NOW - timedelta(days=12),
        reps=3,
    )
    capped = scheduling.make_scheduler(maximum_interval=30)
    for memory in (before, None):
        moved = scheduling.set_due(
            memory, days=90, set_interval=True, now=NOW, scheduler=capped, day_start_hour=4
        )
        assert (moved.due - NOW, moved.stability) == (timedelta(days=90), 90.0)
    answered = scheduling.schedule(moved, Grade.EASY, now=moved.due, scheduler=capped)
    assert answered.due - moved.due <= timedelta(days=30)


def test_a_learning_card_becomes_a_review_card():
    learning = scheduling.schedule(
        None,
        Grade.AGAIN,
        now=NOW - timedelta(minutes=5),
        scheduler=scheduling.make_scheduler(learning_steps=(timedelta(minutes=10),)),
    )
    assert learning.state is MemoryState.LEARNING
    after = _set_due(learning, 2)
    assert after.state is MemoryState.REVIEW
    assert after.step is None
    assert after.stability == learning.stability
    assert _study_day(after.due) == date(2025, 3, 7)


def test_days_are_study_days_on_the_learners_clock():
    # 1:30 am in Sydney on 6 March is still the study day of 5 March there (day starts at 4).
    late = datetime(2025, 3, 5, 14, 30, tzinfo=UTC)
    after = scheduling.set_due(
        None,
        days=1,
        set_interval=False,
        now=late,
        scheduler=SCHEDULER,
        time_zone="Australia/Sydney",
        day_start_hour=4,
    )
    day = scheduling.study_day(after.due, time_zone="Australia/Sydney", day_start_hour=4)
    assert day == date(2025, 3, 6)
