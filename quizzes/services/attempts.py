"""Quiz attempts: start one, show its questions, take answers, finish it.

The glue between the attempt models and quizzes/engine.py. The server owns the clock:
every function that depends on time takes `now` from the view (`timezone.now()`), and
lateness follows the engine's rules whatever the browser says. Each question is answered
once: answers are stored with a conditional UPDATE on a still-blank outcome, so a double
submit, a replayed request or a second tab changes nothing.
"""

import hashlib
import json
import math
import random
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet

from quizzes import caching, engine, wording
from quizzes.models import (
    Attempt,
    AttemptQuestion,
    Card,
    CardKeyword,
    Deck,
    Distractor,
    ReadyQuiz,
    Tag,
)
from quizzes.models.deck import SHUFFLE_KEY_RANGE, askable, askable_fields
from quizzes.services import play_sql, reviews
from quizzes.services.accounts import account_lock
from quizzes.typed_answers import typed_verdict

QUICK_QUIZ_QUESTIONS = 10
QUICK_QUIZ_LIMIT = engine.TimeLimit(kind=engine.TimeLimitKind.FOR_LENGTH)
MAX_QUESTIONS = 100
# A quiz draws its questions among this many askable cards per question, taken in the order
# of their random shuffle key from a random place: two index range lookups, whatever the
# size of the deck, and each card about as likely as any other to be in it.
DRAW_WINDOW_PER_QUESTION = 5
# Wrong answers are looked up by each drawn question's most telling topic words (this many
# words, this many cards each) and by its kind of answer (this many cards each).
CANDIDATE_WORDS_PER_CARD = 4
CANDIDATES_PER_WORD = 12
CANDIDATES_PER_KIND = 24
# A statement looks up the candidates of cards until it holds this many lookups: on SQLite
# each is two SELECTs of a compound one, which may have 500. A Quick quiz needs one.
LOOKUPS_PER_STATEMENT = 200
# Decks of up to this many multiple-choice cards have their wrong answers settled together
# (choices_settle); a larger deck's cards each get their own steady ones, this many at a
# time (a worker task of a few seconds each, so that other tasks are not kept waiting).
SETTLED_DECK_CARDS = 1000
CHOICES_BATCH = 2000


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

_QUIZ_CARD_FIELDS = (
    "id",
    "deck_id",
    "question_text",
    "answer_text",
    "keywords",
    "choice_html",
    "choice_text",
    "choice_kind",
    "choice_words",
    "choice_stems",
    "choice_voice",
    "shuffle_key",
    "quiz_typed_answer",
    "steady_choices",
)


class QuizCardRow(NamedTuple):
    """What planning a quiz reads of a card (_QUIZ_CARD_FIELDS), without a model instance
    each: a quiz start reads a thousand of them at 100,000 cards."""

    id: int
    deck_id: int
    question_text: str
    answer_text: str
    keywords: str
    choice_html: str
    choice_text: str
    choice_kind: str
    choice_words: str
    choice_stems: str
    choice_voice: int
    shuffle_key: int
    quiz_typed_answer: str
    steady_choices: str

    @property
    def pk(self) -> int:
        return self.id

    @property
    def keyword_list(self) -> list[str]:
        return self.keywords.split()


def _quiz_rows(cards: QuerySet) -> list[QuizCardRow]:
    return [QuizCardRow(*row) for row in cards.values_list(*_QUIZ_CARD_FIELDS)]


def _quiz_card(card: QuizCardRow) -> engine.QuizCard:
    keywords = frozenset(card.keyword_list)
    answer = None
    if card.choice_html:
        answer = engine.Option(
            card_id=card.pk,
            text=card.choice_text,
            html=card.choice_html,
            kind=card.choice_kind,
            keywords=keywords,
            words=wording.ChoiceWords.from_stored(card.choice_words, card.choice_stems),
            reader_words=card.choice_voice,
        )
    return engine.QuizCard(
        id=card.pk, question_text=card.question_text, keywords=keywords, answer=answer
    )


def _askable(*, deck: Deck, mode: engine.QuizMode | str, tags: Sequence[Tag] = ()) -> QuerySet:
    cards = Card.objects.filter(deck=deck).askable(engine.QuizMode(mode))
    if tags:
        cards = cards.filter(tags__in=tags).distinct()
    return cards


def _draw_window(
    *, deck: Deck, mode: engine.QuizMode, tags: Sequence[Tag], count: int, rng: random.Random
) -> list[QuizCardRow]:
    """Up to DRAW_WINDOW_PER_QUESTION askable cards of `deck` (with one of `tags`) per
    question of a quiz of `count`, from a random place in shuffle-key order: two index
    range lookups (the index ends with the shuffle key, and the row id after it)."""
    size = DRAW_WINDOW_PER_QUESTION * count
    start = rng.randrange(SHUFFLE_KEY_RANGE)
    found = play_sql.draw_window(
        deck_id=deck.pk,
        columns=_QUIZ_CARD_FIELDS,
        conditions=askable_fields(mode),
        tag_ids=[tag.pk for tag in tags],
        start=start,
        size=size,
    )
    rows = [QuizCardRow(*row) for row in found]
    rows.sort(key=lambda card: (card.shuffle_key < start, card.shuffle_key, card.pk))
    return rows[:size]


