"""The study loop's rules, without a database: grades from quiz answers, the queue's order,
FSRS updates, learning steps, leeches, interval labels and study days."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from quizzes import engine, scheduling
from quizzes.scheduling import Grade, Memory, MemoryState, Scheduled

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
DAY_END = datetime(2025, 3, 6, 4, 0, tzinfo=UTC)
ANKI_STEPS = (timedelta(minutes=1), timedelta(minutes=10))


# --- Grades from quiz answers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "elapsed", "limit", "grade"),
    [
        (engine.Outcome.WRONG, 2.0, 20.0, Grade.AGAIN),
        (engine.Outcome.TIMED_OUT, 20.0, 20.0, Grade.AGAIN),
        (engine.Outcome.DIDNT_KNOW, 5.0, None, Grade.AGAIN),
        (engine.Outcome.CORRECT, 4.0, 20.0, Grade.GOOD),
        (engine.Outcome.CORRECT, 10.0, 20.0, Grade.GOOD),  # exactly half: not slower
        (engine.Outcome.CORRECT, 10.5, 20.0, Grade.HARD),
        (engine.Outcome.CORRECT, 300.0, None, Grade.GOOD),  # untimed: no speed rule
        (engine.Outcome.KNEW, 50.0, 20.0, Grade.GOOD),
        (engine.Outcome.MISSED, None, 20.0, None),
    ],
)
def test_a_quiz_answer_becomes_a_grade(outcome, elapsed, limit, grade):
    assert (
        scheduling.grade_for_answer(outcome=outcome, elapsed_seconds=elapsed, limit_seconds=limit)
        == grade
    )


def test_the_grade_rule_accepts_stored_outcome_strings():
    assert (
        scheduling.grade_for_answer(outcome="wrong", elapsed_seconds=1, limit_seconds=None)
        is Grade.AGAIN
    )


@pytest.mark.parametrize(("raw", "counted"), [(-3, 0.0), (12.5, 12.5), (3600, 60.0)])
def test_answer_time_is_clamped_to_a_minute(raw, counted):
    assert scheduling.answer_seconds(raw) == counted


# --- The queue ------------------------------------------------------------------------------


def entry(card_id, *, due, stability=5.0, state=MemoryState.REVIEW):
    return Scheduled(card_id=card_id, state=state, due=due, stability=stability)


def test_due_cards_come_most_overdue_relative_to_stability_first():
    cards = [
        entry(1, due=NOW - timedelta(days=2), stability=10),  # 0.2 of its stability overdue
        entry(2, due=NOW - timedelta(days=2), stability=1),  # 2.0
        entry(3, due=NOW - timedelta(days=6), stability=20),  # 0.3
    ]
    order = scheduling.order_queue(cards, new_card_ids=[], now=NOW, day_end=DAY_END, limit=10)
    assert order == [2, 3, 1]


def test_new_cards_follow_the_due_ones_and_learning_cards_due_soon_come_last():
    cards = [
        entry(1, due=NOW + timedelta(minutes=5), stability=0.5, state=MemoryState.LEARNING),
        entry(2, due=NOW - timedelta(days=1)),
        entry(3, due=NOW - timedelta(minutes=1), stability=0.5, state=MemoryState.RELEARNING),
    ]
    order = scheduling.order_queue(cards, new_card_ids=[7, 8], now=NOW, day_end=DAY_END, limit=10)
    assert order == [3, 2, 7, 8, 1]


def test_a_learning_step_due_now_comes_before_every_review_card_the_earliest_first():
    """As Anki's queue: a card in (re)learning is shown as soon as its step is up, before
    the reviews however overdue, so that "10m" means about ten minutes."""
    cards = [
        entry(1, due=NOW - timedelta(days=9), stability=1),  # 9 stabilities overdue
        entry(2, due=NOW - timedelta(minutes=1), stability=2.0, state=MemoryState.RELEARNING),
        entry(3, due=NOW - timedelta(days=3), stability=2),
        entry(4, due=NOW - timedelta(minutes=8), stability=0.1, state=MemoryState.LEARNING),
    ]
    order = scheduling.order_queue(cards, new_card_ids=[9], now=NOW, day_end=DAY_END, limit=10)
    assert order == [4, 2, 1, 3, 9]


def test_new_cards_go_before_the_reviews_or_among_them_as_the_learner_orders_them():
    """Anki's "New/review order": a learning step due comes first whatever the order."""
    step = entry(1, due=NOW - timedelta(minutes=1), stability=0.5, state=MemoryState.LEARNING)
    due = [entry(n, due=NOW - timedelta(days=n)) for n in (2, 3, 4, 5)]  # 5 most overdue

    def order(new_order, **done):
        return scheduling.order_queue(
            [step, *due], new_card_ids=[8, 9], now=NOW, day_end=DAY_END, limit=10,
            new_order=new_order, **done,
        )  # fmt: skip

    assert order(scheduling.NewReviewOrder.AFTER) == [1, 5, 4, 3, 2, 8, 9]
    assert order(scheduling.NewReviewOrder.BEFORE) == [1, 8, 9, 5, 4, 3, 2]
    assert order(scheduling.NewReviewOrder.MIX) == [1, 5, 8, 4, 3, 9, 2]


def test_mixed_new_cards_spread_as_ankis_intersperser_spreads_them():
    """Anki's own cases (rslib intersperser.rs): the longer list first, spaced evenly."""

    def mixed(reviews, new):
        return scheduling.intersperse(reviews, new, reviews_left=len(reviews), new_left=len(new))

    assert mixed([1, 2, 3], [11, 22, 33]) == [1, 11, 2, 22, 3, 33]
    assert mixed([1, 2, 3], [11, 22]) == [1, 11, 2, 22, 3]
    assert mixed([1, 2, 3], [11, 22, 33, 44, 55, 66]) == [11, 1, 22, 33, 2, 44, 55, 3, 66]
    assert mixed([1, 2, 3], []) == [1, 2, 3]


