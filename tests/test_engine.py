import math
import random
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from quizzes import engine
from quizzes.engine import (
    ANSWER_GRACE,
    RANKED_QUICK_QUIZZES_PER_DAY,
    READING_IMAGE_WORDS,
    READING_MAX_SECONDS,
    READING_MIN_SECONDS,
    READING_SCREEN_WORDS,
    SCORING_RULE,
    SHORTLIST_SIZE,
    AnswerPace,
    LeftOutCards,
    LeftOutReason,
    Option,
    Outcome,
    QuestionResult,
    QuizCard,
    QuizMode,
    TimeLimit,
    TimeLimitKind,
    build_choices,
    candidates_by_question,
    draw_questions,
    expire_question,
    grade_answer,
    is_implausibly_fast,
    is_late,
    is_past_ranked_per_day,
    left_out_reason,
    normalize_answer,
    pick_distractors,
    plan_quiz,
    question_deadline,
    quiz_deadline,
    reading_allowance,
    score_answer,
    seconds_allowed,
    seconds_allowed_each,
    summarize,
    time_budget_per_question,
    time_left,
    too_fast_to_read,
    words_to_read,
)
from quizzes.wording import AnswerKind, choice_words, reader_words

START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def option(id: int, text: str = "", kind=AnswerKind.PROSE, keywords=(), **kw) -> Option:
    return Option(
        card_id=id,
        text=text or f"answer number {id}",
        html=text or f"answer number {id}",
        kind=kind,
        keywords=frozenset(keywords),
        **kw,
    )


def card(
    id: int, answer: str = "", *, question: str = "", keywords=(), kind=AnswerKind.PROSE, curated=()
) -> QuizCard:
    return QuizCard(
        id=id,
        question_text=question or f"question {id}?",
        keywords=frozenset(keywords),
        answer=option(id, answer, kind, keywords),
        curated=tuple(curated),
    )


def deck(size: int) -> list[QuizCard]:
    return [card(i) for i in range(1, size + 1)]


def answers(cards) -> list[Option]:
    return [c.answer for c in cards]


# --- Pool and selection ---


@pytest.mark.parametrize(
    ("mode", "question_missing", "is_choice", "reason"),
    [
        ("multiple_choice", False, True, None),
        ("multiple_choice", False, False, LeftOutReason.ANSWER_NEEDS_MISSING_IMAGE),
        ("multiple_choice", True, True, LeftOutReason.QUESTION_IMAGE_NOT_CACHED),
        # Both problems: counted once, under the answer.
        ("multiple_choice", True, False, LeftOutReason.ANSWER_NEEDS_MISSING_IMAGE),
        # Flashcards show the whole answer, images and all.
        ("flashcard", False, False, None),
        ("flashcard", True, True, LeftOutReason.QUESTION_IMAGE_NOT_CACHED),
    ],
)
def test_which_cards_a_mode_leaves_out_and_why(mode, question_missing, is_choice, reason):
    found = left_out_reason(
        mode=mode, question_needs_missing_image=question_missing, answer_is_choice=is_choice
    )

    assert found == reason


def test_left_out_cards_say_why_in_words():
    one = LeftOutCards(reason=LeftOutReason.QUESTION_IMAGE_NOT_CACHED, count=1)
    three = LeftOutCards(reason=LeftOutReason.ANSWER_NEEDS_MISSING_IMAGE, count=3)

    assert (
        one.message == "1 card left out: its question needs a picture this site does not have yet"
    )
    assert (
        three.message
        == "3 cards left out: their answer needs a picture this site does not have yet"
    )


def test_cloze_cards_play_as_flashcards_and_never_in_multiple_choice():
    cloze = {"question_needs_missing_image": False, "answer_is_choice": False, "is_cloze": True}

    assert left_out_reason(mode="multiple_choice", **cloze) is LeftOutReason.CLOZE
    assert left_out_reason(mode="flashcard", **cloze) is None
    assert LeftOutCards(reason=LeftOutReason.CLOZE, count=1).message == (
        "1 card left out: it is a cloze card, played as a flashcard"
    )


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


def picked_ids(question, candidates, seeds=range(40)) -> Counter:
    return Counter(
        o.card_id
        for seed in seeds
        for o in pick_distractors(question, candidates, rng=random.Random(seed))
    )


