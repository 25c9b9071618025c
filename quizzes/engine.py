"""The quiz engine: which cards a quiz asks, which wrong answers it offers, when an answer
is too late, and what it scores.

Pure Python on purpose: no Django import, and randomness (`random.Random`) and the clock
(timezone-aware datetimes) always come in as arguments, so every rule is tested without a
database in tests/test_engine.py. `quizzes/services/attempts.py` turns model rows into
`QuizCard`s and `Option`s and stores what the engine decides.
"""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from quizzes import wording


class QuizMode(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"
    FLASHCARD = "flashcard"
    TYPED = "typed"  # the learner types the answer; the server scores it (typed_answers)


@dataclass(frozen=True, kw_only=True)
class Option:
    """An answer a question can offer: a card's answer as a choice shows it (its echo of the
    question left out, see wording.echo_length), or an editor's hand-written distractor."""

    card_id: int  # the card whose answer it is, or whose distractor
    text: str  # plain text, a line per list item
    html: str = ""  # what the choice shows
    kind: str = wording.AnswerKind.PROSE
    keywords: frozenset[str] = frozenset()  # the topic words of its card
    distractor_id: int | None = None  # set for a hand-written distractor
    # The questions (card ids) it was looked up for, by their topic words or kind of
    # answer; empty: any question (see candidates_by_question).
    found_for: frozenset[int] = frozenset()
    # wording.choice_words(text), stored with its card; None: worked out from `text`.
    words: wording.ChoiceWords | None = None
    # wording.reader_words(text), stored with its card; None: worked out from `text`.
    reader_words: int | None = None
    # For a card's answer: how many wrong answers its editors wrote. With a question's worth
    # (DISTRACTORS_PER_QUESTION), its card is asked among them alone and the answer is kept
    # out of other questions (see pick_distractors).
    wrong_answers_written: int = 0

    # Worked out once, though a quiz weighs each option for several of its questions.
    word_count: int = field(init=False, repr=False, compare=False)
    choice_words: wording.ChoiceWords = field(init=False, repr=False, compare=False)
    # How many of the words that speak to the reader it says (wording.reader_words).
    voice: int = field(init=False, repr=False, compare=False)
    # Its letters per word (and marks: what a glance takes in): a topic's jargon is long.
    word_length: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        written = self.text.split()
        object.__setattr__(self, "word_count", len(written))
        word_length = sum(map(len, written)) / len(written) if written else 0.0
        object.__setattr__(self, "word_length", word_length)
        said = self.reader_words if self.reader_words is not None else _voice(self.text)
        object.__setattr__(self, "voice", said)
        words = self.words if self.words is not None else _text_words(self.text)
        object.__setattr__(self, "choice_words", words)


@dataclass(frozen=True, kw_only=True)
class QuizCard:
    """What the engine needs to know about one card a quiz may ask."""

    id: int
    question_text: str = ""
    keywords: frozenset[str] = frozenset()
    # The answer as a choice; None when it cannot be one (it needs an image not cached).
    answer: Option | None = None
    curated: tuple[Option, ...] = ()  # the editors' own distractors for this card


# --- Pool and selection ---------------------------------------------------------------------


class LeftOutReason(StrEnum):
    CLOZE = "cloze"
    ANSWER_NEEDS_MISSING_IMAGE = "answer_needs_missing_image"
    QUESTION_IMAGE_NOT_CACHED = "question_image_not_cached"
    NOT_TYPABLE = "not_typable"


_LEFT_OUT_EXPLANATIONS = {
    LeftOutReason.ANSWER_NEEDS_MISSING_IMAGE: (
        "its answer needs a picture this site does not have yet",
        "their answer needs a picture this site does not have yet",
    ),
    LeftOutReason.QUESTION_IMAGE_NOT_CACHED: (
        "its question needs a picture this site does not have yet",
        "their question needs a picture this site does not have yet",
    ),
    LeftOutReason.CLOZE: (
        "it is a cloze card, played as a flashcard",
        "they are cloze cards, played as flashcards",
    ),
    LeftOutReason.NOT_TYPABLE: (
        "its answer is no typed answer, term or code of a few words",
        "their answer is no typed answer, term or code of a few words",
    ),
}


def left_out_reason(
    *,
    mode: QuizMode | str,
    question_needs_missing_image: bool,
    answer_is_choice: bool,
    is_cloze: bool = False,
) -> LeftOutReason | None:
    """Why a quiz in `mode` cannot ask a card; None when it can.

    Multiple choice leaves out cloze cards: their answer is the question filled in, so no
    other card's answer could pass for it. It leaves out a card whose answer is no choice:
    it means nothing without an image that is not cached (an image-only answer, or "... we
    can do this:" before one); such a card stays in flashcard mode. Both modes leave out a
    question whose image is not cached: it cannot be understood without it. A card with
    several problems is counted once, under the first of these.
    """
    multiple_choice = QuizMode(mode) is QuizMode.MULTIPLE_CHOICE
    if multiple_choice and is_cloze:
        return LeftOutReason.CLOZE
    if multiple_choice and not answer_is_choice:
        return LeftOutReason.ANSWER_NEEDS_MISSING_IMAGE
    if question_needs_missing_image:
        return LeftOutReason.QUESTION_IMAGE_NOT_CACHED
    return None


@dataclass(frozen=True, kw_only=True)
class LeftOutCards:
    reason: LeftOutReason
    count: int

    @property
    def message(self) -> str:
        """For the setup page, e.g. "3 cards left out: their answer needs an image ..."."""
        singular, plural = _LEFT_OUT_EXPLANATIONS[LeftOutReason(self.reason)]
        if self.count == 1:
            return f"1 card left out: {singular}"
        return f"{self.count} cards left out: {plural}"


def draw_questions(
    pool: Sequence[QuizCard], *, count: int, rng: random.Random
) -> tuple[QuizCard, ...]:
    """Draw `count` different cards in random order; fewer when the pool is smaller."""
    if count < 1:
        raise ValueError(f"A quiz needs at least one question, not {count}.")
    return tuple(rng.sample(list(pool), k=min(count, len(pool))))


# --- Distractors and choices ----------------------------------------------------------------

DISTRACTORS_PER_QUESTION = 3
# The most plausible candidates, among which the set of distractors is chosen.
SHORTLIST_SIZE = 12
# ... of which this many are taken for repeating the question as much as the right answer.
ECHO_SHORTLIST = 6
# The surface cues of `pick_distractors`: length, words shared with the question (raw and
# per word), voice (how many words speak to the reader), the length of its words, likeness
# to the other choices. The two "shared" ones are the echo cues.
CUE_COUNT = 6
# Repeating the question's words is the strongest cue in a deck whose answers restate their
# question: missing its target place costs more.
CUE_WEIGHTS = (1.0, 2.0, 2.0, 1.0, 1.0, 1.0)
# How much a less plausible distractor costs beside one place on a surface cue: enough to
# keep distractors on topic, not enough to let a cue give the answer away.
PLAUSIBILITY_WEIGHT = 0.8
# How much less plausible a wrong answer is per word that speaks to the reader ("you",
# "your", "we") it says more or fewer than the right answer: a third of the fastai deck's
# answers speak so, and drawn beside answers that did not (none in the short list, where
# lengths or topics favoured them), "the choice saying the most of we, you, your" was
# right 27 % of the time. Enough to short-list answers in the right one's voice, where the
# voice cue then places it; not enough to outweigh a topic.
VOICE_WEIGHT = 0.15
# How much more plausible an editor's own wrong answer is than the best other card's answer:
# with the right answer's place on the echo cues drawn among all places, the top too, 0.5
# let other cards' answers take the place of an eighth of the editors' (they repeat the
# question's words, to be plausible).
CURATED_BONUS = 1.0


@functools.lru_cache(maxsize=8192)
def normalize_answer(text: str) -> str:
    """Answers that differ only in case or whitespace are the same answer. Cached: a quiz
    compares each candidate with every question's answer."""
    return " ".join(text.casefold().split())


def plausibility(card: QuizCard, option: Option) -> float:
    """How well `option` could pass for the answer to `card` with someone who does not know
    it: about the same things (the two cards' topic words), the same kind of answer (a
    yes/no beside yes/nos, code beside code), in the same voice (both speaking to the
    reader, "you", "we", or neither), and a similar length."""
    return _plausibilities(card, [option])[id(option)]


def _plausibilities(card: QuizCard, options: Iterable[Option]) -> dict[int, float]:
    """Each option's `plausibility` for `card`, by id: one loop, a quiz weighs hundreds."""
    right = card.answer
    keywords, kind, length = card.keywords, right.kind, right.word_count + 1
    voice = right.voice
    keyword_count = len(keywords)
    found = {}
    for option in options:
        shared = len(keywords & option.keywords)
        either = math.sqrt(keyword_count * len(option.keywords))
        topic = shared / either if either else 0.0
        distance = wording.kind_distance(kind, option.kind)
        apart = abs(math.log((option.word_count + 1) / length))
        other_voice = abs(option.voice - voice)
        found[id(option)] = topic - 0.6 * distance - 0.3 * apart - VOICE_WEIGHT * other_voice
    return found


@functools.lru_cache(maxsize=8192)
def _voice(text: str) -> int:
    """Cached: the same answers are weighed quiz after quiz."""
    return wording.reader_words(text)


@functools.lru_cache(maxsize=4096)
def _text_words(text: str) -> wording.ChoiceWords:
    """The words of a text no card stored them for (a question, a test's option). Cached:
    the same questions come back quiz after quiz."""
    return wording.choice_words(text)


class _Surface:
    """What a player who knows nothing could read from one choice: its length, the words it
    shares with the question (counted as written and as stemmed, so that players who stem
    and players who do not both see them, see `_echoes`), and its words, to compare it with
    the others."""

    __slots__ = ("length", "shared", "shared_per_word", "voice", "word_length", "words")

    def __init__(self, option: Option, echo: tuple[int, float]):
        self.words = option.choice_words.stems
        self.shared, self.shared_per_word = echo
        self.length = len(option.text)
        self.voice = option.voice
        self.word_length = option.word_length


def _echoes(
    options: Iterable[Option], question: wording.ChoiceWords
) -> dict[int, tuple[int, float]]:
    """How many of the question's words each option repeats, in all and per word of its
    own, by id."""
    written, stems = question
    found = {}
    for option in options:
        own_written, own_stems = option.choice_words
        shared = len(own_written & written) + len(own_stems & stems)
        found[id(option)] = shared, shared / max(option.word_count, 1)
    return found


def _share(value: float, right: float) -> float:
    """What a choice with `value` on a cue adds to the right answer's place on it: 1 above
    the right answer's `right`, a half for a tie."""
    if value > right + 1e-9:
        return 1.0
    return 0.5 if value >= right - 1e-9 else 0.0


def _shortlist(
    card: QuizCard, others: list[Option], echoes: dict[int, tuple[int, float]], right: _Surface
) -> list:
    """The most plausible candidates, and the ones that repeat the question as much as the
    right answer does (or more): the sets of distractors are chosen among them. `echoes`:
    each candidate's `_echoes`, by id."""
    fitting = [
        option
        for option in others
        if wording.kind_distance(card.answer.kind, option.kind) < wording.GIVEAWAY_DISTANCE
    ] or others
    right_shared = right.shared
    keys = []
    for option in fitting:
        shared, per_word = echoes[id(option)]
        keys.append((min(shared - right_shared, 0), per_word))
    # Stable, as a sort of the options by their keys would be.
    by_echo = [
        fitting[place] for place in sorted(range(len(fitting)), key=keys.__getitem__, reverse=True)
    ]
    shortlist: list[Option] = []
    listed: set[int] = set()
    # By identity: no two candidates are equal (pick_distractors drops repeated answers).
    for option in [*fitting[: SHORTLIST_SIZE - ECHO_SHORTLIST], *by_echo[:ECHO_SHORTLIST]]:
        if id(option) not in listed:
            listed.add(id(option))
            shortlist.append(option)
    return shortlist


def pick_distractors(
    card: QuizCard,
    candidates: Sequence[Option],
    *,
    rng: random.Random,
    k: int = DISTRACTORS_PER_QUESTION,
    spread: int | None = None,
    crowding: Mapping[str, float] | None = None,
) -> tuple[Option, ...]:
    """Choose up to `k` wrong answers for `card` among `candidates` (other cards' answers)
    and the card's own hand-written distractors, which are preferred to any other; with `k`
    of them, the card is asked among them alone.

    Candidates are ranked by `plausibility` (ties in a seed-dependent order) and short-listed
    with those that repeat the question at least as much as the right answer. Of the sets
    of `k` in the short list, the one chosen puts the right answer closest to a place drawn
    at random on every surface cue a player who knows nothing could go by (length, words
    shared with the question, raw and per word, words that speak to the reader, likeness
    to the other choices), so that
    none of them points at it, neither at the top of a cue nor at its bottom. Less
    plausible distractors cost a little (PLAUSIBILITY_WEIGHT).

    An answer equal to the right one (after `normalize_answer`), a blank one, or a repeat
    never qualifies, so a small pool gives fewer distractors and the question fewer choices.

    `spread`, a card's number (its id), spreads the places aimed at evenly over a deck's
    cards rather than drawing them: with a card's choices the same at every quiz, a cue
    that drawn places left at the top in a few more of a deck's cards than a quarter
    points there quiz after quiz ("fewest words" 30.4 % on the generated deck of
    bench/guessing.py, 28.7 % spread).
    """
    if k < 0:
        raise ValueError(f"Cannot pick {k} distractors.")
    right = card.answer
    if right is None:
        raise ValueError(f"The answer of card {card.id} cannot be a choice.")
    seen = {normalize_answer(right.text)}
    curated: list[Option] = []
    others: list[Option] = []
    # The editors' own first: one that says what another card's answer says stays theirs.
    for option in sorted((*card.curated, *candidates), key=lambda o: o.distractor_id is None):
        text = normalize_answer(option.text)
        hand_written = option.distractor_id is not None
        # Another card's answer, or a hand-written distractor of this card.
        if (option.card_id == card.id) is not hand_written or not text or text in seen:
            continue
        seen.add(text)
        (curated if hand_written else others).append(option)
    if len(curated) >= k:
        # Asked among its editors' wrong answers alone, its answer kept out of other
        # questions (_kept_home): all four choices come beside this question only, as often.
        # Where another card's answer stood in for one, or the right answer came back in
        # other questions, "the choice seen most across quizzes" was right 60 % of the time.
        others = []
    else:
        # Another card's kept-home answer only where the others lack the answer's kind or
        # shape (a deck with few yes/no answers): a yes/no or a list among prose gives
        # itself away in one look, where this cue takes many quizzes.
        elsewhere = [option for option in others if not _kept_home(option)]
        if _alike_count(card, elsewhere) >= min(k, _alike_count(card, others)):
            others = elsewhere
    rng.shuffle(curated)
    rng.shuffle(others)
    plausible = _plausibilities(card, others)
    if crowding:
        for option in others:
            plausible[id(option)] -= crowding.get(normalize_answer(option.text), 0.0)
    # The sort is stable: equally plausible candidates keep their shuffled order.
    others.sort(key=lambda option: plausible[id(option)], reverse=True)
    # Hand-written distractors are the most plausible of all: one of them gives way to
    # another card's answer only where that moves the right answer a place on some cue.
    best_other = max(plausible.values(), default=0.0)
    plausible.update({id(option): best_other + CURATED_BONUS for option in curated})
    question = _text_words(card.question_text)
    echoes = _echoes((right, *curated, *others), question)
    right_surface = _Surface(right, echoes[id(right)])
    shortlist = _shortlist(card, others, echoes, right_surface)
    free = _shaped_alike([*curated, *shortlist][: max(SHORTLIST_SIZE, len(curated))], right, k)
    need = min(k, len(free))
    places = 1 + need
    # Every place alike, the top and the bottom of the echo cues too: a right answer kept
    # from the top of them was at their bottom a third of the time (3 choices in 4 are
    # below the top), and "the choice that shares the fewest words" won instead.
    if spread is None:
        targets = [rng.randrange(places) for _ in range(CUE_COUNT)]
    else:
        targets = [int(((spread + 1) * step) % 1.0 * places) for step in _TARGET_STEPS]
    # The right answer first, then every choice that may be offered (the candidates' echo
    # was enough to short-list them).
    surfaces = [right_surface, *(_Surface(option, echoes[id(option)]) for option in free)]
    best_plausibility = max((plausible[id(option)] for option in free), default=0.0)
    doubt = [0.0, *(best_plausibility - plausible[id(option)] for option in free)]
    chosen = _least_cost_set(surfaces, doubt, targets, need)
    return tuple(free[index - 1] for index in chosen)


# Per cue, the step of a Weyl sequence (n times an irrational, modulo 1): consecutive card
# ids take every place about equally often, and each cue's places run apart from the others'.
# The length of the words came last: its step the next prime's, the others' as they were.
_TARGET_STEPS = tuple(math.sqrt(prime) % 1.0 for prime in (2, 3, 5, 7, 13, 11))


def _alike_count(card: QuizCard, options: Iterable[Option]) -> int:
    """How many of `options` may stand beside the answer to `card`: another card's answer or
    this card's own wrong answer, of a kind close enough and the same shape."""
    right = card.answer
    return sum(
        1
        for option in options
        if (option.distractor_id is None) is (option.card_id != card.id)
        and wording.kind_distance(right.kind, option.kind) < wording.GIVEAWAY_DISTANCE
        and _shape(option) == _shape(right)
    )


def _kept_home(option: Option) -> bool:
    """Whether `option` is the answer of a card asked among its editors' wrong answers alone,
    which another question offers only when it lacks answers of its own kind and shape."""
    return option.wrong_answers_written >= DISTRACTORS_PER_QUESTION


# What a choice looks like before a word of it is read: a list, code, or lines of text.
_SHAPED_KINDS = frozenset({wording.AnswerKind.LIST, wording.AnswerKind.CODE})


def _shape(option: Option) -> str:
    return option.kind if option.kind in _SHAPED_KINDS else "text"


def _shaped_alike(free: list[Option], right: Option, k: int) -> list[Option]:
    """The options of `free` shaped as the right answer, when there are `k` of them. A list
    beside three sentences (or code beside three lists) is a kindred kind, short-listed where
    its length or words suit the cues, and was the one choice of its shape: never the right
    answer, so a player who knew nothing struck it out. A hand-written distractor stays
    whatever its shape: the editor chose it."""
    shape = _shape(right)
    alike = [o for o in free if o.distractor_id is not None or _shape(o) == shape]
    return alike if len(alike) >= k else free


def _least_cost_set(
    surfaces: list[_Surface], doubt: list[float], targets: list[int], need: int
) -> tuple[int, ...]:
    """The first set of `need` choices (indices into `surfaces`, after the right answer at
    0), in the order of itertools.combinations, of the lowest cost: on each cue, how far the
    right answer's place is from its target (CUE_WEIGHTS), plus PLAUSIBILITY_WEIGHT times
    the members' doubt.

    A depth-first walk that leaves out every set whose cost cannot be lower than the best
    found: the right answer's place on the fixed cues (all but likeness) is the sum of what
    each member adds (`_share`), so a partial set bounds it; likeness to the other
    choices is worked out for the sets that survive. Costs are summed in one order
    throughout, so the walk chooses what trying every set would.
    """
    count = len(surfaces)
    right = surfaces[0]
    right_values = (
        right.length,
        right.shared,
        right.shared_per_word,
        right.voice,
        right.word_length,
    )
    shares = [
        (
            _share(surface.length, right_values[0]),
            _share(surface.shared, right_values[1]),
            _share(surface.shared_per_word, right_values[2]),
            _share(surface.voice, right_values[3]),
            _share(surface.word_length, right_values[4]),
        )
        for surface in surfaces
    ]
    # How alike two choices' words are: shared words over the words of either.
    likeness = [[0.0] * count for _ in range(count)]
    for one in range(count):
        words = surfaces[one].words
        size, row = len(words), likeness[one]
        for other in range(one + 1, count):
            other_words = surfaces[other].words
            shared = len(words & other_words)
            either = size + len(other_words) - shared
            row[other] = likeness[other][one] = shared / either if either else 0.0
    (w0, w1, w2, w3, w4, like_weight) = CUE_WEIGHTS
    (t0, t1, t2, t3, t4, like_target) = targets
    best_cost = math.inf
    best: tuple[int, ...] = ()

    def visit(members: tuple[int, ...], places: tuple[float, ...], doubt_sum, sums: list) -> None:
        """Every set that starts with `members` (the right answer 0 first): `places` on the
        fixed cues so far, `doubt_sum`, and each member's likeness to the others so far."""
        nonlocal best_cost, best
        left = need - len(members) + 1
        p0, p1, p2, p3, p4 = places
        if left > 1:
            # The fixed cues' places can still grow by up to one per member left to choose.
            spread = (
                w0 * max(p0 - t0, t0 - p0 - left, 0.0)
                + w1 * max(p1 - t1, t1 - p1 - left, 0.0)
                + w2 * max(p2 - t2, t2 - p2 - left, 0.0)
                + w3 * max(p3 - t3, t3 - p3 - left, 0.0)
                + w4 * max(p4 - t4, t4 - p4 - left, 0.0)
            )
            if spread + PLAUSIBILITY_WEIGHT * doubt_sum >= best_cost:
                return
            for index in range(members[-1] + 1, count - left + 1):
                s0, s1, s2, s3, s4 = shares[index]
                row = likeness[index]
                # The matrix is symmetric: row[member] is likeness[member][index].
                grown = [total + row[member] for total, member in zip(sums, members, strict=True)]
                own = 0
                for member in members:
                    own += row[member]
                grown.append(own)
                visit(
                    (*members, index),
                    (p0 + s0, p1 + s1, p2 + s2, p3 + s3, p4 + s4),
                    doubt_sum + doubt[index],
                    grown,
                )
            return
        right_total, others_totals, others = sums[0], sums[1:], members[1:]
        for index in range(members[-1] + 1, count):
            s0, s1, s2, s3, s4 = shares[index]
            total_doubt = doubt_sum + doubt[index]
            spread = (
                w0 * abs(p0 + s0 - t0)
                + w1 * abs(p1 + s1 - t1)
                + w2 * abs(p2 + s2 - t2)
                + w3 * abs(p3 + s3 - t3)
                + w4 * abs(p4 + s4 - t4)
            )
            if spread + PLAUSIBILITY_WEIGHT * total_doubt >= best_cost:
                continue
            row = likeness[index]
            right_sum = right_total + row[0]
            own = 0
            for member in members:
                own += row[member]
            place = _share(own, right_sum)
            for total, member in zip(others_totals, others, strict=True):
                place += _share(total + row[member], right_sum)
            cost = spread + like_weight * abs(place - like_target)
            cost += PLAUSIBILITY_WEIGHT * total_doubt
            if cost < best_cost:
                best_cost, best = cost, (*others, index)

    if need == 0:
        return ()
    visit((0,), (0.0,) * 5, 0, [0])
    return best


@dataclass(frozen=True, kw_only=True)
class Choice:
    # An rng-drawn token: neither the page nor the posted form says which choice is right.
    id: str
    text: str
    html: str
    card_id: int
    distractor_id: int | None = None


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


def candidates_by_question(
    cards: Sequence[QuizCard], candidates: Sequence[Option]
) -> dict[int, Sequence[Option]]:
    """For each card, the candidates looked up for it (and those looked up for any
    question), unless they are too few to short-list from: then all of them. A quiz on a
    large deck looks wrong answers up by each question's own words and kind, so each
    question weighs about as many candidates as a small deck has cards, not those of every
    other question. One pass over the candidates, in their order."""
    own: dict[int, list[Option]] = {card.id: [] for card in cards}
    for option in candidates:
        for question in option.found_for or own:
            if question in own:
                own[question].append(option)
    return {
        card_id: found if len(found) >= SHORTLIST_SIZE else candidates
        for card_id, found in own.items()
    }


def build_choices(
    card: QuizCard,
    candidates: Sequence[Option],
    *,
    rng: random.Random,
    settled: tuple[Option, ...] | None = None,
) -> PlannedQuestion:
    """The correct answer and its distractors among `candidates` (those for this card:
    candidates_by_question), shuffled by `rng`, each with an opaque id.

    The distractors are the same at every quiz, given the same candidates: they are
    weighed with randomness seeded by the card's question and answer, not by `rng`. Drawn
    anew at each quiz, the one choice that came with a question every time was its answer:
    a player who remembered which choices came with each question, without reading a word,
    was right 90 % of the time on the questions of the fastai deck's cards without
    hand-written wrong answers (README, "Eighth round"). Seeded by the text, two copies of
    a card are asked among the same choices. `settled`: the card's wrong answers as
    settle_choices chose them, when it has."""
    if settled is None:
        settled = steady_distractors(card, candidates)
    options = [card.answer, *settled]
    rng.shuffle(options)
    right = next(place for place, option in enumerate(options) if option is card.answer)
    choices = tuple(
        Choice(
            id=choice_id,
            text=option.text,
            html=option.html,
            card_id=option.card_id,
            distractor_id=option.distractor_id,
        )
        for choice_id, option in zip(_choice_ids(rng, len(options)), options, strict=True)
    )
    correct_choice_id = choices[right].id
    return PlannedQuestion(card_id=card.id, choices=choices, correct_choice_id=correct_choice_id)


def steady_distractors(
    card: QuizCard, candidates: Sequence[Option], crowding: Mapping[str, float] | None = None
) -> tuple[Option, ...]:
    """`card`'s wrong answers among `candidates`, the same at every quiz: weighed with
    randomness seeded by its question and answer, its places aimed at spread by its id.
    `crowding`: how much less plausible each answer (normalized) is for being offered by
    many other cards already (settle_choices)."""
    steady = random.Random(f"{card.question_text}\n{card.answer.text}:choices")
    return pick_distractors(card, candidates, rng=steady, spread=card.id, crowding=crowding)


# How much less plausible another card's answer is per question more than the mean that
# offers it as a wrong answer (settle_choices): 0.15 left "struck: the odd one out and the
# shortest" right 34 % of the time on the fastai deck's borrowing cards, 0.3 36 %, 0.5 33 %
# (the mean of the rules no higher).
CROWDING_WEIGHT = 0.5
SETTLING_ROUNDS = 3


# The version of the rules that choose a card's wrong answers (pick_distractors,
# settle_choices): the services store a card's choices with it, and choose again those
# chosen under another.
CHOICES_VERSION = 2

# A settled choice: the card whose answer it is, and its id if an editor wrote it.
ChoiceRef = tuple[int, int | None]


def settle_choices(
    cards: Sequence[QuizCard], found: Iterable[Option], *, rounds: int = SETTLING_ROUNDS
) -> dict[int, tuple[ChoiceRef, ...]]:
    """Each card's steady wrong answers (by card id), chosen with every other card's in
    view, so that each answer is offered as a wrong one by about as many questions as any
    other. `found`: the candidates looked up for `cards`, as for a quiz.

    Chosen card by card (steady_distractors), the answers that suit many questions were
    offered by many: across many quizzes a right answer was then a choice seen less often,
    and beside fewer questions, than its wrong answers, and "the choice seen least" was
    right 36 % of the time on the fastai deck's cards without hand-written wrong answers,
    "seen beside the fewest questions" 40 %. So each card chooses again, a few rounds over,
    with the answers that more questions offer than the mean (per card that gives the
    answer: "Yes." is many cards' answer) made less plausible (CROWDING_WEIGHT). Copies of
    a card (the same question and answer) get the same choices. With no `rounds`, each
    card's own steady choice.
    """
    cards = sorted((card for card in cards if card.answer is not None), key=lambda c: c.id)
    candidates = candidates_by_question(cards, sorted(found, key=_option_order))
    givers: dict[str, int] = {}
    for card in cards:
        text = normalize_answer(card.answer.text)
        givers[text] = givers.get(text, 0) + 1
    settled = {card.id: steady_distractors(card, candidates[card.id]) for card in cards}
    offered: dict[str, int] = {}

    def count(picks: Iterable[Option], step: int) -> None:
        for option in picks:
            if option.distractor_id is None:
                text = normalize_answer(option.text)
                offered[text] = offered.get(text, 0) + step

    for picks in settled.values():
        count(picks, 1)
    mean = sum(offered.values()) / max(len(cards), 1)
    for _ in range(rounds):
        for card in cards:
            count(settled[card.id], -1)  # what the others offer
            crowding = {}
            for option in candidates[card.id]:
                text = normalize_answer(option.text)
                crowding[text] = CROWDING_WEIGHT * max(
                    0.0, offered.get(text, 0) / givers.get(text, 1) - mean
                )
            settled[card.id] = steady_distractors(card, candidates[card.id], crowding)
            count(settled[card.id], 1)
    first: dict[tuple[str, str], int] = {}
    refs = {}
    for card in cards:
        copy = (normalize_answer(card.question_text), normalize_answer(card.answer.text))
        picks = settled[first.setdefault(copy, card.id)]
        refs[card.id] = tuple((option.card_id, option.distractor_id) for option in picks)
    return refs


# --- Seeded plan ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class QuizPlan:
    seed: int
    mode: QuizMode
    questions: tuple[PlannedQuestion, ...]


Candidates = Sequence[Option] | Callable[[Sequence[QuizCard]], Sequence[Option]]
ChosenByCard = Mapping[int, Sequence[Option]]
Chosen = ChosenByCard | Callable[[Sequence[QuizCard]], ChosenByCard]


def _option_order(option: Option) -> tuple[int, int]:
    return option.card_id, option.distractor_id or 0


def plan_quiz(
    pool: Sequence[QuizCard],
    *,
    count: int,
    mode: QuizMode | str,
    seed: int,
    candidates: Candidates | None = None,
    chosen: Chosen | None = None,
) -> QuizPlan:
    """Draw the questions and their choices; the same arguments always give the same plan.

    `pool` holds the cards the quiz may ask. Wrong answers come from `candidates`: a list
    of options, or a function that, given the cards drawn, finds options for them (the
    services look them up in the database); by default the answers of the pool itself.
    `chosen`: wrong answers chosen before (settle_choices), by card id, for the cards that
    have them, or a function that, given the cards drawn, gives them: those cards are
    asked among them, and no candidate is looked up for them. The seed stays secret (it
    determines the choice ids), and the result does not depend on the order the database
    returned rows in: pool and candidates are sorted first.
    """
    mode = QuizMode(mode)
    rng = random.Random(seed)
    ordered = sorted(pool, key=lambda card: card.id)
    if mode is not QuizMode.MULTIPLE_CHOICE:
        drawn = draw_questions(ordered, count=count, rng=rng)
        questions = tuple(
            PlannedQuestion(card_id=card.id, choices=(), correct_choice_id=None) for card in drawn
        )
        return QuizPlan(seed=seed, mode=mode, questions=questions)
    # A few cards more than asked, to leave out those whose choices clash with another's.
    drawn = draw_questions(ordered, count=count + spare_questions(count), rng=rng)
    chosen = dict(chosen(drawn) if callable(chosen) else chosen or {})
    # A function looks the spare cards' candidates up only when one is needed: on a large
    # deck seldom, and their lookups were two fifths of a start's work at 100,000 cards.
    first = drawn if not callable(candidates) else drawn[:count]
    unchosen = [card for card in first if card.id not in chosen]
    if candidates is None:
        found: list[Option] = [card.answer for card in pool if card.answer is not None]
    elif callable(candidates):
        found = list(candidates(unchosen)) if unchosen else []
    else:
        found = list(candidates)
    looked_up = {card.id for card in first} | set(chosen)
    options: dict[int, Sequence[Option]] = dict(chosen)
    offered_chosen = [option for picks in chosen.values() for option in picks]
    shared: set[str] = set()

    def weigh(cards: Sequence[QuizCard]) -> None:
        nonlocal shared
        found.sort(key=_option_order)
        options.update(candidates_by_question(cards, found))
        shared = _shared_answers(drawn, [*found, *offered_chosen])

    weigh(unchosen)

    def options_for(card: QuizCard) -> Sequence[Option]:
        if card.id not in looked_up:
            rest = [other for other in drawn if other.id not in looked_up]
            found.extend(candidates(rest))
            looked_up.update(other.id for other in rest)
            weigh(rest)
        return options[card.id]

    def question(card: QuizCard) -> PlannedQuestion:
        picks = chosen.get(card.id)
        return build_choices(card, options_for(card), rng=rng, settled=picks and tuple(picks))

    def borrows(card: QuizCard) -> bool:
        """Whether `card` takes a wrong answer from other cards: it has fewer than a
        question's worth of its editors' own."""
        own = options_for(card)
        written = sum(1 for o in own if o.distractor_id and o.card_id == card.id)
        if card.id not in chosen:  # chosen: its editors' own among them
            written += len(card.curated)
        return written < DISTRACTORS_PER_QUESTION

    # An answer is offered twice in a quiz as seldom as the deck allows: a repeat tells the
    # player it is wrong in at least one place (or, where it is another question's answer,
    # right in that one). A card's
    # choices are the same at every quiz (build_choices), so a question is not given other
    # wrong answers to avoid a repeat: a card whose choices repeat one offered already
    # gives its place to a spare one. An answer several cards give ("Yes.", "No.") may come
    # back: it can be right in two questions, so a repeat tells nothing.
    # The cards that borrow wrong answers are taken first, as many as the first `count`
    # drawn hold (those that clash too, when too few do not), and the cards asked among
    # their own alone (which never clash) fill the rest: taking the first that fit, in the
    # order drawn, asked a borrowing card of the fastai deck a quarter less often than the
    # others, and one of them 22 times in 3,000 questions where the mean was 57.
    fair = sum(1 for card in drawn[:count] if borrows(card))
    asked: dict[int, PlannedQuestion] = {}
    offered: set[str] = set()
    clashing: list[tuple[QuizCard, PlannedQuestion]] = []
    waiting = iter(drawn)

    def said(planned: PlannedQuestion) -> set[str]:
        return {normalize_answer(choice.text) for choice in planned.choices} - shared

    def take_borrowing(until: int) -> None:
        for card in waiting:
            if not borrows(card):
                continue
            planned = question(card)
            if said(planned) & offered:
                clashing.append((card, planned))
                continue
            offered.update(said(planned))
            asked[card.id] = planned
            if len(asked) >= until:
                return

    if fair:
        take_borrowing(fair)
        while len(asked) < fair and clashing:
            card, planned = clashing.pop(0)
            offered.update(said(planned))
            asked[card.id] = planned
    for card in drawn:
        if len(asked) == count:
            break
        if not borrows(card):
            asked[card.id] = question(card)
    if len(asked) < count:
        take_borrowing(count)
    # A small deck, or one of few kinds of answer: a repeat rather than fewer questions.
    for card, planned in clashing[: count - len(asked)]:
        asked[card.id] = planned
    questions = tuple(asked[card.id] for card in drawn if card.id in asked)
    return QuizPlan(seed=seed, mode=mode, questions=questions)


def spare_questions(count: int) -> int:
    """How many cards more than `count` a multiple-choice quiz draws, for the places of
    those whose choices repeat one offered already. Half as many again: on the fastai deck
    (choices not settled) seven spares left an answer offered twice in 197 quizzes of 300,
    twelve in 163 but looked up wrong answers for 22 cards; settled, seven leave 153."""
    return count // 2 + 2


def _shared_answers(drawn: Sequence[QuizCard], found: Sequence[Option]) -> set[str]:
    """The answers (normalized) that more than one card gives, among the cards drawn and
    the candidates: "Yes.", "No.", "It depends."."""
    cards_by_answer: dict[str, set[int]] = {}
    answers = [card.answer for card in drawn if card.answer is not None]
    for option in (*answers, *found):
        if option.distractor_id is None:
            cards_by_answer.setdefault(normalize_answer(option.text), set()).add(option.card_id)
    return {text for text, cards in cards_by_answer.items() if len(cards) > 1}


# --- Deadlines ------------------------------------------------------------------------------


class TimeLimitKind(StrEnum):
    NONE = "none"
    PER_QUESTION = "per_question"
    FOR_LENGTH = "for_length"  # each question gets time to read it (reading_allowance)
    WHOLE_QUIZ = "whole_quiz"


@dataclass(frozen=True, kw_only=True)
class TimeLimit:
    kind: TimeLimitKind
    # Per question or for the whole quiz; None when untimed or timed by length.
    seconds: int | None = None

    def __post_init__(self) -> None:
        # Accept the plain strings a database column holds.
        object.__setattr__(self, "kind", TimeLimitKind(self.kind))
        if self.kind in (TimeLimitKind.NONE, TimeLimitKind.FOR_LENGTH):
            if self.seconds is not None:
                raise ValueError(f"A {self.kind} limit has no seconds of its own.")
        elif self.seconds is None or self.seconds < 1:
            raise ValueError(f"A {self.kind} limit needs a positive number of seconds.")


# Time for length: the learner gets READING_BASE_SECONDS to think and tap, and time to read
# the question and its choices once. The speeds come from Brysbaert (2019, "How many words do
# we read per minute?", a meta-analysis of 190 studies): adults read English non-fiction
# silently at 238 words a minute on average, most between 175 and 300, readers in a second
# language slower. A question that fits a phone's screen is read at READING_WORDS_PER_MINUTE,
# below the average. Past a screenful (READING_SCREEN_WORDS: a 360 x 640 phone showed 78
# words of the deck's longest question and its choices, below the site's header and the
# quiz's clock) the learner scrolls, and scrolls back to the question and the choices above
# to compare them: the Nielsen Norman Group (2016) found hard texts read more slowly on
# phones, and a 2010 University of Alberta study that a phone-sized screen cut comprehension
# as readers kept in mind what had scrolled away. So the words past it are read at
# READING_PAST_SCREEN_WORDS_PER_MINUTE (our choice: three quarters of the speed, below the
# slowest native readers' 175). A short question keeps the time it had: more would be time
# to look the answer up.
READING_BASE_SECONDS = 8
READING_WORDS_PER_MINUTE = 200
READING_SCREEN_WORDS = 80
READING_PAST_SCREEN_WORDS_PER_MINUTE = 150
# An image (a screenshot of code, a chart) is read as this many words: about
# twelve seconds on the first screen (our estimate; no study gives one for a quiz's image).
READING_IMAGE_WORDS = 40
READING_MIN_SECONDS = 15
READING_MAX_SECONDS = 120

TIME_FOR_LENGTH_RULE = (
    f"{READING_BASE_SECONDS} s plus the time to read the question and its choices at "
    f"{READING_WORDS_PER_MINUTE} words a minute ({READING_PAST_SCREEN_WORDS_PER_MINUTE} past "
    f"the first {READING_SCREEN_WORDS}, a phone screen), between {READING_MIN_SECONDS} s and "
    f"{READING_MAX_SECONDS} s; in code and math each name, number and symbol is a word, and "
    f"an image {READING_IMAGE_WORDS} words"
)

# What is read as a word: a run of letters and digits (with its apostrophes), or a visible
# character that is neither prose's punctuation (quotes and dashes too) nor LaTeX's markup
# (a backslash, $). In prose that is a word; in code and math each name, number and
# operator, which are read one by one ("a.unsqueeze(0)" is three, "x = a @ b" five).
_READ_AS_WORD = re.compile(
    r"\w+(?:['\u2019]\w+)*|[^\w\s.,;:!?'\"()\[\]{}\-\u2013\u2014\u2018\u2019\u201c\u201d\\$]"
)


def words_to_read(text: str, *, images: int = 0) -> int:
    """What `text` (plain text, code and math as written) and `images` images count as words
    to read, for the time for length and the too-fast rule."""
    return len(_READ_AS_WORD.findall(text)) + images * READING_IMAGE_WORDS


def reading_allowance(words: int) -> int:
    """Seconds a question of `words` words (its choices included) gets with time for length."""
    on_screen = min(words, READING_SCREEN_WORDS)
    seconds = (
        READING_BASE_SECONDS
        + on_screen * 60 / READING_WORDS_PER_MINUTE
        + (words - on_screen) * 60 / READING_PAST_SCREEN_WORDS_PER_MINUTE
    )
    return min(max(math.ceil(seconds), READING_MIN_SECONDS), READING_MAX_SECONDS)


def seconds_allowed(*, limit: TimeLimit, words: int) -> int | None:
    """The seconds one question gets on its own clock; None when untimed, or when only the
    whole quiz is timed."""
    if limit.kind is TimeLimitKind.PER_QUESTION:
        return limit.seconds
    if limit.kind is TimeLimitKind.FOR_LENGTH:
        return reading_allowance(words)
    return None


def seconds_allowed_each(*, limit: TimeLimit, words: Sequence[int]) -> list[int | None]:
    """What each question of a quiz is allowed, given its words to read: its own clock's
    seconds (seconds_allowed); with a limit for the whole quiz, its share of the quiz's
    seconds in proportion to its time for length. That share is no clock of its own (the
    quiz's runs on), only the T of the speed rule: a long question read at the same pace as
    a short one scores as well, where an even share gave it fewer points for its length."""
    if limit.kind is not TimeLimitKind.WHOLE_QUIZ:
        return [seconds_allowed(limit=limit, words=count) for count in words]
    needs = [reading_allowance(count) for count in words]
    return [max(1, round(limit.seconds * need / sum(needs))) for need in needs]


# Typing on a phone's keyboard: 36 words a minute of five characters, the mean of 37,000
# volunteers (Palin et al., "How do people type on mobile devices?", MobileHCI 2019). A
# "Type the answer" question's time for length adds the time to type its answer, counted
# as the words read in that time, so every limit (a whole quiz's shares too) allows for it.
TYPING_CHARACTERS_PER_MINUTE = 180

TYPING_RULE = (
    f"plus the time to type the answer at {TYPING_CHARACTERS_PER_MINUTE // 5} words a minute "
    "(five characters a word), a phone keyboard's average"
)


def typing_words(characters: int) -> int:
    """Typing `characters` at TYPING_CHARACTERS_PER_MINUTE, as the words read in that time."""
    seconds = characters * 60 / TYPING_CHARACTERS_PER_MINUTE
    return math.ceil(seconds * READING_WORDS_PER_MINUTE / 60)


# The server receives an answer a moment after the learner clicked, so an answer that arrives
# up to this long after its deadline still counts. The countdown shows the real deadline.
ANSWER_GRACE = timedelta(seconds=1)


def _require_aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware, got {moment!r}.")


def quiz_deadline(*, limit: TimeLimit, started_at: datetime) -> datetime | None:
    """When the whole attempt ends; None unless the limit is for the whole quiz.

    A quiz timed per question has no overall deadline: the next question's clock starts when
    it is shown, so time spent reading feedback between questions is not charged.
    """
    _require_aware(started_at=started_at)
    if limit.kind is not TimeLimitKind.WHOLE_QUIZ:
        return None
    return started_at + timedelta(seconds=limit.seconds)


def question_deadline(
    *, seconds_allowed: int | None, question_started_at: datetime, quiz_deadline: datetime | None
) -> datetime | None:
    """The earlier of the question's own deadline and the quiz's; None when untimed."""
    _require_aware(question_started_at=question_started_at, quiz_deadline=quiz_deadline)
    deadlines = [quiz_deadline] if quiz_deadline is not None else []
    if seconds_allowed is not None:
        deadlines.append(question_started_at + timedelta(seconds=seconds_allowed))
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
    "round(1000 * (1 - t / (2 * T))), where t is the seconds you took and T the seconds the "
    "question allowed (in a whole-quiz limit, its share of the total, in proportion to the time "
    "it takes to read): 1000 for an instant answer, down to 500 at the limit."
)


