"""Quiz attempts: start one, show its questions, take answers, finish it.

The glue between the attempt models and quizzes/engine.py. The server owns the clock:
every function that depends on time takes `now` from the view (`timezone.now()`), and
lateness follows the engine's rules whatever the browser says. Each question is answered
once: answers are stored with a conditional UPDATE on a still-blank outcome, so a double
submit, a replayed request or a second tab changes nothing.
"""

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from quizzes import engine
from quizzes.models import Attempt, AttemptQuestion, CachedImage, Card, CardImage, Deck, Tag
from quizzes.services import reviews

QUICK_QUIZ_QUESTIONS = 10
QUICK_QUIZ_SECONDS = 20
QUICK_QUIZ_LIMIT = engine.TimeLimit(
    kind=engine.TimeLimitKind.PER_QUESTION, seconds=QUICK_QUIZ_SECONDS
)
MAX_QUESTIONS = 100


class QuizUnavailable(Exception):
    """No card of the deck (and tags) can be asked in this mode."""


class AnswerRejected(Exception):
    """The answer does not fit the question: not open yet, or a choice it does not offer."""


@dataclass(frozen=True, kw_only=True)
class QuizConfig:
    deck: Deck
    question_count: int
    mode: engine.QuizMode = engine.QuizMode.MULTIPLE_CHOICE
    time_limit: engine.TimeLimit = field(
        default_factory=lambda: engine.TimeLimit(kind=engine.TimeLimitKind.NONE)
    )
    tags: tuple[Tag, ...] = ()
    # The cards to ask first, in order (a Smart quiz, "Quiz me on these"); empty: any card.
    card_ids: tuple[int, ...] = ()

    @property
    def is_quick(self) -> bool:
        return (
            not self.tags
            and not self.card_ids
            and self.mode is engine.QuizMode.MULTIPLE_CHOICE
            and self.question_count == QUICK_QUIZ_QUESTIONS
            and self.time_limit == QUICK_QUIZ_LIMIT
        )


# --- The pool -------------------------------------------------------------------------------


def _pool_cards(deck: Deck) -> list[engine.PoolCard]:
    """The deck as the engine sees it, in two queries (cards, then their tags)."""
    uncached_question_image = CardImage.objects.filter(
        card=OuterRef("pk"), side=CardImage.Side.QUESTION
    ).filter(~Q(image__status=CachedImage.Status.CACHED) | Q(image__file=""))
    cards = (
        Card.objects.filter(deck=deck)
        .only("id", "answer_text", "answer_html", "is_cloze")
        .annotate(needs_missing_image=Exists(uncached_question_image))
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "slug")))
    )
    return [
        engine.PoolCard(
            id=card.id,
            answer_text=card.answer_text,
            tags=frozenset(tag.slug for tag in card.tags.all()),
            answer_is_image_only=card.answer_is_image_only,
            question_needs_missing_image=card.needs_missing_image,
            is_cloze=card.is_cloze,
        )
        for card in cards
    ]


@dataclass(frozen=True, kw_only=True)
class QuizPool:
    questions: tuple[engine.PoolCard, ...]  # cards the quiz may ask (tags applied)
    distractors: tuple[engine.PoolCard, ...]  # every eligible card of the deck
    left_out: tuple[engine.LeftOutCards, ...]


def quiz_pool(*, deck: Deck, mode: engine.QuizMode | str, tags: tuple[Tag, ...] = ()) -> QuizPool:
    """What a quiz on `deck` (restricted to `tags`, if any) can ask, and what it leaves out."""
    cards = _pool_cards(deck)
    wanted = {tag.slug for tag in tags}
    eligible = engine.eligible_pool(cards, mode=mode)
    if not wanted:
        return QuizPool(
            questions=eligible.cards, distractors=eligible.cards, left_out=eligible.left_out
        )
    tagged = engine.eligible_pool([card for card in cards if card.tags & wanted], mode=mode)
    return QuizPool(questions=tagged.cards, distractors=eligible.cards, left_out=tagged.left_out)


# --- Starting -------------------------------------------------------------------------------


def _new_seed() -> int:
    return secrets.randbits(63)