def test_distractors_are_about_the_same_things():
    question = card(1, "gradient descent", keywords=("gradient", "optimizer", "step"))
    same_topic = [
        card(i, f"optimiser {i:02d}", keywords=("optimizer", "step")) for i in range(2, 8)
    ]
    other_topic = [
        card(i, f"conv layer {i:02d}", keywords=("conv", "kernel")) for i in range(10, 40)
    ]

    picked = picked_ids(question, answers([*same_topic, *other_topic]))

    assert set(picked) <= {c.id for c in same_topic}


def test_a_yes_or_no_answer_gets_yes_or_no_distractors():
    question = card(1, "No.", question="Does L2 help with BatchNorm?", kind=AnswerKind.YES_NO)
    yes_no = [
        option(2, "Yes, always.", AnswerKind.YES_NO),
        option(3, "Most of the time, yes.", AnswerKind.YES_NO),
        option(4, "No, never in practice.", AnswerKind.YES_NO),
    ]
    others = [option(i, f"some other answer {i}") for i in range(10, 30)]

    for seed in range(20):
        distractors = pick_distractors(question, [*yes_no, *others], rng=random.Random(seed))
        assert {o.card_id for o in distractors} == {2, 3, 4}


def test_no_yes_or_no_distractor_beside_an_answer_that_is_not_one():
    question = card(1, "Initialize the weights well.")
    candidates = [option(i, f"Yes, number {i}.", AnswerKind.YES_NO) for i in range(2, 8)]
    candidates += [option(i, f"Normalize layer {i} well.") for i in range(10, 14)]

    assert set(picked_ids(question, candidates)) <= {10, 11, 12, 13}


def test_code_answers_get_code_distractors():
    question = card(1, "__call__", kind=AnswerKind.CODE)
    code = [option(i, f"__dunder{i}__", AnswerKind.CODE) for i in range(2, 8)]
    prose = [option(i, f"It is a long sentence about thing {i} in prose.") for i in range(10, 40)]

    assert set(picked_ids(question, [*code, *prose])) <= {o.card_id for o in code}


def test_a_list_is_no_wrong_answer_beside_sentences_while_sentences_are_enough():
    # A list among three sentences stands out before a word is read; it was never the right
    # answer (0 of 349 times on the generated deck), so a player who knew nothing struck it.
    question = card(1, "Use gradient accumulation.", question="How do small batches train well?")
    lists = [option(i, f"small batches {i}\ntrain well {i}", AnswerKind.LIST) for i in range(2, 8)]
    sentences = [option(i, f"Another idea number {i} entirely.") for i in range(10, 14)]

    for seed in range(30):
        distractors = pick_distractors(question, [*lists, *sentences], rng=random.Random(seed))
        assert {o.kind for o in distractors} == {AnswerKind.PROSE}


def test_too_few_wrong_answers_of_the_answers_shape_are_made_up_by_others():
    question = card(1, "Use gradient accumulation.")
    lists = [option(i, f"item {i}\nitem {i + 1}", AnswerKind.LIST) for i in range(2, 8)]
    sentences = [option(i, f"Another idea number {i} entirely.") for i in range(10, 12)]

    distractors = pick_distractors(question, [*lists, *sentences], rng=random.Random(1))

    assert len(distractors) == 3
    assert {o.card_id for o in sentences} <= {o.card_id for o in distractors}


def test_a_hand_written_distractor_is_offered_whatever_its_shape():
    curated = option(1, "a list\nof two", AnswerKind.LIST, distractor_id=7)
    question = card(1, "Use gradient accumulation.", curated=[curated])
    sentences = [option(i, f"Another idea number {i} entirely.") for i in range(10, 20)]

    distractors = pick_distractors(question, sentences, rng=random.Random(1))

    assert curated in distractors


def test_when_the_answer_repeats_the_question_distractors_repeat_it_too():
    question = card(
        1,
        "BatchNorm fails with small batches",
        question="What is a limitation of BatchNorm with small batches?",
    )
    repeating = [option(i, f"BatchNorm {i} needs batches of one") for i in range(2, 6)]
    silent = [option(i, f"A number {i} of other things entirely") for i in range(10, 30)]

    for seed in range(20):
        distractors = pick_distractors(question, [*repeating, *silent], rng=random.Random(seed))
        assert any(o.card_id in range(2, 6) for o in distractors)


