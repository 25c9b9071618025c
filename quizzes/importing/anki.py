"""Anki "Notes in Plain Text" files (and CSV): read them as Anki reads them, write them back.

Pure Python, no Django import: text in, records out. The format is documented at
https://docs.ankiweb.net/importing/text-files.html; Anki's own reader is
rslib/src/import_export/text/csv/ in ankitects/anki. The HTML of each note's fields is made
storable by quizzes.importing.cardhtml.

Reading has two outcomes. A file that is not a deck at all (binary data, text in no
encoding it can be read in, a bad header, no line that can become a card) raises
AnkiParseError and nothing is imported. Otherwise every line that can become a card does;
the others are skipped and listed by line, and notes that appear twice are merged, each with
a note in the report (`AnkiFile.skipped`, `.merged`). Where the file could be read another
way (an encoding, a separator, a column guessed), `AnkiFile.notices` says how it was read.
"""

import codecs
import dataclasses
import html
import html.entities
import json
import os
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import AnyStr

from quizzes.importing.cardhtml import (
    PROVENANCE_LABEL,
    CardContent,
    CardHtmlError,
    card_content,
    inline_images,
    note_guid,
)
from quizzes.importing.occlusion import Occlusion
from quizzes.importing.stock_note_types import STOCK_NOTE_TYPE_NAMES
from quizzes.rendering import cloze_numbers, cloze_text_for_typing
from quizzes.sanitize import HTML_ELEMENTS, math_less_than_escaped
from quizzes.typed_answers import typed_answer_text

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# Letters that are not ASCII; `surrogateescape` decoding turns each byte that is not UTF-8
# into a code point in U+DC80..U+DCFF, which are left out.
_NOT_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_HEADER = re.compile(r"#([^:]*):(.*)")
_COLUMN_NUMBER = re.compile(r"[1-9][0-9]*")
_TAGS = re.compile(r"<[^<>]*>")
SEPARATORS = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "colon": ":",
    "space": " ",
}
SEPARATOR_NAMES = {char: name for name, char in SEPARATORS.items()}
# Guessed in this order of preference; colon and space are too common inside fields.
_GUESSED = ("\t", ";", ",", "|")
# An HTML entity: a name HTML knows ("&amp;", "&nbsp;", not the "&T;" of "AT&T;"), or a
# character's number ("&#39;", "&#x27;"). In a file of HTML its ";" is no separator.
_ENTITY = re.compile(r"&(?:([A-Za-z][A-Za-z0-9]{0,31})|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_ENTITY_NAMES = frozenset(name[:-1] for name in html.entities.html5 if name.endswith(";"))
_LONGEST_ENTITY = 40
# Where a comma or a semicolon is punctuation, not a separator: before a space ("dog,
# hound"), or a comma between digits (the decimal comma of "3,14159").
_PUNCTUATION = {",": re.compile(r",(?= )|(?<=[0-9]),(?=[0-9])"), ";": re.compile(r";(?= )")}
# Column names, compared case-folded: Anki's field names (Front, Back, Text, Back Extra) and
# what spreadsheets put in their first row, in the languages of most Anki decks.
_QUESTION_LABELS = {
    *("front", "question", "text", "term", "word", "prompt", "concept", "phrase", "sentence"),
    *("expression", "vocabulary", "vocab", "kanji", "hanzi", "lemma", "headword"),
    *("frage", "vorderseite", "begriff", "wort", "konzept", "satz", "ausdruck", "vokabel"),
    *("recto", "terme", "mot"),
    *("pregunta", "anverso", "término", "termino", "palabra", "concepto", "frase"),
    *("domanda", "fronte", "termine", "parola", "concetto"),
    *("pergunta", "frente", "palavra", "conceito"),
    *("vraag", "voorkant", "woord"),
}
# A cloze note's second field: its answer, or appended to another column's answer.
_EXTRA_LABELS = {"back extra", "extra"}
_NOTES_LABELS = {
    *_EXTRA_LABELS,
    *("notes", "note", "example", "examples", "comment", "comments"),
    *("notizen", "notiz", "beispiel", "bemerkung", "anmerkung"),
    *("remarque", "remarques", "exemple"),
    *("notas", "nota", "ejemplo", "comentario"),
    *("esempio", "exemplo", "opmerking", "voorbeeld"),
}
_ANSWER_LABELS = {
    *("back", "answer", "definition", "meaning", "translation", "explanation", "description"),
    *("response", "solution", "reading", "pronunciation", "pinyin", "romaji", "furigana"),
    *("kana", "hiragana", "katakana"),
    *("antwort", "rückseite", "bedeutung", "übersetzung", "erklärung", "beschreibung"),
    *("lösung", "aussprache"),
    *("verso", "réponse", "reponse", "définition", "sens", "traduction", "explication"),
    *("respuesta", "reverso", "definición", "definicion", "significado", "traducción"),
    *("explicación", "descripción", "solución", "pronunciación"),
    *("risposta", "retro", "definizione", "significato", "traduzione", "spiegazione"),
    *("resposta", "definição", "tradução", "explicação", "descrição"),
    *("antwoord", "achterkant", "betekenis", "vertaling"),
    *_EXTRA_LABELS,
}
_TAGS_LABELS = {"tags", "tag", "schlagwörter", "étiquettes", "etiquetas", "etichette"}
# A column sorting the notes, left out of the cards.
_SORT_LABELS = {
    *("category", "topic", "chapter", "lesson", "unit", "level", "type"),
    *("kategorie", "thema", "kapitel", "lektion", "catégorie", "thème", "chapitre", "leçon"),
    *("categoría", "categoria", "tema", "capítulo", "lección", "capitolo", "lezione"),
}
# Languages naming a vocabulary's columns ("French,English", "Deutsch;Englisch"), by the
# language each name is of: two names of one language ("German;Deutsch") are a note.
_LANGUAGE_LABELS = {
    **dict.fromkeys(("english", "englisch", "anglais", "inglés", "inglese", "inglês"), "en"),
    **dict.fromkeys(("german", "deutsch", "allemand", "alemán", "tedesco", "alemão"), "de"),
    **dict.fromkeys(("french", "français", "französisch", "francés", "francese"), "fr"),
    **dict.fromkeys(("spanish", "español", "spanisch", "espagnol", "spagnolo"), "es"),
    **dict.fromkeys(("italian", "italiano", "italienisch", "italien"), "it"),
    **dict.fromkeys(("portuguese", "português", "portugiesisch", "portugais"), "pt"),
    **dict.fromkeys(("dutch", "nederlands", "niederländisch", "néerlandais"), "nl"),
    **dict.fromkeys(("russian", "русский", "russisch", "russe", "ruso"), "ru"),
    **dict.fromkeys(("chinese", "中文", "chinesisch", "chinois", "chino"), "zh"),
    **dict.fromkeys(("japanese", "日本語", "japanisch", "japonais", "japonés"), "ja"),
    **dict.fromkeys(("korean", "한국어", "koreanisch", "coréen"), "ko"),
    **dict.fromkeys(("mandarin", "cantonese"), "zh"),
    **{"vietnamese": "vi", "thai": "th", "arabic": "ar", "hindi": "hi", "turkish": "tr"},
    **{"polish": "pl", "swedish": "sv", "norwegian": "no", "danish": "da", "finnish": "fi"},
    **{"greek": "el", "hebrew": "he", "indonesian": "id", "czech": "cs", "ukrainian": "uk"},
    **{"hungarian": "hu", "romanian": "ro", "latin": "la", "persian": "fa"},
}
# Columns of a vocabulary spreadsheet that are neither asked nor answered, left out.
_OTHER_LABELS = {
    *("part of speech", "pos", "gender", "plural", "ipa", "audio", "sound", "image"),
    *("picture", "hint", "context", "source", "reference", "frequency", "rank", "id"),
    *("aspect", "tense", "register", "deck", "status", "date", "created", "modified"),
    *("created at", "updated at", "modified at", "created by", "updated by"),
    # Anki's own parts of a note, as a script exporting a collection names them.
    *("deck name", "subdeck", "guid", "note id", "card id", "note type", "notetype", "key"),
}
# A column's name of two words naming a language or notes, the other what kind of text the
# column holds: "Spanish word", "English translation", "Example sentence".
_WORD_KINDS = {"question", "answer", "extra"}
# Words a column's name may hold besides a label: "Front side", "Meaning in English".
_LABEL_FILLERS = {"side", "in", "the", "of", "card", "column", "field"}
_LABEL_WORD = re.compile(r"[^\W\d_]+")
# A name of words alone: "Question 1?" or "Answer." is a note's text.
_LABEL_OF_WORDS = re.compile(r"(?:[^\W\d]|[\s()/\-])+")
_ROLE_BY_HEADER = {
    "tags column": "tags",
    "guid column": "guid",
    "deck column": "deck",
    "notetype column": "notetype",
}
# Anki's headers; `#deck` names the Anki deck of the notes whose deck column is empty.
_HEADER_KEYS = {"separator", "html", "tags", "columns", "notetype", "deck", *_ROLE_BY_HEADER}
# The site's text export's own headers, which Anki reads as comments: the guids of the notes
# whose box the stock note type named lacks (a cloze note's, an accents-optional one's).
TYPED_BOX_HEADERS = {
    "cloze": "cloze notes asking the answer typed",
    "nc": "type-in notes with accents optional",
}
_TYPED_BOX_BY_HEADER = {header: box for box, header in TYPED_BOX_HEADERS.items()}
# Problems named when a whole file is refused: the first ones say what is wrong.
MAX_PROBLEMS = 20
# More columns than any note type has (Anki's own hold a handful; big custom ones, dozens):
# a wider line is not a deck, and the preview would list every column.
MAX_COLUMNS = 500
# A sort number or an id ("2_1", "0042", "3.1"): never the question or the answer.
_ID_LIKE = re.compile(r"[0-9][0-9_.:\-]*")
# A database's row id, as an app's CSV export writes it first: never a card's text either.
_UUID = re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}", re.IGNORECASE)
# A column's name in a spreadsheet's first row: a letter, then up to four words.
_COLUMN_NAME = re.compile(r"[^\W\d_][\w\-/()]*(?: [\w\-/()]+){0,3}")
# Anki reads one column beyond a note's fields as its tags; in a spreadsheet that column is
# as often an example sentence or a note. A tag is a word without spaces (`python::dunder`,
# `chapter_3`, `v1.2`), a few to a note, so a cell reads as tags only with at most four
# words, no markup, quotes or brackets, no sentence punctuation (`, ; ? !` anywhere, `.` or
# `:` ending a word), and not in a sentence's shape (below). The rule leans to text: a cell
# misread as text still shows under the answer, one misread as tags leaves the card.
_NOT_IN_TAGS = re.compile(r"[<>\"()\[\]{},;?!]|[.:](?:\s|$)")
_MOST_TAGS = 4
PREVIEW_ROWS = 5
# A question, an answer and tags: a file whose only note has more columns may be cards
# written one after another on a line.
_ONE_NOTE_COLUMNS = 3
_PREVIEW_CHARS = 80

BASIC = "Basic"
REVERSED = "Basic (and reversed card)"
OPTIONAL_REVERSED = "Basic (optional reversed card)"
TYPE_IN = "Basic (type in the answer)"
CLOZE = "Cloze"
NOTE_TYPES = (BASIC, REVERSED, OPTIONAL_REVERSED, TYPE_IN, CLOZE)
# The stock note types with the type-in box they lack, as the .apkg export names its copies
# of them (the box: "cloze" asks a cloze card's deletions typed, "nc" a type-in card's
# Back with accents optional). A text file naming one (Anki's export of a collection that
# imported such a package) asks its cards typed so.
TYPED_BOX_TYPES = {
    "cloze": "Cloze (type in the answer)",
    "nc": "Basic (type in the answer, accents optional)",
}
# The note type an export writes a note of the user's own type with when the stock types
# would not make its cards again (a third card, or a second that is no reverse of the
# first): fields "Front n" and "Back n" for each template n, which shows its own question
# and answer. Such a note reads back as the same cards, from an .apkg or a text file.
_OWN_CARDS = re.compile(r"Cards of their own \(([1-9][0-9]{0,2})(, the second optional)?\)")
# Anki names a note type imported beside one of its name "Basic-1a2b3" (before 2.1.55) or
# "Basic+", "Basic++" (since).
_NAME_CLASH_SUFFIX = re.compile(r"(?:-[0-9a-z]{5}|(?<!\+)\++)$")
# Brackets, full-width ones too (Japanese and Chinese names use them).
# Image Occlusion Enhanced (the add-on before Anki 23.10) names each card's masks
# "<32 hex digits>-<ao|oa>-<number>-Q.svg"; its note type is "Image Occlusion Enhanced".
_ENHANCED_OCCLUSION_MASK = re.compile(r"\b[0-9a-f]{32}-(?:ao|oa)-\d+-Q\.svg\b", re.IGNORECASE)
ENHANCED_OCCLUSION_IN_TEXT = (
    "an Image Occlusion note: its images come only in a package (.apkg): export the deck "
    "as a package"
)
_BRACKETED = re.compile("[(\uff08]([^)\uff09]*)[)\uff09]")
# "Reversed" and "optional" in the names Anki gives its stock types in its largest
# languages (German, French, Spanish, Italian, Portuguese, Japanese, Chinese).
_REVERSED_WORDS = ("revers", "umgedreht", "invers", "invertid", "inverti", "逆", "反向", "反転")
_OPTIONAL_WORDS = ("optional", "facultati", "opcional", "opzional", "任意", "可选")