def _create_attempt(
    *,
    user,
    session_key: str,
    deck: Deck,
    mode: engine.QuizMode,
    time_limit: engine.TimeLimit,
    planned: list[tuple[int, list[dict], str]],
    seed: int,
    now: datetime,
    tags: tuple[Tag, ...] = (),
    is_quick: bool = False,
    challenge_of: Attempt | None = None,
    retry_of: Attempt | None = None,
) -> Attempt:
    attempt = Attempt.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        session_key="" if user is not None and user.is_authenticated else session_key or "",
        deck=deck,
        mode=mode,
        question_count=len(planned),
        time_limit_kind=time_limit.kind,
        time_limit_seconds=time_limit.seconds,
        seed=seed,
        is_quick=is_quick,
        challenge_of=challenge_of,
        retry_of=retry_of,
        started_at=now,
        deadline_at=engine.quiz_deadline(limit=time_limit, started_at=now),
    )
    if tags:
        attempt.tags.set(tags)
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(
            attempt=attempt,
            position=position,
            card_id=card_id,
            choices=choices,
            correct_choice_id=correct_choice_id,
        )
        for position, (card_id, choices, correct_choice_id) in enumerate(planned, start=1)
    )
    return attempt


def _planned_rows(plan: engine.QuizPlan) -> list[tuple[int, list[dict], str]]:
    return [
        (
            question.card_id,
            [
                {"id": choice.id, "text": choice.text, "card_id": choice.card_id}
                for choice in question.choices
            ],
            question.correct_choice_id or "",
        )
        for question in plan.questions
    ]


@transaction.atomic
def attempt_start(
    *, user, session_key: str, config: QuizConfig, seed: int | None = None, now: datetime
) -> Attempt:
    """Draw the questions and their choices, store them, and start the clock."""
    pool = quiz_pool(deck=config.deck, mode=config.mode, tags=config.tags)
    questions = pool.questions
    if config.card_ids:
        eligible = {card.id: card for card in pool.questions}
        chosen = [eligible[card_id] for card_id in config.card_ids if card_id in eligible]
        questions = tuple(chosen[: config.question_count])
    if not questions:
        raise QuizUnavailable("No card of this deck can be asked with these settings.")
    seed = _new_seed() if seed is None else seed
    plan = engine.plan_quiz(
        questions,
        count=min(config.question_count, MAX_QUESTIONS),
        mode=config.mode,
        seed=seed,
        distractor_pool=pool.distractors,
    )
    return _create_attempt(
        user=user,
        session_key=session_key,
        deck=config.deck,
        mode=config.mode,
        time_limit=config.time_limit,
        planned=_planned_rows(plan),
        seed=seed,
        now=now,
        tags=config.tags,
        is_quick=config.is_quick,
    )


def quick_quiz_deck() -> Deck | None:
    """The deck of the Quick quiz and its leaderboard: the first deck that has cards."""
    return Deck.objects.filter(cards__isnull=False).order_by("name", "pk").first()


def attempt_start_quick(*, user, session_key: str, deck: Deck, now: datetime) -> Attempt:
    config = QuizConfig(
        deck=deck,
        question_count=QUICK_QUIZ_QUESTIONS,
        mode=engine.QuizMode.MULTIPLE_CHOICE,
        time_limit=QUICK_QUIZ_LIMIT,
    )
    return attempt_start(user=user, session_key=session_key, config=config, now=now)


def attempt_start_cards(*, user, card_ids: list[int], now: datetime) -> Attempt:
    """A multiple-choice quiz, timed like the Quick quiz, on `card_ids` ("Quiz me on these"),
    within the deck of the first of them."""
    first = Card.objects.filter(pk__in=card_ids).order_by("deck__name", "number").first()
    if first is None:
        raise QuizUnavailable("None of these cards exists any more.")
    config = QuizConfig(
        deck=first.deck,
        question_count=min(len(card_ids), MAX_QUESTIONS),
        mode=engine.QuizMode.MULTIPLE_CHOICE,
        time_limit=QUICK_QUIZ_LIMIT,
        card_ids=tuple(card_ids),
    )
    return attempt_start(user=user, session_key="", config=config, now=now)


def _missed_card_ids(attempt: Attempt) -> list[int]:
    return list(
        attempt.questions.not_correct().order_by("position").values_list("card_id", flat=True)
    )


