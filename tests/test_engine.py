import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from quizzes.engine import (
    ANSWER_GRACE,
    SCORING_RULE,
    LeftOutReason,
    Outcome,
    PoolCard,
    QuestionResult,
    QuizMode,
    TimeLimit,
    TimeLimitKind,
    build_choices,
    draw_questions,
    eligible_pool,
    expire_question,
    grade_answer,
    is_late,
    normalize_answer,
    pick_distractors,
    plan_quiz,
    question_deadline,
    quiz_deadline,
    score_answer,
    summarize,
    time_budget_per_question,
    time_left,
)

START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def card(
    id: int,
    answer: str = "",
    tags: tuple[str, ...] = (),
    *,
    image_only: bool = False,
    missing_image: bool = False,
) -> PoolCard:
    return PoolCard(
        id=id,
        answer_text=answer or f"answer number {id}",
        tags=frozenset(tags),
        answer_is_image_only=image_only,
        question_needs_missing_image=missing_image,
    )


def deck(size: int) -> list[PoolCard]:
    return [card(i) for i in range(1, size + 1)]


# --- Pool and selection ---


def test_multiple_choice_leaves_out_image_answers_and_missing_images_with_reasons():
    cards = [
        card(1),
        card(2, image_only=True),
        card(3, image_only=True),
        card(4, missing_image=True),
        card(5, image_only=True, missing_image=True),
    ]

    pool = eligible_pool(cards, mode=QuizMode.MULTIPLE_CHOICE)

    assert [c.id for c in pool.cards] == [1]
    assert [(group.reason, group.card_ids) for group in pool.left_out] == [
        (LeftOutReason.ANSWER_IS_IMAGE_ONLY, (2, 3, 5)),
        (LeftOutReason.QUESTION_IMAGE_NOT_CACHED, (4,)),
    ]
    assert [group.message for group in pool.left_out] == [
        "3 cards left out: their answer is only an image",
        "1 card left out: its question needs an image that is not cached",
    ]


def test_flashcards_keep_image_answers_but_not_missing_images():
    pool = eligible_pool([card(1, image_only=True), card(2, missing_image=True)], mode="flashcard")

    assert [c.id for c in pool.cards] == [1]
    assert [group.reason for group in pool.left_out] == [LeftOutReason.QUESTION_IMAGE_NOT_CACHED]


def test_missing_images_can_be_included_on_request():
    pool = eligible_pool(
        [card(1, missing_image=True), card(2, image_only=True)],
        mode=QuizMode.MULTIPLE_CHOICE,
        include_questions_missing_images=True,
    )

    assert [c.id for c in pool.cards] == [1]
    assert [group.reason for group in pool.left_out] == [LeftOutReason.ANSWER_IS_IMAGE_ONLY]


def test_cloze_cards_play_as_flashcards_and_never_in_multiple_choice():
    cloze = PoolCard(
        id=2,
        answer_text="Paris is in France",
        tags=frozenset(),
        answer_is_image_only=False,
        question_needs_missing_image=False,
        is_cloze=True,
    )

    choice = eligible_pool([card(1), cloze], mode=QuizMode.MULTIPLE_CHOICE)
    flashcards = eligible_pool([card(1), cloze], mode=QuizMode.FLASHCARD)

    assert [c.id for c in choice.cards] == [1]
    assert [group.message for group in choice.left_out] == [
        "1 card left out: it is a cloze card, played as a flashcard"
    ]
    assert [c.id for c in flashcards.cards] == [1, 2]


def test_a_pool_that_loses_nothing_reports_nothing():
    assert eligible_pool(deck(3), mode=QuizMode.MULTIPLE_CHOICE).left_out == ()


def test_draw_has_no_repetition_and_varies_in_order():
    pool = deck(20)

    draws = [draw_questions(pool, count=10, rng=random.Random(seed)) for seed in range(20)]

    for drawn in draws:
        assert len({c.id for c in drawn}) == 10
    assert len({tuple(c.id for c in drawn) for drawn in draws}) == 20


def test_draw_is_capped_by_the_pool_and_shuffled():
    pool = deck(5)

    drawn = draw_questions(pool, count=50, rng=random.Random(1))

    assert sorted(c.id for c in drawn) == [1, 2, 3, 4, 5]
    orders = {
        tuple(c.id for c in draw_questions(pool, count=5, rng=random.Random(s))) for s in range(10)
    }
    assert len(orders) > 1