def test_the_mix_goes_on_from_the_cards_answered_today_one_card_at_a_time():
    """The review page asks for one card at a time: counted from the day's cards answered,
    the mix does not start again (it would always put a review card first)."""
    reviews, new = [1, 2, 3, 4], [11]
    day = scheduling.intersperse(reviews, new, reviews_left=4, new_left=1)
    assert day == [1, 2, 11, 3, 4]
    shown, reviews_done, new_done = [], 0, 0
    while reviews[reviews_done:] or new[new_done:]:
        first = scheduling.intersperse(
            reviews[reviews_done:],
            new[new_done:][:1],  # the page fetches one new card, and counts those left
            reviews_left=len(reviews) - reviews_done,
            new_left=len(new) - new_done,
            reviews_done=reviews_done,
            new_done=new_done,
        )[0]
        shown.append(first)
        reviews_done, new_done = reviews_done + (first in reviews), new_done + (first in new)
    assert shown == day


def test_a_review_card_is_due_all_day_but_a_learning_step_only_at_its_minute():
    later_today = NOW + timedelta(hours=10)
    assert scheduling.is_due(entry(1, due=later_today), now=NOW, day_end=DAY_END)
    assert not scheduling.is_due(
        entry(1, due=later_today, state=MemoryState.LEARNING), now=NOW, day_end=DAY_END
    )
    assert not scheduling.is_due(entry(1, due=DAY_END), now=NOW, day_end=DAY_END)


def test_cards_not_due_and_learning_cards_beyond_the_learn_ahead_limit_stay_out():
    cards = [
        entry(1, due=DAY_END + timedelta(days=1)),
        entry(2, due=NOW + timedelta(hours=1), state=MemoryState.LEARNING),
    ]
    assert scheduling.order_queue(cards, new_card_ids=[], now=NOW, day_end=DAY_END, limit=5) == []


def test_review_cards_past_the_reviews_left_today_wait_but_learning_steps_do_not():
    cards = [
        entry(1, due=NOW - timedelta(days=1)),
        entry(2, due=NOW - timedelta(days=3)),
        entry(3, due=NOW - timedelta(minutes=1), stability=0.5, state=MemoryState.RELEARNING),
        entry(4, due=NOW - timedelta(days=2)),
    ]
    order = scheduling.order_queue(
        cards, new_card_ids=[9], now=NOW, day_end=DAY_END, limit=10, review_allowance=2
    )
    assert order == [3, 2, 4, 9]  # the step, the two most overdue reviews, the new card
    assert scheduling.review_allowance(per_day=200, reviewed_today=150) == 50
    assert scheduling.review_allowance(per_day=200, reviewed_today=250) == 0


def test_the_queue_stops_at_its_limit():
    cards = [entry(n, due=NOW - timedelta(days=n)) for n in range(1, 6)]
    order = scheduling.order_queue(cards, new_card_ids=[9], now=NOW, day_end=DAY_END, limit=3)
    assert order == [5, 4, 3]


@pytest.mark.parametrize(("per_day", "introduced", "left"), [(20, 0, 20), (20, 15, 5), (5, 9, 0)])
def test_the_new_card_allowance_counts_what_today_already_introduced(per_day, introduced, left):
    assert scheduling.new_card_allowance(per_day=per_day, introduced_today=introduced) == left


@pytest.mark.parametrize(("introduced", "left"), [(20, 30), (45, 5), (60, 0)])
def test_more_new_cards_today_add_to_the_daily_allowance(introduced, left):
    allowance = scheduling.new_card_allowance(
        per_day=20, introduced_today=introduced, extra_today=30
    )
    assert allowance == left


# --- FSRS -----------------------------------------------------------------------------------


def test_without_learning_steps_a_new_card_goes_straight_to_a_review_interval():
    scheduler = scheduling.make_scheduler()
    forgot = scheduling.schedule(None, Grade.AGAIN, now=NOW, scheduler=scheduler)
    knew = scheduling.schedule(None, Grade.GOOD, now=NOW, scheduler=scheduler)
    assert forgot.state is knew.state is MemoryState.REVIEW
    assert forgot.due - NOW == timedelta(days=1)
    assert knew.due - NOW > timedelta(days=1)
    assert forgot.lapses == 0  # a new card is not a lapse


def test_with_learning_steps_a_new_card_answered_good_moves_through_them():
    scheduler = scheduling.make_scheduler(learning_steps=ANKI_STEPS)
    first = scheduling.schedule(None, Grade.GOOD, now=NOW, scheduler=scheduler)
    assert first.state is MemoryState.LEARNING
    assert first.due - NOW == timedelta(minutes=10)
    assert first.reps == 1
    second = scheduling.schedule(
        first, Grade.GOOD, now=NOW + timedelta(minutes=10), scheduler=scheduler
    )
    assert second.state is MemoryState.REVIEW
    assert second.due - second.last_review >= timedelta(days=1)


def test_a_learning_step_that_reaches_the_next_study_day_is_due_from_its_start_as_in_anki():
    """Anki turns a step that passes the day's rollover into days: the card is due on the
    study day the step ends in, from its start (4 am), not at the step's minute; its button
    shows "1 d". A step that ends within the day keeps its minute."""
    scheduler = scheduling.make_scheduler(learning_steps=(timedelta(hours=12),))
    evening = datetime(2025, 3, 5, 20, 0, tzinfo=UTC)  # the study day ends at 4 am
    step = scheduling.schedule(None, Grade.AGAIN, now=evening, scheduler=scheduler)
    assert step.state is MemoryState.LEARNING
    assert step.due == datetime(2025, 3, 6, 4, 0, tzinfo=UTC)
    intervals = scheduling.preview(None, now=evening, scheduler=scheduler)
    assert scheduling.interval_label(intervals[Grade.AGAIN]) == "1 d"
    morning = datetime(2025, 3, 6, 5, 0, tzinfo=UTC)
    step = scheduling.schedule(None, Grade.AGAIN, now=morning, scheduler=scheduler)
    assert step.due == morning + timedelta(hours=12)
    assert (
        scheduling.interval_label(
            scheduling.preview(None, now=morning, scheduler=scheduler)[Grade.AGAIN]
        )
        == "12 h"
    )
    in_tokyo = scheduling.schedule(
        None, Grade.AGAIN, now=evening, scheduler=scheduler, time_zone="Asia/Tokyo"
    )
    assert in_tokyo.due == evening + timedelta(hours=12)  # 5 am to 5 pm there: one day