@transaction.atomic
def attempt_start_retry(
    *, attempt: Attempt, user, session_key: str, seed: int | None = None, now: datetime
) -> Attempt:
    """A new quiz of the cards `attempt` did not get right, in its mode and time limit.

    Wrong answers are still drawn from the whole deck. A whole-quiz limit shrinks with the
    number of questions, so the time per question stays the same.
    """
    missed = set(_missed_card_ids(attempt))
    if not missed:
        raise QuizUnavailable("Every answer of this quiz was right: nothing to retry.")
    cards = _pool_cards(attempt.deck)
    # A missed card stays askable even if the pool rules changed since (e.g. an image expired).
    questions = [card for card in cards if card.id in missed]
    distractors = engine.eligible_pool(cards, mode=attempt.mode).cards
    limit = attempt.time_limit
    if limit.kind is engine.TimeLimitKind.WHOLE_QUIZ:
        seconds = max(1, math.ceil(limit.seconds * len(questions) / attempt.question_count))
        limit = engine.TimeLimit(kind=limit.kind, seconds=seconds)
    seed = _new_seed() if seed is None else seed
    plan = engine.plan_quiz(
        questions,
        count=len(questions),
        mode=attempt.mode,
        seed=seed,
        distractor_pool=distractors or questions,
    )
    return _create_attempt(
        user=user,
        session_key=session_key,
        deck=attempt.deck,
        mode=engine.QuizMode(attempt.mode),
        time_limit=limit,
        planned=_planned_rows(plan),
        seed=seed,
        now=now,
        retry_of=attempt,
    )


@transaction.atomic
def attempt_start_challenge(*, original: Attempt, user, session_key: str, now: datetime) -> Attempt:
    """The same questions, choices (same texts, same order) and time limit as `original`.

    Choice ids are drawn anew: the challenger's page cannot be matched against the
    original's answers.
    """
    planned = []
    for question in original.questions.order_by("position"):
        new_ids = {choice["id"]: f"{secrets.randbits(64):016x}" for choice in question.choices}
        choices = [{**choice, "id": new_ids[choice["id"]]} for choice in question.choices]
        planned.append((question.card_id, choices, new_ids.get(question.correct_choice_id, "")))
    return _create_attempt(
        user=user,
        session_key=session_key,
        deck=original.deck,
        mode=engine.QuizMode(original.mode),
        time_limit=original.time_limit,
        planned=planned,
        seed=original.seed,
        now=now,
        challenge_of=original,
    )


# --- Playing --------------------------------------------------------------------------------


def _limit_seconds(attempt: Attempt) -> float | None:
    return engine.time_budget_per_question(
        limit=attempt.time_limit, question_count=attempt.question_count
    )


def _finish(*, attempt: Attempt, now: datetime) -> None:
    summary = questions_summary(attempt.questions.only("outcome", "points", "elapsed"))
    changes = {
        "finished_at": now,
        "score": summary.score,
        "correct_count": summary.correct,
        "total_time": summary.total_time,
    }
    if Attempt.objects.unfinished().filter(pk=attempt.pk).update(**changes):
        for name, value in changes.items():
            setattr(attempt, name, value)
    else:
        attempt.refresh_from_db()


def _expire(question: AttemptQuestion, *, now: datetime) -> None:
    result = engine.expire_question(
        question_started_at=question.started_at, deadline=question.deadline_at
    )
    expired = (
        AttemptQuestion.objects.unanswered()
        .filter(pk=question.pk)
        .update(outcome=result.outcome, points=0, elapsed=result.elapsed, answered_at=None)
    )
    if expired:
        question.outcome, question.elapsed = result.outcome, result.elapsed
        reviews.review_record_answer(attempt=question.attempt, question=question, now=now)


@transaction.atomic
def attempt_refresh(*, attempt: Attempt, now: datetime) -> Attempt:
    """Apply the clock: close a shown question past its deadline, finish a quiz past its own
    deadline (unanswered questions missed), and finish a quiz with every question answered.
    """
    if attempt.is_finished:
        return attempt
    if attempt.deadline_at and engine.is_late(answered_at=now, deadline=attempt.deadline_at):
        for question in attempt.questions.unanswered():
            _expire(question, now=now)
    else:
        overdue = attempt.questions.unanswered().filter(
            deadline_at__isnull=False, started_at__isnull=False
        )
        for question in overdue:
            if engine.is_late(answered_at=now, deadline=question.deadline_at):
                _expire(question, now=now)
    if not attempt.questions.unanswered().exists():
        _finish(attempt=attempt, now=now)
    return attempt