def test_draw_from_an_empty_pool_is_empty():
    assert draw_questions([], count=10, rng=random.Random(1)) == ()


def test_draw_rejects_a_count_below_one():
    with pytest.raises(ValueError):
        draw_questions(deck(5), count=0, rng=random.Random(1))


# --- Distractors ---


def test_distractors_come_from_the_same_tag():
    question = card(1, "gradient descent", ("optim",))
    same_tag = [card(i, f"optimiser {i:02d}", ("optim",)) for i in range(2, 8)]
    other_tag = [card(i, f"conv layer {i:02d}", ("cnn",)) for i in range(10, 40)]
    pool = [question, *same_tag, *other_tag]
    same_tag_ids = {c.id for c in same_tag}

    for seed in range(50):
        distractors = pick_distractors(question, pool, rng=random.Random(seed))
        assert {c.id for c in distractors} <= same_tag_ids


def test_distractors_prefer_a_similar_length():
    question = card(1, "a twelve char")
    similar = [card(i, f"similar {i:04d}") for i in range(2, 8)]
    far_longer = [
        card(i, f"a much longer answer, far from the right one {i}") for i in range(8, 40)
    ]
    pool = [question, *similar, *far_longer]
    similar_ids = {c.id for c in similar}

    for seed in range(50):
        distractors = pick_distractors(question, pool, rng=random.Random(seed))
        assert {c.id for c in distractors} <= similar_ids


def test_a_shared_tag_outweighs_a_modest_length_difference():
    question = card(1, "short answer", ("rnn",))
    same_tag_longer = [card(i, f"a somewhat longer answer {i:02d}", ("rnn",)) for i in range(2, 8)]
    untagged_same_length = [card(i, f"short one {i:02d}") for i in range(10, 40)]
    pool = [question, *same_tag_longer, *untagged_same_length]

    picked = Counter()
    for seed in range(50):
        for distractor in pick_distractors(question, pool, rng=random.Random(seed)):
            picked["same tag" if distractor.id < 10 else "other"] += 1

    assert picked == {"same tag": 150}


def test_distractors_vary_between_seeds():
    question = card(1, "attention", ("nlp",))
    pool = [question, *[card(i, f"nlp answer {i}", ("nlp",)) for i in range(2, 12)]]

    picks = {
        frozenset(c.id for c in pick_distractors(question, pool, rng=random.Random(seed)))
        for seed in range(20)
    }

    assert len(picks) > 1


def test_equally_plausible_distractors_all_get_their_turn():
    question = card(1, "answer 001")
    pool = [question, *[card(i, f"answer {i:03d}") for i in range(2, 32)]]

    used = {
        c.id
        for seed in range(100)
        for c in pick_distractors(question, pool, rng=random.Random(seed))
    }

    assert len(used) == 30


def test_distractors_never_repeat_the_correct_answer_or_each_other():
    question = card(1, "Batch Normalization")
    pool = [
        question,
        card(2, "batch   normalization"),
        card(3, "BATCH NORMALIZATION "),
        card(4, "Layer Normalization"),
        card(5, "layer normalization"),
        card(6, "Dropout"),
        card(7, "  "),
    ]

    for seed in range(30):
        distractors = pick_distractors(question, pool, rng=random.Random(seed))
        texts = [normalize_answer(c.answer_text) for c in distractors]
        assert len(texts) == 2
        assert sorted(set(texts)) == ["dropout", "layer normalization"]


def test_distractors_skip_image_only_answers():
    question = card(1, "ReLU")
    pool = [question, card(2, "GELU"), card(3, "", image_only=True)]

    distractors = pick_distractors(question, pool, rng=random.Random(1))

    assert [c.id for c in distractors] == [2]


def test_a_small_pool_gives_fewer_distractors():
    question = card(1, "tanh")

    only_one = pick_distractors(question, [question, card(2)], rng=random.Random(1))
    none_at_all = pick_distractors(question, [question], rng=random.Random(1))
    lone_question = build_choices(question, [question], rng=random.Random(1))

    assert [c.id for c in only_one] == [2]
    assert none_at_all == ()
    assert [c.id for c in lone_question.choices] == [lone_question.correct_choice_id]