def test_a_relearning_step_across_the_day_start_is_due_from_it():
    scheduler = scheduling.make_scheduler(relearning_steps=(timedelta(minutes=10),))
    before_start = datetime(2025, 3, 6, 3, 55, tzinfo=UTC)
    lapsed = scheduling.schedule(
        LEARNED_EARLIER, Grade.AGAIN, now=before_start, scheduler=scheduler
    )
    assert lapsed.state is MemoryState.RELEARNING
    assert lapsed.due == datetime(2025, 3, 6, 4, 0, tzinfo=UTC)


LEARNED = Memory(
    state=MemoryState.REVIEW,
    stability=10.0,
    difficulty=5.0,
    due=NOW,
    last_review=NOW - timedelta(days=10),
    reps=4,
)


def test_learning_ahead_stops_at_the_end_of_the_study_day():
    day_end = datetime(2025, 3, 6, 4, 0, tzinfo=UTC)
    now = day_end - timedelta(minutes=15)
    tonight = Scheduled(
        card_id=1, state=MemoryState.LEARNING, due=now + timedelta(minutes=10), stability=0.5
    )
    tomorrow = Scheduled(card_id=2, state=MemoryState.LEARNING, due=day_end, stability=0.5)
    queue = scheduling.order_queue(
        [tonight, tomorrow], new_card_ids=[], now=now, day_end=day_end, limit=9
    )
    assert queue == [1]


LEARNED_EARLIER = Memory(
    state=MemoryState.REVIEW,
    stability=10.0,
    difficulty=5.0,
    due=datetime(2025, 3, 5, 12, 0, tzinfo=UTC),
    last_review=datetime(2025, 2, 23, 12, 0, tzinfo=UTC),
    reps=4,
)


def test_with_a_relearning_step_a_forgotten_card_counts_a_lapse_and_relearns():
    scheduler = scheduling.make_scheduler(relearning_steps=(timedelta(minutes=10),))
    after = scheduling.schedule(LEARNED, Grade.AGAIN, now=NOW, scheduler=scheduler)
    assert after.state is MemoryState.RELEARNING
    assert after.lapses == 1
    assert after.stability < LEARNED.stability
    assert after.due - NOW == timedelta(minutes=10)


def test_without_relearning_steps_a_forgotten_card_comes_back_the_next_day():
    after = scheduling.schedule(
        LEARNED, Grade.AGAIN, now=NOW, scheduler=scheduling.make_scheduler()
    )
    assert after.state is MemoryState.REVIEW
    assert after.lapses == 1
    assert after.due - NOW == timedelta(days=1)


def test_the_days_since_the_last_review_are_counted_in_study_days():
    """Seen at 20:00, again at 18:00 the next evening: a day later for FSRS, as in Anki and
    in the optimizer's training items, not a same-day review."""
    scheduler = scheduling.make_scheduler()
    seen = Memory(
        state=MemoryState.REVIEW,
        stability=1.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(hours=22),
        reps=1,
    )
    days = scheduling.elapsed_study_days(seen.last_review, NOW, time_zone="UTC", day_start_hour=4)
    counted = scheduling.schedule(seen, Grade.GOOD, now=NOW, scheduler=scheduler, elapsed_days=days)
    a_full_day = scheduling.schedule(
        replace(seen, last_review=NOW - timedelta(days=1)), Grade.GOOD, now=NOW, scheduler=scheduler
    )
    same_day = scheduling.schedule(seen, Grade.GOOD, now=NOW, scheduler=scheduler)
    assert days == 1
    assert counted.stability == a_full_day.stability
    assert counted.stability > same_day.stability
    assert counted.last_review == NOW


@pytest.mark.parametrize(
    ("before", "after", "leech"),
    [(3, 4, False), (7, 8, True), (8, 8, False), (8, 9, False), (11, 12, True), (15, 16, True)],
)
def test_a_card_becomes_a_leech_at_eight_lapses_and_every_four_after(before, after, leech):
    assert scheduling.becomes_leech(lapses_before=before, lapses_after=after) is leech


def test_better_grades_never_give_shorter_intervals():
    scheduler = scheduling.make_scheduler(relearning_steps=(timedelta(minutes=10),))
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=8.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=8),
        reps=3,
    )
    intervals = scheduling.preview(learned, now=NOW, scheduler=scheduler, fuzz_seed=3)
    ordered = [intervals[grade] for grade in Grade]
    assert ordered == sorted(ordered)
    assert intervals[Grade.AGAIN] < timedelta(days=1) < intervals[Grade.HARD]


def _days(interval: timedelta) -> int:
    return round(interval.total_seconds() / 86400)