def test_the_right_answer_is_as_likely_to_be_the_longest_as_the_shortest():
    candidates = [option(i, "word " * (i % 9 + 1)) for i in range(300, 340)]

    longest = shortest = 0
    for number in range(1, 201):
        question = card(number, "a medium sized answer here")
        planned = build_choices(question, candidates, rng=random.Random(number))
        lengths = sorted(len(c.text) for c in planned.choices)
        right = next(c for c in planned.choices if c.id == planned.correct_choice_id)
        longest += len(right.text) == lengths[-1]
        shortest += len(right.text) == lengths[0]

    # About one card in four each, like any of the four choices; never always one or never.
    # A card's place is aimed at by its number, spread evenly over a deck's cards.
    assert 35 <= longest <= 65
    assert 35 <= shortest <= 65


def test_a_cards_choices_do_not_depend_on_the_quizs_randomness():
    question = card(5, "a medium sized answer here")
    candidates = [option(i, "word " * (i % 9 + 1)) for i in range(300, 340)]

    sets = {
        frozenset(c.text for c in build_choices(question, candidates, rng=random.Random(s)).choices)
        for s in range(20)
    }

    assert len(sets) == 1


def test_an_answer_that_speaks_to_the_reader_is_not_the_one_choice_that_does():
    question = card(1, "You need to lower your learning rate", question="What fixes a divergence?")
    speaking = [option(i, f"You need to raise your batch size {i}") for i in range(2, 5)]
    plain = [option(i, f"The batch size is raised to {i}") for i in range(10, 30)]

    alone = 0
    for seed in range(200):
        planned = build_choices(question, [*speaking, *plain], rng=random.Random(seed))
        speakers = [reader_words(c.text) > 0 for c in planned.choices]
        alone += speakers.count(True) == 1
    # The voice is a cue like length: the right answer sits at a place drawn at random on
    # it, so another choice speaks to the reader too in most questions. Regardless of
    # voice, three plain wrong answers of the 23 came nearly every time (187 in 200).
    assert alone <= 100, alone


def test_hand_written_distractors_are_preferred():
    curated = [option(1, f"editor wrote {n}", distractor_id=n) for n in (7, 8)]
    question = card(1, "the answer", curated=curated)

    offered, without_them = Counter(), 0
    for seed in range(40):
        distractors = pick_distractors(question, answers(deck(20)[1:]), rng=random.Random(seed))
        without_them += not any(o.distractor_id for o in distractors)
        offered.update(o.distractor_id or f"card {o.card_id}" for o in distractors)

    # Both give way together seldom: here both are in shorter words than the answer, so
    # where the length of the words aims the answer at the bottom, they cannot stay.
    assert without_them <= 2, without_them

    # Far more often than any other card's answer, which takes the place of one only where
    # that keeps a cue from pointing at the right answer.
    most_offered_card = max(count for key, count in offered.items() if key not in (7, 8))
    assert min(offered[7], offered[8]) > 2 * most_offered_card


def test_only_the_questions_own_hand_written_distractors_count():
    question = card(1, "the answer")
    someone_elses = option(5, "For card five", distractor_id=3)

    distractors = pick_distractors(question, [someone_elses], rng=random.Random(1))

    assert distractors == ()


def test_more_hand_written_distractors_than_needed_take_turns():
    curated = [option(1, f"Editor wrote {n}", distractor_id=n) for n in range(1, 7)]
    question = card(1, "the answer", curated=curated)

    used = {
        o.distractor_id
        for seed in range(60)
        for o in pick_distractors(question, [], rng=random.Random(seed))
    }

    assert used == set(range(1, 7))


def test_distractors_vary_between_seeds():
    question = card(1, "attention", keywords=("nlp",))
    pool = [option(i, f"nlp answer {i}", keywords=("nlp",)) for i in range(2, 12)]

    picks = {
        frozenset(o.card_id for o in pick_distractors(question, pool, rng=random.Random(seed)))
        for seed in range(20)
    }

    assert len(picks) > 1