@dataclass(frozen=True, kw_only=True)
class CardRecord(CardContent):
    """One card of a file: its content, where its note stood, its tags and its note's guid.

    A note makes one card (Basic), two (reversed), or one per cloze number; `ord` tells
    them apart as Anki's card ordinal does (0 for the first card, n - 1 for cloze n).
    """

    line: int
    tags: tuple[str, ...]
    guid: str
    # True when the file's guid column gave the guid, False when it was derived; the same
    # card read from a file with or without guids is the same record.
    guid_from_file: bool = dataclasses.field(default=False, compare=False)
    ord: int = 0
    note_type: str = BASIC
    # The images the card's fields gave inline (data: URLs), as the files they now name.
    # None for one sure to be over the image size limit, so never decoded.
    inline_images: tuple[tuple[str, bytes | None], ...] = dataclasses.field(
        default=(), compare=False, repr=False
    )
    # An Image Occlusion card's pictures, drawn once the package's image is read; None
    # for every other card.
    occlusion: Occlusion | None = dataclasses.field(default=None, compare=False, repr=False)
    # What a "type in the answer" card expects typed, plain text ("" for other cards), and
    # whether accents may be left out (`{{type:nc:...}}`): quizzes/typed_answers.py.
    typed_answer: str = ""
    typed_answer_ignores_accents: bool = False
    # The Anki deck a package's card is in ("Medicine::Cardiology"; its home deck when it
    # is in a filtered one), or a text file's deck column or `#deck` line names; "" when
    # the file names none.
    anki_deck: str = dataclasses.field(default="", compare=False)

    @property
    def is_cloze(self) -> bool:
        return self.note_type == CLOZE


@dataclass(frozen=True)
class ParseProblem:
    """A line's problem, or how it was read; line 0 stands for the whole file."""

    source: str
    line: int
    reason: str
    # The notes the line stands for: a package's notes skipped for one reason are one line.
    notes: int = 1

    def __str__(self) -> str:
        if not self.line:
            return f"{self.source}: {self.reason}"
        return f"{self.source}:{self.line}: {self.reason}"