@pytest.mark.parametrize("stability", [0.3, 1.0, 2.0, 5.0, 13.0, 40.0])
@pytest.mark.parametrize("elapsed", [1, 2, 10, 30])
def test_hard_good_and_easy_on_a_review_card_each_give_a_day_more_whatever_the_fuzz(
    stability, elapsed
):
    """As Anki: Good at least a day past Hard, Easy a day past Good, the fuzz included.
    Fuzzed apart, Hard gave 5 days and Good 4 on one card in a hundred, and Good and Easy
    the same interval on one in six."""
    scheduler = scheduling.make_scheduler()
    for difficulty in (1.0, 5.0, 9.0):
        learned = Memory(
            state=MemoryState.REVIEW,
            stability=stability,
            difficulty=difficulty,
            due=NOW,
            last_review=NOW - timedelta(days=elapsed),
            reps=4,
        )
        for seed in range(40):
            intervals = scheduling.preview(
                learned, now=NOW, scheduler=scheduler, fuzz_seed=seed, elapsed_days=elapsed
            )
            hard, good, easy = (_days(intervals[g]) for g in (Grade.HARD, Grade.GOOD, Grade.EASY))
            assert 1 <= hard < good < easy, (difficulty, seed, hard, good, easy)


def test_easy_on_a_new_card_gives_a_day_more_than_good_whatever_the_fuzz():
    scheduler = scheduling.make_scheduler()
    for seed in range(40):
        intervals = scheduling.preview(None, now=NOW, scheduler=scheduler, fuzz_seed=seed)
        assert _days(intervals[Grade.EASY]) > _days(intervals[Grade.GOOD])


def test_an_interval_that_grows_is_not_fuzzed_back_to_the_last_one():
    """Anki's rule: Hard gives this card 4 days after an interval of 3; the fuzz spreads 4
    over 3 to 5, but never back to 3 (it did for 14 seeds in 40)."""
    scheduler = scheduling.make_scheduler()
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=0.6,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=3),
        reps=3,
    )
    for seed in range(40):
        intervals = scheduling.preview(
            learned, now=NOW, scheduler=scheduler, fuzz_seed=seed, elapsed_days=3
        )
        assert _days(intervals[Grade.HARD]) > 3


def test_an_interval_within_the_new_ones_fuzz_is_not_fuzzed_back_below_it():
    """Anki's fix #4826: Good was fuzzed up to 4 days last time; FSRS now gives 2.6 days,
    whose fuzz reaches 4, so Good stays at 4 or more (it fell back to 3 for 19 seeds in
    40). The floor is the last scheduled interval, not the day elapsed since, as in Anki."""
    scheduler = scheduling.make_scheduler()
    fuzzed_up = Memory(
        state=MemoryState.REVIEW,
        stability=1.5,
        difficulty=9.0,
        due=NOW + timedelta(days=3),
        last_review=NOW - timedelta(days=1),
        reps=3,
    )
    for seed in range(40):
        after = scheduling.schedule(
            fuzzed_up, Grade.GOOD, now=NOW, scheduler=scheduler, fuzz_seed=seed, elapsed_days=1
        )
        assert _days(after.due - NOW) >= 4, seed


def test_again_on_a_review_card_without_relearning_steps_is_not_fuzzed():
    """As Anki: FSRS's interval after a lapse is kept as it is, for every seed."""
    scheduler = scheduling.make_scheduler()
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=100.0,
        difficulty=3.0,
        due=NOW,
        last_review=NOW - timedelta(days=100),
        reps=8,
    )
    days = {
        _days(
            scheduling.schedule(
                learned, Grade.AGAIN, now=NOW, scheduler=scheduler, fuzz_seed=s, elapsed_days=100
            ).due
            - NOW
        )
        for s in range(40)
    }
    assert days == {4}


# Anki's own table for with_review_fuzz (rslib/src/scheduler/states/fuzz.rs): the interval,
# its floor and ceiling, and the days a fuzz factor of 0, 0.5 and 0.99 picks.
@pytest.mark.parametrize(
    ("interval", "minimum", "maximum", "days"),
    [
        (1.0, 1, 1000, (1, 1, 1)),
        (2.49, 1, 1000, (2, 2, 2)),
        (2.5, 1, 1000, (2, 3, 4)),
        (7.0, 1, 1000, (5, 7, 9)),
        (17.0, 1, 1000, (14, 17, 20)),
        (37.0, 1, 1000, (33, 37, 41)),
        (2.0, 2, 1000, (2, 2, 2)),
        (2.0, 3, 1000, (3, 4, 4)),
        (2.0, 3, 3, (3, 3, 3)),
        (6.9, 3, 1000, (5, 7, 9)),
        (7.1, 3, 1000, (5, 7, 9)),
        (19.9, 3, 1000, (17, 20, 23)),
        (20.1, 3, 1000, (17, 20, 23)),
        (100.0, 101, 1000, (101, 105, 108)),  # a floor above: the floor's own range
        (100.0, 1, 99, (92, 96, 99)),
        (100.0, 97, 103, (97, 100, 103)),
    ],
)
def test_the_fuzz_spreads_an_interval_as_ankis(interval, minimum, maximum, days):
    picked = tuple(
        scheduling.fuzzed_interval(interval, minimum=minimum, maximum=maximum, fuzz_factor=f)
        for f in (0.0, 0.5, 0.99)
    )
    assert picked == days


@pytest.mark.parametrize(
    ("interval", "previous", "floor"),
    [(2.7269483, 4, 4), (2.7269483, 5, 0), (4.591988, 4, 5), (30.0, 10, 11), (3.0, 30, 0)],
)
def test_the_fuzz_floor_comes_from_the_last_scheduled_interval_as_ankis(interval, previous, floor):
    assert scheduling.least_review_interval(interval, previous=previous) == floor


def test_no_interval_passes_the_maximum_interval():
    """Anki's "Maximum interval": Hard, Good and Easy meet at it rather than pass it, and a
    card rescheduled keeps to it too (spread below it, as Anki fuzzes an interval brought
    down to the maximum)."""
    scheduler = scheduling.make_scheduler(maximum_interval=30)
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=200.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=200),
        reps=6,
    )
    for seed in range(20):
        intervals = scheduling.preview(
            learned, now=NOW, scheduler=scheduler, fuzz_seed=seed, elapsed_days=200
        )
        assert [_days(intervals[grade]) for grade in Grade][1:] == [30, 30, 30]
        rescheduled = scheduling.rescheduled_due(
            learned, scheduler=scheduler, previous_interval=200, fuzz_seed=seed
        )
        assert timedelta(days=26) < rescheduled - learned.last_review <= timedelta(days=30)