def test_choices_hold_the_answer_once_and_the_distractors():
    question = card(1, "Adam")
    pool = [question, *deck(10)[1:]]

    planned = build_choices(question, pool, rng=random.Random(3))

    assert len(planned.choices) == 4
    assert len({choice.id for choice in planned.choices}) == 4
    assert [choice.text for choice in planned.choices].count("Adam") == 1
    correct = next(c for c in planned.choices if c.id == planned.correct_choice_id)
    assert (correct.card_id, correct.text) == (1, "Adam")


def test_choice_ids_are_opaque():
    question = card(1, "Adam")
    pool = [question, *deck(10)[1:]]

    first = build_choices(question, pool, rng=random.Random(1))
    second = build_choices(question, pool, rng=random.Random(2))

    for choice in first.choices:
        assert re.fullmatch(r"[0-9a-f]{16}", choice.id)
        assert int(choice.id, 16) != choice.card_id
    # The same cards get unrelated ids in another quiz, so an id says nothing about its card.
    assert first.correct_choice_id != second.correct_choice_id
    assert not {c.id for c in first.choices} & {c.id for c in second.choices}


def test_the_correct_choice_moves_between_seeds():
    question = card(1, "Adam")
    pool = [question, *deck(10)[1:]]

    positions = Counter()
    sorted_ranks = Counter()
    for seed in range(200):
        planned = build_choices(question, pool, rng=random.Random(seed))
        ids = [choice.id for choice in planned.choices]
        positions[ids.index(planned.correct_choice_id)] += 1
        sorted_ranks[sorted(ids).index(planned.correct_choice_id)] += 1

    # Neither the order on the page nor the order of the ids gives the answer away.
    assert min(positions[i] for i in range(4)) > 20
    assert min(sorted_ranks[i] for i in range(4)) > 20


# --- Seeded plan ---


def test_the_same_seed_gives_the_same_plan_whatever_the_pool_order():
    pool = deck(30)

    plan = plan_quiz(pool, count=10, mode=QuizMode.MULTIPLE_CHOICE, seed=42)
    replay = plan_quiz(list(reversed(pool)), count=10, mode="multiple_choice", seed=42)

    assert plan == replay
    assert len(plan.questions) == 10
    assert all(len(question.choices) == 4 for question in plan.questions)


def test_different_seeds_give_different_plans():
    pool = deck(30)

    plans = [plan_quiz(pool, count=10, mode=QuizMode.MULTIPLE_CHOICE, seed=s) for s in range(5)]

    assert len({tuple(q.card_id for q in plan.questions) for plan in plans}) == 5
    assert len({plan.questions[0].correct_choice_id for plan in plans}) == 5


def test_a_plan_asks_each_card_once_and_is_capped():
    plan = plan_quiz(deck(6), count=10, mode=QuizMode.MULTIPLE_CHOICE, seed=7)

    assert sorted(q.card_id for q in plan.questions) == [1, 2, 3, 4, 5, 6]


def test_a_flashcard_plan_has_no_choices():
    plan = plan_quiz(deck(5), count=3, mode=QuizMode.FLASHCARD, seed=1)

    assert plan.mode is QuizMode.FLASHCARD
    assert [(q.choices, q.correct_choice_id) for q in plan.questions] == [((), None)] * 3


def test_a_retry_draws_distractors_from_the_whole_deck():
    whole_deck = deck(20)
    missed = whole_deck[:2]

    plan = plan_quiz(
        missed, count=2, mode=QuizMode.MULTIPLE_CHOICE, seed=5, distractor_pool=whole_deck
    )

    assert sorted(q.card_id for q in plan.questions) == [1, 2]
    assert all(len(q.choices) == 4 for q in plan.questions)


# --- Deadlines ---

PER_QUESTION_20S = TimeLimit(kind=TimeLimitKind.PER_QUESTION, seconds=20)
WHOLE_QUIZ_5MIN = TimeLimit(kind=TimeLimitKind.WHOLE_QUIZ, seconds=300)
UNTIMED = TimeLimit(kind=TimeLimitKind.NONE)


def test_time_limit_accepts_strings_and_rejects_nonsense():
    assert TimeLimit(kind="per_question", seconds=20) == PER_QUESTION_20S
    with pytest.raises(ValueError):
        TimeLimit(kind=TimeLimitKind.PER_QUESTION)
    with pytest.raises(ValueError):
        TimeLimit(kind=TimeLimitKind.WHOLE_QUIZ, seconds=0)
    with pytest.raises(ValueError):
        TimeLimit(kind=TimeLimitKind.NONE, seconds=20)
    with pytest.raises(ValueError):
        TimeLimit(kind="sometimes", seconds=20)