def _with_card(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("card__deck")


@transaction.atomic
def question_current(*, attempt: Attempt, now: datetime) -> AttemptQuestion | None:
    """The first unanswered question, its clock started when first shown; None when done."""
    attempt_refresh(attempt=attempt, now=now)
    if attempt.is_finished:
        return None
    question = _with_card(attempt.questions.unanswered()).order_by("position").first()
    if question is None:
        return None
    if question.started_at is None:
        deadline = engine.question_deadline(
            limit=attempt.time_limit, question_started_at=now, quiz_deadline=attempt.deadline_at
        )
        started = AttemptQuestion.objects.filter(pk=question.pk, started_at__isnull=True).update(
            started_at=now, deadline_at=deadline
        )
        if started:
            question.started_at, question.deadline_at = now, deadline
        else:
            question.refresh_from_db(fields=["started_at", "deadline_at"])
    question.attempt = attempt
    return question


def question_get(*, attempt: Attempt, position: int) -> AttemptQuestion | None:
    if not 1 <= position <= attempt.question_count:
        return None
    question = _with_card(attempt.questions.filter(position=position)).first()
    if question is not None:
        question.attempt = attempt
    return question


@dataclass(frozen=True, kw_only=True)
class AnswerReceipt:
    question: AttemptQuestion
    recorded: bool  # False when the question had been answered already (a replay)


@transaction.atomic
def answer_submit(
    *,
    attempt: Attempt,
    question: AttemptQuestion,
    choice_id: str | None = None,
    knew: bool | None = None,
    now: datetime,
) -> AnswerReceipt:
    """Record the answer to `question`: a choice in multiple choice, a self-grade (`knew`)
    for a flashcard. Late answers are timed out; a second answer changes nothing.

    Raises AnswerRejected for a question not shown yet, or a choice it does not offer.
    """
    if question.attempt_id != attempt.pk:
        raise AnswerRejected("This question is not part of the quiz.")
    if attempt.mode == Attempt.Mode.MULTIPLE_CHOICE:
        chosen = next((c for c in question.choices if c["id"] == choice_id), None)
        if chosen is None:
            raise AnswerRejected("Pick one of the question's choices.")
        correct = chosen["id"] == question.correct_choice_id
    else:
        if knew is None:
            raise AnswerRejected("Say whether you knew the answer.")
        chosen, correct = None, knew
    if question.started_at is None and not question.is_answered:
        # Only a quiz whose time ran out before this question was shown may close it.
        attempt_refresh(attempt=attempt, now=now)
        if not attempt.is_finished:
            raise AnswerRejected("This question has not been asked yet.")
        question.refresh_from_db()
    if question.is_answered or attempt.is_finished:
        return AnswerReceipt(question=question, recorded=False)
    result = engine.grade_answer(
        mode=attempt.mode,
        correct=correct,
        question_started_at=question.started_at,
        answered_at=now,
        deadline=question.deadline_at,
        limit_seconds=_limit_seconds(attempt),
    )
    changes = {
        "outcome": result.outcome,
        "points": result.points,
        "elapsed": result.elapsed,
        "answered_at": now,
        "chosen_choice_id": chosen["id"] if chosen else "",
        "chosen_card_id": chosen["card_id"] if chosen else None,
    }
    recorded = bool(AttemptQuestion.objects.unanswered().filter(pk=question.pk).update(**changes))
    if recorded:
        for name, value in changes.items():
            setattr(question, name, value)
        reviews.review_record_answer(attempt=attempt, question=question, now=now)
    else:
        question.refresh_from_db()
    attempt_refresh(attempt=attempt, now=now)
    return AnswerReceipt(question=question, recorded=recorded)


# --- Results and owners ---------------------------------------------------------------------


def attempt_questions_for_result(*, attempt: Attempt) -> QuerySet:
    return _with_card(attempt.questions.all()).order_by("position")


def questions_summary(questions) -> engine.QuizSummary:
    """The engine's summary of answered questions (an unanswered one counts as missed)."""
    return engine.summarize(
        engine.QuestionResult(
            outcome=engine.Outcome(question.outcome or engine.Outcome.MISSED),
            points=question.points,
            elapsed=question.elapsed,
        )
        for question in questions
    )


def attempts_claim(*, user, attempt_ids: list[str]) -> int:
    """Give a guest's attempts (ids remembered in their session) to the account they just
    signed up for or logged in to."""
    if not attempt_ids or not user.is_authenticated:
        return 0
    guest_attempts = Attempt.objects.owned_by(guest_attempt_ids=attempt_ids)
    claimed = guest_attempts.update(user=user, session_key="")
    reviews.review_record_claimed(user=user, attempt_ids=attempt_ids)
    return claimed