def test_the_preview_is_exactly_what_the_answer_then_gives():
    scheduler = scheduling.make_scheduler()
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=40.0,
        difficulty=4.0,
        due=NOW,
        last_review=NOW - timedelta(days=40),
        reps=6,
    )
    for seed in range(5):
        intervals = scheduling.preview(learned, now=NOW, scheduler=scheduler, fuzz_seed=seed)
        after = scheduling.schedule(
            learned, Grade.GOOD, now=NOW, scheduler=scheduler, fuzz_seed=seed
        )
        assert after.due - NOW == intervals[Grade.GOOD]


@pytest.mark.parametrize("stability", [10.0, 40.0])
def test_rescheduling_with_nothing_changed_leaves_the_due_date_where_the_answer_put_it(
    stability,
):
    """As Anki's "Reschedule cards on change" fuzzes with the last answer's seed: saving the
    settings unchanged moves no card."""
    scheduler = scheduling.make_scheduler()
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=stability,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=stability),
        reps=4,
    )
    for seed in range(40):
        answered = scheduling.schedule(
            learned, Grade.GOOD, now=NOW, scheduler=scheduler, fuzz_seed=seed
        )
        rescheduled = scheduling.rescheduled_due(
            answered, scheduler=scheduler, previous_interval=round(stability), fuzz_seed=seed
        )
        assert rescheduled == answered.due, seed


def test_a_new_desired_retention_reschedules_a_card_from_its_last_review():
    """Lower, the card comes later; higher, sooner, and overdue already when the interval
    it now gives has passed since its last review (Anki leaves it overdue too)."""
    reviewed = NOW - timedelta(days=20, hours=3)
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=40.0,
        difficulty=5.0,
        due=reviewed + timedelta(days=40),
        last_review=reviewed,
        reps=4,
    )

    def due_for(retention):
        scheduler = scheduling.make_scheduler(desired_retention=retention)
        return scheduling.rescheduled_due(
            learned, scheduler=scheduler, previous_interval=20, fuzz_seed=1
        )

    later, sooner = due_for(0.8), due_for(0.97)
    assert later > learned.due
    assert sooner < NOW
    for due in (later, sooner):
        assert (due - reviewed) % timedelta(days=1) == timedelta(0)  # whole study days


def test_a_rescheduled_card_goes_to_the_quiet_day_of_its_range_as_ankis_rescheduler():
    """Load balanced over the days from today on, counted from its last review 20 days ago;
    one whose range has all passed keeps the fuzz's day, overdue, as Anki leaves it."""
    reviewed = NOW - timedelta(days=20)
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=40.0,
        difficulty=5.0,
        due=reviewed + timedelta(days=40),
        last_review=reviewed,
        reps=4,
    )
    quiet = 19  # days from today: 39 from the last review, within 40's range (36 to 44)
    workload = scheduling.Workload(
        due_on={day: 20 for day in range(0, 40)} | {quiet: 0}, today_weekday=NOW.weekday()
    )
    kwargs = {"previous_interval": 20, "workload": workload, "elapsed_days": 20}
    for seed in range(5):
        due = scheduling.rescheduled_due(
            learned, scheduler=scheduling.make_scheduler(), fuzz_seed=seed, **kwargs
        )
        assert due == NOW + timedelta(days=quiet)
        sooner = scheduling.make_scheduler(desired_retention=0.97)
        overdue = scheduling.rescheduled_due(learned, scheduler=sooner, fuzz_seed=seed, **kwargs)
        unbalanced = scheduling.rescheduled_due(
            learned, scheduler=sooner, fuzz_seed=seed, previous_interval=20
        )
        assert overdue == unbalanced < NOW


def test_fuzz_spreads_long_intervals_within_the_documented_range():
    scheduler = scheduling.make_scheduler()
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=40.0,
        difficulty=4.0,
        due=NOW,
        last_review=NOW - timedelta(days=40),
        reps=6,
    )
    days = {
        scheduling.schedule(learned, Grade.GOOD, now=NOW, scheduler=scheduler, fuzz_seed=s).due
        for s in range(30)
    }
    assert len(days) > 1


def test_a_higher_desired_retention_gives_shorter_intervals():
    learned = Memory(
        state=MemoryState.REVIEW,
        stability=20.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=20),
        reps=5,
    )
    relaxed = scheduling.make_scheduler(desired_retention=0.8)
    strict = scheduling.make_scheduler(desired_retention=0.95)
    assert (
        scheduling.schedule(learned, Grade.GOOD, now=NOW, scheduler=strict).due
        < scheduling.schedule(learned, Grade.GOOD, now=NOW, scheduler=relaxed).due
    )


@pytest.mark.parametrize("retention", [0.5, 0.69, 0.98, 1.0])
def test_a_desired_retention_outside_the_range_is_refused(retention):
    with pytest.raises(ValueError, match=r"between 0\.7 and 0\.97"):
        scheduling.make_scheduler(desired_retention=retention)


def test_retrievability_is_ninety_percent_after_one_stability():
    memory = Memory(
        state=MemoryState.REVIEW,
        stability=10.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=10),
    )
    parameters = scheduling.DEFAULT_PARAMETERS
    assert scheduling.retrievability(memory, now=NOW, parameters=parameters) == pytest.approx(0.9)
    assert scheduling.retrievability(None, now=NOW, parameters=parameters) == 0.0


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        scheduling.schedule(
            None, Grade.GOOD, now=datetime(2025, 1, 1), scheduler=scheduling.make_scheduler()
        )


# --- Load balancing and easy days -----------------------------------------------------------

FACTORS = [(n + 0.5) / 20 for n in range(20)]  # fuzz factors across 0 to 1
EasyDay = scheduling.EasyDay