def time_budget_per_question(
    *, limit: TimeLimit, question_count: int, seconds_allowed: int | None = None
) -> float | None:
    """The T of the speed rule: the question's own seconds, which for a whole-quiz limit
    are its share (seconds_allowed_each); in a whole-quiz limit stored before there were
    shares, the limit shared evenly between its questions."""
    if limit.kind is TimeLimitKind.WHOLE_QUIZ:
        if seconds_allowed is not None:
            return float(seconds_allowed)
        if question_count < 1:
            raise ValueError(f"A quiz needs at least one question, not {question_count}.")
        return limit.seconds / question_count
    if limit.kind is TimeLimitKind.NONE:
        return None
    seconds = seconds_allowed if seconds_allowed is not None else limit.seconds
    if seconds is None:
        raise ValueError(f"A {limit.kind} question needs its seconds.")
    return float(seconds)


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

    @property
    def is_answer(self) -> bool:
        """Whether the learner answered (rightly or not), rather than the clock."""
        return self not in (Outcome.TIMED_OUT, Outcome.MISSED)

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


# --- Too fast to read -----------------------------------------------------------------------

# Nobody answers knowingly faster than this: a second, plus skimming the question and the
# right answer at SKIM_WORDS_PER_MINUTE (a learner who knows it need not read the wrong
# choices to the end, so they are not counted).
SKIM_BASE_SECONDS = 1.0
SKIM_WORDS_PER_MINUTE = 600
# A quiz with at least this many right answers too fast to read, and as many as half of its
# right answers, was not read: it was guessed, or played by a program. So was a quiz with at
# least half of its answers, right or wrong, too fast to read, whatever its score: tapped
# blind, a quiz has about one right answer in four, fewer than the rule on right answers asks.
IMPLAUSIBLE_RIGHT_ANSWERS = 3