def test_only_a_whole_quiz_limit_sets_a_quiz_deadline():
    assert quiz_deadline(limit=WHOLE_QUIZ_5MIN, started_at=START) == START + timedelta(minutes=5)
    assert quiz_deadline(limit=PER_QUESTION_20S, started_at=START) is None
    assert quiz_deadline(limit=UNTIMED, started_at=START) is None


def test_a_per_question_deadline_runs_from_when_the_question_started():
    started = START + timedelta(minutes=3)

    deadline = question_deadline(
        limit=PER_QUESTION_20S, question_started_at=started, quiz_deadline=None
    )

    assert deadline == started + timedelta(seconds=20)


def test_a_whole_quiz_deadline_cuts_a_per_question_one():
    quiz_ends = START + timedelta(seconds=10)

    deadline = question_deadline(
        limit=PER_QUESTION_20S, question_started_at=START, quiz_deadline=quiz_ends
    )

    assert deadline == quiz_ends


def test_a_whole_quiz_question_ends_with_the_quiz():
    quiz_ends = quiz_deadline(limit=WHOLE_QUIZ_5MIN, started_at=START)

    deadline = question_deadline(
        limit=WHOLE_QUIZ_5MIN,
        question_started_at=START + timedelta(minutes=4),
        quiz_deadline=quiz_ends,
    )

    assert deadline == START + timedelta(minutes=5)


def test_an_untimed_question_has_no_deadline():
    assert question_deadline(limit=UNTIMED, question_started_at=START, quiz_deadline=None) is None


@pytest.mark.parametrize(
    ("after_deadline", "late"),
    [
        (timedelta(seconds=-5), False),
        (timedelta(0), False),
        (ANSWER_GRACE / 2, False),
        (ANSWER_GRACE, False),
        (ANSWER_GRACE + timedelta(microseconds=1), True),
        (timedelta(minutes=10), True),
    ],
)
def test_an_answer_is_late_only_after_the_grace(after_deadline, late):
    assert is_late(answered_at=START + after_deadline, deadline=START) is late


def test_the_grace_is_one_second():
    assert timedelta(seconds=1) == ANSWER_GRACE


def test_nothing_is_late_without_a_deadline():
    assert not is_late(answered_at=START + timedelta(days=3), deadline=None)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_late(answered_at=datetime(2025, 3, 1, 12, 0), deadline=START)


def test_time_left_never_goes_negative():
    deadline = START + timedelta(seconds=20)

    assert time_left(deadline=deadline, now=START) == timedelta(seconds=20)
    assert time_left(deadline=deadline, now=deadline + timedelta(seconds=5)) == timedelta(0)
    assert time_left(deadline=None, now=START) is None


def test_a_whole_quiz_limit_is_shared_between_questions_for_speed_points():
    assert time_budget_per_question(limit=WHOLE_QUIZ_5MIN, question_count=10) == 30
    assert time_budget_per_question(limit=PER_QUESTION_20S, question_count=10) == 20
    assert time_budget_per_question(limit=UNTIMED, question_count=10) is None


# --- Scoring ---


@pytest.mark.parametrize(
    ("elapsed_seconds", "points"),
    [(0, 1000), (5, 875), (10, 750), (20, 500), (25, 500), (-3, 1000)],
)
def test_speed_points_for_a_correct_timed_answer(elapsed_seconds, points):
    elapsed = timedelta(seconds=elapsed_seconds)

    assert score_answer(correct=True, late=False, elapsed=elapsed, limit_seconds=20) == points


def test_wrong_or_late_answers_score_nothing():
    elapsed = timedelta(seconds=1)

    assert score_answer(correct=False, late=False, elapsed=elapsed, limit_seconds=20) == 0
    assert score_answer(correct=True, late=True, elapsed=elapsed, limit_seconds=20) == 0
    assert score_answer(correct=False, late=False, elapsed=elapsed, limit_seconds=None) == 0


def test_a_correct_untimed_answer_scores_a_flat_1000():
    slow = timedelta(hours=1)

    assert score_answer(correct=True, late=False, elapsed=slow, limit_seconds=None) == 1000


def test_the_scoring_rule_can_be_printed():
    assert "round(1000 * (1 - t / (2 * T)))" in SCORING_RULE