def week(**days) -> tuple:
    """Every day Normal but those named: week(saturday=EasyDay.MINIMUM)."""
    return tuple(days.get(name.lower(), EasyDay.NORMAL) for name in scheduling.WEEKDAYS)


def test_the_load_balancer_picks_the_day_with_fewest_cards_due():
    busy = {day: 20 for day in range(1, 30)}
    workload = scheduling.Workload(due_on=busy | {7: 0}, today_weekday=0)
    assert {workload.pick(5, 9, fuzz_factor=f) for f in FACTORS} == {7}


def test_the_load_balancer_prefers_nearer_days_of_equal_load():
    """Anki weighs a day by (1 / days) ** 3 too, so that graduating cards do not pile up on
    the far end of their range."""
    workload = scheduling.Workload(due_on={day: 10 for day in range(1, 30)}, today_weekday=0)
    picked = [workload.pick(5, 9, fuzz_factor=f) for f in FACTORS]
    assert picked.count(5) > picked.count(9) > 0


def test_a_minimum_easy_day_takes_no_card_while_the_others_have_as_many():
    """Sunday (today is a Monday, so 6 days on) Minimum: it weighs 0.0001 of a Normal day."""
    due_on = {day: 10 for day in range(1, 30)}
    workload = scheduling.Workload(
        due_on=due_on, today_weekday=0, easy_days=week(sunday=EasyDay.MINIMUM)
    )
    assert 6 not in {workload.pick(4, 8, fuzz_factor=f) for f in FACTORS}
    normal = scheduling.Workload(due_on=due_on, today_weekday=0)
    assert 6 in {normal.pick(4, 8, fuzz_factor=f) for f in FACTORS}


def test_an_easy_day_with_no_card_due_weighs_as_any_empty_day_as_in_anki():
    """Anki's select_weighted_interval gives a day with no card due a weight of 1 before any
    modifier: an easy day is kept light, not empty."""
    workload = scheduling.Workload(
        due_on={}, today_weekday=0, easy_days=week(sunday=EasyDay.MINIMUM)
    )
    assert 6 in {workload.pick(4, 8, fuzz_factor=f) for f in FACTORS}


@pytest.mark.parametrize(("tuesday", "modifier"), [(4, 1.0), (5, 1.0), (6, 0.0001)])
def test_a_reduced_day_is_open_until_it_holds_half_the_other_days_load(tuesday, modifier):
    """Anki's rule: with 10 cards on each Normal day beside it, Tuesday (Reduced) takes cards
    while it has at most 5, half of their 10 each."""
    days = [EasyDay.NORMAL, EasyDay.REDUCED, EasyDay.NORMAL]
    assert scheduling.easy_day_modifiers(days, [10, tuesday, 10]) == [1.0, modifier, 1.0]


def test_a_range_of_minimum_days_balances_as_a_range_of_normal_ones():
    due_on = {5: 3, 6: 1, 7: 4}
    minimum = scheduling.Workload(due_on=due_on, today_weekday=0, easy_days=(EasyDay.MINIMUM,) * 7)
    normal = scheduling.Workload(due_on=due_on, today_weekday=0)
    picked = [minimum.pick(5, 7, fuzz_factor=f) for f in FACTORS]
    assert picked == [normal.pick(5, 7, fuzz_factor=f) for f in FACTORS]
    assert picked.count(6) > picked.count(5) + picked.count(7)


def test_with_siblings_buried_a_sibling_s_day_and_those_near_it_weigh_less():
    """Anki's sibling modifier: the day a sibling is due almost nothing, a day either side
    0.2, two days 0.4 and so on."""
    due_on = {day: 10 for day in range(1, 30)}
    apart = scheduling.Workload(due_on=due_on, today_weekday=0, sibling_days=frozenset({7}))
    picked = [apart.pick(5, 9, fuzz_factor=f) for f in FACTORS]
    assert 7 not in picked
    alone = scheduling.Workload(due_on=due_on, today_weekday=0)
    assert picked.count(6) < [alone.pick(5, 9, fuzz_factor=f) for f in FACTORS].count(6)


SEEN_TWENTY_DAYS_AGO = Memory(
    state=MemoryState.REVIEW,
    stability=20.0,
    difficulty=5.0,
    due=NOW,
    last_review=NOW - timedelta(days=20),
    reps=4,
)


def test_an_answer_and_its_button_land_on_the_quiet_day_of_its_range():
    scheduler = scheduling.make_scheduler()
    kwargs = {"now": NOW, "scheduler": scheduler, "elapsed_days": 20}
    spread = {
        _days(scheduling.preview(SEEN_TWENTY_DAYS_AGO, fuzz_seed=seed, **kwargs)[Grade.GOOD])
        for seed in range(40)
    }
    quiet = max(spread)  # the unbalanced fuzz picks it one time in len(spread)
    workload = scheduling.Workload(
        due_on={day: 20 for day in range(1, 100)} | {quiet: 1}, today_weekday=NOW.weekday()
    )
    first, last = scheduling.load_window(SEEN_TWENTY_DAYS_AGO, [Grade.GOOD], **kwargs)
    assert first < min(spread) and last >= quiet  # Hard's range, which Good keeps above, too
    for seed in range(10):
        after = scheduling.schedule(
            SEEN_TWENTY_DAYS_AGO, Grade.GOOD, fuzz_seed=seed, workload=workload, **kwargs
        )
        shown = scheduling.preview(
            SEEN_TWENTY_DAYS_AGO, fuzz_seed=seed, workload=workload, **kwargs
        )
        assert _days(after.due - NOW) == _days(shown[Grade.GOOD]) == quiet