def test_distractors_never_repeat_the_correct_answer_or_each_other():
    question = card(1, "Batch Normalization")
    pool = [
        option(2, "batch   normalization"),
        option(3, "BATCH NORMALIZATION "),
        option(4, "Layer Normalization"),
        option(5, "layer normalization"),
        option(6, "Dropout"),
        Option(card_id=7, text="  "),
        option(1, "The question's own card again"),
    ]

    for seed in range(30):
        distractors = pick_distractors(question, pool, rng=random.Random(seed))
        texts = [normalize_answer(o.text) for o in distractors]
        assert len(texts) == 2
        assert sorted(set(texts)) == ["dropout", "layer normalization"]


def test_a_small_pool_gives_fewer_distractors():
    question = card(1, "tanh")

    only_one = pick_distractors(question, [option(2)], rng=random.Random(1))
    none_at_all = pick_distractors(question, [], rng=random.Random(1))
    lone_question = build_choices(question, [], rng=random.Random(1))

    assert [o.card_id for o in only_one] == [2]
    assert none_at_all == ()
    assert [c.id for c in lone_question.choices] == [lone_question.correct_choice_id]


def test_an_answer_that_cannot_be_a_choice_has_no_distractors():
    with pytest.raises(ValueError):
        pick_distractors(QuizCard(id=1), answers(deck(5)), rng=random.Random(1))


def test_choices_hold_the_answer_once_and_the_distractors():
    question = card(1, "Adam")

    planned = build_choices(question, answers(deck(10)[1:]), rng=random.Random(3))

    assert len(planned.choices) == 4
    assert len({choice.id for choice in planned.choices}) == 4
    assert [choice.text for choice in planned.choices].count("Adam") == 1
    correct = next(c for c in planned.choices if c.id == planned.correct_choice_id)
    assert (correct.card_id, correct.text, correct.html) == (1, "Adam", "Adam")


def test_choice_ids_are_opaque():
    question = card(1, "Adam")
    pool = answers(deck(10)[1:])

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
    pool = answers(deck(10)[1:])

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


def test_a_cards_choices_are_the_same_at_every_quiz():
    pool = deck(60)
    choices: dict[int, set[frozenset[str]]] = {}

    for seed in range(30):
        plan = plan_quiz(pool, count=10, mode="multiple_choice", seed=seed)
        for question in plan.questions:
            texts = frozenset(choice.text for choice in question.choices)
            choices.setdefault(question.card_id, set()).add(texts)

    # Most cards were asked several times, each among the same four choices every time.
    assert sum(1 for sets in choices.values() if len(sets) == 1) == len(choices) > 40


def test_the_places_of_a_cards_choices_still_change_from_quiz_to_quiz():
    pool = deck(60)

    places = set()
    for seed in range(30):
        plan = plan_quiz(pool, count=10, mode="multiple_choice", seed=seed)
        for question in plan.questions:
            if question.card_id == 7:
                texts = [choice.text for choice in question.choices]
                places.add(texts.index("answer number 7"))

    assert len(places) > 1


@pytest.mark.parametrize("seed", range(20))
def test_a_card_whose_choices_repeat_an_offered_answer_gives_its_place_to_a_spare(seed):
    # Each card's three wrong answers among 399 others: a quiz's 10 cards drawn at random
    # repeat an answer in about a quiz in five (18 in 100 at 200 cards); with spare cards
    # in their places, none of these twenty quizzes does.
    plan = plan_quiz(deck(400), count=10, mode="multiple_choice", seed=seed)

    offered = [choice.text for question in plan.questions for choice in question.choices]
    assert len(offered) == 40 and len(set(offered)) == 40


def test_cards_asked_among_their_own_do_not_crowd_out_the_others():
    # Cards 1-20 have three hand-written wrong answers each and never repeat an answer;
    # cards 21-60 borrow theirs from each other, so some give their place to a spare.
    hand_written = [
        card(n, curated=[option(n, f"wrong {n} {w}", distractor_id=n * 10 + w) for w in range(3)])
        for n in range(1, 21)
    ]
    pool = hand_written + [card(n) for n in range(21, 61)]

    asked = Counter()
    for seed in range(200):
        plan = plan_quiz(pool, count=10, mode="multiple_choice", seed=seed)
        asked.update("own" if q.card_id <= 20 else "borrowed" for q in plan.questions)

    # A third of the cards are asked among their own: about a third of the questions.
    assert 0.28 <= asked["own"] / 2000 <= 0.38, asked