class AnkiParseError(Exception):
    """The file is not a deck that can be imported; nothing of it is."""

    def __init__(self, problems: list[ParseProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns (0-based) make the card: the question, the answer, and further
    fields appended to the answer. `answer` is None for a one-field note type."""

    question: int
    answer: int | None
    extra: tuple[int, ...] = ()

    @property
    def columns(self) -> tuple[int, ...]:
        return (self.question, *((self.answer,) if self.answer is not None else ()), *self.extra)

    def as_dict(self) -> dict:
        return {"question": self.question, "answer": self.answer, "extra": list(self.extra)}

    @classmethod
    def from_dict(cls, value: dict) -> "ColumnMapping":
        return cls(value["question"], value.get("answer"), tuple(value.get("extra", ())))


@dataclass(frozen=True)
class FileLayout:
    """What the headers said and what was guessed: the preview shows it, the importer may
    change the separator and the mapping."""

    separator: str
    separator_guessed: bool  # no `#separator` header: guessed, or chosen by the importer
    html: bool
    notetype: str  # from `#notetype`, "" when the file names none
    labels: tuple[str, ...]  # from `#columns`
    width: int  # the columns of the widest note
    meta: dict[str, int]  # tags/guid/deck/notetype -> 0-based column
    tags_column_guessed: bool
    global_tags: tuple[str, ...]
    # The last column of a file without column names or a tags column, which Anki reads as
    # tags: tags when every cell looks so (`tags_column_guessed`), else text for the answer.
    trailing_column: int | None = None
    header_row: int = 0  # the line read as column names (a spreadsheet's first row), or 0
    deck: str = ""  # the Anki deck `#deck` names, "" when the file names none
    # The typed-answer box of notes the TYPED_BOX_HEADERS name, by guid.
    typed_boxes: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def separator_name(self) -> str:
        return SEPARATOR_NAMES.get(self.separator, self.separator)

    @property
    def field_columns(self) -> list[int]:
        return [column for column in range(self.width) if column not in self.meta.values()]

    @property
    def mappable_columns(self) -> list[int]:
        """The columns the importer may choose as fields: a guessed tags column too."""
        guessed = {self.meta["tags"]} if self.tags_column_guessed else set()
        return sorted({*self.field_columns, *guessed})

    @property
    def column_titles(self) -> list[str]:
        roles = {column: role for role, column in self.meta.items()}
        return [
            self.label(column) + (f" ({roles[column]})" if column in roles else "")
            for column in range(self.width)
        ]

    def label(self, column: int) -> str:
        label = self.labels[column] if column < len(self.labels) else ""
        return f"{column + 1}: {label}" if label else f"column {column + 1}"


@dataclass(frozen=True)
class AnkiFile:
    layout: FileLayout
    mapping: ColumnMapping
    cards: list[CardRecord]
    notes: int  # notes that became cards
    skipped: list[ParseProblem]  # lines that could not become a card, and why
    merged: list[ParseProblem]  # notes that repeat an earlier one
    preview: list[tuple[str, ...]]  # plain text of the first rows, column by column
    notices: list[ParseProblem] = dataclasses.field(default_factory=list)  # how it was read
    # Notes of cards of their own with filled-in columns beyond their cards' fields.
    fields_left_out: list[ParseProblem] = dataclasses.field(default_factory=list)

    @property
    def report(self) -> list[ParseProblem]:
        problems = [*self.skipped, *self.merged, *self.fields_left_out]
        return sorted(problems, key=lambda problem: problem.line)


def parse_anki_file(
    path: str | os.PathLike[str], *, require_numbers: bool = False
) -> list[CardRecord]:
    return parse_anki(Path(path).read_bytes(), source=str(path), require_numbers=require_numbers)


def parse_anki(data: bytes | str, *, source: str, **options) -> list[CardRecord]:
    """The cards of a file that must be clean: any skipped or repeated note is a problem
    (the deck fixtures are built this way). Raises AnkiParseError listing every one."""
    read = read_anki(data, source=source, **options)
    if read.report:
        raise AnkiParseError(read.report)
    return read.cards


def read_anki(
    data: bytes | str,
    *,
    source: str,
    separator: str | None = None,
    preferred_separator: str | None = None,
    mapping: ColumnMapping | None = None,
    require_numbers: bool = False,
    max_cards: int | None = None,
    image_max_bytes: int | None = None,
) -> AnkiFile:
    """Read a whole file as Anki would. Line numbers are physical lines, 1-based, as an
    editor shows them. `separator` and `mapping` override what the file says or what is
    guessed; `preferred_separator` only wins where the guess ties. With `require_numbers`,
    a card without the trailing provenance link is skipped.
    A file of more than `max_cards` notes is refused before any card's HTML is looked at
    (that is where the time goes), naming the line of the first note over the limit.
    An inline image sure to be more than `image_max_bytes` is not decoded (see
    inline_images).
    """
    text, notices = _decoded(data, source)
    if "\x00" in text[:8192]:
        raise AnkiParseError([ParseProblem(source, 1, "not a text file (it holds binary data)")])
    line_starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]

    def line_at(offset: int) -> int:
        return bisect_right(line_starts, offset)

    headers, body_line, header_errors, comments = _read_headers(_LINE_BREAK.split(text))
    if header_errors:
        # Without a sound header the fields cannot be told apart: stop before the cards.
        raise AnkiParseError([ParseProblem(source, line, reason) for line, reason in header_errors])
    body = line_starts[body_line - 1] if body_line <= len(line_starts) else len(text)
    guessed = headers.separator is None
    # A file that may be HTML (no `#html:false` line) keeps its entities whole.
    entities = headers.html
    rows = _quizlet_rows(text[body:], entities=entities) if guessed else None
    if rows is not None and separator in (None, rows[0]):
        separator, rows = rows
        text = text[:body] + "\n".join(rows) + "\n"
        line_starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
        last = body_line + len(rows) - 1
        reason = (
            f"one line of {len(rows)} rows separated by ';', as Quizlet exports them with "
            f"rows separated by ';' and {SEPARATOR_NAMES[separator]} between term and "
            f"definition: read as {len(rows)} notes, lines {body_line} to {last} of this report"
        )
        notices.append(ParseProblem(source, body_line, reason))
    chosen = (
        separator
        or headers.separator
        or _guess_separator(text, body, source, entities=entities, preferred=preferred_separator)
    )
    if separator is None and guessed:
        reason = (
            f"separator guessed: {SEPARATOR_NAMES[chosen]} (the file has no #separator line): "
            "--separator, the preview's menu or a '#separator:' line at the top of the file "
            "chooses another"
        )
        notices.append(ParseProblem(source, 0, reason))
    raws, separator_name = [], SEPARATOR_NAMES.get(chosen, repr(chosen))
    for raw in _split_records(text, body, chosen, entities=entities):
        # Past the header block, a line starting with `#` is a note ("#1 cause of...",
        # "# of protons,6") when it has the separator; one without it is a comment.
        if text.startswith("#", raw.start) and len(raw.fields) == 1 and not raw.error:
            reason = f"read as a comment: it starts with '#' and has no {separator_name} separator"
            notices.append(ParseProblem(source, line_at(raw.start), reason))
        else:
            raws.append(raw)
    for line, comment in comments:
        if chosen in comment:
            first = comment.split(chosen)[0].strip()[:40]
            reason = (
                "read as a comment, as Anki reads a line starting with '#' at the top of the "
                f'file: to import it as a note, quote its first field ("{first}")'
            )
            notices.append(ParseProblem(source, line, reason))
    if max_cards is not None and len(raws) > max_cards:
        line = line_at(raws[max_cards].start)
        reason = f"more than {max_cards} notes, the most one import takes: split the file"
        raise AnkiParseError([ParseProblem(source, line, reason)])
    header_row = 0
    if not headers.names and raws and (_is_label_row(raws[0]) or _names_over_numbers(raws)):
        # A spreadsheet's header row names the columns, as `#columns` would.
        header_row, names = line_at(raws[0].start), [name.strip() for name in raws.pop(0).fields]
        headers = dataclasses.replace(headers, names=chosen.join(names))
        reason = f"read as column names ({', '.join(names)}), not as a note"
        notices.append(ParseProblem(source, header_row, reason))
    if not raws:
        reason = "no notes: the file is empty or holds only headers and comments"
        raise AnkiParseError([ParseProblem(source, 1, reason)])
    if len(raws) == 1 and len(raws[0].fields) > _ONE_NOTE_COLUMNS and not headers.numbered:
        reason = (
            f"the file's only note, of {len(raws[0].fields)} columns: if the line holds "
            "several cards one after another (Quizlet's export with rows separated by ';' or "
            "another character than a new line), export it again with a new line between rows"
        )
        notices.append(ParseProblem(source, line_at(raws[0].start), reason))
    first_markup = None if headers.html_given else _first_markup(raws)
    if first_markup is not None:
        raw, markup = first_markup
        reason = (
            f"read as HTML, for line {line_at(raw.start)} holds markup ({markup[:40]}): "
            "'<' and '&' in every field are read as markup (a '#html:false' line at the "
            "top of the file keeps text as typed)"
        )
        notices.append(ParseProblem(source, 0, reason))
    elif not headers.html_given:
        # As Anki reads a file without an #html line: HTML when a field holds some.
        headers = dataclasses.replace(headers, html=False)
        if any(char in field for raw in raws for field in raw.fields for char in "<&"):
            reason = (
                "read as plain text, not HTML, for no field holds markup: '<' and '&' show "
                "as typed (a '#html:true' line at the top of the file reads it as HTML)"
            )
            notices.append(ParseProblem(source, 0, reason))
    if guessed and not (headers.names or headers.numbered or headers.notetype or header_row):
        raws, joined = _line_breaks_joined(raws, html=headers.html)
        for line, previous in ((line_at(cont), line_at(prev)) for cont, prev in joined):
            reason = (
                f"joined to line {previous}'s last column, after a line break: it has no "
                f"{separator_name} separator, as Quizlet writes a line break in a definition "
                "(if it is a note of its own, give it its answer)"
            )
            notices.append(ParseProblem(source, line, reason))
    widest = max(raws, key=lambda raw: len(raw.fields))
    if len(widest.fields) > MAX_COLUMNS:
        reason = f"{len(widest.fields)} columns: a note has at most {MAX_COLUMNS}"
        raise AnkiParseError([ParseProblem(source, line_at(widest.start), reason)])
    if all(raw.error for raw in raws):
        # Nothing could be read (a quote opened on the first line and never closed takes
        # the whole file in): there are no columns to guess from.
        raise AnkiParseError(
            [ParseProblem(source, line_at(raw.start), raw.error) for raw in raws[:MAX_PROBLEMS]]
        )
    layout, column_errors = _layout(headers, chosen, guessed, raws, header_row=header_row)
    if column_errors:
        raise AnkiParseError([ParseProblem(source, line, reason) for line, reason in column_errors])
    mapping_chosen = mapping is not None
    if mapping is None:
        mapping = default_mapping(layout, raws)
    elif problem := _mapping_problem(mapping, layout):
        raise AnkiParseError([ParseProblem(source, 1, problem)])
    elif layout.tags_column_guessed and layout.meta["tags"] in mapping.columns:
        # The importer chose the column that looked like tags as a field: it is one.
        meta = {role: column for role, column in layout.meta.items() if role != "tags"}
        layout = dataclasses.replace(layout, meta=meta, tags_column_guessed=False)

    # Lines skipped for the same reason, by the note type they name: one line of the report.
    skipped_lines: dict[tuple[str, str], list[int]] = {}
    repeats: list[tuple[int, int, str]] = []  # a note's line, its earlier line, its guid
    fields_left_out: list[ParseProblem] = []
    notes: dict[str, _Note] = {}  # by guid, in file order
    line_of_number: dict[int, int] = {}
    math_lines: list[int] = []
    control_lines: list[int] = []
    quoted_lines: list[tuple[int, tuple[str, str]]] = []
    for raw in raws:
        line = line_at(raw.start)
        if raw.quotes_left_out:
            quoted_lines.append((line, raw.quotes_left_out))
        if not raw.error and any(_CONTROL.search(field) for field in raw.fields):
            control_lines.append(line)
            fields = [_controls_read(field, html=layout.html) for field in raw.fields]
            raw = dataclasses.replace(raw, fields=fields)
        if layout.html and not raw.error:
            fields = [math_less_than_escaped(field) for field in raw.fields]
            if fields != raw.fields:
                math_lines.append(line)
                raw = dataclasses.replace(raw, fields=fields)
        try:
            if raw.error:
                raise _Rejected(raw.error)
            note = _note(raw, line=line, layout=layout, mapping=mapping)
            cards = _cards(
                note, layout, require_numbers=require_numbers, image_max_bytes=image_max_bytes
            )
            note.guid = cards[0].guid
        except _Rejected as rejection:
            named = "" if raw.error else _named_type(raw, layout)
            skipped_lines.setdefault((named, str(rejection)), []).append(line)
            continue
        number = cards[0].number
        if number is not None and line_of_number.get(number, line) != line:
            earlier = line_of_number[number]
            reason = f"duplicate card number {number} (first on line {earlier}): skipped"
            skipped_lines.setdefault(("", reason), []).append(line)
            continue
        if note.guid in notes:
            earlier = notes[note.guid]
            repeats.append((line, earlier.line, note.guid))
            tags = (*earlier.tags, *note.tags)
            cards = [dataclasses.replace(card, line=earlier.line, tags=tags) for card in cards]
            note.line, note.tags = earlier.line, tags
        if number is not None:
            line_of_number.setdefault(number, line)
        if note.columns_left_out:
            fields_left_out.append(ParseProblem(source, line, note.columns_left_out))
        note.cards = tuple(cards)
        notes[note.guid] = note
    skipped = sorted(
        (
            _lines_skipped(named, reason, lines, source)
            for (named, reason), lines in skipped_lines.items()
        ),
        key=lambda problem: problem.line,
    )
    merged = _notes_merged(repeats, source)
    if not notes:
        reason = "no line of the file can become a card"
        if (mark := _unread_separator(raws)) in _NOTE_APP_SEPARATORS:
            reason += (
                f": every line holds {mark!r}, a separator Anki does not read (RemNote's or "
                "Obsidian's flashcard mark?): replace it with a tab, one card a line"
            )
        elif mark:
            reason += (
                f": every line holds {mark!r}, a separator Anki does not read (a Quizlet "
                "export's custom one?): export it again with Tab between term and "
                "definition, or replace it with a tab"
            )
        raise AnkiParseError([ParseProblem(source, body_line, reason), *skipped])
    if math_lines:
        reason = (
            f"a '<' inside math (\\( \\), \\[ \\], [$] or [latex]) read as less than, not as a "
            f"tag{_more_lines(math_lines)}: "
            "Anki's editor writes it '&lt;'"
        )
        notices.append(ParseProblem(source, math_lines[0], reason))
    notices += _quotes_notices(quoted_lines, source)
    if notice := _filtered_decks_notice(list(notes.values()), source):
        notices.append(notice)
    if control_lines:
        reason = (
            f"control characters{_more_lines(control_lines)}: a vertical tab or a form feed "
            "(a line break within a paragraph, as Word and PowerPoint write it) read as a "
            "line break, U+0080 to U+009F (a Windows-1252 file's punctuation converted as "
            "Latin-1) as those characters (curly quotes, dashes), the others left out"
        )
        notices.append(ParseProblem(source, control_lines[0], reason))
    return AnkiFile(
        layout=layout,
        mapping=mapping,
        cards=[card for note in notes.values() for card in note.cards],
        notes=len(notes),
        skipped=skipped,
        merged=merged,
        fields_left_out=fields_left_out,
        preview=[_preview_row(raw, layout) for raw in raws[:PREVIEW_ROWS]],
        notices=sorted(
            [*notices, *_column_notices(layout, mapping, raws, source, line_at, mapping_chosen)],
            key=lambda notice: notice.line,
        ),
    )


# The lines a report line of many names, the first ones: enough to find them in the file.
_LINES_NAMED = 10


def lines_named(lines: list[int]) -> str:
    """ "lines 3, 8, 9" for a report line standing for the notes on `lines`."""
    named = ", ".join(str(line) for line in lines[:_LINES_NAMED])
    return (
        f"line{'s' if len(lines) > 1 else ''} {named}{', ...' if len(lines) > _LINES_NAMED else ''}"
    )


def _lines_skipped(named: str, reason: str, lines: list[int], source: str) -> ParseProblem:
    """The lines skipped for one reason, as one report line counting them: an export of
    1,224 image occlusion notes is one piece of news, and a line for each would bury the
    others. It names the note type the lines name, if any, and where the first ones are."""
    first, *others = lines
    if not others:
        return ParseProblem(source, first, reason)
    of_type = f" of note type {named!r}" if named else ""
    return ParseProblem(
        source,
        first,
        f"{len(lines)} {'notes' if named else 'lines'}{of_type} ({lines_named(lines)}): {reason}",
        notes=len(lines),
    )


def _notes_merged(repeats: list[tuple[int, int, str]], source: str) -> list[ParseProblem]:
    """The notes that repeat an earlier one, each merged into it: one report line, naming
    the first few and the line of the note each repeats (79 in a vocabulary file)."""
    if len(repeats) == 1:
        ((line, earlier, guid),) = repeats
        reason = f"the same note as line {earlier} (guid {guid!r}): merged into one"
        return [ParseProblem(source, line, reason)]
    if not repeats:
        return []
    pairs = ", ".join(f"{line} as {earlier}" for line, earlier, _ in repeats[:_LINES_NAMED])
    pairs += ", ..." if len(repeats) > _LINES_NAMED else ""
    reason = f"{len(repeats)} notes the same as earlier ones (lines {pairs}): each merged into one"
    return [ParseProblem(source, repeats[0][0], reason, notes=len(repeats))]


def _named_type(raw: "_RawRecord", layout: FileLayout) -> str:
    """The note type a line names in its note type column, else the file's `#notetype`."""
    column = layout.meta.get("notetype")
    named = raw.fields[column] if column is not None and column < len(raw.fields) else ""
    return (named or layout.notetype).strip()


# The names Anki gives a filtered deck: "Custom Study Session" in its languages, and
# "Filtered Deck 1" (before 2.1.41) or "Filtered Deck 20:36" (since).
_CUSTOM_STUDY_SESSION = frozenset(
    name.casefold()
    for name in (
        *("Custom Study Session", "Benutzerdefiniertes Lernen", "Aangepaste studiesessie"),
        *("Sesión de estudio personalizada", "Séance de révisions personnalisées"),
        *("Sessione di studio personalizzato", "Sessão de Estudo Personalizado"),
        *("Sesja nauki własnej", "Допзанятие", "Сесія додаткового навчання"),
        *("Anpassat studiepass", "Brugerdefineret studielektion", "Brukertilpasset studieøkt"),
        *("Mukautettu opiskeluistunto", "Egyéni tanulásmenet", "Dodatečné procvičování"),
        *("Özel Çalışma Oturumu", "Phiên Học Tùy biến", "カスタム学習セッション"),  # noqa: RUF001
        *("自定义学习进程", "自訂學習", "맞춤 공부 세션", "คาบฝึกแบบกำหนดเอง"),
    )
)
_FILTERED_DECK = re.compile(r"filtered deck [0-9]{1,2}(?::[0-9]{2})?", re.IGNORECASE)


def _filtered_decks_notice(notes: list["_Note"], source: str) -> ParseProblem | None:
    """Where notes are in a deck named as Anki names a filtered deck: Anki's text export
    names the filtered deck a card is in, not the deck it comes from and goes back to."""
    by_deck: dict[str, list[int]] = {}
    for note in notes:
        last = note.anki_deck.rsplit("::", 1)[-1]
        if last.casefold() in _CUSTOM_STUDY_SESSION or _FILTERED_DECK.fullmatch(last):
            by_deck.setdefault(note.anki_deck, []).append(note.line)
    if not by_deck:
        return None
    lines = sorted(line for deck_lines in by_deck.values() for line in deck_lines)
    decks = ", ".join(f"'{deck}'" for deck in by_deck)
    count = len(lines)
    reason = (
        f"{count} note{'s' if count > 1 else ''} ({lines_named(lines)}) in {decks}, as Anki "
        "names a filtered deck: its text export names the filtered deck a card is in, not "
        "the card's own deck, so they go to a deck of that name. To keep their decks, empty "
        "the filtered deck in Anki (its cards go back to their decks) and export again, or "
        "export a package (.apkg)"
    )
    return ParseProblem(source, lines[0], reason)


def _quotes_notices(
    quoted_lines: list[tuple[int, tuple[str, str]]], source: str
) -> list[ParseProblem]:
    """What became of the fields opening with a quote with text after their closing quote,
    read as Anki reads them: the quotes left out, and where the quote closes lines below
    (a stray quote, most likely), those lines taken into the field, one notice each."""
    notices = []
    within = [(line, field) for line, field in quoted_lines if not _LINE_BREAK.search(field[0])]
    if within:
        (line, (written, read)), lines = within[0], [line for line, _ in within]
        kept = '"' + written.replace('"', '""') + '"'
        reason = (
            f"text after the closing quote of a field that opens with a quote"
            f"{_more_lines(lines)}: read as Anki reads it, the quotes left out "
            f"({written[:60]!r} reads as {read[:60]!r}); to keep them, quote the whole field "
            f"and double its quotes ({kept[:60]})"
        )
        notices.append(ParseProblem(source, line, reason))
    for line, (written, _) in quoted_lines:
        if taken := len(_LINE_BREAK.findall(written)):
            reason = (
                f"a field opening with a quote that closes {taken} line"
                f"{'s' if taken > 1 else ''} below, with text after it ({written[:60]!r}): "
                f"read as Anki reads it, lines {line} to {line + taken} as one note; if its "
                "quote is a stray one, double it (or quote the whole field and double its "
                "quotes) to import those lines as notes"
            )
            notices.append(ParseProblem(source, line, reason))
    return notices


def _more_lines(lines: list[int]) -> str:
    """ " (and on 2 more lines)" for a notice naming the first of `lines`."""
    more = len(lines) - 1
    return f" (and on {more} more line{'s' if more > 1 else ''})" if more else ""


def _column_notices(
    layout: FileLayout,
    mapping: ColumnMapping,
    raws: list["_RawRecord"],
    source: str,
    line_at: Callable[[int], int],
    mapping_chosen: bool,
) -> list[ParseProblem]:
    """What became of the columns that were guessed or left out, and how to choose
    otherwise."""
    notices = []
    used = {*mapping.columns, *layout.meta.values()}
    reverse_column = _add_reverse_column(layout, mapping)
    notetype_column = layout.meta.get("notetype")

    def named_type(raw: _RawRecord) -> str:
        if notetype_column is not None and notetype_column < len(raw.fields):
            return raw.fields[notetype_column] or layout.notetype
        return layout.notetype

    # A note of cards of their own makes its cards of every field: none is left out.
    mapped = [raw for raw in raws if not _own_cards(named_type(raw))]
    # Columns no card shows, each with its name and whether it holds only numbers: told
    # in one notice, as a spreadsheet of a dozen columns would be a dozen notices.
    left_out: list[tuple[int, str, bool]] = []
    for column in layout.field_columns:
        rows, whose = mapped, ""
        if column == reverse_column:
            if notetype_column is None:
                continue  # every note's Add Reverse field
            # Add Reverse for the optional reversed notes; left out of the others.
            rows = [
                raw
                for raw in mapped
                if notetype_column >= len(raw.fields)
                or _stock_type(raw.fields[notetype_column]) != OPTIONAL_REVERSED
            ]
            # Said only when some note is of that type: an export of other note types'
            # notes has no Add Reverse, and its column is left out as any other.
            if len(rows) < len(mapped):
                whose = (
                    f" of the notes of other types than '{OPTIONAL_REVERSED}', whose Add "
                    "Reverse it is"
                )
        values = [raw.fields[column].strip() for raw in rows if column < len(raw.fields)]
        filled = [value for value in values if value]
        if column in used or not filled:
            continue
        label = layout.labels[column] if column < len(layout.labels) else ""
        label = f" ({label})" if label else ""
        numbers = all(_ID_LIKE.fullmatch(value) for value in filled)
        if whose:
            kept = dataclasses.replace(mapping, extra=tuple(sorted({*mapping.extra, column})))
            reason = (
                f"column {column + 1}{label} left out{whose}: choosing it under 'Append to "
                f"the answer' ({_options(kept)}) imports it"
            )
            notices.append(ParseProblem(source, 0, reason))
        else:
            left_out.append((column, label, numbers))
    if left_out:
        notices.append(ParseProblem(source, 0, _columns_left_out(left_out, mapping)))
    trailing = layout.trailing_column
    if layout.tags_column_guessed:
        kept = dataclasses.replace(mapping, extra=tuple(sorted({*mapping.extra, trailing})))
        reason = (
            f"column {trailing + 1} read as tags, as Anki reads a column beyond the note's "
            "fields, for every cell of it looks like tags: to import it as part of the "
            f"answer instead, choose it under 'Append to the answer' ({_options(kept)})"
        )
        notices.append(ParseProblem(source, 0, reason))
    for column in [] if mapping_chosen else mapping.extra:
        left_out = dataclasses.replace(
            mapping, extra=tuple(extra for extra in mapping.extra if extra != column)
        )
        leave_out = f"choosing no column to append ({_options(left_out)}) leaves it out"
        if column == trailing:
            reason = (
                f"column {column + 1} appended to the answer, not read as tags: "
                f"{_why_not_tags(column, raws, line_at)}; a '#tags column:{column + 1}' line "
                f"at the top of the file reads it as tags, and {leave_out}"
            )
        else:
            reason = (
                f"column {column + 1} ({layout.labels[column]}) appended to the answer: {leave_out}"
            )
        notices.append(ParseProblem(source, 0, reason))
    return notices


def _columns_left_out(left_out: list[tuple[int, str, bool]], mapping: ColumnMapping) -> str:
    """The notice of the columns (with their names, and whether they hold only numbers) no
    card shows, and the options that append them to the answer."""
    columns = [column for column, _, _ in left_out]
    kept = dataclasses.replace(mapping, extra=tuple(sorted({*mapping.extra, *columns})))
    if len(left_out) == 1:
        ((column, label, numbers),) = left_out
        return (
            f"column {column + 1}{label} left out"
            + (", for it holds only numbers (a sort number or an id)" if numbers else "")
            + f": choosing it under 'Append to the answer' ({_options(kept)}) imports it"
        )
    named = ", ".join(f"{column + 1}{label}" for column, label, _ in left_out)
    numbers = [str(column + 1) for column, _, only_numbers in left_out if only_numbers]
    if len(numbers) == len(left_out):
        of_numbers = ", for they hold only numbers (sort numbers or ids)"
    elif numbers:
        of_numbers = (
            f" ({' and '.join(numbers) if len(numbers) < 3 else ', '.join(numbers)} "
            f"{'holds' if len(numbers) == 1 else 'hold'} only numbers, a sort number or an id)"
        )
    else:
        of_numbers = ""
    return (
        f"columns {named} left out{of_numbers}: choosing them under 'Append to the answer' "
        f"({_options(kept)}) imports them"
    )


def _why_not_tags(column: int, raws: list["_RawRecord"], line_at: Callable[[int], int]) -> str:
    if short := _lines_without(column, raws):
        line = line_at(short[0].start)
        return f"line {line} lacks it, where Anki writes a tags column on every line"
    text = next(
        raw
        for raw in raws
        if len(raw.fields) > column
        and raw.fields[column].strip()
        and not _reads_as_tags(raw.fields[column].strip())
    )
    value = _plain(text.fields[column])[:40]
    return f"line {line_at(text.start)} holds {value!r}, text rather than tags"


# What people part a term from its definition with (a hyphen, an en or em dash, an equals
# sign, an arrow) where Anki reads no separator.
_UNREAD_SEPARATORS = (" - ", " \u2013 ", " \u2014 ", " = ", " : ", " -> ", " => ")
# RemNote's Markdown export ("question >> answer") and Obsidian's Spaced Repetition notes
# ("question::answer").
_NOTE_APP_SEPARATORS = (" >> ", "::")


def _unread_separator(raws: list["_RawRecord"]) -> str | None:
    """The mark every line of one field holds, that may be meant to part its two sides."""
    lines = [raw.fields[0] for raw in raws if len(raw.fields) == 1 and not raw.error]
    if not lines or len(lines) < len(raws):
        return None
    marks = (*_UNREAD_SEPARATORS, *_NOTE_APP_SEPARATORS)
    return next((mark for mark in marks if all(mark in line for line in lines)), None)


def _mapping_problem(mapping: ColumnMapping, layout: FileLayout) -> str:
    """Why the columns chosen cannot make the cards ("" when they can): a column past the
    file's, or one that holds its guid, deck or note type, was read as empty fields."""
    fields = layout.mappable_columns
    for column in mapping.columns:
        if column not in fields:
            numbers = ", ".join(str(field + 1) for field in fields)
            return f"column {column + 1} is no field of the file: its fields are columns {numbers}"
    if mapping.question == mapping.answer:
        return "the question and the answer need different columns"
    return ""


def _options(mapping: ColumnMapping) -> str:
    """The import_anki options that choose `mapping`."""
    options = f"--question {mapping.question + 1}"
    if mapping.answer is not None:
        options += f" --answer {mapping.answer + 1}"
    if mapping.extra:
        options += " --extra " + ",".join(str(column + 1) for column in mapping.extra)
    return options


_BINARY_KINDS = {
    b"PK\x03\x04": (
        "a zip archive (an Anki package keeps its name ending in .apkg or .colpkg: rename "
        "it so; a spreadsheet, .xlsx or .ods, is saved as CSV first)"
    ),
    b"SQLite format 3\x00": (
        "an Anki collection itself (export the deck from Anki as an .apkg instead)"
    ),
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Office document (save an .xls as CSV first)",
}


def _binary_reason(data: bytes) -> str:
    """Why a file holding binary data is no text file, naming what it is when it says so."""
    kind = next((why for magic, why in _BINARY_KINDS.items() if data.startswith(magic)), None)
    head = data[:8192]
    zeros = sorted([head[::2].count(0), head[1::2].count(0)])
    if kind is None and len(head) > 3 and zeros[1] > len(head) // 4 > zeros[0]:
        kind = "UTF-16 text without its byte order mark (save it as UTF-8)"
    return f"not a text file: {kind}" if kind else "not a text file (it holds binary data)"


def _decoded(data: bytes | str, source: str) -> tuple[str, list[ParseProblem]]:
    """The file's text, decoded whole, never line by line (half a file is no import):
    UTF-8 (a byte order mark allowed); UTF-16 with its byte order mark (Excel's "Unicode
    Text"); else Windows-1252, what Excel's "CSV" writes on Windows, with a notice saying
    so. A file none of these can read is refused, naming its first line that is not UTF-8."""
    if isinstance(data, str):
        data, notices = _end_padding_removed(data.removeprefix("\ufeff"), source)
        return data, notices
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").removeprefix("\ufeff"), []
        except UnicodeDecodeError as error:
            before = data[: error.start].decode("utf-16", "replace")
            line = len(_LINE_BREAK.findall(before)) + 1
            reason = "not valid UTF-16, though it starts as UTF-16 does: save it again"
            raise AnkiParseError([ParseProblem(source, line, reason)]) from None
    data, notices = _end_padding_removed(data, source)
    if b"\x00" in data[:8192] or data.startswith(tuple(_BINARY_KINDS)):
        raise AnkiParseError([ParseProblem(source, 1, _binary_reason(data))])
    try:
        return data.decode("utf-8-sig"), notices
    except UnicodeDecodeError as error:
        first_bad = error.start
    line = len(_BYTE_LINE_BREAK.findall(data, 0, first_bad)) + 1
    not_utf8 = f"not UTF-8 (byte 0x{data[first_bad]:02x})"
    save = "save it as 'CSV UTF-8' (or as UTF-8 text) and import it again"
    # Letters UTF-8 encodes well elsewhere in the file mean a UTF-8 file with a stray byte,
    # or two files pasted together: read as Windows-1252, those letters would turn to `Ã©`.
    if _NOT_ASCII.search(data.decode("utf-8", "surrogateescape")):
        reason = f"{not_utf8}, though the rest of the file is: {save}"
        raise AnkiParseError([ParseProblem(source, line, reason)])
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        reason = f"{not_utf8}, nor Windows-1252: {save}"
        raise AnkiParseError([ParseProblem(source, line, reason)]) from None
    reason = (
        f'read as Windows-1252, not UTF-8 (as Excel\'s "CSV" saves on Windows; line {line} '
        "is the first that is not UTF-8): check its accented letters, or save the file as "
        "'CSV UTF-8'"
    )
    return text, [*notices, ParseProblem(source, 0, reason)]


def _end_padding_removed(data: AnyStr, source: str) -> tuple[AnyStr, list[ParseProblem]]:
    """`data` without the Ctrl-Z (old DOS tools' end-of-file mark) and NUL bytes (what a
    copy cut short leaves) after its last line, and a notice naming them: never a note's
    text, and NULs near the top would make the file look binary."""
    padding = "\x00\x1a" if isinstance(data, str) else b"\x00\x1a"
    kept = data.rstrip(padding)
    if len(kept) == len(data):
        return data, []
    breaks = _LINE_BREAK if isinstance(kept, str) else _BYTE_LINE_BREAK
    count = len(data) - len(kept)
    reason = (
        f"the file ends with {count} NUL or Ctrl-Z byte{'s' if count > 1 else ''} (an old "
        "DOS tool's end-of-file mark, or the padding of a copy cut short): left out"
    )
    return kept, [ParseProblem(source, len(breaks.findall(kept)) + 1, reason)]


# Control characters, which no card means to show: a vertical tab or a form feed is a line
# break within a paragraph as Word and PowerPoint write it; U+0080 to U+009F are a
# Windows-1252 file's curly quotes and dashes converted to UTF-8 as if it were Latin-1.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _controls_read(field: str, *, html: bool) -> str:
    def read(match: re.Match[str]) -> str:
        character = match[0]
        if character in "\x0b\x0c":
            return "<br>" if html else "\n"
        if character >= "\x80":
            return bytes([ord(character)]).decode("cp1252", "ignore")
        return ""

    return _CONTROL.sub(read, field)


# --- export ---


@dataclass(frozen=True, kw_only=True)
class ExportCard:
    """One note to write: a Basic note's question and answer, a Cloze note's text and
    Back Extra. `note_type` names the Anki note type whose fields these are."""

    question_html: str
    answer_html: str
    tags: tuple[str, ...] = ()
    source_url: str = ""
    guid: str = ""
    note_type: str = BASIC
    # After the first two: an optional reversed note's Add Reverse, or a note of cards of
    # their own's further fronts and backs.
    extra_fields: tuple[str, ...] = ()
    typed_box: str = ""  # the box `note_type` lacks: TYPED_BOX_TYPES
    deck: str = ""  # the deck it is in, written in a deck column when notes differ


def export_notice(cards: Iterable[ExportCard]) -> str:
    """What to tell of an export of `cards` that Anki may not read whole: notes of cards
    of their own, which Anki imports only where it has their note type, and skips when
    they have no first card (an empty first field). "" when there is nothing to tell."""
    own = [card for card in cards if _own_cards(card.note_type)]
    if not own:
        return ""
    notice = (
        f"{len(own)} note{'s' if len(own) != 1 else ''} of a note type of the user's own "
        "written as 'Cards of their own (n)' notes, a question and an answer per card: Anki "
        "imports them only into a collection that has that note type (import the deck's "
        ".apkg export first), and skips them elsewhere"
    )
    if without_first := sum(1 for card in own if not card.question_html.strip()):
        notice += (
            f"; {without_first} of them {'has' if without_first == 1 else 'have'} no first "
            "card, and Anki skips a note whose first field is empty (the .apkg export "
            "carries it)"
        )
    return notice


def export_anki(cards: Iterable[ExportCard], *, deck_name: str | None = None) -> str:
    """Write notes as an Anki text file that Anki, and read_anki, read back to the same
    notes: `#notetype` names the note type (a column does when notes differ), and the guid
    column lets a re-import update notes instead of adding duplicates. A comment at the top
    says what export_notice tells."""
    cards = list(cards)
    types = sorted({card.note_type for card in cards}) or [BASIC]
    own = any(_own_cards(card.note_type) for card in cards)
    # Under `#notetype`, Anki reads a note of a type it lacks as Basic, its further cards
    # lost; a column of a type it lacks skips the note and says so.
    with_type = len(types) > 1 or own
    with_deck = len({card.deck for card in cards}) > 1
    width = max((2 + len(card.extra_fields) for card in cards), default=2)
    lines = ["#separator:tab", "#html:true"]
    if notice := export_notice(cards):
        lines.append(f"# {notice}")
    if not with_type:
        lines.append(f"#notetype:{types[0]}")
    if deck_name is not None:
        if _LINE_BREAK.search(deck_name):
            raise ValueError(f"deck name {deck_name!r} spans lines")
        lines.append(f"#deck:{deck_name}")
    lines += _typed_box_lines(cards)
    lines += [f"#tags column:{width + 1}", f"#guid column:{width + 2}"]
    if with_type:
        lines.append(f"#notetype column:{width + 3}")
    if with_deck:
        lines.append(f"#deck column:{width + 3 + with_type}")
    lines += (_export_line(card, width, with_type=with_type, with_deck=with_deck) for card in cards)
    return "\n".join(lines) + "\n"


def _typed_box_lines(cards: list[ExportCard]) -> list[str]:
    """The headers naming the notes whose box their stock note type lacks, by guid: Anki
    reads them as comments and the notes as the stock type's (a note type of another name
    would be one its collection may lack), read_anki gives the cards their box back."""
    lines = []
    for box, header in TYPED_BOX_HEADERS.items():
        guids = [card.guid for card in cards if card.typed_box == box]
        # A guid a spreadsheet gave may hold spaces: its note's box is left out.
        guids = [guid for guid in guids if guid and guid.split() == [guid]]
        if guids:
            lines.append(f"#{header}:{' '.join(guids)}")
    return lines


def _export_line(card: ExportCard, width: int, *, with_type: bool, with_deck: bool) -> str:
    for tag in card.tags:
        if tag.split() != [tag]:
            raise ValueError(f"tag {tag!r} is empty or holds whitespace")
    answer = card.answer_html
    if card.source_url:
        answer += f"<br><br><a href='{html.escape(card.source_url)}'>{PROVENANCE_LABEL}</a>"
    fields = [card.question_html, answer, *card.extra_fields]
    fields += [""] * (width - len(fields))
    fields += [" ".join(card.tags), card.guid]
    if with_type:
        fields.append(card.note_type)
    if with_deck:
        if _LINE_BREAK.search(card.deck):
            raise ValueError(f"deck name {card.deck!r} spans lines")
        fields.append(card.deck)
    return "\t".join(_export_field(field) for field in fields)


def _export_field(value: str) -> str:
    # Anki's quoting: a field is quoted when a reader would otherwise misread it (a tab or
    # line break inside it, or a leading quote, which opens quoting, or `#`, which starts a
    # comment); inside quotes a quote is doubled.
    if value.startswith(('"', "#")) or any(char in value for char in "\t\r\n"):
        return '"' + value.replace('"', '""') + '"'
    return value


# --- headers, separator and columns ---


@dataclass(frozen=True)
class _Headers:
    separator: str | None
    html: bool
    tags: tuple[str, ...]
    notetype: str
    names: str  # the raw `#columns` value, split once the separator is known
    numbered: dict[str, tuple[int, str, int]]  # role -> (0-based column, header key, line)
    html_given: bool = False  # an `#html` line said whether fields are HTML
    deck: str = ""  # `#deck`'s Anki deck
    typed_boxes: dict[str, str] = dataclasses.field(default_factory=dict)  # guid -> box


_GUESS_LINES = 50  # the lines the separator is guessed from
_EXCEL_SEPARATOR = re.compile(r'"?sep=([^"\r\n])"?\s*', re.IGNORECASE)


# A tag or an entity, as a field holding HTML has: Anki reads a file without an #html line
# as HTML when a field has "<...>"; an entity ("Tom &amp; Jerry") is taken as HTML here too.
# Only an HTML element's tag counts, its attributes given values, so that a spreadsheet's
# "if a<b and c>d" or "x<y>z" is not taken for markup (and cut to "if a<b>d</b>").
_HTML_LIKE = re.compile(
    rf"</?(?:{HTML_ELEMENTS})"
    r"""(?:\s+[a-z_:][-a-z0-9_:.]*\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+))*+\s*/?>"""
    r"|&(?:[a-z][a-z0-9]*|#[0-9]+|#x[0-9a-f]+);",
    re.IGNORECASE,
)


def _quizlet_rows(body: str, *, entities: bool) -> tuple[str, list[str]] | None:
    """A body of one line holding rows separated by ";" (Quizlet's export with rows
    separated by ";"), each a term and its definition separated by a tab or a comma: that
    separator and the rows. None where it could be read otherwise: more lines, quotes, an
    HTML entity (whose ";" is no row's end), a row that one separator does not split in two
    filled fields, or a comma that is punctuation ("What, exactly?;This, and that" is a note
    of two fields)."""
    line = body.strip("\r\n")
    if _LINE_BREAK.search(line) or '"' in line or (entities and _ENTITY.search(line)):
        return None
    rows = line.split(";")
    if not rows[-1].strip():
        rows.pop()  # Quizlet ends the last row with ";" too
    if len(rows) < 2:
        return None
    fitting = [
        separator
        for separator in ("\t", ",")
        if all(
            len(fields := row.split(separator)) == 2 and all(field.strip() for field in fields)
            for row in rows
        )
        and not (separator == "," and _PUNCTUATION[","].search(line))
    ]
    return (fitting[0], rows) if len(fitting) == 1 else None


def _line_breaks_joined(
    raws: list["_RawRecord"], *, html: bool
) -> tuple[list["_RawRecord"], list[tuple[int, int]]]:
    """A two-column file's lines without the separator joined to the note above, each
    after a line break in its last field: Quizlet exports a definition's line break so,
    unquoted. With the offsets of each line joined and of the note it joined. Only where
    every other note has two columns, both filled in, and such lines are fewer than them;
    none may be the first, hold a cloze deletion (a cloze note needs one field) or sit in
    a file with quotes left open. Otherwise the file has other faults, and each such line
    is a line of its own, skipped as before.

    A line that reads as the file's terms do and as none of its definitions (`Katze` among
    `Hund`, `Maus`, whose definitions are `dog`, `mouse`) is a term whose answer was
    forgotten, not a definition's next line: it is skipped, saying so, and so are the lines
    without the separator right after it."""
    lone = [raw for raw in raws if len(raw.fields) == 1]
    if (
        not lone
        or len(raws[0].fields) == 1
        or any(raw.error or len(raw.fields) > 2 for raw in raws)
        or any(not field.strip() for raw in raws for field in raw.fields)
        or len(lone) * 2 >= len(raws)
        or any("{{c" in raw.fields[0] and cloze_numbers(raw.fields[0]) for raw in lone)
    ):
        return raws, []
    line_break = "<br>" if html else "\n"
    notes = [raw for raw in raws if len(raw.fields) == 2]
    term_shapes = Counter(_shape(raw.fields[0], html=html) for raw in notes)
    definition_shapes = {_shape(raw.fields[1], html=html) for raw in notes}
    kept: list[_RawRecord] = []
    joined: list[tuple[int, int]] = []
    above: _RawRecord | None = None
    for raw in raws:
        if len(raw.fields) == 2:
            above = raw
            kept.append(raw)
        elif above is None:
            kept.append(raw)  # after a term without its answer: a line of its own
        elif _reads_as_a_term(_shape(raw.fields[0], html=html), term_shapes, definition_shapes):
            kept.append(dataclasses.replace(raw, error=_TERM_WITHOUT_ANSWER))
            above = None
        else:
            fields = [*above.fields[:-1], f"{above.fields[-1]}{line_break}{raw.fields[0]}"]
            above = dataclasses.replace(above, fields=fields)
            kept[-1] = above
            joined.append((raw.start, above.start))
    return kept, joined


_TERM_WITHOUT_ANSWER = (
    "a term without its answer: the line has no separator and reads as this file's terms "
    "do, not as their definitions, so it is not joined to the answer above (give it its "
    "answer to import it)"
)
_SENTENCE_END = (".", "!", "?", ":", ";")


def _shape(field: str, *, html: bool) -> tuple[str, str, bool]:
    """How a field looks, as a term or a definition of a vocabulary list does: its first
    letter's case, how many words (one, a few, a sentence) and whether it ends a sentence."""
    text = _plain(field) if html else " ".join(field.split())
    first = text[:1]
    case = "upper" if first.isupper() else "lower" if first.islower() else "other"
    words = len(text.split())
    size = "one" if words <= 1 else "few" if words <= 3 else "many"
    return case, size, text.endswith(_SENTENCE_END)


def _reads_as_a_term(
    shape: tuple[str, str, bool], terms: Counter, definitions: set[tuple[str, str, bool]]
) -> bool:
    """The shape of at least half the file's terms and of none of its definitions."""
    return shape not in definitions and terms[shape] * 2 >= terms.total()


def _first_markup(raws: list["_RawRecord"]) -> tuple["_RawRecord", str] | None:
    """The first note with a field holding markup, and that markup."""
    for raw in raws:
        for field in raw.fields:
            if match := _HTML_LIKE.search(field):
                return raw, match.group(0)
    return None


def _read_headers(lines: list[str]) -> tuple[_Headers, int, list, list[tuple[int, str]]]:
    """Read the `#key:value` lines at the top (and an old `tags:` first line); return them,
    the first body line, the header problems and the comment lines among them."""
    separator, is_html, tags, notetype, names, html_given, deck = None, True, (), "", "", False, ""
    typed_boxes: dict[str, str] = {}
    numbered: dict[str, tuple[int, str, int]] = {}
    errors: list[tuple[int, str]] = []
    comments: list[tuple[int, str]] = []
    body_line = len(lines) + 1
    for line, content in enumerate(lines, start=1):
        if line == 1 and content.startswith("tags:"):
            tags = tuple(content.removeprefix("tags:").split())
            continue
        if line == 1 and (excel := _EXCEL_SEPARATOR.fullmatch(content)):
            # Excel's own separator line, "sep=;", above a spreadsheet's column names.
            separator = excel[1]
            continue
        if not content.startswith("#"):
            if content.strip():
                body_line = line
                break
            continue
        header = _HEADER.fullmatch(content)
        key, value = (header[1].strip().lower(), header[2]) if header else ("", "")
        if key in _TYPED_BOX_BY_HEADER:
            typed_boxes.update(dict.fromkeys(value.split(), _TYPED_BOX_BY_HEADER[key]))
        elif key not in _HEADER_KEYS:
            comments.append((line, content))
        elif key == "separator":
            value = _without_trailing_separators(value)
            chosen = value if len(value) == 1 else SEPARATORS.get(value.strip().lower())
            if chosen is None or chosen in '"\r\n':
                errors.append((line, f"unknown separator {value!r}"))
            else:
                separator = chosen
        elif key == "html":
            flag = _without_trailing_separators(value).strip().lower()
            if flag not in ("true", "false"):
                errors.append((line, f"#html must be true or false, not {value!r}"))
            is_html, html_given = flag != "false", True
        elif key == "tags":
            tags = tuple(value.split())
        elif key == "columns":
            names = value
        elif key == "notetype":
            notetype = value.strip()
        elif key == "deck":
            deck = anki_deck_name(value)
        elif key in _ROLE_BY_HEADER:
            value = _without_trailing_separators(value)
            if not _COLUMN_NUMBER.fullmatch(value.strip()):
                errors.append(
                    (line, f"#{key} must be a column number, counted from 1, not {value!r}")
                )
            else:
                numbered[_ROLE_BY_HEADER[key]] = (int(value) - 1, key, line)
    headers = _Headers(
        separator, is_html, tags, notetype, names, numbered, html_given, deck, typed_boxes
    )
    return headers, body_line, errors, comments


def _without_trailing_separators(value: str) -> str:
    """A header's value without what a spreadsheet added after it, as Anki reads it: saved
    from Excel, `#separator:Pipe` is `#separator:Pipe,,,,` and `#html:true` `#html:true;;`.
    The value ends at the first character past its first that is not an ASCII letter or
    digit (so `#separator:,` keeps its comma); only for values of a word or a number."""
    for index, char in enumerate(value[1:], start=1):
        if not (char.isascii() and char.isalnum()):
            return value[:index]
    return value


def _guess_separator(
    text: str, body: int, source: str, *, entities: bool, preferred: str | None = None
) -> str:
    """The separator that splits the first lines most consistently into two or more
    fields. On a tie (German and French Excel save "CSV" with semicolons, and a comma may
    then be on every line) the one that splits every line alike, then the one less often
    used as punctuation; then tab, semicolon, comma and pipe (a `.csv` name puts comma
    first, and `preferred` before it). With `entities`, the ";" ending an HTML entity is
    neither separator nor punctuation. It reads the first lines whole, however long (an
    inline image, a pasted article), and at least the first 16384 characters."""
    line_breaks = _LINE_BREAK.finditer(text, body)
    lines_end = next(islice(line_breaks, _GUESS_LINES - 1, None), None)
    sample = text[body : max(lines_end.end() if lines_end else len(text), body + 16384)]
    order = list(_GUESSED)
    if source.lower().endswith(".csv"):
        order.remove(",")
        order.insert(0, ",")
    if preferred is not None:
        order = [preferred, *(separator for separator in order if separator != preferred)]
    lines = [line for line in islice(_LINE_BREAK.split(sample), _GUESS_LINES) if line.strip()]
    # A list of cloze sentences, one a line ("{{c1::Rome}}, {{c2::Italy}}, is old."): a
    # separator is one only if it splits every line alike and leaves every deletion in one
    # column, the note's text (the first, or the one after an id: "AI_02; {{c1::Uniform
    # cost}} search...; slides"); else the commas are the sentences' own.
    cloze_lines = bool(lines) and all(_holds_cloze(line) for line in lines)

    def score(separator: str) -> tuple[int, int, bool, int]:
        records = list(
            islice(_split_records(sample, 0, separator, entities=entities), _GUESS_LINES)
        )
        widths = [len(raw.fields) for raw in records]
        split = [width for width in widths if width > 1]
        if cloze_lines and (
            len(set(widths)) > 1
            or len(
                {
                    column
                    for raw in records
                    for column, field in enumerate(raw.fields)
                    if _holds_cloze(field)
                }
            )
            > 1
        ):
            split = []
        if not split:
            return (0, 0, False, 0)
        _, most_common = Counter(split).most_common(1)[0]
        punctuation = _PUNCTUATION.get(separator)
        as_punctuation = 0
        for mark in punctuation.finditer(sample) if punctuation else ():
            as_punctuation += not (entities and _entity_end(sample, mark.start()))
        return (len(split), most_common, len(set(widths)) == 1, -as_punctuation)

    scores = {separator: score(separator) for separator in order}
    best = max(order, key=lambda separator: (scores[separator], -order.index(separator)))
    if scores[best][0]:
        return best
    # Nothing splits the lines: a tab (which the lines lack) keeps each one a field.
    return "\t" if cloze_lines else order[0]


def _holds_cloze(value: str) -> bool:
    return "{{c" in value and bool(cloze_numbers(value))


def _layout(
    headers: _Headers,
    separator: str,
    guessed: bool,
    raws: list["_RawRecord"],
    *,
    header_row: int = 0,
) -> tuple[FileLayout, list[tuple[int, str]]]:
    labels = tuple(name.strip() for name in headers.names.split(separator)) if headers.names else ()
    meta = {role: column for role, (column, _, _) in headers.numbered.items()}
    widest = max([len(labels), *(len(raw.fields) for raw in raws if not raw.error)])
    # A file may leave out trailing columns that are empty on every line (a tags column
    # nobody filled in), so the numbered columns right after the widest line still count;
    # one beyond a gap (`#tags column:9` in a file of 3 columns) is a mistake, not data.
    reached = widest
    while reached in meta.values():
        reached += 1
    errors = [
        (line, f"#{key} is {column + 1}, but the file has only {widest} columns")
        for column, key, line in headers.numbered.values()
        if column >= reached and raws
    ]
    for column, label in enumerate(labels):
        if _label_key(label) in _TAGS_LABELS and "tags" not in meta:
            meta["tags"] = column
    tags_guessed, trailing = False, None
    # Anki's tags column is the one after the note's fields: Front, Back (and Add Reverse).
    # The guid, deck and note type columns are no fields: an export of "Hund", "dog" with
    # its deck has three columns, and "dog" is the answer.
    note_fields = 3 if _stock_type(headers.notetype) == OPTIONAL_REVERSED else 2
    if own := _own_cards(headers.notetype):
        note_fields = 2 * own[0]
    fields = [column for column in range(widest) if column not in meta.values()]
    if "tags" not in meta and not labels and len(fields) > note_fields:
        trailing = fields[-1]
        values = [raw.fields[trailing].strip() for raw in raws if len(raw.fields) > trailing]
        filled = [value for value in values if value]
        if (
            filled
            and not _lines_without(trailing, raws)
            and all(_reads_as_tags(value) for value in filled)
            and not all(_is_id(value) for value in filled)
        ):
            meta["tags"], tags_guessed = trailing, True
    layout = FileLayout(
        separator=separator,
        separator_guessed=guessed,
        html=headers.html,
        notetype=headers.notetype,
        labels=labels,
        width=max(reached, widest),
        meta=meta,
        tags_column_guessed=tags_guessed,
        global_tags=headers.tags,
        trailing_column=trailing,
        header_row=header_row,
        deck=headers.deck,
        typed_boxes=headers.typed_boxes,
    )
    return layout, errors


def _lines_without(column: int, raws: list["_RawRecord"]) -> list["_RawRecord"]:
    """The notes that stop before `column`: Anki's exports write every column on every
    line, an empty tags column too, so a column that some notes lack is not their tags."""
    return [raw for raw in raws if 1 < len(raw.fields) <= column and not raw.error]


def _cell_tags(cell: str, *, spreadsheet: bool = False) -> list[str]:
    """The tags a tags column's cell holds: words separated by spaces, as Anki reads them
    (and by commas and semicolons too in a `spreadsheet`'s), or a JSON list of strings
    (`["GRE","vocab"]`, as a script or a spreadsheet built from an API writes them), which
    Anki would keep as one tag of brackets and quotes. A space in a listed tag is an
    underscore: an Anki tag has none."""
    listed = _json_tag_list(cell)
    if listed is not None:
        return ["_".join(tag.split()) for tag in listed if tag.strip()]
    words = _SPREADSHEET_TAG_BREAK.split(cell) if spreadsheet else cell.split()
    return [word for word in words if word]


_SPREADSHEET_TAG_BREAK = re.compile(r"[\s,;]+")


def _json_tag_list(cell: str) -> list[str] | None:
    text = cell.strip()
    if not text.startswith("[") or not text.endswith("]"):
        return None
    # An HTML file's cell may spell its quotes as entities (`[&quot;GRE&quot;]`).
    for candidate in dict.fromkeys((text, html.unescape(text))):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, list) and all(isinstance(tag, str) for tag in value):
            return value
    return None


def _reads_as_tags(value: str) -> bool:
    if _json_tag_list(value) is not None:
        return True
    words = value.split()
    if not words or len(words) > _MOST_TAGS or _NOT_IN_TAGS.search(value):
        return False
    # A capital, then a word in lower case: "Der Hund bellt laut", "Es regnet".
    sentence = words[0][0].isupper() and any(word[0].islower() for word in words[1:])
    return not sentence


def default_mapping(layout: FileLayout, raws: list["_RawRecord"]) -> ColumnMapping:
    """Columns named as a question and an answer (Front/Back, Text/Back Extra, Term/
    Definition...) when the file names its columns; a spreadsheet's Notes or Example column
    appended to the answer (Anki's `#columns` names fields of a note type: others are left
    out, as Anki leaves them). Else the first two fields that are not empty on every line
    and are not ids or sort numbers, and a last column of text that Anki would have read as
    tags appended to the answer."""
    fields = layout.field_columns
    named = [
        (column, role[0])
        for column in fields
        if column < len(layout.labels) and (role := _label_role(layout.labels[column]))
    ]
    question = next((column for column, kind in named if kind == "question"), None)
    if question is not None:
        # A language's column translates the question ("Word;English").
        answers = [
            column for kind in ("answer", "extra", "language") for column, of in named if of == kind
        ]
        answer = answers[0] if answers else None
        extra = ()
        if layout.header_row:
            # A spreadsheet's further answers ("Kanji;Reading;Meaning"), translations
            # ("Word;Pronunciation;Vietnamese") and notes.
            extra = tuple(
                column
                for column, kind in named
                if kind in ("answer", "extra", "language", "notes")
                and column != answer
                and _is_content_column(column, raws)
            )
        return ColumnMapping(question, answer, extra)
    content = [column for column in fields if _is_content_column(column, raws)]
    # A column repeating a few values on most lines (a lesson part, "lek", "zu", "üb")
    # sorts the notes: it asks nothing, and neither does one named so or named an id,
    # a sound or the like ("Key" before "Radical": "日:ri4" asked for 日).
    unasked = {column for column, kind in named if kind in ("sort", "other")}
    asking = [
        column
        for column in content
        if not _is_category_column(column, raws) and column not in unasked
    ]
    # A column of cloze deletions is a cloze note's text, whatever stands before it (an id
    # such as "MSS_CH2_01", a song's name): the question, the content after it Back Extra.
    cloze = next((column for column in asking if _is_cloze_column(column, raws)), None)
    if cloze is not None:
        question = cloze
        # Back Extra: a column most lines fill (a note's explanation) before one a few do.
        after = [column for column in content if column > cloze]
        filled = [column for column in after if _is_mostly_filled(column, raws)]
        answer = next(chain(filled, after), None)
    else:
        question = next(chain(asking, content, fields))
        # The answer follows the question: numbers after it are an answer ("What is 6 x
        # 7?", "42"), numbers before it a sort number or an id.
        later = [column for column in fields if column > question]
        # A column most lines leave empty (a variant form a few notes have) answers little:
        # one after it that most lines fill is the answer.
        after = [column for column in content if column > question]
        answer = next(
            chain(
                (column for column in after if _is_mostly_filled(column, raws)),
                after,
                (column for column in later if _is_filled(column, raws)),
                later,
                (column for column in fields if column != question),
            ),
            None,
        )
    trailing = layout.trailing_column
    extra = ()
    if (
        trailing in fields
        and trailing not in (question, answer)
        and _is_content_column(trailing, raws)
    ):
        extra = (trailing,)
    if layout.header_row:
        # Column names of languages ("korean,english,example"): the notes they name too,
        # and further answers and translations, as where a column is named the question
        # ("Chapter,Character,Pinyin,German": the German meaning after the Pinyin).
        extra = tuple(
            column
            for column, kind in named
            if kind in ("answer", "extra", "language", "notes")
            and column not in (question, answer)
            and _is_content_column(column, raws)
        )
    return ColumnMapping(question, answer, extra)


def _label_key(label: str) -> str:
    return label.strip().casefold()


def _label_role(label: str) -> tuple[str, str] | None:
    """What a column's name says the column holds: ("question", key), ("answer", key),
    ("extra", key) (a cloze note's Back Extra: an answer, or notes), ("notes", key),
    ("tags", key), ("sort", key), ("other", key) (Part of Speech, Audio), or ("language",
    its code); None for any other name. A name of two words, one a language and one a
    label ("Spanish word", "Meaning in English"), names the language; a note's label and
    another ("Example sentence"), notes; a question's and an answer's ("Word Meaning",
    Japanese decks' field), an answer."""
    key = _label_key(label).replace("_", " ")
    for role, labels in (
        ("question", _QUESTION_LABELS),
        ("extra", _EXTRA_LABELS),
        ("answer", _ANSWER_LABELS),
        ("notes", _NOTES_LABELS),
        ("tags", _TAGS_LABELS),
        ("sort", _SORT_LABELS),
        ("other", _OTHER_LABELS),
    ):
        if key in labels:
            return role, key
    if key in _LANGUAGE_LABELS:
        return "language", _LANGUAGE_LABELS[key]
    if not _LABEL_OF_WORDS.fullmatch(key):
        return None
    words = [word for word in _LABEL_WORD.findall(key) if word not in _LABEL_FILLERS]
    if len(words) == 1 and words[0] != key:
        return _label_role(words[0])
    roles = [_label_role(word) for word in words] if len(words) == 2 else [None]
    if None in roles:
        return None
    (first, _), (second, _) = roles
    if first == "question" and second in ("answer", "extra"):
        return roles[1]  # "Word Meaning", "Sentence Translation": an answer
    if first == second and first in ("notes", "other"):
        return roles[1]  # "source_deck", "Example notes"
    by_kind = dict(roles)
    for kind, others in (("notes", _WORD_KINDS | {"language"}), ("language", _WORD_KINDS)):
        if kind in by_kind and by_kind.keys() - {kind} <= others and len(by_kind) == 2:
            return kind, by_kind[kind]
    return None


def _is_label_row(raw: "_RawRecord") -> bool:
    """A first row of column names: one names the question, one the answer (or a
    language), and the others notes, tags or a category; or two name languages
    ("French,English,Category"), or a language and an answer ("English;Translation").
    Each is needed: a German deck's first note may be "Frage;question", "Deutsch;German",
    or "Bedeutung;meaning", and no name may be a word of another kind ("Kanji;Chinese
    characters" is a note)."""
    roles = [_label_role(field) for field in raw.fields if field.strip()]
    if None in roles:
        return False
    codes = [code for kind, code in roles if kind == "language"]
    if len(set(codes)) < len(codes):
        return False  # two names of one language ("German;Deutsch") are a note
    kinds = Counter(kind for kind, _ in roles)
    if kinds["question"] == 1 and (kinds["answer"] or kinds["extra"] or codes):
        return True
    return len(codes) > 1 or (not kinds["question"] and len(codes) == 1 and kinds["answer"] > 0)


def _names_over_numbers(raws: list["_RawRecord"]) -> bool:
    """A first row of column names in any language, as a spreadsheet or pandas writes it:
    short distinct names ("Chapter", "word_en", "Name in pinyin") over a first column of
    numbers (a chapter, a sort number; pandas' index, whose name is empty), and at least
    two columns beside it."""
    first, rest = raws[0], raws[1:]
    names = [field.strip() for field in first.fields]
    numbers = [raw.fields[0].strip() for raw in rest if raw.fields[0].strip() and not raw.error]
    return (
        not first.error
        and len(names) > 2
        and len(set(names)) == len(names)
        and all(_COLUMN_NAME.fullmatch(name) for name in names[1:])
        and (not names[0] or bool(_COLUMN_NAME.fullmatch(names[0])))
        and len(numbers) > 1
        and all(_is_id(number) for number in numbers)
    )


def _is_id(value: str) -> bool:
    """A sort number or an id ("2_1", "0042", "3.1", a UUID)."""
    return bool(_ID_LIKE.fullmatch(value) or _UUID.fullmatch(value))


def _is_filled(column: int, raws: list["_RawRecord"]) -> bool:
    return any(column < len(raw.fields) and raw.fields[column].strip() for raw in raws)


def _is_mostly_filled(column: int, raws: list["_RawRecord"]) -> bool:
    filled = sum(column < len(raw.fields) and bool(raw.fields[column].strip()) for raw in raws)
    return filled * 2 >= len(raws)


def _is_content_column(column: int, raws: list["_RawRecord"]) -> bool:
    """Whether a column holds more than ids and sort numbers. A script's placeholder for
    a missing value ("undefined" among a Frequency column's numbers) counts as empty."""
    values = [raw.fields[column].strip() for raw in raws if column < len(raw.fields)]
    filled = [value for value in values if value and value.casefold() not in _PLACEHOLDERS]
    return bool(filled) and not all(_is_id(value) for value in filled)


# What a script writes for a value it lacks: JavaScript's, JSON's, Python's and pandas'.
_PLACEHOLDERS = {"undefined", "null", "none", "nan"}


def _is_category_column(column: int, raws: list["_RawRecord"]) -> bool:
    """A tenth as many different values as lines, or fewer, on ten lines or more."""
    filled = [raw.fields[column].strip() for raw in raws if column < len(raw.fields)]
    filled = [value for value in filled if value]
    return len(filled) >= 10 and len(set(filled)) * 10 <= len(filled)


def _is_cloze_column(column: int, raws: list["_RawRecord"]) -> bool:
    """Cloze deletions on most of the lines that fill the column."""
    filled = [raw.fields[column] for raw in raws if column < len(raw.fields)]
    filled = [value for value in filled if value.strip()]
    return sum(_holds_cloze(value) for value in filled) * 2 > len(filled)


def _preview_row(raw: "_RawRecord", layout: FileLayout) -> tuple[str, ...]:
    fields = [*raw.fields, *[""] * (layout.width - len(raw.fields))]
    return tuple(_plain(field)[:_PREVIEW_CHARS] for field in fields[: layout.width])


_BREAKING_TAG = re.compile(r"<(?:br|hr|/?(?:p|div|li|tr|td|th|h3|h4))\b[^<>]*>")


def _plain(value: str) -> str:
    return " ".join(html.unescape(_TAGS.sub("", _BREAKING_TAG.sub(" ", value))).split())


# --- records ---


@dataclass(frozen=True)
class _RawRecord:
    start: int  # offset of the first character
    end: int  # offset of the line break that ends it
    fields: list[str]
    error: str | None
    # A field opening with a quote, with text after its closing quote: as written, as read.
    quotes_left_out: tuple[str, str] | None = None


def _unterminated(rest: str) -> str:
    """Why a record whose quote is never closed is skipped: it took the rest of the file."""
    error = "unterminated quoted field (no closing quote before the end)"
    if after := len(_LINE_BREAK.split(rest.rstrip("\r\n"))) - 1:
        error += (
            f": the {after} line{'s' if after > 1 else ''} after it went into it, and none "
            "is imported (close the quote, or quote the whole field and double its quotes)"
        )
    return error


def _split_records(
    text: str, position: int, separator: str, *, entities: bool = False
) -> Iterator[_RawRecord]:
    """CSV-style records: a field is quoted only when it starts with `"` (then `""` is a
    quote, and separators and line breaks are literal); elsewhere quotes are plain text,
    so `href="..."` inside HTML survives. With `entities` (a file that may be HTML), a
    separator inside an HTML entity (the ";" of "Tom &amp; Jerry") or inside a tag's quoted
    attribute value (`<img alt="a|b">`, `style="color: red; font-weight: bold"`) is part of
    the field. Blank lines yield nothing."""
    unquoted = re.compile(f"[^{re.escape(separator)}\r\n]*")
    attributes = entities
    entities = entities and (separator in "&#;" or separator.isalnum())

    def unquoted_end(position: int) -> int:
        end = unquoted.match(text, position).end()
        while text.startswith(separator, end) and (
            after := (entities and _entity_end(text, end))
            or (
                # Cheap looks first: most fields hold no tag, or a tag holding no quote,
                # before the separator.
                attributes
                and (tag := text.rfind("<", position, end)) >= 0
                and (text.find('"', tag, end) >= 0 or text.find("'", tag, end) >= 0)
                and _attribute_end(text, tag, end)
            )
        ):
            end = unquoted.match(text, after).end()
        return end

    while position < len(text):
        start, fields, error, quotes_left_out = position, [], None, None
        while True:
            if text.startswith('"', position):
                opened = position
                value, position = _quoted_field(text, position + 1)
                if value is None:
                    error = _unterminated(text[start:])
                else:
                    # Spaces padding a column after its closing quote (`"Haus"   | house`,
                    # a table aligned by hand) are no text after it.
                    padded = position
                    while text.startswith((" ", "\t"), padded) and text[padded] != separator:
                        padded += 1
                    if padded < len(text) and text[padded] not in (separator, "\r", "\n"):
                        # `"I wish", hopefully`: the rest up to the separator is the field's
                        # too, read as typed, as Anki's CSV reader reads it.
                        end = unquoted_end(position)
                        value += text[position:end]
                        quotes_left_out = quotes_left_out or (text[opened:end], value)
                        position = end
                    else:
                        position = padded
            else:
                end = unquoted_end(position)
                value, position = text[position:end], end
            fields.append(value or "")
            if error or not text.startswith(separator, position):
                break
            position += 1
        if error or text[start:position].strip():
            yield _RawRecord(start, position, fields, error, quotes_left_out)
        line_break = _LINE_BREAK.match(text, position)
        position = line_break.end() if line_break else position


def _entity_end(text: str, position: int) -> int | None:
    """Where the HTML entity holding `text[position]` ends, or None when none holds it."""
    start = text.rfind("&", max(0, position - _LONGEST_ENTITY), position + 1)
    entity = _ENTITY.match(text, start) if start >= 0 else None
    if entity is None or entity.end() <= position:
        return None
    return entity.end() if entity[1] is None or entity[1] in _ENTITY_NAMES else None


_START_TAG_NAME = re.compile(r"<[A-Za-z][A-Za-z0-9-]*\s")
_VALUE_OPENS_OR_TAG_ENDS = re.compile(r"""=\s*(["'])|>""")


def _attribute_end(text: str, tag: int, position: int) -> int | None:
    """Past the closing quote of the attribute value of the start tag at `tag` that holds
    `text[position]`, or None when none holds it (or the value is not closed on its line)."""
    if not (name := _START_TAG_NAME.match(text, tag, position)):
        return None
    scanned = name.end()
    while mark := _VALUE_OPENS_OR_TAG_ENDS.search(text, scanned, position):
        if mark[0] == ">":
            return None
        close = text.find(mark[1], mark.end())
        if close < 0:
            return None
        if close >= position:
            broken = _LINE_BREAK.search(text, mark.end(), close)
            return None if broken else close + 1
        scanned = close + 1
    return None


def _quoted_field(text: str, position: int) -> tuple[str | None, int]:
    chunks = []
    while (close := text.find('"', position)) >= 0:
        chunks.append(text[position:close])
        if not text.startswith('"', close + 1):
            return "".join(chunks), close + 1
        chunks.append('"')
        position = close + 2
    return None, len(text)


class _Rejected(Exception):
    """A note that cannot become a card; the message is the reason."""


@dataclass
class _Note:
    line: int
    note_type: str
    question: str
    answer: str
    reverse: bool  # an optional reversed note that asks for its reverse card
    tags: tuple[str, ...]
    guid: str
    guid_from_file: bool
    anki_deck: str = ""
    typed_box: str = ""  # the box its note type lacks: TYPED_BOX_TYPES
    cards: tuple[CardRecord, ...] = ()
    # A note of cards of their own: each card's question and answer by its template number,
    # and what of its filled-in columns beyond them (a hand-edited line) no card shows.
    own_sides: tuple[tuple[str, str], ...] = ()
    columns_left_out: str = ""


def _note(raw: _RawRecord, *, line: int, layout: FileLayout, mapping: ColumnMapping) -> _Note:
    fields = raw.fields

    def field(column: int | None) -> str:
        return fields[column] if column is not None and column < len(fields) else ""

    given_guid = field(layout.meta.get("guid")).strip()
    cell = field(layout.meta.get("tags"))
    # A spreadsheet's Tags column ("behavior;perception", "GRE, vocab") is no Anki export,
    # whose tags a space separates: its commas and semicolons separate tags too.
    tags = (*layout.global_tags, *_cell_tags(cell, spreadsheet=bool(layout.header_row)))
    note = _Note(
        line=line,
        note_type=BASIC,
        question="",
        answer="",
        reverse=False,
        tags=tuple(dict.fromkeys(tags)),
        guid=given_guid,
        guid_from_file=bool(given_guid),
        # A note whose deck cell is empty is in `#deck`'s deck (Anki makes a deck "blank").
        anki_deck=anki_deck_name(field(layout.meta.get("deck"))) or layout.deck,
    )
    named = _named_type(raw, layout)
    if _is_enhanced_occlusion(named, fields):
        # Its fields name the image and masks, but a text export carries neither: read as
        # Basic, its first field (an id) was a question with an empty answer.
        raise _Rejected(ENHANCED_OCCLUSION_IN_TEXT)
    if own := _own_cards(named):
        # Each card's question and answer in turn, whatever columns the file's other notes
        # make their cards of.
        count, note.note_type = own
        values = [field(column) for column in layout.field_columns]
        beyond = zip(layout.field_columns[2 * count :], values[2 * count :], strict=False)
        if left_out := [column for column, value in beyond if _shows_something(value)]:
            columns = ", ".join(str(column + 1) for column in left_out)
            note.columns_left_out = (
                f"column{'s' if len(left_out) > 1 else ''} {columns} left out: a note of "
                f"'{named.strip()}' has {2 * count} fields (each card's question and answer), "
                "and no card shows more"
            )
        values += [""] * (2 * count - len(values))
        note.own_sides = tuple(
            (values[index], values[index + 1]) for index in range(0, 2 * count, 2)
        )
        note.question, note.answer = note.own_sides[0]
        return note
    note.typed_box = layout.typed_boxes.get(given_guid, "") or _typed_box_named(named)
    note_type = _note_type(named, fields, question=field(mapping.question))
    if note.typed_box == "nc":
        note_type = TYPE_IN
    if note_type is None:
        raise _Rejected(
            "an image occlusion note: a text file carries no image to draw its masks on "
            "(the deck's .apkg does)"
        )
    question, answer = field(mapping.question), field(mapping.answer)
    if len(fields) == 1 and note_type != CLOZE:
        name = {"\t": "tab", " ": "space"}.get(layout.separator, repr(layout.separator))
        raise _Rejected(f"no {name} separator: a card needs a question and an answer")
    if note_type != CLOZE and not answer.strip():
        _check_answer_column_reached(fields, layout=layout, mapping=mapping)
    extras = [field(column) for column in mapping.extra if field(column).strip()]
    if extras:
        # In plain text a blank line, which becomes the same <br><br>.
        joint = "<br><br>" if layout.html else "\n\n"
        answer = joint.join([answer, *extras] if answer.strip() else extras)
    reverse_column = _add_reverse_column(layout, mapping)
    note.note_type, note.question, note.answer = note_type, question, answer
    note.reverse = note_type == REVERSED or (
        note_type == OPTIONAL_REVERSED and bool(field(reverse_column).strip())
    )
    return note


def _check_answer_column_reached(
    fields: list[str], *, layout: FileLayout, mapping: ColumnMapping
) -> None:
    """Reject a line that stops before its answer column because a guid, deck or note
    type header took one of its few columns (`#notetype column:1` above lines of a question
    and an answer): "empty answer" would hide that the header is the fault. Anki skips
    such a line too, its note type not found."""
    if mapping.answer is not None and mapping.answer < len(fields):
        return
    taken = sorted(
        (column, role)
        for role, column in layout.meta.items()
        if role in ("guid", "deck", "notetype") and column < len(fields)
    )
    if not taken:
        return
    headers = ", ".join(f"'#{role} column:{column + 1}'" for column, role in taken)
    roles = " and ".join(_ROLE_NAMES[role] for _, role in taken)
    columns = ", ".join(str(column + 1) for column, _ in taken)
    plural, left = len(taken) > 1, len(fields) - len(taken)
    raise _Rejected(
        f"no answer: the line has {len(fields)} columns, and column{'s' if plural else ''} "
        f"{columns} {'are' if plural else 'is'} its {roles} ({headers} at the top of the "
        f"file), leaving it {_FIELDS_LEFT.get(left, f'{left} fields')}"
    )


_ROLE_NAMES = {"guid": "guid", "deck": "deck", "notetype": "note type"}
_FIELDS_LEFT = {1: "one field: a card needs a question and an answer"}


def _is_enhanced_occlusion(named: str, fields: list[str]) -> bool:
    lowered = _NAME_CLASH_SUFFIX.sub("", named.strip().lower())
    if lowered == "image occlusion enhanced":
        return True
    return any(_ENHANCED_OCCLUSION_MASK.search(value) for value in fields)


def _add_reverse_column(layout: FileLayout, mapping: ColumnMapping) -> int | None:
    """The column of an optional reversed note's third field, Add Reverse: filled, the
    note makes its reverse card too. The column so named, else the first after the answer
    that is a field (a tags or guid column never is). None when no note can be of that type."""
    if "notetype" not in layout.meta and _stock_type(layout.notetype) != OPTIONAL_REVERSED:
        return None
    fields = layout.field_columns
    named = [
        column
        for column in fields
        if column < len(layout.labels) and _label_key(layout.labels[column]) == "add reverse"
    ]
    after = mapping.answer if mapping.answer is not None else mapping.question
    return next(chain(named, (column for column in fields if column > after)), None)


def _note_type(named: str, fields: list[str], *, question: str) -> str | None:
    """The note type a note is read as; None for one that cannot become a card here.
    `question`: its first field, the text of a cloze note."""
    lowered = named.strip().lower()
    if "image occlusion" in lowered or any("image-occlusion:" in value for value in fields):
        return None
    lowered = _NAME_CLASH_SUFFIX.sub("", lowered)
    known = {name.lower(): name for name in NOTE_TYPES}
    if lowered in known:
        return known[lowered]
    if lowered in STOCK_NOTE_TYPE_NAMES:  # "Einfach (und die umgekehrte Richtung)"
        return STOCK_NOTE_TYPE_NAMES[lowered]
    # A text file carries no templates, so a stock type in another language ("Lückentext",
    # "Einfach (mit umgedrehter Karte)") or a user's own is told by its content: cloze
    # deletions make a cloze note, whatever it is called.
    if "cloze" in lowered or ("{{c" in question and cloze_numbers(question)):
        return CLOZE
    # Anki's stock names say "reversed" in brackets, in every language: "Basic (and reversed
    # card)", "Einfach (mit umgedrehter Karte)". A user's "Reversible reactions" is Basic.
    bracketed = " ".join(_BRACKETED.findall(lowered))
    if any(word in bracketed for word in _REVERSED_WORDS):
        return OPTIONAL_REVERSED if any(w in bracketed for w in _OPTIONAL_WORDS) else REVERSED
    return BASIC


def _typed_box_named(named: str) -> str:
    """The box a note type named as the .apkg export names its type-in copies adds."""
    lowered = _NAME_CLASH_SUFFIX.sub("", named.strip()).lower()
    return next((box for box, name in TYPED_BOX_TYPES.items() if name.lower() == lowered), "")


def _stock_type(named: str) -> str | None:
    """The stock note type a file's `#notetype` header names, as `_note_type` reads it."""
    return _note_type(named, [], question="")


def own_cards_type_name(count: int, note_type: str) -> str:
    """The name of the note type of `count` cards of their own, for a note whose cards were
    of `note_type`: two templates read back as a reversed type, optional or not."""
    optional = count == 2 and note_type == OPTIONAL_REVERSED
    return f"Cards of their own ({count}{', the second optional' if optional else ''})"


def _own_cards(named: str) -> tuple[int, str] | None:
    """How many cards a "Cards of their own (n)" note type has, and the note type its
    cards are of, as a package's note type of n templates reads (apkg._note_type_name);
    None for any other name."""
    own = _OWN_CARDS.fullmatch(_NAME_CLASH_SUFFIX.sub("", named.strip()))
    if own is None:
        return None
    count = int(own[1])
    if count != 2:
        return count, BASIC
    return count, OPTIONAL_REVERSED if own[2] else REVERSED


def _cards(
    note: _Note, layout: FileLayout, *, require_numbers: bool, image_max_bytes: int | None = None
) -> list[CardRecord]:
    """The cards Anki makes of `note`, with its guid, derived when the file gave none."""
    inline: dict[str, bytes | None] = {}
    if layout.html:

        def inlined(value: str) -> str:
            value, files = inline_images(value, max_bytes=image_max_bytes)
            inline.update(files)
            return value

        note = dataclasses.replace(
            note,
            question=inlined(note.question),
            answer=inlined(note.answer),
            own_sides=tuple((inlined(front), inlined(back)) for front, back in note.own_sides),
        )
    try:
        if note.own_sides:
            # Anki makes the card of each template whose question shows something.
            contents = [
                (
                    ord_,
                    card_content(front, back, is_html=layout.html, take_provenance=ord_ == 0),
                )
                for ord_, (front, back) in enumerate(note.own_sides)
                if _shows_something(front)
            ]
            if not contents:
                raise _Rejected("a note of cards of their own whose every Front field is empty")
        elif note.note_type == CLOZE:
            numbers = cloze_numbers(note.question)
            if not numbers:
                raise _Rejected("a cloze note without any {{c1::…}} deletion")
            contents = [
                (
                    number - 1,
                    card_content(note.question, note.answer, is_html=layout.html, cloze=number),
                )
                for number in numbers
            ]
        else:
            contents = [(0, card_content(note.question, note.answer, is_html=layout.html))]
            if note.reverse:
                reverse = card_content(
                    note.answer, note.question, is_html=layout.html, take_provenance=False
                )
                contents.append((1, reverse))
    except CardHtmlError as error:
        raise _Rejected(str(error)) from None
    first = contents[0][1]
    if require_numbers and first.number is None:
        raise _Rejected(f"no trailing '{PROVENANCE_LABEL}' link with a /questions/<number> URL")
    guid = note.guid or note_guid(
        source_url=first.source_url,
        question_html=first.question_html,
        answer_html=first.answer_html,
    )
    return [
        CardRecord(
            **{f.name: getattr(content, f.name) for f in dataclasses.fields(CardContent)},
            line=note.line,
            tags=note.tags,
            guid=guid,
            guid_from_file=note.guid_from_file,
            anki_deck=note.anki_deck,
            ord=ord_,
            note_type=note.note_type,
            inline_images=_inline_used(content, inline),
            typed_answer=_typed_answer(note, content, ord_),
            typed_answer_ignores_accents=note.typed_box == "nc",
        )
        for ord_, content in contents
    ]


def _typed_answer(note: _Note, content: CardContent, ord_: int) -> str:
    """What a card asks typed. A text file names the note type, not its templates: the
    stock type-in one's box asks for its Back field, and a note of a type-in copy of Cloze
    (TYPED_BOX_TYPES) for the card's own deletions."""
    if note.note_type == TYPE_IN:
        return typed_answer_text(content.answer_html)
    if note.note_type == CLOZE and note.typed_box == "cloze":
        return typed_answer_text(cloze_text_for_typing(note.question, ord_ + 1))
    return ""


def anki_deck_name(value: str) -> str:
    """A deck's name with the spaces around each part of its path dropped, as Anki drops
    them, and its empty parts, which Anki names "blank" ("Biology :: Genetics" and
    "Biology::::Genetics" are Biology::Genetics)."""
    parts = (part.strip() for part in value.split("::"))
    return "::".join(part for part in parts if part)


def _shows_something(value: str) -> bool:
    return bool(_plain(value)) or bool(_SHOWN_WITHOUT_TEXT.search(value))


_SHOWN_WITHOUT_TEXT = re.compile(r"<img\b|\[sound:", re.IGNORECASE)


def _inline_used(
    content: CardContent, inline: dict[str, bytes | None]
) -> tuple[tuple[str, bytes | None], ...]:
    if not inline:
        return ()
    return tuple((image.url, inline[image.url]) for image in content.images if image.url in inline)
