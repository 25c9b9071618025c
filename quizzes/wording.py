"""What a card's words say about it, for choosing wrong answers: its topic words, the kind
of answer it has, how much of the answer only repeats the question, and how long an answer
takes to read.

Pure Python, no Django import: plain text in, plain values out. A card's features are worked
out once, when it is saved (services.card_pages), and the quiz engine compares them.
"""

import functools
import re
from collections import Counter
from enum import StrEnum
from typing import NamedTuple

# Words that say nothing about a card's topic: English function words, question words, and
# the phrasing every card of a quiz deck shares ("what does the code above do").
_STOPWORD_TEXT = """
    a about above after again against all also although am an and another any anything are
    around as at be because been before being below between both but by can cannot could did do does
    doing done down during each either else even ever every few for from further get gets
    getting give given go going got had has have having he her here hers him his how however
    i if in into is it its itself just least less let like likely lot made make makes making
    many may me might more most much must my need needs neither never no nor not now of off
    often on once one ones only or other others our ours out over own per perhaps put quite
    rather really same say says see seen shall she should since so some something sometimes
    still such sure take takes than that the their theirs them then there these they thing
    things this those though through thus to too two under until up upon us use used uses
    using very via want wants was way ways we well were what whatever when where whether which
    while who whom whose why will with within without would yes yet you your yours
    above below code called call calls following follows instance instances example kind
    mean means term name named
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Kept apart: "mean" and "call" are topic words in a statistics or Python deck, but as
# question phrasing ("what does X mean", "what is X called") they are not.
_PHRASING = frozenset({"mean", "means", "call", "calls", "called", "name", "named", "term"})
TOPIC_STOPWORDS = STOPWORDS - _PHRASING

_TOKEN = re.compile(r"[a-z0-9_]+")
KEYWORDS_PER_CARD = 8
# The longest keyword a card stores: longer tokens are code or noise, cut to fit the column.
KEYWORD_MAX_LENGTH = 40


@functools.lru_cache(maxsize=65536)  # a deck's words repeat: imports stem them by the million
def stem(word: str) -> str:
    """A light suffix stripper: enough for "batches"/"batch", "training"/"trained"/"train",
    "normalize"/"normalizing", never a dictionary."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if (len(word) > 4 and word.endswith("es") and word[-3] in "sxz") or word.endswith("ches"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    elif len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Lower-case words of `text`, code identifiers kept whole ("state_dict"), dunder
    underscores dropped ("__call__" is "call")."""
    return [token.strip("_") for token in _TOKEN.findall(text.casefold()) if token.strip("_")]


# The words by which a text speaks to its reader ("in your formula you need to...", "we are
# asking our model..."): the course's voice, which some answers have and others lack.
READER_WORDS = frozenset(
    ["we", "us", "our", "ours", "you", "your", "yours", "yourself", "yourselves"]
)


# Words as written, their case kept: "US" the country is not "us" the reader.
_WRITTEN_WORD = re.compile(r"[A-Za-z0-9_]+")


def reader_words(text: str) -> int:
    """How many of the READER_WORDS `text` says (each once): how strongly it speaks so. A
    word in capitals is an acronym ("the US economy"), not the pronoun; one capital, as a
    sentence starts ("Us", "We"), is the pronoun still."""
    said = {
        word.strip("_").casefold()
        for word in _WRITTEN_WORD.findall(text)
        if not (len(word) > 1 and word.isupper())
    }
    return len(READER_WORDS.intersection(said))


def content_words(text: str, *, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """The stemmed words of `text` that carry meaning, in order, repeats kept."""
    return [
        stem(token)
        for token in tokens(text)
        if token not in stopwords and (len(token) > 1 or token.isdigit())
    ]


class ChoiceWords(NamedTuple):
    """The words a player who knows nothing compares a choice by (engine.pick_distractors):
    as written, stop words left out, and stemmed (content_words)."""

    written: frozenset[str]
    stems: frozenset[str]

    def stored(self) -> tuple[str, str]:
        """As two strings of words, to keep on a card (services.card_pages)."""
        return " ".join(sorted(self.written)), " ".join(sorted(self.stems))

    @classmethod
    def from_stored(cls, written: str, stems: str) -> "ChoiceWords":
        return cls(frozenset(written.split()), frozenset(stems.split()))


def choice_words(text: str) -> ChoiceWords:
    """The ChoiceWords of a choice's plain text, from one pass over its tokens."""
    found = tokens(text)
    return ChoiceWords(
        frozenset(found) - STOPWORDS,
        frozenset(
            stem(token)
            for token in found
            if token not in STOPWORDS and (len(token) > 1 or token.isdigit())
        ),
    )