def test_a_deck_too_small_for_fresh_answers_repeats_them_rather_than_ask_fewer():
    plan = plan_quiz(deck(14), count=10, mode="multiple_choice", seed=1)

    assert all(len(question.choices) == 4 for question in plan.questions)


def test_the_plan_does_not_depend_on_the_order_candidates_come_in():
    pool = deck(12)
    candidates = answers(deck(40))

    plan = plan_quiz(pool, count=5, mode="multiple_choice", seed=3, candidates=candidates)
    replay = plan_quiz(
        pool, count=5, mode="multiple_choice", seed=3, candidates=list(reversed(candidates))
    )

    assert plan == replay


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


def test_each_question_weighs_the_candidates_found_for_it_or_all_when_too_few():
    first, second = deck(2)
    mine = [option(i, found_for=frozenset({1})) for i in range(10, 10 + SHORTLIST_SIZE)]
    theirs = [option(i, found_for=frozenset({2})) for i in range(40, 43)]
    anyones = option(99)

    grouped = candidates_by_question([first, second], [*mine, *theirs, anyones])

    assert grouped[1] == [*mine, anyones]
    assert grouped[2] == [*mine, *theirs, anyones]


def test_stored_words_choose_what_the_text_would():
    question = card(
        1,
        "BatchNorm fails with small batches",
        question="What is a limitation of BatchNorm with small batches?",
    )
    pool = [option(i, f"BatchNorm {i} needs batches of {i} or more") for i in range(2, 9)]
    pool += [option(i, f"A number {i} of other things entirely") for i in range(10, 30)]
    stored = [replace(o, words=choice_words(o.text)) for o in pool]

    for seed in range(20):
        from_text = pick_distractors(question, pool, rng=random.Random(seed))
        from_stored = pick_distractors(question, stored, rng=random.Random(seed))
        assert [o.card_id for o in from_stored] == [o.card_id for o in from_text]


def test_candidates_can_be_looked_up_for_the_cards_drawn():
    whole_deck = deck(20)
    asked_for = []

    def lookup(drawn):
        asked_for.append(sorted(card.id for card in drawn))
        return answers(whole_deck)

    plan = plan_quiz(whole_deck[:2], count=2, mode="multiple_choice", seed=5, candidates=lookup)

    assert asked_for == [[1, 2]]
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
        seconds_allowed=20, question_started_at=started, quiz_deadline=None
    )

    assert deadline == started + timedelta(seconds=20)


def test_a_whole_quiz_deadline_cuts_a_per_question_one():
    quiz_ends = START + timedelta(seconds=10)

    deadline = question_deadline(
        seconds_allowed=20, question_started_at=START, quiz_deadline=quiz_ends
    )

    assert deadline == quiz_ends


def test_a_whole_quiz_question_ends_with_the_quiz():
    quiz_ends = quiz_deadline(limit=WHOLE_QUIZ_5MIN, started_at=START)

    deadline = question_deadline(
        seconds_allowed=None,
        question_started_at=START + timedelta(minutes=4),
        quiz_deadline=quiz_ends,
    )

    assert deadline == START + timedelta(minutes=5)


def test_an_untimed_question_has_no_deadline():
    assert (
        question_deadline(seconds_allowed=None, question_started_at=START, quiz_deadline=None)
        is None
    )


# --- Time for length ---


@pytest.mark.parametrize(
    ("words", "seconds"),
    [
        (0, READING_MIN_SECONDS),  # a floor for the shortest question
        (40, 20),  # 8 s + 40 words at 200 a minute (12 s)
        (80, 32),  # a phone's screen: 8 + 24
        (112, 45),  # the median Quick quiz question: 8 + 24 + 32 words at 150 (12.8)
        (10_000, READING_MAX_SECONDS),  # a ceiling for the longest
    ],
)
def test_time_for_length_is_a_base_plus_a_per_word_allowance_within_bounds(words, seconds):
    assert reading_allowance(words) == seconds


def test_a_long_question_is_read_more_slowly_past_a_phone_screen():
    # The fastai deck's longest Quick quiz question, 17 words and four lists of choices:
    # 67 s at 200 words a minute throughout, too little on a 360 px phone.
    assert reading_allowance(196) == 79
    assert reading_allowance(196) - reading_allowance(195) == 1  # 0.4 s a word past it
    assert reading_allowance(READING_SCREEN_WORDS) == 32  # one screen: as fast as before


def test_a_short_question_gets_no_more_time_than_before():
    # 8 s plus 200 words a minute, as before: more would be time to look the answer up.
    for words in range(READING_SCREEN_WORDS + 1):
        assert reading_allowance(words) == max(READING_MIN_SECONDS, math.ceil(8 + words * 0.3))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Make sure your model can overfit.", 6),  # prose: its words
        ("Don\u2019t \u201cnow\u201d \u2013 or later.", 4),  # punctuation is no word
        ("a.unsqueeze(0)", 3),  # code: each name and number
        ("x = torch.tensor([1, 2, 3]) @ w", 9),  # and each operator
        (r"\(\frac{x^2}{2}\)", 5),  # math as written: not its backslashes
    ],
)
def test_code_and_math_count_each_name_number_and_operator(text, words):
    assert words_to_read(text) == words


def test_an_image_counts_as_words_to_read():
    assert words_to_read("What does the code above print?") == 6
    assert words_to_read("What does the code above print?", images=2) == 6 + 2 * READING_IMAGE_WORDS


def test_each_kind_of_limit_gives_a_question_its_own_seconds_or_none():
    for_length = TimeLimit(kind=TimeLimitKind.FOR_LENGTH)

    assert seconds_allowed(limit=for_length, words=112) == 45
    assert seconds_allowed(limit=PER_QUESTION_20S, words=112) == 20
    assert seconds_allowed(limit=WHOLE_QUIZ_5MIN, words=112) is None
    assert seconds_allowed(limit=UNTIMED, words=112) is None


def test_time_for_length_has_no_seconds_of_its_own():
    with pytest.raises(ValueError):
        TimeLimit(kind=TimeLimitKind.FOR_LENGTH, seconds=20)


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


def test_time_for_length_scores_against_the_questions_own_seconds():
    for_length = TimeLimit(kind=TimeLimitKind.FOR_LENGTH)

    assert time_budget_per_question(limit=for_length, question_count=10, seconds_allowed=42) == 42
    with pytest.raises(ValueError):
        time_budget_per_question(limit=for_length, question_count=10)


def test_a_whole_quiz_limit_is_shared_between_questions_for_speed_points():
    # Evenly in a quiz stored before the shares; by each question's share otherwise.
    assert time_budget_per_question(limit=WHOLE_QUIZ_5MIN, question_count=10) == 30
    assert (
        time_budget_per_question(limit=WHOLE_QUIZ_5MIN, question_count=10, seconds_allowed=55) == 55
    )
    assert time_budget_per_question(limit=PER_QUESTION_20S, question_count=10) == 20
    assert time_budget_per_question(limit=UNTIMED, question_count=10) is None


def test_a_whole_quiz_is_shared_by_the_time_each_question_takes_to_read():
    # Two short questions (20 s to read each) and one of 196 words (79 s): 119 s in all.
    shares = seconds_allowed_each(limit=WHOLE_QUIZ_5MIN, words=[40, 40, 196])
    assert shares == [50, 50, 199]  # 300 * 20 / 119, and 300 * 79 / 119
    # Read at the same pace, the long question scores as the short ones do.
    short, long = (
        score_answer(correct=True, late=False, elapsed=timedelta(seconds=t), limit_seconds=T)
        for t, T in ((20, shares[0]), (79, shares[2]))
    )
    assert abs(short - long) <= 5
    # The other limits keep each question's own seconds.
    assert seconds_allowed_each(limit=PER_QUESTION_20S, words=[40, 196]) == [20, 20]
    assert seconds_allowed_each(limit=UNTIMED, words=[40]) == [None]


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


# --- Too fast to read ---


def pace(seconds, *, correct=True, words=30):
    return AnswerPace(correct=correct, elapsed=timedelta(seconds=seconds), words=words)