IMPLAUSIBLY_FAST_RULE = (
    f"A Quick quiz stays off the leaderboard (it is kept in your history) when at least half "
    f"of its answers, right or wrong, or at least {IMPLAUSIBLE_RIGHT_ANSWERS} of its right "
    f"answers and half of them, came faster than anyone reads: in less than "
    f"{SKIM_BASE_SECONDS:g} s plus the time to skim the question and its right answer at "
    f"{SKIM_WORDS_PER_MINUTE} words a minute."
)


def too_fast_to_read(*, elapsed: timedelta, words: int) -> bool:
    return elapsed.total_seconds() < SKIM_BASE_SECONDS + words * 60 / SKIM_WORDS_PER_MINUTE


@dataclass(frozen=True, kw_only=True)
class AnswerPace:
    correct: bool
    elapsed: timedelta | None
    words: int  # of the question and its right answer (what a learner who knows it reads)
    answered: bool = True  # False for a question timed out or missed

    @property
    def rushed(self) -> bool:
        return (
            self.answered
            and self.elapsed is not None
            and too_fast_to_read(elapsed=self.elapsed, words=self.words)
        )


def is_implausibly_fast(answers: Iterable[AnswerPace]) -> bool:
    """Whether a quiz's answers came faster than they could be read (the rule above)."""
    given = [answer for answer in answers if answer.answered]
    right = [answer for answer in given if answer.correct]
    rushed_right = sum(answer.rushed for answer in right)
    if rushed_right >= IMPLAUSIBLE_RIGHT_ANSWERS and 2 * rushed_right >= len(right):
        return True
    rushed = sum(answer.rushed for answer in given)
    return bool(given) and 2 * rushed >= len(given)


