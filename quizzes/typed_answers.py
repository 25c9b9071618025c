"""Typing the answer, as Anki's "type in the answer" cards ask for it: the text to be typed,
how what was typed compares to it, and whether a quiz counts it right.

The comparison is Anki's (rslib's typeanswer.rs, read and written again here): the expected
text without its HTML, sounds and line breaks, both sides in Unicode's composed form, and a
character diff (difflib's, as Anki's) of the typed text against it. A card that asks with
`{{type:nc:Field}}` compares without combining characters (accents, vowel points), as Anki
2.1.50 and later do. Pure Python: no Django import (tests/test_typed_answers.py checks it
against Anki's own examples and against the `anki` library's answer).
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# As Anki's strip_html: comments, style and script elements with their content, then tags;
# and Anki's sound and text-to-speech tags, which a card plays and nobody types. Each part
# is its start and the whole: tried in turn, as an alternation's branches are.
_HTML_PARTS = tuple(
    (re.compile(start, re.IGNORECASE), re.compile(start + rest, re.IGNORECASE | re.DOTALL))
    for start, rest in (
        (r"<!--", r".*?-->"),
        (r"<style\b", r"[^>]*>.*?</style>"),
        (r"<script\b", r"[^>]*>.*?</script>"),
        (r"<", r".*?>"),
    )
)
_AV_PARTS = tuple(
    (re.compile(start), re.compile(start + rest, re.DOTALL))
    for start, rest in ((r"\[sound:", r"[^\]]*\]"), (r"\[anki:tts\b", r"[^\]]*\].*?\[/anki:tts\]"))
)
_LINE_BREAKS = re.compile(r"(?:\n|<br\s?/?>|</?div>)+", re.IGNORECASE | re.DOTALL)
# Longer than anyone types into one box: staff's own typed answers stop there.
TYPED_ANSWER_MAX_LENGTH = 500


def typed_answer_text(field_html: str) -> str:
    """The text a card's `{{type:Field}}` asks for, made of the field's HTML as Anki makes
    it before comparing: sounds left out, line breaks as spaces, tags stripped, entities
    read (`&nbsp;` a plain space) and the ends trimmed."""
    text = _LINE_BREAKS.sub(" ", _removed(field_html, _AV_PARTS, "["))
    text = _removed(text, _HTML_PARTS, "<")
    return html.unescape(text.replace("&nbsp;", " ")).strip()


def _removed(text: str, parts: tuple[tuple[re.Pattern, re.Pattern], ...], first: str) -> str:
    """`text` without what the alternation of `parts` matches, as `re.sub` leaves it, in
    linear time: a part whose whole fails where its start is found (a `<!--` never closed)
    fails at each later start too, nothing it ends with following, and is given up; the
    alternation would scan the rest of the text again from each (10,000: 10 s)."""
    pieces, position, search, given_up = [], 0, 0, set()
    while (start := text.find(first, search)) != -1:
        for index, (opening, whole) in enumerate(parts):
            if index in given_up or not opening.match(text, start):
                continue
            if match := whole.match(text, start):
                pieces.append(text[position:start])
                position = search = match.end()
                break
            given_up.add(index)
        else:
            search = start + 1
    pieces.append(text[position:])
    return "".join(pieces)


class Mark(StrEnum):
    GOOD = "good"  # typed as expected
    BAD = "bad"  # typed, and not expected there
    MISSED = "missed"  # expected, and not typed (on the typed line, a "-" per character)


@dataclass(frozen=True)
class Piece:
    mark: Mark
    text: str


@dataclass(frozen=True)
class Comparison:
    """What was typed beside what was expected, as Anki shows it: when they are the same,
    `typed` alone (all good); when nothing was typed, `expected` alone (all missed);
    otherwise the typed line, its wrong characters bad and its gaps missed, above the
    expected line, its characters not typed missed."""

    typed: tuple[Piece, ...]
    expected: tuple[Piece, ...]

    @property
    def exact(self) -> bool:
        return bool(self.typed) and not self.expected

    @property
    def nothing_typed(self) -> bool:
        return not self.typed

    @property
    def wrong_count(self) -> int:
        return sum(len(piece.text) for piece in self.typed if piece.mark is Mark.BAD)

    @property
    def missed_count(self) -> int:
        return sum(len(piece.text) for piece in self.expected if piece.mark is Mark.MISSED)


def _is_mark(character: str) -> bool:
    return unicodedata.category(character).startswith("M")


def _isolated(text: str) -> str:
    """A piece starting with a combining character, set apart by a no-break space so that
    it does not join the piece before it (as Anki shows it)."""
    return f"\u00a0{text}" if text and _is_mark(text[0]) else text


def compare_typed(expected: str, typed: str, *, ignore_accents: bool = False) -> Comparison:
    """`typed` beside `expected` (a card's typed answer, already plain text), as Anki's
    compare_answer diffs them; `ignore_accents` for a card asking with `{{type:nc:...}}`."""
    if not typed:
        return Comparison((), (Piece(Mark.MISSED, expected),) if expected else ())
    if ignore_accents:
        typed_chars = [c for c in unicodedata.normalize("NFKD", typed) if not _is_mark(c)]
        # Each expected character with its accents, shown as written on the expected line.
        expected_shown: list[str] = []
        for character in unicodedata.normalize("NFKD", expected):
            if _is_mark(character):
                if expected_shown:
                    expected_shown[-1] += character
            else:
                expected_shown.append(character)
        expected_chars = [shown[0] for shown in expected_shown]
        if typed_chars == expected_chars:
            return Comparison((Piece(Mark.GOOD, expected),), ())
    else:
        typed_chars = list(unicodedata.normalize("NFC", typed))
        expected_chars = list(unicodedata.normalize("NFC", expected))
        expected_shown = expected_chars
        if typed_chars == expected_chars:
            return Comparison((Piece(Mark.GOOD, "".join(expected_chars)),), ())
    typed_pieces: list[Piece] = []
    expected_pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, typed_chars, expected_chars, autojunk=False)
    for tag, typed_start, typed_end, start, end in matcher.get_opcodes():
        typed_part = _isolated("".join(typed_chars[typed_start:typed_end]))
        expected_part = "".join(expected_shown[start:end])
        if not ignore_accents:
            expected_part = _isolated(expected_part)
        if tag == "equal":
            typed_pieces.append(Piece(Mark.GOOD, typed_part))
            expected_pieces.append(Piece(Mark.GOOD, expected_part))
        elif tag == "delete":
            typed_pieces.append(Piece(Mark.BAD, typed_part))
        elif tag == "insert":
            typed_pieces.append(Piece(Mark.MISSED, "-" * (end - start)))
            expected_pieces.append(Piece(Mark.MISSED, expected_part))
        else:  # replace
            typed_pieces.append(Piece(Mark.BAD, typed_part))
            expected_pieces.append(Piece(Mark.MISSED, expected_part))
    return Comparison(tuple(typed_pieces), tuple(expected_pieces))


# --- The "Type the answer" quiz ---

# A quiz asks typed what a learner can type from memory in one go: a card's remembered typed
# answer, else an answer that is a term or a piece of code of a few words (wording's kinds).
# Sentences and lists are not (nobody types a sentence as the card words it), nor a yes or a
# no, which a blind guess gets half the time.
QUIZ_TYPED_MAX_WORDS = 3
QUIZ_TYPED_MAX_CHARACTERS = 40
_TYPABLE_KINDS = ("term", "code")
# A typo is forgiven in a word at least this long, written in letters alone: "affect" for
# "effect", "1025" for "1024", "__len__" for "__del__" stay wrong.
TYPO_FORGIVEN_FROM_LETTERS = 8

QUIZ_TYPED_RULE = (
    "A card is asked typed when it has a typed answer (an Anki type-in card, or one staff "
    f"wrote), or when its answer is a term or code of at most {QUIZ_TYPED_MAX_WORDS} words "
    f"and {QUIZ_TYPED_MAX_CHARACTERS} characters (its final full stop need not be typed); "
    "never a sentence, a list, or a yes or no."
)
TYPED_SCORING_RULE = (
    "The server scores what you type: it is right when it is the answer once case, spaces "
    'at the ends and between words, HTML and a leading "the", "a" or "an" are set '
    "aside (and accents, on a card whose Anki box says they are optional), or when it "
    "differs from it by a single typo (a letter "
    f"missing, added, changed or two swapped) in one word of {TYPO_FORGIVEN_FROM_LETTERS} "
    "letters or more. Anything else is wrong: no other word, number or code passes."
)


def quiz_typed_answer(*, typed_answer: str, choice_text: str, choice_kind: str) -> str:
    """What a "Type the answer" quiz asks of a card (QUIZ_TYPED_RULE); "" for a card it
    cannot ask. `choice_text`, `choice_kind`: the answer as multiple choice offers it (an
    editor's short answer, else the answer), and its kind (wording.answer_kind)."""
    if typed_answer:
        return typed_answer
    if choice_kind not in _TYPABLE_KINDS or "\n" in choice_text:
        return ""
    text = " ".join(choice_text.split())
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    if not text or len(text) > QUIZ_TYPED_MAX_CHARACTERS:
        return ""
    return text if len(text.split()) <= QUIZ_TYPED_MAX_WORDS else ""


_LEADING_ARTICLE = re.compile(r"(?:the|an?) (?=\S)")


def _folded(text: str, *, ignore_accents: bool) -> str:
    """The words compared: case and spacing set aside, and a leading article ("The
    training set" is typed "training set")."""
    text = unicodedata.normalize("NFKD" if ignore_accents else "NFC", text)
    if ignore_accents:
        text = "".join(character for character in text if not _is_mark(character))
    return _LEADING_ARTICLE.sub("", " ".join(text.casefold().split()), count=1)


def _one_typo(typed: str, expected: str) -> bool:
    """Whether `typed` is `expected` with one letter missing, added, changed, or two
    neighbours swapped (an optimal string alignment distance of 1)."""
    if typed == expected or abs(len(typed) - len(expected)) > 1:
        return False
    start = 0
    while start < min(len(typed), len(expected)) and typed[start] == expected[start]:
        start += 1
    typed_rest, expected_rest = typed[start:], expected[start:]
    return (
        typed_rest[1:] == expected_rest[1:]  # changed
        or typed_rest == expected_rest[1:]  # missing
        or typed_rest[1:] == expected_rest  # added
        or (
            len(typed_rest) >= 2
            and typed_rest[:2] == expected_rest[1::-1]
            and typed_rest[2:] == expected_rest[2:]
        )  # swapped
    )


@dataclass(frozen=True)
class TypedVerdict:
    right: bool
    forgiven: str = ""  # what a right answer differs by: "case", "a typo in 'momentum'"…


def typed_verdict(expected: str, typed: str, *, ignore_accents: bool = False) -> TypedVerdict:
    """Whether a quiz counts `typed` right for `expected` (TYPED_SCORING_RULE)."""
    typed_words = _folded(typed, ignore_accents=ignore_accents).split()
    expected_words = _folded(expected, ignore_accents=ignore_accents).split()
    if not expected_words or not typed_words:
        return TypedVerdict(right=False)
    if typed_words == expected_words:
        if " ".join(typed.split()) == " ".join(expected.split()):
            return TypedVerdict(right=True)
        if _folded(typed, ignore_accents=False) != _folded(expected, ignore_accents=False):
            return TypedVerdict(right=True, forgiven="accents")
        same_words = " ".join(typed.casefold().split()) == " ".join(expected.casefold().split())
        return TypedVerdict(right=True, forgiven="case" if same_words else "the article")
    if len(typed_words) != len(expected_words):
        return TypedVerdict(right=False)
    differing = [
        (mine, theirs)
        for mine, theirs in zip(typed_words, expected_words, strict=True)
        if mine != theirs
    ]
    if len(differing) != 1:
        return TypedVerdict(right=False)
    mine, theirs = differing[0]
    long_word = len(theirs) >= TYPO_FORGIVEN_FROM_LETTERS and theirs.isalpha() and mine.isalpha()
    if long_word and _one_typo(mine, theirs):
        return TypedVerdict(right=True, forgiven=f"a typo in “{theirs}”")
    return TypedVerdict(right=False)