def test_no_window_to_count_for_a_step_or_again_on_a_review_card():
    scheduler = scheduling.make_scheduler(learning_steps=ANKI_STEPS)
    assert scheduling.load_window(None, list(Grade)[:3], now=NOW, scheduler=scheduler) is None
    kwargs = {"now": NOW, "scheduler": scheduling.make_scheduler(), "elapsed_days": 20}
    assert scheduling.load_window(SEEN_TWENTY_DAYS_AGO, [Grade.AGAIN], **kwargs) is None


def test_an_interval_past_ninety_days_is_fuzzed_alone_as_anki_leaves_it():
    scheduler = scheduling.make_scheduler()
    long_learned = replace(
        SEEN_TWENTY_DAYS_AGO, stability=200.0, last_review=NOW - timedelta(days=200)
    )
    kwargs = {"now": NOW, "scheduler": scheduler, "elapsed_days": 200}
    assert scheduling.load_window(long_learned, [Grade.HARD, Grade.GOOD], **kwargs) is None
    workload = scheduling.Workload(due_on={}, today_weekday=0)
    for seed in range(5):
        balanced = scheduling.schedule(
            long_learned, Grade.GOOD, workload=workload, fuzz_seed=seed, **kwargs
        )
        assert balanced == scheduling.schedule(long_learned, Grade.GOOD, fuzz_seed=seed, **kwargs)


# --- Labels and days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "label"),
    [
        (timedelta(seconds=20), "1 m"),
        (timedelta(minutes=10), "10 m"),
        (timedelta(hours=5), "5 h"),
        (timedelta(hours=12), "12 h"),
        (timedelta(hours=23), "1 d"),  # a day with the clocks gone forward
        (timedelta(days=3), "3 d"),
        (timedelta(days=3, hours=1), "3 d"),
        (timedelta(days=63), "2.1 mo"),
        (timedelta(days=60), "2 mo"),
        (timedelta(days=548), "1.5 y"),
    ],
)
def test_intervals_read_like_ankis(interval, label):
    assert scheduling.interval_label(interval) == label


def test_a_review_after_midnight_but_before_the_day_start_counts_for_the_evening_before():
    one_am_in_berlin = datetime(2025, 3, 5, 0, 0, tzinfo=UTC)  # 01:00 CET
    assert scheduling.study_day(
        one_am_in_berlin, time_zone="Europe/Berlin", day_start_hour=4
    ) == date(2025, 3, 4)
    assert scheduling.study_day(one_am_in_berlin, time_zone="UTC", day_start_hour=0) == date(
        2025, 3, 5
    )


def test_the_study_day_follows_daylight_saving_time():
    # New York moves its clocks at 2 am on 9 March 2025: the study day of the 8th is 23 hours.
    start, end = scheduling.study_day_bounds(
        datetime(2025, 3, 8, 12, 0, tzinfo=UTC), time_zone="America/New_York", day_start_hour=4
    )
    assert start == datetime(2025, 3, 8, 9, 0, tzinfo=UTC)  # 04:00 EST
    assert end == datetime(2025, 3, 9, 8, 0, tzinfo=UTC)  # 04:00 EDT
    assert end - start == timedelta(hours=23)


CLOCK_CHANGES = [
    ("Europe/Berlin", date(2025, 3, 30)),
    ("Europe/Berlin", date(2025, 10, 26)),  # the clocks go back: 02:30 comes twice
    ("America/New_York", date(2025, 3, 9)),
    ("Africa/Cairo", date(2025, 4, 25)),
    ("America/Santiago", date(2025, 9, 7)),
    ("Antarctica/Troll", date(2025, 3, 30)),  # two hours forward, 01:00 -> 03:00
    ("Antarctica/Troll", date(2025, 10, 26)),
    ("Australia/Lord_Howe", date(2025, 4, 6)),  # half an hour back
    ("Australia/Lord_Howe", date(2025, 10, 5)),  # half an hour forward
]


@pytest.mark.parametrize(("zone", "change"), CLOCK_CHANGES)
def test_a_study_day_starts_at_the_first_instant_that_counts_for_it(zone, change):
    """At every day start, on the day the clocks change and the days either side. A day
    starting at 2 am in Troll, where the clocks go from 01:00 to 03:00, starts as they do:
    read as 02:00 at the old offset, an hour later, it left reviews of that hour out of
    the day's."""
    for day in (change - timedelta(days=1), change, change + timedelta(days=1)):
        for day_start_hour in range(24):
            kwargs = {"time_zone": zone, "day_start_hour": day_start_hour}
            start = scheduling.study_day_start(day, **kwargs)
            assert scheduling.study_day(start, **kwargs) == day, (day, day_start_hour)
            assert scheduling.study_day(start - timedelta(seconds=1), **kwargs) == day - timedelta(
                days=1
            ), (day, day_start_hour)


def test_a_study_day_starting_in_the_hour_the_clocks_skip_starts_as_they_skip_it():
    start, end = scheduling.study_day_bounds(
        datetime(2025, 3, 30, 1, 30, tzinfo=UTC), time_zone="Antarctica/Troll", day_start_hour=2
    )
    assert start == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)  # 00:59:59 +00, then 03:00 +02
    assert end == datetime(2025, 3, 31, 0, 0, tzinfo=UTC)  # 02:00 +02


# The answer's local time when a review interval of 3 days ends at a wall-clock time the
# clocks skip, with each zone's day start that made it a study day too late.
CLOCKS_GO_FORWARD = [
    ("Europe/Berlin", datetime(2025, 3, 27, 2, 30), 3),  # 02:00 -> 03:00 on Sunday the 30th
    ("America/New_York", datetime(2025, 3, 6, 2, 30), 3),
    ("Africa/Cairo", datetime(2025, 4, 22, 0, 30), 1),  # at midnight on Friday the 25th
    ("America/Havana", datetime(2025, 3, 6, 0, 30), 1),
    ("America/Santiago", datetime(2025, 9, 4, 0, 30), 1),
    ("Antarctica/Troll", datetime(2025, 3, 27, 2, 30), 4),  # two hours, 01:00 -> 03:00
    ("Antarctica/Troll", datetime(2025, 3, 27, 1, 30), 2),
    ("Antarctica/Troll", datetime(2025, 3, 27, 2, 30), 3),
]


@pytest.mark.parametrize(("zone", "answered", "day_start_hour"), CLOCKS_GO_FORWARD)
def test_a_review_interval_ending_in_a_skipped_hour_stays_in_its_study_day(
    zone, answered, day_start_hour
):
    """n days after Thursday 02:30 in Berlin is Sunday 02:30, which does not exist: zoneinfo
    reads it as 03:30, and with the study day starting at 3 am the card came a day late."""
    now = answered.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    learned = replace(LEARNED, due=now, last_review=now - timedelta(days=10))
    days = (
        scheduling.schedule(learned, Grade.GOOD, now=now, scheduler=scheduling.make_scheduler()).due
        - now
    ).days
    now -= timedelta(days=days - 3)  # so that the interval ends on the day the clocks change
    learned = replace(LEARNED, due=now, last_review=now - timedelta(days=10))
    kwargs = {"time_zone": zone, "day_start_hour": day_start_hour}
    after = scheduling.schedule(
        learned, Grade.GOOD, now=now, scheduler=scheduling.make_scheduler(), **kwargs
    )
    assert scheduling.study_day(after.due, **kwargs) - scheduling.study_day(
        now, **kwargs
    ) == timedelta(days=days)
    preview = scheduling.preview(learned, now=now, scheduler=scheduling.make_scheduler(), **kwargs)
    assert preview[Grade.GOOD] == after.due - now


@pytest.mark.parametrize(("zone", "change"), CLOCK_CHANGES)
def test_review_intervals_across_a_clock_change_are_whole_study_days(zone, change):
    """Every half hour of the day before, at every day start: n days later is n study days."""
    first = datetime.combine(change - timedelta(days=1), datetime.min.time(), ZoneInfo(zone))
    for half_hours in range(48):
        moment = (first + timedelta(minutes=30 * half_hours)).astimezone(UTC)
        for day_start_hour in range(24):
            kwargs = {"time_zone": zone, "day_start_hour": day_start_hour}
            due = scheduling._days_later(moment, 1, **kwargs)
            assert scheduling.study_day(due, **kwargs) - scheduling.study_day(
                moment, **kwargs
            ) == timedelta(days=1), (moment, day_start_hour, due)


@pytest.mark.parametrize(
    ("last", "now", "days"),
    [
        (datetime(2025, 3, 4, 20, 0, tzinfo=UTC), datetime(2025, 3, 5, 18, 0, tzinfo=UTC), 1),
        (datetime(2025, 3, 4, 23, 0, tzinfo=UTC), datetime(2025, 3, 5, 1, 0, tzinfo=UTC), 0),
        (datetime(2025, 3, 4, 3, 0, tzinfo=UTC), datetime(2025, 3, 4, 5, 0, tzinfo=UTC), 1),
        (datetime(2025, 3, 1, 12, 0, tzinfo=UTC), datetime(2025, 3, 5, 11, 0, tzinfo=UTC), 4),
    ],
)
def test_elapsed_study_days_count_day_starts_crossed(last, now, days):
    assert scheduling.elapsed_study_days(last, now, time_zone="UTC", day_start_hour=4) == days


def test_elapsed_study_days_follow_the_learners_time_zone():
    # 02:30 and 05:00 in Tokyo (UTC+9) on 6 March: a 4 am day start lies between them.
    last = datetime(2025, 3, 5, 17, 30, tzinfo=UTC)
    now = datetime(2025, 3, 5, 20, 0, tzinfo=UTC)
    assert scheduling.elapsed_study_days(last, now, time_zone="Asia/Tokyo", day_start_hour=4) == 1
    assert scheduling.elapsed_study_days(last, now, time_zone="UTC", day_start_hour=4) == 0


# --- Learning steps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("", ()),
        ("  ", ()),
        ("10m", (timedelta(minutes=10),)),
        ("1m 10m", ANKI_STEPS),
        ("1, 10", ANKI_STEPS),
        ("90s 2h", (timedelta(seconds=90), timedelta(hours=2))),
        ("1.5H", (timedelta(hours=1.5),)),
        ("12h", (timedelta(hours=12),)),
    ],
)
def test_learning_steps_are_read_as_anki_writes_them(text, steps):
    assert scheduling.parse_steps(text) == steps


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1d", "not a step"),
        ("ten", "not a step"),
        ("-5m", "not a step"),
        ("30s", "from 1 minute to 12 hours"),
        ("13h", "from 1 minute to 12 hours"),
        ("0m", "from 1 minute to 12 hours"),
        ("9999999999999m", "from 1 minute to 12 hours"),  # more than a timedelta holds
        (" ".join(["5m"] * 11), "At most 10 steps"),
    ],
)
def test_learning_steps_that_cannot_end_the_same_day_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        scheduling.parse_steps(text)


@pytest.mark.parametrize("text", ["", "10m", "1m 10m", "90m 2h", "1.5m", "12h"])
def test_steps_are_written_back_as_they_read(text):
    assert scheduling.steps_label(scheduling.parse_steps(text)) == text


def test_a_cards_history_starts_again_after_its_last_reset():
    day = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
    rows = [
        (1, day, 3),
        (1, day + timedelta(days=2), scheduling.RESET_RATING),
        (1, day + timedelta(days=3), 1),
        (1, day + timedelta(days=4), scheduling.RESET_RATING),
        (1, day + timedelta(days=9), 3),
        (2, day, 2),
        (2, day + timedelta(days=1), 3),
        (3, day, 3),
        (3, day + timedelta(days=1), scheduling.RESET_RATING),
    ]
    assert scheduling.since_last_reset(rows) == [
        (1, day + timedelta(days=9), 3),
        (2, day, 2),
        (2, day + timedelta(days=1), 3),
    ]