def keywords(question_text: str, answer_text: str, *, limit: int = KEYWORDS_PER_CARD) -> tuple:
    """The words a card is about, most telling first: words of both sides before words of
    one, then the rarer-looking (longer) ones. What distractors are matched on."""
    question = content_words(question_text, stopwords=TOPIC_STOPWORDS)
    answer = content_words(answer_text, stopwords=TOPIC_STOPWORDS)
    in_question, in_answer = Counter(question), Counter(answer)
    first_seen = {word: index for index, word in reversed(list(enumerate(question + answer)))}
    scores = {
        word: (
            (word in in_question and word in in_answer),
            min(in_question[word] + in_answer[word], 3) + min(len(word), 12) / 12,
            -first_seen[word],
        )
        for word in first_seen
        if len(word) >= 3 or word.isdigit()
    }
    ranked = sorted(scores, key=scores.get, reverse=True)
    return tuple(word[:KEYWORD_MAX_LENGTH] for word in ranked[:limit])


# --- The kind of an answer ---


class AnswerKind(StrEnum):
    YES_NO = "yes_no"  # "No.", "Yes, otherwise ...", "Most of the time, yes."
    CODE = "code"  # mostly <code>: "__call__", "getattr(something, 'val', False)"
    LIST = "list"  # items on lines of their own, or "a - b - c"
    TERM = "term"  # a few words: "initialization", "mean absolute deviation"
    PROSE = "prose"  # sentences


TERM_MAX_WORDS = 4
_YES_NO = re.compile(r"^\W*(yes|no|nope|yep|yeah|correct|true|false)\b", re.IGNORECASE)
_SHORT_CLAUSE_YES_NO = re.compile(r"^[^.!?;:]{0,40}?\b(yes|no)\W*$", re.IGNORECASE)