def test_a_quiz_answered_faster_than_it_can_be_read_is_implausible():
    # A question and its right answer, 30 words, skimmed at 600 a minute take 3 s, plus a
    # second: these took about one.
    guessed = [pace(0.9)] * 6 + [pace(0.9, correct=False)] * 4

    assert is_implausibly_fast(guessed)


def test_the_line_is_a_second_plus_skimming_the_words_counted():
    assert too_fast_to_read(elapsed=timedelta(seconds=3.9), words=30)
    assert not too_fast_to_read(elapsed=timedelta(seconds=4.1), words=30)
    assert too_fast_to_read(elapsed=timedelta(seconds=0.9), words=0)
    assert not too_fast_to_read(elapsed=timedelta(seconds=1.1), words=0)


def test_a_quick_reader_who_knows_the_answers_is_not():
    # About five seconds a question, as a learner who knows the deck answers.
    read = [pace(4.7)] * 8 + [pace(2.5, words=10)] * 2

    assert not is_implausibly_fast(read)


def test_a_quiz_tapped_blind_is_implausible_whatever_its_score():
    # Each answer within two seconds: luck gives two of ten right, fewer than the three
    # rushed right answers the rule on right answers asks for.
    blind = [pace(1.5)] * 2 + [pace(1.5, correct=False)] * 8
    half_blind = [pace(1.2, correct=False)] * 5 + [pace(8)] * 5
    assert is_implausibly_fast(blind)
    assert is_implausibly_fast(half_blind)
    assert is_implausibly_fast([pace(1.5, correct=False)] * 10)


def test_questions_left_to_the_clock_are_no_answers():
    # Two answers tapped blind, and eight questions left to time out: not read either.
    timed_out = AnswerPace(correct=False, elapsed=timedelta(seconds=1), words=0, answered=False)
    assert is_implausibly_fast([pace(1.5), pace(1.5, correct=False)] + [timed_out] * 8)
    assert not is_implausibly_fast([pace(8), pace(8, correct=False)] + [timed_out] * 8)
    assert not is_implausibly_fast([timed_out] * 10)


def test_a_couple_of_lucky_fast_answers_do_not_count():
    mostly_read = [pace(1)] * 2 + [pace(8)] * 8
    fast_but_few_right = [pace(1)] * 3 + [pace(8)] * 6 + [pace(1, correct=False)]

    assert not is_implausibly_fast(mostly_read)
    assert not is_implausibly_fast(fast_but_few_right)
    assert not is_implausibly_fast([])


def test_only_the_first_quick_quizzes_started_in_any_24_hours_rank():
    assert not is_past_ranked_per_day(started_before=RANKED_QUICK_QUIZZES_PER_DAY - 1)
    assert is_past_ranked_per_day(started_before=RANKED_QUICK_QUIZZES_PER_DAY)


def test_typing_an_answer_counts_as_the_words_read_in_the_time_it_takes():
    # 36 words a minute of five characters: 180 characters a minute, 3 a second; read at
    # 200 words a minute, a second is 10/3 words.
    assert engine.typing_words(0) == 0
    assert engine.typing_words(3) == 4  # one second
    assert engine.typing_words(30) == 34  # ten seconds
    # 100 words to read and ten seconds of typing: 134 words, 80 on the first screen.
    assert engine.reading_allowance(100 + engine.typing_words(30)) == math.ceil(
        8 + 80 * 60 / 200 + 54 * 60 / 150
    )


def test_a_typed_quiz_plans_its_questions_without_choices():
    pool = [engine.QuizCard(id=number, question_text=f"Q{number}") for number in range(1, 6)]

    plan = engine.plan_quiz(pool, count=3, mode=engine.QuizMode.TYPED, seed=7)

    assert len(plan.questions) == 3
    assert all(q.choices == () and q.correct_choice_id is None for q in plan.questions)


def _wrong_answer_uses(refs) -> Counter:
    return Counter(ref for picks in refs.values() for ref in picks)


def test_settled_choices_offer_each_answer_about_as_often_as_any_other():
    # Forty cards on one topic: chosen card by card, the same few answers suit every
    # question best and are offered by many of them, while others are offered by none.
    pool = [card(n, "word " * (n % 7 + 1) + f"{n}", keywords=("topic",)) for n in range(1, 41)]
    found = [c.answer for c in pool]
    alone = {
        c.id: tuple((o.card_id, o.distractor_id) for o in engine.steady_distractors(c, found))
        for c in pool
    }

    settled = engine.settle_choices(pool, found)

    alone_uses, settled_uses = _wrong_answer_uses(alone), _wrong_answer_uses(settled)
    assert sum(settled_uses.values()) == sum(alone_uses.values()) == 3 * 40
    assert max(settled_uses.values()) < max(alone_uses.values())
    # Evener: the sum of squares falls as uses move from the crowded answers to the others.
    assert sum(n * n for n in settled_uses.values()) < sum(n * n for n in alone_uses.values())


def test_copies_of_a_card_get_the_same_settled_choices():
    pool = [card(n) for n in range(1, 30)] + [card(30, "answer number 3", question="question 3?")]

    settled = engine.settle_choices(pool, [c.answer for c in pool])

    assert settled[30] == settled[3]


def test_settling_no_rounds_gives_each_card_its_own_steady_choice():
    pool = deck(40)
    found = answers(pool)

    refs = engine.settle_choices(pool, found, rounds=0)

    for c in pool:
        own = engine.steady_distractors(c, engine.candidates_by_question(pool, found)[c.id])
        assert refs[c.id] == tuple((o.card_id, o.distractor_id) for o in own)


def test_a_plan_asks_a_card_among_its_chosen_choices_and_looks_up_only_the_others():
    pool = deck(40)
    by_card = {c.id: c.answer for c in pool}
    settled = engine.settle_choices(pool, answers(pool))
    chosen = {n: [by_card[ref[0]] for ref in settled[n]] for n in range(1, 41, 2)}  # odd ids
    looked_up = []

    def find(cards):
        looked_up.extend(card.id for card in cards)
        return answers(pool)

    plan = plan_quiz(pool, count=10, mode="multiple_choice", seed=4, candidates=find, chosen=chosen)

    asked = {question.card_id for question in plan.questions}
    assert len(asked) == 10 and asked & set(chosen) and asked - set(chosen)
    for question in plan.questions:
        wrong = {(c.card_id, c.distractor_id) for c in question.choices} - {
            (question.card_id, None)
        }
        if question.card_id in chosen:
            assert wrong == set(settled[question.card_id])
        else:
            assert len(wrong) == 3
    assert looked_up and not set(looked_up) & set(chosen)


def test_chosen_choices_given_by_a_function_are_asked_for_the_cards_drawn():
    pool = deck(40)
    by_card = {c.id: c.answer for c in pool}
    settled = engine.settle_choices(pool, answers(pool))
    asked_for = []

    def chosen(cards):
        asked_for.append([card.id for card in cards])
        return {card.id: [by_card[ref[0]] for ref in settled[card.id]] for card in cards}

    plan = plan_quiz(pool, count=10, mode="multiple_choice", seed=4, chosen=chosen)

    assert len(asked_for) == 1 and len(asked_for[0]) == 10 + engine.spare_questions(10)
    for question in plan.questions:
        wrong = {c.card_id for c in question.choices} - {question.card_id}
        assert wrong == {ref[0] for ref in settled[question.card_id]}


def _plan_with_lookups(pool, seed):
    looked_up = []

    def find(cards):
        looked_up.append([card.id for card in cards])
        return answers(pool)

    plan = plan_quiz(pool, count=10, mode="multiple_choice", seed=seed, candidates=find)
    return plan, looked_up


def test_the_spare_cards_wrong_answers_are_looked_up_only_when_one_is_needed():
    # Each card asked among its editors' own wrong answers never repeats another's.
    own = [
        card(n, curated=[option(n, f"wrong {n} {w}", distractor_id=n * 10 + w) for w in range(3)])
        for n in range(1, 41)
    ]
    plan, looked_up = _plan_with_lookups(own, seed=3)

    assert len(plan.questions) == 10
    assert looked_up == [[question.card_id for question in plan.questions]]


def test_a_deck_whose_first_cards_clash_looks_up_its_spares_once():
    plan, looked_up = _plan_with_lookups(deck(14), seed=3)

    assert len(plan.questions) == 10
    assert [len(cards) for cards in looked_up] == [10, 4]  # 14 cards: four spares