def test_an_answer_in_time_is_graded_and_scored():
    result = grade_answer(
        mode=QuizMode.MULTIPLE_CHOICE,
        correct=True,
        question_started_at=START,
        answered_at=START + timedelta(seconds=10),
        deadline=START + timedelta(seconds=20),
        limit_seconds=20,
    )

    assert result == QuestionResult(
        outcome=Outcome.CORRECT, points=750, elapsed=timedelta(seconds=10)
    )


def test_an_answer_inside_the_grace_scores_as_one_at_the_limit():
    result = grade_answer(
        mode=QuizMode.MULTIPLE_CHOICE,
        correct=True,
        question_started_at=START,
        answered_at=START + timedelta(seconds=20.5),
        deadline=START + timedelta(seconds=20),
        limit_seconds=20,
    )

    assert (result.outcome, result.points) == (Outcome.CORRECT, 500)


def test_a_late_right_answer_is_timed_out_and_its_time_capped_at_the_deadline():
    result = grade_answer(
        mode=QuizMode.MULTIPLE_CHOICE,
        correct=True,
        question_started_at=START,
        answered_at=START + timedelta(hours=2),
        deadline=START + timedelta(seconds=20),
        limit_seconds=20,
    )

    assert result == QuestionResult(
        outcome=Outcome.TIMED_OUT, points=0, elapsed=timedelta(seconds=20)
    )


def test_a_wrong_answer_is_graded_wrong():
    result = grade_answer(
        mode=QuizMode.MULTIPLE_CHOICE,
        correct=False,
        question_started_at=START,
        answered_at=START + timedelta(seconds=3),
        deadline=None,
        limit_seconds=None,
    )

    assert (result.outcome, result.points) == (Outcome.WRONG, 0)


def test_flashcard_self_grades_score_like_answers():
    knew = grade_answer(
        mode=QuizMode.FLASHCARD,
        correct=True,
        question_started_at=START,
        answered_at=START + timedelta(seconds=30),
        deadline=None,
        limit_seconds=None,
    )
    didnt_know = grade_answer(
        mode="flashcard",
        correct=False,
        question_started_at=START,
        answered_at=START + timedelta(seconds=5),
        deadline=None,
        limit_seconds=None,
    )

    assert (knew.outcome, knew.points) == (Outcome.KNEW, 1000)
    assert (didnt_know.outcome, didnt_know.points) == (Outcome.DIDNT_KNOW, 0)


# --- Summary ---


def result(outcome: Outcome, points: int = 0, seconds: float | None = None) -> QuestionResult:
    elapsed = None if seconds is None else timedelta(seconds=seconds)
    return QuestionResult(outcome=outcome, points=points, elapsed=elapsed)


def test_summary_counts_every_outcome():
    summary = summarize(
        [
            result(Outcome.CORRECT, 1000, 0),
            result(Outcome.CORRECT, 750, 10),
            result(Outcome.WRONG, 0, 4),
            result(Outcome.TIMED_OUT, 0, 20),
            result(Outcome.MISSED),
        ]
    )

    assert summary.question_count == 5
    assert summary.score == 1750
    assert (summary.correct, summary.wrong, summary.timed_out, summary.missed) == (2, 1, 1, 1)
    assert summary.accuracy == pytest.approx(0.4)
    assert summary.total_time == timedelta(seconds=34)


def test_knew_counts_as_correct_and_didnt_know_as_wrong():
    summary = summarize([result(Outcome.KNEW, 1000, 2), result(Outcome.DIDNT_KNOW, 0, 3)])

    assert (summary.correct, summary.wrong) == (1, 1)
    assert summary.accuracy == 0.5


def test_a_summary_without_questions_is_all_zero():
    summary = summarize([])

    assert summary.question_count == 0
    assert summary.score == 0
    assert summary.accuracy == 0
    assert summary.total_time == timedelta(0)


# --- Expiry ---


def test_a_shown_question_left_unanswered_times_out_after_its_full_time():
    result = expire_question(question_started_at=START, deadline=START + timedelta(seconds=20))
    assert result == QuestionResult(
        outcome=Outcome.TIMED_OUT, points=0, elapsed=timedelta(seconds=20)
    )


def test_a_question_never_shown_is_missed_and_took_no_time():
    result = expire_question(question_started_at=None, deadline=START)
    assert result == QuestionResult(outcome=Outcome.MISSED, points=0, elapsed=None)


def test_expiry_needs_aware_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        expire_question(question_started_at=datetime(2025, 3, 1), deadline=None)