def answer_kind(text: str, *, code_share: float = 0.0) -> AnswerKind:
    """What kind of answer `text` (a choice's plain text, one line per list item) is;
    `code_share` is the fraction of its characters inside <code>."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return AnswerKind.PROSE
    first_clause = re.split(r"[.!?;]", lines[0], maxsplit=1)[0]
    if _YES_NO.match(lines[0]) or _SHORT_CLAUSE_YES_NO.match(first_clause):
        return AnswerKind.YES_NO
    if len(lines) >= 2 or len(re.split(r"\s[-\u2013]\s", lines[0])) >= 3:
        return AnswerKind.LIST
    if code_share >= 0.5:
        return AnswerKind.CODE
    if len(text.split()) <= TERM_MAX_WORDS:
        return AnswerKind.TERM
    return AnswerKind.PROSE


# Kinds that can stand in for each other as wrong answers.
_KINDRED = {
    AnswerKind.TERM: {AnswerKind.CODE, AnswerKind.PROSE},
    AnswerKind.CODE: {AnswerKind.TERM},
    AnswerKind.PROSE: {AnswerKind.LIST, AnswerKind.TERM},
    AnswerKind.LIST: {AnswerKind.PROSE},
    AnswerKind.YES_NO: set(),
}


# A choice this far from the others' kind gives itself away.
GIVEAWAY_DISTANCE = 3


@functools.cache
def kind_distance(one: AnswerKind | str, other: AnswerKind | str) -> int:
    """0 for the same kind, 1 for a kindred one, 2 otherwise, 3 when only one of them is a
    yes or a no (such a choice gives itself away beside the others)."""
    one, other = AnswerKind(one), AnswerKind(other)
    if one is other:
        return 0
    if AnswerKind.YES_NO in (one, other):
        return 3
    return 1 if other in _KINDRED[one] else 2


# --- The question's echo ---

_AUXILIARY_WORDS = (
    "is are was were do does did can could should would will shall has have had may might must am"
)
_AUXILIARIES = frozenset(_AUXILIARY_WORDS.split())
_CONNECTORS = frozenset({"is", "are", "was", "were", "called", "-", "\u2013", ":"})
_LIST_LEAD_ENDINGS = ("are:", "is:", "following:", "follows:", "include:", "includes:")
_PRONOUNS = frozenset({"you", "we"})
# A remainder that starts like this is a clause, not an answer of its own.
_SUBORDINATORS = frozenset({"so", "because", "that", "which", "if", "when", "since", "as"})


def _last_sentence(text: str) -> str:
    sentences = [part for part in re.split(r"(?<=[.?!])\s+", text.strip()) if part]
    return sentences[-1] if sentences else ""


def is_yes_no_question(question_text: str) -> bool:
    """Whether the question (its last sentence) asks for a yes or a no."""
    words = tokens(_last_sentence(question_text.replace("\n", " ")))
    return bool(words) and words[0] in _AUXILIARIES


def _alternatives(question_text: str) -> set[str]:
    """The words on either side of each "or" of the question: "Byte or Float tensors?"
    offers byte and float. An answer that starts by naming one of them is the answer."""
    words = re.findall(r"[\w.]+|[,()?]", question_text.casefold())
    offered: set[str] = set()
    for index, word in enumerate(words):
        if word != "or":
            continue
        for neighbour in [*words[max(index - 2, 0) : index], *words[index + 1 : index + 3]]:
            if neighbour not in ",()?":
                offered.update(content_words(neighbour))
    return offered


def echo_length(question_text: str, answer_text: str) -> int:
    """How many leading words of the answer's first line only restate the question, so a
    choice can leave them out and show what the answer adds.

    "The two ways of fixing ... are:" before a list, "Label smoothing is ..." for "What is
    label smoothing?", "You need to call ..." for "What do you need to call ...?". Nothing is
    cut from the answer to a yes/no question, from one that names one of the question's
    alternatives ("Byte or Float?"), nor when what would remain repeats the question too.
    """
    lines = answer_text.splitlines()
    if not lines or is_yes_no_question(question_text) or _YES_NO.match(lines[0]):
        return 0
    words = lines[0].split()
    echoed = set(content_words(question_text, stopwords=TOPIC_STOPWORDS))
    if len(lines) > 1 and words and words[-1].casefold().endswith(_LIST_LEAD_ENDINGS):
        return len(words)
    alternatives = _alternatives(question_text)
    best_after_pronoun = 0
    # Tokens never span whitespace, so the words of a run of words are those of each word
    # in turn: found once per word, and counted along the cuts (imports make choices by the
    # thousand).
    per_word = [content_words(word, stopwords=TOPIC_STOPWORDS) for word in words]
    word_tokens = [tokens(word) for word in words]
    news_after = [False] * (len(words) + 1)  # whether words[cut:] add a word of their own
    for index in range(len(words) - 1, -1, -1):
        news_after[index] = news_after[index + 1] or any(
            found not in echoed for found in per_word[index]
        )
    prefix_count = prefix_echoed = 0
    names_alternative = has_pronoun = False
    for cut in range(1, len(words)):
        found = per_word[cut - 1]
        prefix_count += len(found)
        prefix_echoed += sum(word in echoed for word in found)
        names_alternative = names_alternative or not alternatives.isdisjoint(found)
        has_pronoun = has_pronoun or not _PRONOUNS.isdisjoint(word_tokens[cut - 1])
        if not prefix_count or names_alternative or not news_after[cut]:
            continue
        share = prefix_echoed / prefix_count
        if _is_connector(words[cut - 1]) and share >= 0.7:
            # The first restatement that ends in "is", "are", ":" or "-" ends the echo,
            # with the connectors right after it ("is called").
            while cut < len(words) - 1 and _is_connector(words[cut]):
                cut += 1
            return cut
        last_word, first_after = word_tokens[cut - 1], word_tokens[cut]
        if (
            share == 1
            and has_pronoun
            and last_word
            and stem(last_word[-1]) in echoed
            and first_after
            and first_after[0] not in _SUBORDINATORS
        ):
            best_after_pronoun = cut
    return best_after_pronoun


def _is_connector(word: str) -> bool:
    word = word.casefold().rstrip(",")
    return word in _CONNECTORS or word.endswith(":")


# --- A long answer's short form ---

# A choice of one line longer than this shows its first sentences only (whole sentences,
# at least one); the full answer appears in the feedback.
CHOICE_MAX_WORDS = 25
# ... but never fewer words than this: "BatchNorm!" alone says too little.
CHOICE_MIN_WORDS = 8
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.")


def short_form_length(text: str, *, max_words: int = CHOICE_MAX_WORDS) -> int:
    """How many leading words of a one-line answer its choice shows: all of them (0) when
    it is short, a list, or one long sentence; else its first sentences that fit in
    `max_words`."""
    if "\n" in text or len(text.split()) <= max_words:
        return 0
    kept = 0
    for sentence in _sentences(text):
        length = len(sentence.split())
        if kept >= CHOICE_MIN_WORDS and kept + length > max_words:
            return kept
        kept += length
    return 0


def _sentences(text: str) -> list[str]:
    pieces = _SENTENCE_END.split(text.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and sentences[-1].casefold().endswith(_ABBREVIATIONS):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences
