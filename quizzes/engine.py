"""The quiz engine: which cards a quiz asks, which wrong answers it offers, when an answer
is too late, and what it scores.

Pure Python on purpose: no Django import, and randomness (`random.Random`) and the clock
(timezone-aware datetimes) always come in as arguments, so every rule is tested without a
database in tests/test_engine.py. `quizzes/services/attempts.py` turns model rows into
`PoolCard`s and stores what the engine decides.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class QuizMode(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"
    FLASHCARD = "flashcard"


@dataclass(frozen=True, kw_only=True)
class PoolCard:
    """What the engine needs to know about one card of the deck."""

    id: int
    answer_text: str
    tags: frozenset[str]
    answer_is_image_only: bool
    question_needs_missing_image: bool
    is_cloze: bool = False


# --- Pool and selection ---------------------------------------------------------------------


class LeftOutReason(StrEnum):
    ANSWER_IS_IMAGE_ONLY = "answer_is_image_only"
    QUESTION_IMAGE_NOT_CACHED = "question_image_not_cached"
    CLOZE = "cloze"


_LEFT_OUT_EXPLANATIONS = {
    LeftOutReason.ANSWER_IS_IMAGE_ONLY: (
        "its answer is only an image",
        "their answer is only an image",
    ),
    LeftOutReason.QUESTION_IMAGE_NOT_CACHED: (
        "its question needs an image that is not cached",
        "their question needs an image that is not cached",
    ),
    LeftOutReason.CLOZE: (
        "it is a cloze card, played as a flashcard",
        "they are cloze cards, played as flashcards",
    ),
}


@dataclass(frozen=True, kw_only=True)
class LeftOutCards:
    reason: LeftOutReason
    card_ids: tuple[int, ...]

    @property
    def message(self) -> str:
        """For the setup page, e.g. "3 cards left out: their answer is only an image"."""
        singular, plural = _LEFT_OUT_EXPLANATIONS[self.reason]
        if len(self.card_ids) == 1:
            return f"1 card left out: {singular}"
        return f"{len(self.card_ids)} cards left out: {plural}"


@dataclass(frozen=True, kw_only=True)
class EligiblePool:
    cards: tuple[PoolCard, ...]
    # One entry per reason that actually cut cards, in the order of LeftOutReason.
    left_out: tuple[LeftOutCards, ...]


def eligible_pool(
    cards: Iterable[PoolCard],
    *,
    mode: QuizMode | str,
    include_questions_missing_images: bool = False,
) -> EligiblePool:
    """Keep the cards a quiz in `mode` can ask, and say which were left out and why.

    Multiple choice always leaves out image-only answers: a choice is a line of text, and an
    empty one would give the right answer away. It leaves out cloze cards too: their answer
    is the question filled in, so no other card's answer could pass for it. Both modes leave
    out, unless asked not to, questions whose image is not cached: they cannot be understood
    without it. A card with
    both problems is reported once, under its answer.
    """
    mode = QuizMode(mode)
    kept: list[PoolCard] = []
    left_out: dict[LeftOutReason, list[int]] = {reason: [] for reason in LeftOutReason}
    for card in cards:
        if mode is QuizMode.MULTIPLE_CHOICE and card.is_cloze:
            left_out[LeftOutReason.CLOZE].append(card.id)
        elif mode is QuizMode.MULTIPLE_CHOICE and card.answer_is_image_only:
            left_out[LeftOutReason.ANSWER_IS_IMAGE_ONLY].append(card.id)
        elif card.question_needs_missing_image and not include_questions_missing_images:
            left_out[LeftOutReason.QUESTION_IMAGE_NOT_CACHED].append(card.id)
        else:
            kept.append(card)
    return EligiblePool(
        cards=tuple(kept),
        left_out=tuple(
            LeftOutCards(reason=reason, card_ids=tuple(card_ids))
            for reason, card_ids in left_out.items()
            if card_ids
        ),
    )


def draw_questions(
    pool: Sequence[PoolCard], *, count: int, rng: random.Random
) -> tuple[PoolCard, ...]:
    """Draw `count` different cards in random order; fewer when the pool is smaller."""
    if count < 1:
        raise ValueError(f"A quiz needs at least one question, not {count}.")
    return tuple(rng.sample(list(pool), k=min(count, len(pool))))


# --- Distractors and choices ----------------------------------------------------------------

DISTRACTORS_PER_QUESTION = 3
# A length ratio of e^2 (about 7x) costs as much as sharing no tag at all, so a same-tag answer
# a few times longer still beats an unrelated answer of the same length.
LENGTH_PENALTY_PER_LOG_RATIO = 0.5
# Distractors are sampled among the best 2k candidates: varied from one quiz to the next,
# yet never drawn from the implausible tail of the deck.
SHORTLIST_FACTOR = 2


def normalize_answer(text: str) -> str:
    """Answers that differ only in case or whitespace are the same answer."""
    return " ".join(text.casefold().split())


def _plausibility(
    *,
    correct_tags: frozenset[str],
    correct_length: int,
    candidate_tags: frozenset[str],
    candidate_length: int,
) -> float:
    """Tag overlap (Jaccard, 0..1) minus a penalty for how many times longer or shorter."""
    tags_in_either = correct_tags | candidate_tags
    tag_overlap = len(correct_tags & candidate_tags) / len(tags_in_either) if tags_in_either else 0
    log_length_ratio = abs(math.log(candidate_length / correct_length))
    return tag_overlap - LENGTH_PENALTY_PER_LOG_RATIO * log_length_ratio


def pick_distractors(
    card: PoolCard,
    pool: Sequence[PoolCard],
    *,
    rng: random.Random,
    k: int = DISTRACTORS_PER_QUESTION,
) -> tuple[PoolCard, ...]:
    """Choose up to `k` other cards whose answers serve as wrong choices for `card`.

    Candidates are ranked by `_plausibility` (ties in a seed-dependent order), the best
    `SHORTLIST_FACTOR * k` distinct answers are kept, and `k` of them are sampled. An answer
    equal to the correct one (after `normalize_answer`), a blank answer, or a repeat of
    another distractor's answer never qualifies, so a small or repetitive pool yields fewer
    than `k` distractors, and the question simply has fewer choices (none besides the correct
    one when the pool offers nothing else).
    """
    if k < 0:
        raise ValueError(f"Cannot pick {k} distractors.")
    correct_text = normalize_answer(card.answer_text)
    correct_length = max(len(correct_text), 1)
    candidates = [
        (other, text)
        for other in pool
        if other.id != card.id
        and not other.answer_is_image_only
        and (text := normalize_answer(other.answer_text)) not in ("", correct_text)
    ]
    rng.shuffle(candidates)
    # The sort is stable, so candidates of equal plausibility keep their shuffled order.
    candidates.sort(
        key=lambda pair: _plausibility(
            correct_tags=card.tags,
            correct_length=correct_length,
            candidate_tags=pair[0].tags,
            candidate_length=len(pair[1]),
        ),
        reverse=True,
    )
    shortlist: list[PoolCard] = []
    seen_texts: set[str] = set()
    for other, text in candidates:
        if len(shortlist) == SHORTLIST_FACTOR * k:
            break
        if text not in seen_texts:
            seen_texts.add(text)
            shortlist.append(other)
    return tuple(rng.sample(shortlist, k=min(k, len(shortlist))))


@dataclass(frozen=True, kw_only=True)
class Choice:
    # An rng-drawn token: neither the page nor the posted form says which choice is right.
    id: str
    text: str
    card_id: int


@dataclass(frozen=True, kw_only=True)
class PlannedQuestion:
    card_id: int
    choices: tuple[Choice, ...]  # empty in flashcard mode
    correct_choice_id: str | None  # None in flashcard mode


def _choice_ids(rng: random.Random, count: int) -> list[str]:
    ids: list[str] = []
    while len(ids) < count:
        token = f"{rng.getrandbits(64):016x}"
        if token not in ids:
            ids.append(token)
    return ids


def build_choices(
    card: PoolCard, pool: Sequence[PoolCard], *, rng: random.Random
) -> PlannedQuestion:
    """The correct answer and its distractors, shuffled, each with an opaque id."""
    options = [card, *pick_distractors(card, pool, rng=rng)]
    rng.shuffle(options)
    choices = tuple(
        Choice(id=choice_id, text=option.answer_text, card_id=option.id)
        for choice_id, option in zip(_choice_ids(rng, len(options)), options, strict=True)
    )
    correct_choice_id = next(choice.id for choice in choices if choice.card_id == card.id)
    return PlannedQuestion(card_id=card.id, choices=choices, correct_choice_id=correct_choice_id)


# --- Seeded plan ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class QuizPlan:
    seed: int
    mode: QuizMode
    questions: tuple[PlannedQuestion, ...]


def plan_quiz(
    pool: Sequence[PoolCard],
    *,
    count: int,
    mode: QuizMode | str,
    seed: int,
    distractor_pool: Sequence[PoolCard] | None = None,
) -> QuizPlan:
    """Draw the questions and their choices; the same arguments always give the same plan.

    `pool` is what `eligible_pool` kept. A challenge link replays a plan from its seed, so
    the seed must stay secret (it determines the choice ids) and the result must not depend
    on the order the database returned the cards in: both pools are sorted by id first.
    `distractor_pool` (default: `pool`) lets a retry of a few missed cards still draw wrong
    answers from the whole deck.
    """
    mode = QuizMode(mode)
    rng = random.Random(seed)
    question_pool = sorted(pool, key=lambda card: card.id)
    wrong_answer_pool = (
        question_pool
        if distractor_pool is None
        else sorted(distractor_pool, key=lambda card: card.id)
    )
    drawn = draw_questions(question_pool, count=count, rng=rng)
    if mode is QuizMode.FLASHCARD:
        questions = tuple(
            PlannedQuestion(card_id=card.id, choices=(), correct_choice_id=None) for card in drawn
        )
    else:
        questions = tuple(build_choices(card, wrong_answer_pool, rng=rng) for card in drawn)
    return QuizPlan(seed=seed, mode=mode, questions=questions)


# --- Deadlines ------------------------------------------------------------------------------


class TimeLimitKind(StrEnum):
    NONE = "none"
    PER_QUESTION = "per_question"
    WHOLE_QUIZ = "whole_quiz"


@dataclass(frozen=True, kw_only=True)
class TimeLimit:
    kind: TimeLimitKind
    seconds: int | None = None  # per question or for the whole quiz; None when untimed

    def __post_init__(self) -> None:
        # Accept the plain strings a database column holds.
        object.__setattr__(self, "kind", TimeLimitKind(self.kind))
        if self.kind is TimeLimitKind.NONE:
            if self.seconds is not None:
                raise ValueError("An untimed quiz has no seconds.")
        elif self.seconds is None or self.seconds < 1:
            raise ValueError(f"A {self.kind} limit needs a positive number of seconds.")


# The server receives an answer a moment after the learner clicked, so an answer that arrives
# up to this long after its deadline still counts. The countdown shows the real deadline.
ANSWER_GRACE = timedelta(seconds=1)


def _require_aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware, got {moment!r}.")


def quiz_deadline(*, limit: TimeLimit, started_at: datetime) -> datetime | None:
    """When the whole attempt ends; None unless the limit is for the whole quiz.

    A per-question quiz has no overall deadline: the next question's clock starts when it is
    shown, so time spent reading feedback between questions is not charged.
    """
    _require_aware(started_at=started_at)
    if limit.kind is not TimeLimitKind.WHOLE_QUIZ:
        return None
    return started_at + timedelta(seconds=limit.seconds)


def question_deadline(
    *, limit: TimeLimit, question_started_at: datetime, quiz_deadline: datetime | None
) -> datetime | None:
    """The earlier of the question's own deadline and the quiz's; None when untimed."""
    _require_aware(question_started_at=question_started_at, quiz_deadline=quiz_deadline)
    deadlines = [quiz_deadline] if quiz_deadline is not None else []
    if limit.kind is TimeLimitKind.PER_QUESTION:
        deadlines.append(question_started_at + timedelta(seconds=limit.seconds))
    return min(deadlines, default=None)


def is_late(
    *, answered_at: datetime, deadline: datetime | None, grace: timedelta = ANSWER_GRACE
) -> bool:
    """Whether an answer received at `answered_at` missed `deadline` (plus the grace)."""
    _require_aware(answered_at=answered_at, deadline=deadline)
    return deadline is not None and answered_at > deadline + grace


def time_left(*, deadline: datetime | None, now: datetime) -> timedelta | None:
    """What the countdown shows: never negative; None when untimed."""
    _require_aware(deadline=deadline, now=now)
    if deadline is None:
        return None
    return max(deadline - now, timedelta(0))


# --- Scoring --------------------------------------------------------------------------------

MAX_POINTS = 1000

SCORING_RULE = (
    'A wrong, timed-out or missed answer scores 0 points. A correct answer ("knew it" in '
    "flashcard mode) scores 1000 points in an untimed quiz. In a timed quiz it scores "
    "round(1000 * (1 - t / (2 * T))), where t is the seconds you took and T the seconds allowed "
    "per question (in a whole-quiz limit, the total divided by the number of questions): "
    "1000 for an instant answer, down to 500 at the limit."
)


def time_budget_per_question(*, limit: TimeLimit, question_count: int) -> float | None:
    """The T of the speed rule: a whole-quiz limit is shared evenly between its questions."""
    if limit.kind is TimeLimitKind.NONE:
        return None
    if limit.kind is TimeLimitKind.PER_QUESTION:
        return float(limit.seconds)
    if question_count < 1:
        raise ValueError(f"A quiz needs at least one question, not {question_count}.")
    return limit.seconds / question_count


def score_answer(
    *, correct: bool, late: bool, elapsed: timedelta, limit_seconds: float | None
) -> int:
    """Points for one answer, following SCORING_RULE."""
    if not correct or late:
        return 0
    if limit_seconds is None:
        return MAX_POINTS
    # Clamped: an answer inside the grace period scores as one at the limit, and a clock
    # that went backwards cannot earn more than an instant answer.
    taken = min(max(elapsed.total_seconds(), 0.0), limit_seconds)
    return round(MAX_POINTS * (1 - taken / (2 * limit_seconds)))


class Outcome(StrEnum):
    CORRECT = "correct"
    WRONG = "wrong"
    TIMED_OUT = "timed_out"
    MISSED = "missed"  # still unanswered when the quiz ended
    KNEW = "knew"  # flashcard self-grade
    DIDNT_KNOW = "didnt_know"  # flashcard self-grade

    @property
    def counts_as_correct(self) -> bool:
        return self in (Outcome.CORRECT, Outcome.KNEW)

    @classmethod
    def correct_values(cls) -> tuple[str, ...]:
        return tuple(outcome.value for outcome in cls if outcome.counts_as_correct)


@dataclass(frozen=True, kw_only=True)
class QuestionResult:
    outcome: Outcome
    points: int
    elapsed: timedelta | None  # None when the question was never answered


def grade_answer(
    *,
    mode: QuizMode | str,
    correct: bool,
    question_started_at: datetime,
    answered_at: datetime,
    deadline: datetime | None,
    limit_seconds: float | None,
) -> QuestionResult:
    """Judge an answer by when the server received it, whatever the browser claims.

    `correct` is whether the right choice was picked, or "knew it" in flashcard mode.
    A late answer is timed out and scores nothing; the time it counts is capped at the
    deadline, because the question was closed from then on.
    """
    mode = QuizMode(mode)
    _require_aware(question_started_at=question_started_at, answered_at=answered_at)
    late = is_late(answered_at=answered_at, deadline=deadline)
    stopped_at = min(answered_at, deadline) if late and deadline is not None else answered_at
    elapsed = max(stopped_at - question_started_at, timedelta(0))
    if late:
        outcome = Outcome.TIMED_OUT
    elif mode is QuizMode.FLASHCARD:
        outcome = Outcome.KNEW if correct else Outcome.DIDNT_KNOW
    else:
        outcome = Outcome.CORRECT if correct else Outcome.WRONG
    points = score_answer(correct=correct, late=late, elapsed=elapsed, limit_seconds=limit_seconds)
    return QuestionResult(outcome=outcome, points=points, elapsed=elapsed)


def expire_question(
    *, question_started_at: datetime | None, deadline: datetime | None
) -> QuestionResult:
    """The result of a question nobody answered before the quiz closed it.

    A question that was shown timed out: its clock ran to the deadline. One never shown
    (the whole-quiz time ran out first) was missed, and took no time.
    """
    _require_aware(question_started_at=question_started_at, deadline=deadline)
    if question_started_at is None:
        return QuestionResult(outcome=Outcome.MISSED, points=0, elapsed=None)
    elapsed = max(deadline - question_started_at, timedelta(0)) if deadline else None
    return QuestionResult(outcome=Outcome.TIMED_OUT, points=0, elapsed=elapsed)


@dataclass(frozen=True, kw_only=True)
class QuizSummary:
    question_count: int
    score: int
    correct: int  # includes "knew it"
    wrong: int  # includes "didn't know"
    timed_out: int
    missed: int
    total_time: timedelta  # time spent answering, without the pauses on feedback

    @property
    def accuracy(self) -> float:
        """Correct answers as a fraction of all questions; 0 for a quiz without questions."""
        return self.correct / self.question_count if self.question_count else 0.0


def summarize(results: Iterable[QuestionResult]) -> QuizSummary:
    results = list(results)
    outcomes = [result.outcome for result in results]
    return QuizSummary(
        question_count=len(results),
        score=sum(result.points for result in results),
        correct=sum(outcome.counts_as_correct for outcome in outcomes),
        wrong=sum(outcome in (Outcome.WRONG, Outcome.DIDNT_KNOW) for outcome in outcomes),
        timed_out=outcomes.count(Outcome.TIMED_OUT),
        missed=outcomes.count(Outcome.MISSED),
        total_time=sum(
            (result.elapsed for result in results if result.elapsed is not None), timedelta(0)
        ),
    )