# Only the first Quick quizzes a learner starts on a deck in any 24 hours can rank. The
# leaderboard keeps each learner's best, so a player who knows nothing, playing thousands
# at a human pace, would reach it by luck alone (8 of 10 right blind comes about once in
# 2,400 quizzes). Counted by starts, finished or not: giving up the quizzes going badly
# spends the day's as surely as finishing them. With 10 a day that takes most of a year,
# while a learner practising hard still ranks their best of the day.
RANKED_QUICK_QUIZZES_PER_DAY = 10
RANKED_QUIZZES_WINDOW = timedelta(hours=24)
RANKED_PER_DAY_RULE = (
    f"Only the first {RANKED_QUICK_QUIZZES_PER_DAY} Quick quizzes a learner starts on a deck "
    "in 24 hours can rank (the others, finished or not, are kept in the history), so a place "
    "is won by knowing the answers, not by playing many times."
)


# A guest's quiz, claimed by the account they sign up for or log in to, never ranks: anyone
# can play as a guest in any number of browsers at once, each a fresh session, and log in
# from the one that got lucky. Played blind, 10,000 of them a day (a school's shared address
# allows that many) bring 8 of 10 right a few times over; the day's limit above counts only
# what an account plays.
PLAYED_AS_GUEST_RULE = (
    "Quizzes played as a guest are kept in your history once you sign up or log in, but only "
    "those played signed in can rank, so a place cannot be won by playing in many browsers "
    "and keeping the luckiest."
)


def is_past_ranked_per_day(*, started_before: int) -> bool:
    """Whether a Quick quiz comes after the day's that can rank, given how many the learner
    started on the deck in the 24 hours before it."""
    return started_before >= RANKED_QUICK_QUIZZES_PER_DAY