class _CandidateLookups:
    """Cards from many small index range lookups (rows of one word, of one kind of answer,
    from a random place in shuffle-key order), each with the questions it is for, in one
    query: a UNION ALL of plain SELECTs joined to the cards. Written out because the ORM
    spends more time compiling ninety subqueries than the database spends running them."""

    def __init__(self):
        self.questions: list[frozenset[int]] = []  # per lookup, the card ids it is for
        # Per (table, card id column, columns compared): each lookup's number, size, the
        # values compared and its start, in the order added.
        self.groups: dict[tuple, list[tuple]] = {}

    def add(
        self, model, value: str, equal: dict, *, start: int, size: int, questions: Iterable[int]
    ) -> None:
        """`size` cards (`value`: the card id column of `model`) from `start` on in the
        order of their shuffle key and id, going round to the lowest keys: the first `size`
        from `start` (side 0) and the first `size` from the lowest key (side 1), of which
        the query keeps the first `size` by side, key and card id. In the index's own order:
        a sort per lookup costs SQLite ten times the lookup itself when there are forty."""
        self.groups.setdefault((model._meta.db_table, value, tuple(equal)), []).append(
            (len(self.questions), int(size), *equal.values(), start)
        )
        self.questions.append(frozenset(questions))

    def _found(self) -> tuple[str, list]:
        """The lookups' rows (lookup, side, size, card id, shuffle key), as a statement to
        name `found`: on SQLite a UNION ALL of two index range reads per lookup. On
        PostgreSQL, planning ninety such branches took four times as long as running them
        (9.6 ms against 2.6 at 79 cards), so there each kind of lookup is one LATERAL
        subquery over a VALUES list of its lookups, planned once: the same index range
        reads, in the same order."""
        parts, params = [], []
        lateral = connection.vendor == "postgresql"
        for (table, value, columns), lookups in self.groups.items():
            if not lateral:
                where = " AND ".join(f"{column} = %s" for column in columns)
                for lookup, size, *equal, start in lookups:
                    for side, comparison in enumerate((">=", "<")):
                        parts.append(
                            f"SELECT * FROM (SELECT {lookup} AS lookup, {side} AS side, "
                            f"{size} AS size, {value} AS v, shuffle_key AS k FROM {table} "
                            f"WHERE {where} AND shuffle_key {comparison} %s "
                            f"ORDER BY shuffle_key, {value} LIMIT %s) s{lookup}_{side}"
                        )
                        params += [*equal, start, size]
                continue
            names = [f"e{number}" for number in range(len(columns))]
            where = " AND ".join(
                f"t.{column} = l.{name}" for column, name in zip(columns, names, strict=True)
            )
            width = 5 + len(columns)
            rows = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * (2 * len(lookups)))
            parts.append(
                f"SELECT l.lookup, l.side, l.size, x.v, x.k FROM (VALUES {rows}) "
                f"AS l(lookup, side, size, {', '.join(names)}, lo, hi) CROSS JOIN LATERAL "
                f"(SELECT t.{value} AS v, t.shuffle_key AS k FROM {table} t WHERE {where} "
                "AND t.shuffle_key >= l.lo AND t.shuffle_key < l.hi "
                f"ORDER BY t.shuffle_key, t.{value} LIMIT l.size) x"
            )
            for lookup, size, *equal, start in lookups:
                # Side 0 from `start` to the top of the keys, side 1 from the bottom to it.
                params += [lookup, 0, size, *equal, start, SHUFFLE_KEY_RANGE]
                params += [lookup, 1, size, *equal, 0, start]
        return " UNION ALL ".join(parts), params

    def options(self, drawn: Sequence[engine.QuizCard]) -> list[engine.Option]:
        """Each card found once, as a choice, for every question a lookup found it for; and
        in the same statement the `drawn` cards' own hand-written distractors, each for
        its own card's question."""
        parts, params, found = [], [], ""
        if self.questions:
            # Each lookup's first `size` picked by one window function over them all, not
            # by a sort per lookup.
            found_sql, found_params = self._found()
            found = (
                f"WITH found AS ({found_sql}), "
                "ranked AS (SELECT lookup, v, size, ROW_NUMBER() OVER "
                "(PARTITION BY lookup ORDER BY side, k, v) AS place FROM found) "
            )
            parts.append(
                "SELECT ranked.lookup, c.id, NULL, c.choice_html, c.choice_text, c.choice_kind, "
                "c.keywords, c.choice_words, c.choice_stems, c.choice_voice, "
                f"(SELECT COUNT(*) FROM {Distractor._meta.db_table} w "
                "WHERE w.card_id = c.id AND w.choice_html <> '') "
                f"FROM ranked JOIN {Card._meta.db_table} c ON c.id = ranked.v "
                "WHERE ranked.place <= ranked.size AND c.choice_html <> ''"
            )
            params += found_params
        if drawn:
            parts.append(
                "SELECT -1, d.card_id, d.id, d.choice_html, d.text, '', '', d.words, d.stems, "
                f"NULL, 0 FROM {Distractor._meta.db_table} d WHERE d.choice_html <> '' "
                f"AND d.card_id IN ({', '.join(['%s'] * len(drawn))})"
            )
            params += [card.id for card in drawn]
        if not parts:
            return []
        with connection.cursor() as cursor:
            cursor.execute(found + " UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
        cards: dict[int, tuple] = {}
        questions: dict[int, set[int]] = {}
        curated = []
        for lookup, card_id, distractor_id, *choice in rows:
            if distractor_id is not None:
                curated.append((card_id, distractor_id, choice))
                continue
            cards[card_id] = choice
            questions.setdefault(card_id, set()).update(self.questions[lookup])
        options = [
            engine.Option(
                card_id=card_id,
                text=text,
                html=html,
                kind=kind,
                keywords=frozenset(topic.split()),
                found_for=frozenset(questions[card_id]),
                words=wording.ChoiceWords.from_stored(written, stems),
                reader_words=voice,
                wrong_answers_written=written_count,
            )
            for card_id, (html, text, kind, topic, written, stems, voice, written_count) in (
                cards.items()
            )
        ]
        own = {card.id: card for card in drawn}
        for card_id, distractor_id, (html, text, _, _, written, stems, _, _) in curated:
            card = own[card_id]
            options.append(
                engine.Option(
                    card_id=card_id,
                    text=text,
                    html=html,
                    kind=card.answer.kind if card.answer else "",
                    keywords=card.keywords,
                    distractor_id=distractor_id,
                    found_for=frozenset({card_id}),
                    words=wording.ChoiceWords.from_stored(written, stems),
                )
            )
        return options


def _candidate_finder(deck: Deck):
    """The function engine.plan_quiz calls with the cards it drew: it looks up wrong answers
    for them in one query, whatever the size of the deck. For each card, other cards about
    its most telling words (through the CardKeyword index) and cards with its kind of
    answer (sentences too, for another kind: a deck may have few of it); and the drawn
    cards' own hand-written distractors. Each lookup starts at a place in the shuffle
    order seeded by its card's question and answer, so a card's candidates, and so its
    choices (engine.build_choices), are the same at every quiz while the deck stays the
    same; each is for the question whose lookup found it (engine.candidates_by_question)."""

    def find(drawn: Sequence[engine.QuizCard]) -> list[engine.Option]:
        statements = [_CandidateLookups()]
        for card in drawn:
            if card.answer is None:
                continue
            lookups = statements[-1]
            if len(lookups.questions) > LOOKUPS_PER_STATEMENT:
                lookups = _CandidateLookups()
                statements.append(lookups)
            steady = random.Random(f"{card.question_text}\n{card.answer.text}:candidates")
            words = sorted(card.keywords, key=lambda word: (-len(word), word))
            for word in words[:CANDIDATE_WORDS_PER_CARD]:
                lookups.add(
                    CardKeyword,
                    "card_id",
                    {"deck_id": deck.pk, "word": word},
                    start=steady.randrange(SHUFFLE_KEY_RANGE),
                    size=CANDIDATES_PER_WORD,
                    questions=(card.id,),
                )
            for kind in dict.fromkeys((card.answer.kind, wording.AnswerKind.PROSE)):
                lookups.add(
                    Card,
                    "id",
                    {"deck_id": deck.pk, "choice_kind": kind},
                    start=steady.randrange(SHUFFLE_KEY_RANGE),
                    size=CANDIDATES_PER_KIND,
                    questions=(card.id,),
                )
        # The drawn cards' own wrong answers come with the first statement.
        found = statements[0].options(drawn)
        for lookups in statements[1:]:
            found += lookups.options(())
        return found

    return find


@dataclass(frozen=True, kw_only=True)
class PoolSummary:
    available: int  # cards a quiz in this mode can ask
    left_out: tuple[engine.LeftOutCards, ...]


def quiz_pool_summary(*, deck: Deck, tags: Sequence[Tag] = ()) -> dict[str, PoolSummary]:
    """For each mode, how many cards of `deck` (with one of `tags`) a quiz can ask, and how
    many it leaves out and why (engine.left_out_reason), in one query."""
    cards = Card.objects.filter(deck=deck)
    if tags:
        cards = cards.filter(pk__in=Card.objects.filter(deck=deck, tags__in=tags).values("pk"))
    missing_question = Q(question_needs_missing_image=True)
    cloze = Q(is_cloze=True)
    no_choice = Q(choice_html="") & ~cloze
    not_typable = Q(quiz_typed_answer="")
    counts = cards.aggregate(
        total=Count("pk"),
        missing_question=Count("pk", filter=missing_question),
        not_typable=Count("pk", filter=not_typable),
        missing_question_typable=Count("pk", filter=missing_question & ~not_typable),
        cloze=Count("pk", filter=cloze),
        no_choice=Count("pk", filter=no_choice),
        missing_question_only=Count("pk", filter=missing_question & ~no_choice & ~cloze),
    )
    left_out = {
        engine.QuizMode.MULTIPLE_CHOICE: [
            (engine.LeftOutReason.CLOZE, counts["cloze"]),
            (engine.LeftOutReason.ANSWER_NEEDS_MISSING_IMAGE, counts["no_choice"]),
            (engine.LeftOutReason.QUESTION_IMAGE_NOT_CACHED, counts["missing_question_only"]),
        ],
        engine.QuizMode.FLASHCARD: [
            (engine.LeftOutReason.QUESTION_IMAGE_NOT_CACHED, counts["missing_question"]),
        ],
        engine.QuizMode.TYPED: [
            (engine.LeftOutReason.NOT_TYPABLE, counts["not_typable"]),
            (engine.LeftOutReason.QUESTION_IMAGE_NOT_CACHED, counts["missing_question_typable"]),
        ],
    }
    return {
        mode.value: PoolSummary(
            available=counts["total"] - sum(count for _, count in reasons),
            left_out=tuple(
                engine.LeftOutCards(reason=reason, count=count)
                for reason, count in reasons
                if count
            ),
        )
        for mode, reasons in left_out.items()
    }


# --- Starting -------------------------------------------------------------------------------


def _new_seed() -> int:
    return secrets.randbits(63)


@dataclass(frozen=True, kw_only=True)
class _Planned:
    card_id: int
    choices: list[dict]
    correct_choice_id: str
    reading_words: int
    # 0 in plans stored before it was counted: only answers within a second count as too
    # fast to read then.
    skim_words: int = 0
    # In a "Type the answer" quiz, what is to be typed (Card.quiz_typed_answer).
    typed_expected: str = ""


def _images(html: str) -> int:
    return html.count("<img")


def _reading_words(
    card: QuizCardRow, choices: Sequence[engine.Choice], images: Counter, *, typed: bool = False
) -> int:
    """What a question asks to read (engine.words_to_read): the question and its choices, or
    for a flashcard the question and its answer, with their images (`images`, per card and
    side, _card_images); for a typed answer the question, and the answer's typing as the
    words read in that time (engine.typing_words)."""
    words = engine.words_to_read(card.question_text, images=images[card.pk, "question"])
    if typed:
        return words + engine.typing_words(len(card.quiz_typed_answer))
    if not choices:
        return words + engine.words_to_read(card.answer_text, images=images[card.pk, "answer"])
    return words + sum(
        engine.words_to_read(choice.text, images=_images(choice.html)) for choice in choices
    )


def _skim_words(card: QuizCardRow, question: engine.PlannedQuestion, images: Counter) -> int:
    """The least a learner who knows the answer reads: the question and the right choice (a
    flashcard's answer), with their images. They need not read the wrong choices to the end."""
    words = engine.words_to_read(card.question_text, images=images[card.pk, "question"])
    right = [c for c in question.choices if c.id == question.correct_choice_id]
    if not right:
        return words + engine.words_to_read(card.answer_text, images=images[card.pk, "answer"])
    return words + engine.words_to_read(right[0].text, images=_images(right[0].html))


def _card_images(card_ids: Iterable[int]) -> Counter[tuple[int, str]]:
    """How many images each card shows on each side (a quiz asks only cards whose question's
    images are cached, so each is shown), by (card id, side)."""
    return Counter(play_sql.card_image_sides(list(card_ids)))


def _planned(plan: engine.QuizPlan, cards: dict[int, QuizCardRow]) -> list[_Planned]:
    images = _card_images(question.card_id for question in plan.questions)
    typed = plan.mode is engine.QuizMode.TYPED
    return [
        _Planned(
            card_id=question.card_id,
            choices=[
                {
                    "id": choice.id,
                    "text": choice.text,
                    "html": choice.html,
                    "card_id": choice.card_id,
                    "distractor_id": choice.distractor_id,
                }
                for choice in question.choices
            ],
            correct_choice_id=question.correct_choice_id or "",
            reading_words=_reading_words(
                cards[question.card_id], question.choices, images, typed=typed
            ),
            skim_words=_skim_words(cards[question.card_id], question, images),
            typed_expected=cards[question.card_id].quiz_typed_answer if typed else "",
        )
        for question in plan.questions
    ]


# Only the writes in a transaction: the draw and the plan before it are reads and Python,
# and on SQLite a transaction holds the database's write lock from its first statement.
# Within the claim of a ready quiz's transaction, no savepoint (two more round trips).
@transaction.atomic(savepoint=False)
def _create_attempt(
    *,
    user,
    session_key: str,
    deck: Deck,
    mode: engine.QuizMode,
    time_limit: engine.TimeLimit,
    planned: list[_Planned],
    seed: int,
    now: datetime,
    tags: tuple[Tag, ...] = (),
    is_quick: bool = False,
    challenge_of: Attempt | None = None,
    retry_of: Attempt | None = None,
) -> Attempt:
    attempt = Attempt(
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
    if is_quick and attempt.user_id is not None:
        # Counted and stored one start (or claim) at a time: two started at once would
        # otherwise both count the same nine and both rank as the tenth.
        account_lock(user_id=attempt.user_id)
        attempt.past_ranked_per_day = engine.is_past_ranked_per_day(
            started_before=_quick_quizzes_started(user_id=attempt.user_id, deck=deck, now=now)
        )
    allowed = engine.seconds_allowed_each(
        limit=time_limit, words=[question.reading_words for question in planned]
    )
    play_sql.attempt_insert(
        attempt=attempt,
        questions=[
            {
                "position": position,
                "card_id": question.card_id,
                "choices": question.choices,
                "correct_choice_id": question.correct_choice_id,
                "reading_words": question.reading_words,
                "skim_words": question.skim_words,
                "typed_expected": question.typed_expected,
                "seconds_allowed": seconds,
            }
            for position, (question, seconds) in enumerate(zip(planned, allowed, strict=True), 1)
        ],
        offered=[c["distractor_id"] for q in planned for c in q.choices if c.get("distractor_id")],
    )
    if tags:
        attempt.tags.set(tags)
    return attempt


def _quick_quizzes_started(*, user_id: int, deck: Deck, now: datetime) -> int:
    """How many Quick quizzes the learner started on `deck` in the day before `now`
    (finished, given up or not ranked alike), up to the number that ranks in a day: read
    from the learner's own quizzes by start (an index), whoever else plays. Those played as
    a guest and claimed do not count: they never rank."""
    return play_sql.quick_quizzes_started(
        user_id=user_id,
        deck_id=deck.pk,
        since=now - engine.RANKED_QUIZZES_WINDOW,
        limit=engine.RANKED_QUICK_QUIZZES_PER_DAY,
    )


def _settled_name(deck_id: int) -> str:
    return f"choices-settled:{engine.CHOICES_VERSION}:{deck_id}"


def choices_wanted_key(deck_id: int) -> str:
    return f"steady-choices:{deck_id}:asked"


def choices_settle(deck: Deck) -> bool:
    """Choose the wrong answers of `deck`'s multiple-choice cards ahead of their quizzes and
    store them with the cards (Card.steady_choices), so that a start reads them instead of
    looking candidates up and weighing them. Run by the worker before it plans Quick
    quizzes. A deck of up to SETTLED_DECK_CARDS is settled together (engine.settle_choices)
    once per version of the decks; a larger deck's cards get each their own steady choice,
    CHOICES_BATCH at a time: a player would have to remember thousands of questions'
    choices to tell the answers offered less often. Whether cards are left for another
    batch (choices_wanted)."""
    if caching.kept(_settled_name(deck.pk)):
        return False  # done under this version of the decks
    askable = _askable(deck=deck, mode=engine.QuizMode.MULTIPLE_CHOICE).order_by("id")
    if askable[: SETTLED_DECK_CARDS + 1].count() <= SETTLED_DECK_CARDS:
        # The value, the number stored, in a list: it may be 0.
        caching.cached(_settled_name(deck.pk), lambda: [_choices_store(deck, _quiz_rows(askable))])
        return False
    # Those without, and those chosen under other rules (engine.CHOICES_VERSION).
    unchosen = askable.exclude(steady_choices__startswith=f"{engine.CHOICES_VERSION}-")
    rows = _quiz_rows(unchosen[:CHOICES_BATCH])
    _choices_store(deck, rows, rounds=0)
    if len(rows) == CHOICES_BATCH:
        return True
    # Not looked for again until the cards change: a scan of the deck at every top-up.
    caching.cached(_settled_name(deck.pk), lambda: [len(rows)])
    return False


def choices_wanted(deck: Deck) -> None:
    """Ask the worker to choose `deck`'s wrong answers (choices_settle; a large deck's next
    batch), once until it has."""
    if cache.add(choices_wanted_key(deck.pk), True, timeout=600):
        from quizzes.tasks import choices_settle_task

        transaction.on_commit(lambda: choices_settle_task.enqueue(deck.pk))


def _choices_store(
    deck: Deck, rows: list[QuizCardRow], *, rounds: int = engine.SETTLING_ROUNDS
) -> int:
    """Choose the wrong answers of the cards of `rows` together (engine.settle_choices over
    `rounds`), among candidates looked up in `deck`, and store those that changed; how
    many did."""
    if not rows:
        return 0
    cards = [_quiz_card(row) for row in rows]
    finder = _candidate_finder(deck)
    if rounds:
        refs = engine.settle_choices(cards, finder(cards), rounds=rounds)
    else:
        # Each card on its own: a statement's worth of cards at a time, never all their
        # candidates in memory at once.
        refs = {}
        step = LOOKUPS_PER_STATEMENT // (CANDIDATE_WORDS_PER_CARD + 2)
        for start in range(0, len(cards), step):
            chunk = cards[start : start + step]
            refs.update(engine.settle_choices(chunk, finder(chunk), rounds=0))
    changed = []
    for row, card in zip(rows, cards, strict=True):
        stored = _choices_written(card, refs.get(card.id, ()))
        if stored != row.steady_choices:
            changed.append(Card(pk=card.id, steady_choices=stored))
    Card.objects.bulk_update(changed, ["steady_choices"], batch_size=500)
    return len(changed)


def _choices_digest(question_text: str, choice_text: str) -> str:
    """What a card's stored choices were chosen for: the rules' version, and a digest of the
    question and answer."""
    text = f"{question_text}\n{choice_text}".encode()
    return f"{engine.CHOICES_VERSION}-{hashlib.blake2b(text, digest_size=6).hexdigest()}"


def _choices_written(card: engine.QuizCard, refs: Iterable[engine.ChoiceRef]) -> str:
    """Card.steady_choices for `refs`: what they were chosen for (_choices_digest), then
    each."""
    words = [
        f"{card_id}:{distractor_id}" if distractor_id else str(card_id)
        for card_id, distractor_id in refs
    ]
    return " ".join([_choices_digest(card.question_text, card.answer.text), *words])


def _choices_read(row: QuizCardRow) -> tuple[engine.ChoiceRef, ...] | None:
    """The wrong answers stored with the card of `row`; None when none are, or they were
    chosen for another question or answer than it has now (an edit since), or by other
    rules."""
    digest, _, words = row.steady_choices.partition(" ")
    if not digest or digest != _choices_digest(row.question_text, row.choice_text):
        return None
    refs = []
    for word in words.split():
        card_id, _, distractor_id = word.partition(":")
        refs.append((int(card_id), int(distractor_id) if distractor_id else None))
    return tuple(refs)


def _chosen_finder(deck: Deck, rows: dict[int, QuizCardRow]):
    """The function engine.plan_quiz calls with the cards it drew: the wrong answers stored
    with them (choices_settle), read in one query. A card whose stored choices no longer
    stand (one is gone or is no choice now, or says what another or the answer says) is
    left to its candidates, as a card the worker has not reached yet."""

    def find(drawn: Sequence[engine.QuizCard]) -> engine.ChosenByCard:
        stored = {
            card.id: refs
            for card in drawn
            if card.answer is not None and (refs := _choices_read(rows[card.id])) is not None
        }
        found = _choice_options(deck, {card.id: card for card in drawn}, stored.values())
        chosen = {}
        for card_id, refs in stored.items():
            picks = tuple(found.get(ref) for ref in refs)
            texts = {engine.normalize_answer(rows[card_id].choice_text)}
            texts.update(engine.normalize_answer(option.text) for option in picks if option)
            if None in picks or "" in texts or len(texts) != len(picks) + 1:
                continue
            if any(option.distractor_id and option.card_id != card_id for option in picks):
                continue
            chosen[card_id] = picks
        return chosen

    return find


def _choice_options(
    deck: Deck, drawn: dict[int, engine.QuizCard], refs: Iterable[Sequence[engine.ChoiceRef]]
) -> dict[engine.ChoiceRef, engine.Option]:
    """The options `refs` name, in one query: cards of `deck` that can be a choice, and
    hand-written distractors of the `drawn` cards."""
    card_ids, distractor_ids = set(), set()
    for card_id, distractor_id in (ref for card_refs in refs for ref in card_refs):
        if distractor_id is None:
            card_ids.add(card_id)
        elif card_id in drawn:
            distractor_ids.add(distractor_id)
    parts, params = [], []
    if card_ids:
        parts.append(
            "SELECT c.id, NULL, c.choice_html, c.choice_text, c.choice_kind, c.keywords, "
            f"c.choice_words, c.choice_stems, c.choice_voice FROM {Card._meta.db_table} c "
            f"WHERE c.deck_id = %s AND c.choice_html <> '' AND c.id IN "
            f"({', '.join(['%s'] * len(card_ids))})"
        )
        params += [deck.pk, *sorted(card_ids)]
    if distractor_ids:
        parts.append(
            "SELECT d.card_id, d.id, d.choice_html, d.text, '', '', d.words, d.stems, 0 "
            f"FROM {Distractor._meta.db_table} d WHERE d.choice_html <> '' AND d.id IN "
            f"({', '.join(['%s'] * len(distractor_ids))})"
        )
        params += sorted(distractor_ids)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    found = {}
    for card_id, distractor_id, html, text, kind, topic, written, stems, voice in rows:
        keywords = frozenset(topic.split())
        if distractor_id is not None:
            if card_id not in drawn:
                continue
            # A hand-written wrong answer is of its card's kind and topic (as the finder's).
            own = drawn[card_id]
            kind, keywords, voice = own.answer.kind, own.keywords, None
        found[(card_id, distractor_id)] = engine.Option(
            card_id=card_id,
            text=text,
            html=html,
            kind=kind,
            keywords=keywords,
            distractor_id=distractor_id,
            words=wording.ChoiceWords.from_stored(written, stems),
            reader_words=voice,
        )
    return found


def _plan(
    cards: list[QuizCardRow], *, deck: Deck, count: int, mode: engine.QuizMode, seed: int
) -> list[_Planned]:
    """The engine's plan over `cards`: each card asked among the wrong answers stored with
    it where the worker has chosen them (choices_settle), else among its own steady ones,
    looked up in `deck`."""
    rows = {card.pk: card for card in cards}
    plan = engine.plan_quiz(
        [_quiz_card(card) for card in cards],
        count=count,
        mode=mode,
        seed=seed,
        candidates=_candidate_finder(deck),
        chosen=_chosen_finder(deck, rows),
    )
    return _planned(plan, rows)


def _draw_and_plan(config: QuizConfig, *, seed: int) -> list[_Planned]:
    """The questions of a quiz with `config` and their choices, drawn and weighed from
    `seed`; QuizUnavailable when no card can be asked."""
    count = min(config.question_count, MAX_QUESTIONS)
    if config.card_ids:
        askable = _askable(deck=config.deck, mode=config.mode, tags=config.tags)
        chosen = _quiz_rows(askable.filter(pk__in=config.card_ids).order_by())
        by_id = {card.pk: card for card in chosen}
        cards = [by_id[pk] for pk in dict.fromkeys(config.card_ids) if pk in by_id]
        cards = cards[: config.question_count]
    else:
        cards = _draw_window(
            deck=config.deck,
            mode=config.mode,
            tags=config.tags,
            count=count,
            rng=random.Random(f"{seed}:draw"),
        )
    if not cards:
        raise QuizUnavailable("No card of this deck can be asked with these settings.")
    planned = _plan(cards, deck=config.deck, count=count, mode=config.mode, seed=seed)
    if engine.QuizMode(config.mode) is engine.QuizMode.MULTIPLE_CHOICE:
        # A question whose only choice is its answer asks nothing: a deck with a single
        # answer to offer (one card, or cards that all say the same) has no wrong one.
        planned = [question for question in planned if len(question.choices) > 1]
        if not planned:
            raise QuizUnavailable(
                "Multiple choice needs wrong answers to offer, and these cards have none "
                "(they need at least two different answers): take them as flashcards."
            )
    return planned


def attempt_start(
    *, user, session_key: str, config: QuizConfig, seed: int | None = None, now: datetime
) -> Attempt:
    """Draw the questions and their choices, store them, and start the clock. A Quick quiz
    starts one planned ahead when one is waiting (`ready_quick_quizzes_top_up`)."""
    if seed is None and config.is_quick and settings.QUIZSITE_READY_QUICK_QUIZZES > 0:
        attempt = _start_ready(user=user, session_key=session_key, config=config, now=now)
        if attempt is not None:
            return attempt
        ready_quick_quizzes_wanted(config.deck)
    seed = _new_seed() if seed is None else seed
    return _create_attempt(
        user=user,
        session_key=session_key,
        deck=config.deck,
        mode=config.mode,
        time_limit=config.time_limit,
        planned=_draw_and_plan(config, seed=seed),
        seed=seed,
        now=now,
        tags=config.tags,
        is_quick=config.is_quick,
    )


# --- Quick quizzes planned ahead --------------------------------------------------------
# Drawing a quiz's cards and weighing their wrong answers is most of a start's work, and the
# part that grows with the deck (~8 ms at 79 cards, ~30 at 100,000). A Quick quiz asks
# nothing of its learner, so the background worker plans them ahead, per deck, and a start
# claims one: a learner's start costs storing the attempt, whatever the deck's size, and a
# class starting at once does not wait for each other's planning. Each plan is drawn as a
# start would draw it, and started once.

# The worker is asked to plan more when a start claims the plan that leaves this share of
# them waiting, or finds none.
READY_REFILL_SHARE = 0.5


def ready_refill_key(deck_id: int) -> str:
    return f"ready-quick-quizzes:{deck_id}:asked"


def ready_quick_quizzes_wanted(deck: Deck) -> None:
    """Ask the worker to top the deck's plans up, once until it has."""
    if settings.QUIZSITE_READY_QUICK_QUIZZES <= 0:
        return
    if cache.add(ready_refill_key(deck.pk), True, timeout=120):
        from quizzes.tasks import ready_quick_quizzes_top_up_task

        transaction.on_commit(lambda: ready_quick_quizzes_top_up_task.enqueue(deck.pk))


@transaction.atomic
def _start_ready(*, user, session_key: str, config: QuizConfig, now: datetime) -> Attempt | None:
    """A Quick quiz planned ahead under the decks' current version, claimed and stored as
    the learner's attempt in one transaction; None when none is waiting."""
    claimed = play_sql.ready_quiz_claim(
        deck_id=config.deck.pk, decks_version=caching.deck_pages_version()
    )
    if claimed is None:
        return None
    seed, questions, refill = claimed
    if refill:
        ready_quick_quizzes_wanted(config.deck)
    return _create_attempt(
        user=user,
        session_key=session_key,
        deck=config.deck,
        mode=config.mode,
        time_limit=config.time_limit,
        planned=[_Planned(**question) for question in json.loads(questions)],
        seed=seed,
        now=now,
        is_quick=True,
    )


def ready_quick_quizzes_top_up(*, deck: Deck, target: int | None = None) -> int:
    """Plan Quick quizzes on `deck` until `target` (QUIZSITE_READY_QUICK_QUIZZES) wait under
    the decks' current version, and delete those planned under an older one; the number
    planned. Run by the worker (quizzes/tasks.py). The plans are drawn before the short
    transaction that stores them, and not stored if the cards changed meanwhile."""
    target = settings.QUIZSITE_READY_QUICK_QUIZZES if target is None else target
    version = caching.deck_pages_version()
    ReadyQuiz.objects.filter(deck=deck).exclude(decks_version=version).delete()
    waiting = ReadyQuiz.objects.filter(deck=deck, decks_version=version).count()
    if choices_settle(deck):
        choices_wanted(deck)
    config = quick_quiz_config(deck)
    plans = []
    for _ in range(max(0, target - waiting)):
        seed = _new_seed()
        try:
            planned = _draw_and_plan(config, seed=seed)
        except QuizUnavailable:
            break
        plans.append(
            ReadyQuiz(
                deck=deck,
                decks_version=version,
                seed=seed,
                # vars(), not asdict(), which copies every choice first (1.5 ms a plan).
                questions=json.dumps([vars(question) for question in planned]),
            )
        )
    if not plans or caching.deck_pages_version() != version:
        return 0
    # Starts claim the oldest first: the one whose claim leaves READY_REFILL_SHARE waiting
    # asks for more.
    refill_at = len(plans) - round(target * READY_REFILL_SHARE) - 1
    plans[max(0, min(refill_at, len(plans) - 1))].refill_when_claimed = True
    ReadyQuiz.objects.bulk_create(plans)
    return len(plans)


def quiz_decks() -> list[Deck]:
    """The decks a quiz can be taken on, most cards first, with `card_count` and
    `choice_count` (the cards a multiple-choice quiz can ask): counted once per change of
    the decks (caching), not at every page that offers a quiz."""
    return caching.cached(
        "quiz-decks",  # quiz_deck reads it too
        lambda: list(
            Deck.objects.annotate(
                card_count=Count("cards"),
                choice_count=Count("cards", filter=askable("multiple_choice", prefix="cards__")),
            )
            .filter(card_count__gt=0)
            .order_by("-card_count", "name")
        ),
    )


def quiz_deck(*, slug: str) -> Deck | None:
    """The deck `slug` names: from the decks a quiz can be taken on when they are cached
    already (no query; never built for this, at 100,000 cards it takes a quarter of a
    second), else read. A deck without cards is not among them."""
    decks = caching.kept("quiz-decks") or []
    found = next((deck for deck in decks if deck.slug == slug), None)
    return found or Deck.objects.filter(slug=slug).first()


def default_deck(
    *, user, guest_session_key: str | None = None, decks: Sequence[Deck] | None = None
) -> Deck | None:
    """The deck a quiz page starts on: the one the learner last played, else the deck with
    the most cards. `decks` are `quiz_decks()`, when the caller has them already."""
    decks = quiz_decks() if decks is None else decks
    last_played = (
        Attempt.objects.owned_by(user=user, guest_session_key=guest_session_key)
        .order_by("-started_at")
        .values_list("deck_id", flat=True)
        .first()
    )
    return next((deck for deck in decks if deck.pk == last_played), decks[0] if decks else None)


def quick_quiz_text(*, askable: int, with_rule: bool = True) -> str:
    """What a Quick quiz on a deck is, from the deck's numbers: `askable` is how many of its
    cards multiple choice can ask (`quiz_decks`' choice_count). Without the rule, the time
    for length is named and not spelled out (the page states it elsewhere)."""
    questions = min(QUICK_QUIZ_QUESTIONS, askable)
    rule = f" ({engine.TIME_FOR_LENGTH_RULE})" if with_rule else ""
    return (
        f"{questions} multiple-choice question{'s' if questions != 1 else ''}, drawn from the "
        f"{askable} card{'s' if askable != 1 else ''} of this deck that multiple choice can ask; "
        f"each question gets time for its length{rule}, and faster right answers score more."
    )


def quick_quiz_config(deck: Deck) -> QuizConfig:
    return QuizConfig(
        deck=deck,
        question_count=QUICK_QUIZ_QUESTIONS,
        mode=engine.QuizMode.MULTIPLE_CHOICE,
        time_limit=QUICK_QUIZ_LIMIT,
    )


def attempt_start_quick(*, user, session_key: str, deck: Deck, now: datetime) -> Attempt:
    config = quick_quiz_config(deck)
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


def _missed(attempt: Attempt) -> dict[int, int | None]:
    """The cards `attempt` did not get right, in order, each with its question's seconds."""
    return dict(
        attempt.questions.not_correct()
        .order_by("position")
        .values_list("card_id", "seconds_allowed")
    )


def attempt_start_retry(
    *, attempt: Attempt, user, session_key: str, seed: int | None = None, now: datetime
) -> Attempt:
    """A new quiz of the cards `attempt` did not get right, in its mode and time limit.

    Wrong answers are still drawn from the whole deck. A whole-quiz limit shrinks to the
    missed questions' shares of it (engine.seconds_allowed_each), so each keeps the time it
    had to be read (by their number, in a quiz stored before the shares). A missed card stays
    askable even if the pool rules changed since (an image expired), unless its answer can
    no longer be a choice in multiple choice.
    """
    missed = _missed(attempt)
    if not missed:
        raise QuizUnavailable("Every answer of this quiz was right: nothing to retry.")
    cards = _quiz_rows(Card.objects.filter(pk__in=missed))
    if attempt.mode == Attempt.Mode.MULTIPLE_CHOICE:
        cards = [card for card in cards if card.choice_html]
    if attempt.mode == Attempt.Mode.TYPED:
        cards = [card for card in cards if card.quiz_typed_answer]
    if not cards:
        raise QuizUnavailable("None of the missed cards can be asked this way any more.")
    limit = attempt.time_limit
    if limit.kind is engine.TimeLimitKind.WHOLE_QUIZ:
        shares = [missed[card.pk] for card in cards]
        if None in shares:
            seconds = max(1, math.ceil(limit.seconds * len(cards) / attempt.question_count))
        else:
            seconds = sum(shares)
        limit = engine.TimeLimit(kind=limit.kind, seconds=seconds)
    seed = _new_seed() if seed is None else seed
    planned = _plan(
        cards, deck=attempt.deck, count=len(cards), mode=engine.QuizMode(attempt.mode), seed=seed
    )
    return _create_once(
        user=user,
        session_key=session_key,
        deck=attempt.deck,
        mode=engine.QuizMode(attempt.mode),
        time_limit=limit,
        planned=planned,
        seed=seed,
        now=now,
        retry_of=attempt,
    )


# A second press of Retry or Accept within this many seconds of the first (a double tap,
# the form sent again from a second tab) returns the quiz the first started.
TWIN_START_SECONDS = 10


def _create_once(*, user, session_key: str, now: datetime, **attempt) -> Attempt:
    """_create_attempt's retry or challenge (`attempt` holds retry_of= or challenge_of=),
    unless this learner or guest started one from the same quiz just now
    (_started_just_now): then that one."""
    origin = {name: attempt[name] for name in ("retry_of", "challenge_of") if attempt.get(name)}
    with transaction.atomic():
        twin = _started_just_now(user=user, session_key=session_key, now=now, **origin)
        if twin is not None:
            return twin
        return _create_attempt(user=user, session_key=session_key, now=now, **attempt)


def _started_just_now(*, user, session_key: str, now: datetime, **origin) -> Attempt | None:
    """The quiz this learner or guest started from the same quiz (`origin`: retry_of= or
    challenge_of=) within TWIN_START_SECONDS and has answered nothing of yet; None when
    there is none. Called in the transaction that would start another, after locking the
    quiz it comes from, so that two presses at once start one quiz: three at once had
    started three, all listed as in progress."""
    if connection.features.has_select_for_update:  # SQLite's transaction holds its lock
        (source,) = origin.values()
        Attempt.objects.select_for_update().filter(pk=source.pk).exists()
    if user is not None and user.is_authenticated:
        owned = Attempt.objects.filter(user=user)
    else:
        owned = Attempt.objects.filter(user=None, session_key=session_key)
    return (
        owned.filter(
            **origin,
            finished_at__isnull=True,
            started_at__gte=now - timedelta(seconds=TWIN_START_SECONDS),
        )
        .exclude(questions__answered_at__isnull=False)
        .order_by("-started_at", "-pk")
        .first()
    )


def attempt_start_challenge(*, original: Attempt, user, session_key: str, now: datetime) -> Attempt:
    """The same questions, choices (same texts, same order) and time limit as `original`.

    Choice ids are drawn anew: the challenger's page cannot be matched against the
    original's answers.
    """
    planned = []
    for question in original.questions.order_by("position"):
        new_ids = {choice["id"]: f"{secrets.randbits(64):016x}" for choice in question.choices}
        planned.append(
            _Planned(
                card_id=question.card_id,
                choices=[{**choice, "id": new_ids[choice["id"]]} for choice in question.choices],
                correct_choice_id=new_ids.get(question.correct_choice_id, ""),
                reading_words=question.reading_words,
                skim_words=question.skim_words,
                typed_expected=question.typed_expected,
            )
        )
    return _create_once(
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


def _limit_seconds(attempt: Attempt, question: AttemptQuestion) -> float | None:
    return engine.time_budget_per_question(
        limit=attempt.time_limit,
        question_count=attempt.question_count,
        seconds_allowed=question.seconds_allowed,
    )


def _finish(*, attempt: Attempt, now: datetime) -> None:
    # Written out (play_sql): the last answer of every quiz finishes it, and through the
    # ORM building and compiling these two statements cost more than the answer's others.
    questions = play_sql.summary_questions(attempt=attempt)
    summary = questions_summary(questions)
    changes = {
        "finished_at": now,
        "score": summary.score,
        "correct_count": summary.correct,
        "total_time": summary.total_time,
        "implausibly_fast": engine.is_implausibly_fast(
            engine.AnswerPace(
                correct=question.counts_as_correct,
                elapsed=question.elapsed,
                words=question.skim_words,
                answered=engine.Outcome(question.outcome or engine.Outcome.MISSED).is_answer,
            )
            for question in questions
        ),
    }
    if play_sql.attempt_finish(attempt_id=attempt.pk, changes=changes):
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


# The clock. Questions are asked in order, so a quiz's unanswered questions are the last
# ones, and only the first of them can have been shown. The clock closes a question shown
# and past its deadline, and every unanswered question once the quiz's own deadline has
# passed. So what it needs to read is every unanswered question shown, and the first not
# shown yet (asked next); all of them only past the quiz's deadline. A 100-question quiz
# reads two questions per request, not the ninety left.


def _quiz_overdue(attempt: Attempt, now: datetime) -> bool:
    return bool(attempt.deadline_at) and engine.is_late(
        answered_at=now, deadline=attempt.deadline_at
    )


def _overdue(attempt: Attempt, question: AttemptQuestion, now: datetime) -> bool:
    """Whether the clock has closed `question` (unanswered): the quiz's own deadline passed,
    or its own since it was shown."""
    if _quiz_overdue(attempt, now):
        return True
    return (
        question.deadline_at is not None
        and question.started_at is not None
        and engine.is_late(answered_at=now, deadline=question.deadline_at)
    )


def _settled(attempt: Attempt, unanswered: list[AttemptQuestion], now: datetime) -> bool:
    """Whether the clock leaves `unanswered` (what it needs of the quiz's unanswered
    questions, see "The clock") as they are: something is open and nothing is overdue.
    Then there is nothing to write."""
    return bool(unanswered) and not any(_overdue(attempt, q, now) for q in unanswered)


def _settle(
    attempt: Attempt, unanswered: list[AttemptQuestion], now: datetime
) -> list[AttemptQuestion]:
    """Close the questions of `unanswered` (see "The clock") the clock has closed, finish
    the quiz when none is left open, and return those still open. In the caller's
    transaction."""
    still_open = []
    for question in unanswered:
        if _overdue(attempt, question, now):
            question.attempt = attempt
            _expire(question, now=now)
        else:
            still_open.append(question)
    if not still_open:
        _finish(attempt=attempt, now=now)
    return still_open


def attempt_refresh(*, attempt: Attempt, now: datetime) -> Attempt:
    """Apply the clock: close a shown question past its deadline, finish a quiz past its own
    deadline (unanswered questions missed), and finish a quiz with every question answered;
    in one query when nothing is due, none for a finished quiz.
    """
    # A finished quiz stays finished: no transaction to open (on SQLite one takes the write
    # lock, and a class finishing together opens its result pages together).
    if not attempt.is_finished:
        _refresh_open(attempt, now)
    return attempt


# No savepoint of its own inside a caller's transaction (answering): anything that fails
# here fails the caller's whole transaction anyway.
@transaction.atomic(savepoint=False)
def _refresh_open(attempt: Attempt, now: datetime) -> None:
    every = _quiz_overdue(attempt, now)
    _settle(attempt, play_sql.waiting_questions(attempt=attempt, every=every), now)


def _shown(*, attempt: Attempt, question: AttemptQuestion, now: datetime) -> AttemptQuestion:
    """Start `question`'s clock if this is the first time it is shown."""
    if question.started_at is None:
        # A whole-quiz question's seconds are its share of the quiz's, not a clock of its own.
        whole_quiz = attempt.time_limit_kind == engine.TimeLimitKind.WHOLE_QUIZ
        deadline = engine.question_deadline(
            seconds_allowed=None if whole_quiz else question.seconds_allowed,
            question_started_at=now,
            quiz_deadline=attempt.deadline_at,
        )
        if play_sql.question_start(question_id=question.pk, started_at=now, deadline_at=deadline):
            question.started_at, question.deadline_at = now, deadline
        else:
            question.refresh_from_db(fields=["started_at", "deadline_at"])
    question.attempt = attempt
    return question


def attempt_open(*, user, guest_session_key: str | None, attempt_id) -> tuple[Attempt | None, list]:
    """The attempt `attempt_id` if it is the caller's own (`user`'s, or for a guest one started
    under `guest_session_key`), with the unanswered questions the clock needs in order (see "The
    clock"; the first with its card): one query for a quiz under way, two for one with
    nothing left to answer; (None, []) when it is not the caller's."""
    unanswered = play_sql.owned_questions(
        user=user, guest_session_key=guest_session_key, attempt_id=attempt_id
    )
    if not unanswered:
        return attempt_get_owned(
            user=user, guest_session_key=guest_session_key, attempt_id=attempt_id
        ), []
    return unanswered[0].attempt, unanswered


def attempt_get_owned(*, user, guest_session_key: str | None, attempt_id) -> Attempt | None:
    """The attempt `attempt_id`, with its deck, if it is the caller's own (`user`'s, or for
    a guest one started under `guest_session_key`); None when it is not. One query."""
    return play_sql.owned_attempt(
        user=user, guest_session_key=guest_session_key, attempt_id=attempt_id
    )


def _open_questions(
    attempt: Attempt, now: datetime, unanswered: list | None = None
) -> list[AttemptQuestion]:
    """The quiz's open questions in order after the clock (as "The clock" reads them; the
    first, asked next, with its card): one query (none when `unanswered` is given, see
    attempt_open), and a transaction only when the clock closes something (a question shown
    and read needs no write, and on SQLite a transaction takes the write lock)."""
    if attempt.is_finished:
        return []
    if _quiz_overdue(attempt, now):
        unanswered = play_sql.waiting_questions(attempt=attempt, every=True)
    elif unanswered is None:
        unanswered = play_sql.attempt_questions(attempt=attempt)
    if _settled(attempt, unanswered, now):
        return unanswered
    with transaction.atomic():
        return _settle(attempt, unanswered, now)


def question_current(
    *, attempt: Attempt, now: datetime, unanswered: list | None = None
) -> AttemptQuestion | None:
    """The first unanswered question, its clock started when first shown; None when done.
    `unanswered`: as attempt_open gave them, if the caller has them."""
    open_questions = _open_questions(attempt, now, unanswered)
    if attempt.is_finished or not open_questions:
        return None
    return _shown(attempt=attempt, question=open_questions[0], now=now)


def question_at(
    *, attempt: Attempt, position: int, now: datetime, unanswered: list | None = None
) -> AttemptQuestion | None:
    """What the address of the question at `position` shows now: that question, answered
    (its feedback) or asked (its clock started); for a question the quiz has not reached,
    the current one instead; None when the quiz has no such question, or is over before
    reaching it. Reading an earlier feedback never starts the next question's clock.
    `unanswered`: as attempt_open gave them, if the caller has them."""
    if not 1 <= position <= attempt.question_count:
        return None
    open_questions = _open_questions(attempt, now, unanswered)
    if not open_questions or position < open_questions[0].position:
        # Answered, or closed by the clock (maybe just now): its feedback.
        return question_get(attempt=attempt, position=position)
    return _shown(attempt=attempt, question=open_questions[0], now=now)


def question_get_owned(
    *, user, guest_session_key: str | None, attempt_id, position: int
) -> AttemptQuestion | None:
    """The question at `position` of the attempt `attempt_id`, if it is the caller's own
    (as attempt_open), with that attempt, in one query; None when either is missing. For a
    signed-in caller, about to answer it, the same query reads their memory of its card
    (`memory_as_read`, see play_sql.owned_questions), which answer_submit's review needs."""
    found = play_sql.owned_questions(
        user=user,
        guest_session_key=guest_session_key,
        attempt_id=attempt_id,
        position=position,
        with_memory=True,
    )
    return found[0] if found else None


def question_get(*, attempt: Attempt, position: int) -> AttemptQuestion | None:
    if not 1 <= position <= attempt.question_count:
        return None
    found = play_sql.attempt_questions(attempt=attempt, position=position)
    return found[0] if found else None


@dataclass(frozen=True, kw_only=True)
class AnswerReceipt:
    question: AttemptQuestion
    recorded: bool  # False when the question had been answered already (a replay)
    # Whether the answer changed the learner's "Review (N)" (reviews.review_answer_moves_counts)
    review_counts_moved: bool = False
    # Whether the answer made the card a leech, suspended from the learner's reviews.
    became_leech: bool = False


def answer_submit(
    *,
    attempt: Attempt,
    question: AttemptQuestion,
    choice_id: str | None = None,
    knew: bool | None = None,
    typed: str | None = None,
    now: datetime,
) -> AnswerReceipt:
    """Record the answer to `question`: a choice in multiple choice, a self-grade (`knew`)
    for a flashcard, the text `typed` in a "Type the answer" quiz (scored here, never by
    the learner). Late answers are timed out; a second answer changes nothing.

    Raises AnswerRejected for a question not shown yet, or a choice it does not offer.
    """
    if question.attempt_id != attempt.pk:
        raise AnswerRejected("This question is not part of the quiz.")
    if attempt.mode == Attempt.Mode.MULTIPLE_CHOICE:
        chosen = next((c for c in question.choices if c["id"] == choice_id), None)
        if chosen is None:
            raise AnswerRejected("Pick one of the question's choices.")
        correct = chosen["id"] == question.correct_choice_id
    elif attempt.mode == Attempt.Mode.TYPED:
        if typed is None:
            raise AnswerRejected("Type your answer.")
        chosen = None
        correct = typed_verdict(
            question.typed_expected,
            typed,
            ignore_accents=question.card.typed_answer_ignores_accents,
        ).right
    else:
        if knew is None:
            raise AnswerRejected("Say whether you knew the answer.")
        chosen, correct = None, knew
    if question.started_at is None and not question.is_answered:
        # Only a quiz whose time ran out before this question was shown may close it.
        with transaction.atomic():
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
        limit_seconds=_limit_seconds(attempt, question),
    )
    changes = {
        "outcome": result.outcome,
        "points": result.points,
        "elapsed": result.elapsed,
        "answered_at": now,
        "chosen_choice_id": chosen["id"] if chosen else "",
        "chosen_card_id": chosen["card_id"] if chosen else None,
        "chosen_distractor_id": chosen.get("distractor_id") if chosen else None,
        "typed": typed or "",
    }
    leaves_quiz_open = _answer_leaves_quiz_open(attempt, question, now)
    try:
        recorded, review = _answer_store(
            attempt, question, changes, now=now, leaves_quiz_open=leaves_quiz_open
        )
    except IntegrityError:
        # The wrong answer picked was another card's or an editor's, deleted since the quiz
        # began (an edit in the admin, a deck sync): the pick is kept without that row.
        changes.update(_chosen_rows_left(changes))
        recorded, review = _answer_store(
            attempt, question, changes, now=now, leaves_quiz_open=leaves_quiz_open
        )
    if not recorded:
        question.refresh_from_db()  # the answer another tab gave first
    reviewed = recorded and review is not None
    return AnswerReceipt(
        question=question,
        recorded=recorded,
        review_counts_moved=reviewed and reviews.review_answer_moves_counts(review, now=now),
        became_leech=reviewed and reviews.review_answer_made_leech(review),
    )


def _answer_store(
    attempt: Attempt, question: AttemptQuestion, changes: dict, *, now, leaves_quiz_open: bool
) -> tuple[bool, reviews.PreparedAnswer | None]:
    """Write the answer's `changes` and, for a learner, its review: whether it was recorded
    (not when another tab answered first), and the review prepared."""
    for name, value in changes.items():
        setattr(question, name, value)
    # Worked out before the transaction, so the write lock is held only while writing.
    review = reviews.review_answer_prepare(attempt=attempt, question=question, now=now)
    # A guest's answer with the quiz going on is one UPDATE, atomic by itself: no
    # transaction around it (on PostgreSQL, a BEGIN and a COMMIT round trip fewer).
    one_write = review is None and leaves_quiz_open
    with nullcontext() if one_write else transaction.atomic():
        recorded = play_sql.question_answer(question_id=question.pk, changes=changes)
        if recorded and review is not None:
            reviews.review_answer_store(review)
        if not recorded or not leaves_quiz_open:
            attempt_refresh(attempt=attempt, now=now)  # in a transaction of its own if need be
    return recorded, review


def _chosen_rows_left(changes: dict) -> dict:
    """The chosen card and hand-written wrong answer of `changes`, None where deleted."""
    card_id, distractor_id = changes["chosen_card_id"], changes["chosen_distractor_id"]
    return {
        "chosen_card_id": Card.objects.filter(pk=card_id).values_list("pk", flat=True).first(),
        "chosen_distractor_id": Distractor.objects.filter(pk=distractor_id)
        .values_list("pk", flat=True)
        .first(),
    }


def _answer_leaves_quiz_open(attempt: Attempt, question: AttemptQuestion, now: datetime) -> bool:
    """Whether, with `question` just answered, the clock has nothing to do (see "The
    clock"): a later question is still to be asked, none of them shown, and the quiz's own
    deadline has not passed. Then the answer needs no read of the questions after it."""
    return question.position < attempt.question_count and not _quiz_overdue(attempt, now)


# --- Results and owners ---------------------------------------------------------------------


def attempt_questions_for_result(*, attempt: Attempt) -> list[AttemptQuestion]:
    """Every question in order, with its card (see play_sql.result_questions)."""
    return play_sql.result_questions(attempt=attempt)


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


def attempts_claim(*, user, guest_session_key: str | None) -> int:
    """Give a guest's attempts (those started under their session's key, read before the
    log-in changed it) to the account they just signed up for or logged in to: kept in its
    history and fed to its memory of the cards, never ranked (engine.PLAYED_AS_GUEST_RULE)."""
    if not guest_session_key or not user.is_authenticated:
        return 0
    attempt_ids = list(
        Attempt.objects.owned_by(guest_session_key=guest_session_key).values_list("pk", flat=True)
    )
    if not attempt_ids:
        return 0
    claimed = Attempt.objects.filter(pk__in=attempt_ids, user__isnull=True).update(
        user=user, session_key="", played_as_guest=True
    )
    reviews.review_record_claimed(user=user, attempt_ids=attempt_ids)
    return claimed
