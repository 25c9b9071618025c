"""Anki "Notes in Plain Text" files: parse them into card records and write them back.

Pure Python, no Django import: text in, records out. The format is documented at
https://docs.ankiweb.net/importing/text-files.html; the HTML of each note's fields is made
storable by quizzes.importing.cardhtml.
"""

import dataclasses
import html
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from quizzes.importing.cardhtml import (
    PROVENANCE_LABEL,
    CardContent,
    CardHtmlError,
    card_content,
    note_guid,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# `surrogateescape` decoding turns each byte that is not UTF-8 into one of these.
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_HEADER = re.compile(r"#([^:]*):(.*)")
_COLUMN_NUMBER = re.compile(r"[1-9][0-9]*")
_SEPARATORS = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "colon": ":",
    "pipe": "|",
    "space": " ",
}
_ROLE_BY_COLUMN_NAME = {
    "front": "question",
    "question": "question",
    "back": "answer",
    "answer": "answer",
    "tags": "tags",
}
_ROLE_BY_HEADER = {
    "tags column": "tags",
    "guid column": "guid",
    "deck column": "deck",
    "notetype column": "notetype",
}


@dataclass(frozen=True, kw_only=True)
class CardRecord(CardContent):
    """One note of a file: its card content, where it stood, its tags and its guid."""

    line: int
    tags: tuple[str, ...]
    guid: str
    # True when the file's guid column gave the guid, False when it was derived; the same
    # card read from a file with or without guids is the same record.
    guid_from_file: bool = dataclasses.field(default=False, compare=False)


@dataclass(frozen=True)
class ParseProblem:
    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


class AnkiParseError(Exception):
    def __init__(self, problems: list[ParseProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True, kw_only=True)
class ExportCard:
    question_html: str
    answer_html: str
    tags: tuple[str, ...] = ()
    source_url: str = ""
    guid: str = ""


def parse_anki_file(
    path: str | os.PathLike[str], *, require_numbers: bool = False
) -> list[CardRecord]:
    return parse_anki(Path(path).read_bytes(), source=str(path), require_numbers=require_numbers)


def parse_anki(
    data: bytes | str,
    *,
    source: str,
    require_numbers: bool = False,
    max_cards: int | None = None,
) -> list[CardRecord]:
    """Parse a whole file; raise AnkiParseError listing every bad line.

    Line numbers are physical lines, 1-based, as an editor shows them. With
    `require_numbers`, a card without the trailing provenance link is a problem. A file
    of more than `max_cards` records is refused before any card's HTML is looked at
    (that is where the time goes), naming the line of the first record over the limit.
    """
    text = data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data
    text = text.removeprefix("\ufeff")
    line_starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]

    def line_at(offset: int) -> int:
        return bisect_right(line_starts, offset)

    problems: list[ParseProblem] = []
    bad_lines: set[int] = set()
    for match in _UNDECODABLE.finditer(text):
        line = line_at(match.start())
        if line not in bad_lines:
            bad_lines.add(line)
            byte = ord(match.group()) - 0xDC00
            problems.append(ParseProblem(source, line, f"not valid UTF-8 (byte 0x{byte:02x})"))

    layout, body_line, header_errors = _read_headers(_LINE_BREAK.split(text), bad_lines)
    if header_errors:
        # Without a sound header the fields cannot be told apart: stop before the cards.
        problems += [ParseProblem(source, line, reason) for line, reason in header_errors]
        raise AnkiParseError(sorted(problems, key=lambda problem: problem.line))

    body = line_starts[body_line - 1] if body_line <= len(line_starts) else len(text)
    raws = list(_split_records(text, body, layout.separator))
    if max_cards is not None and len(raws) > max_cards:
        line = line_at(raws[max_cards].start)
        reason = f"more than {max_cards} cards, the most one import takes: split the file"
        raise AnkiParseError([*problems, ParseProblem(source, line, reason)])
    if column_errors := _unreachable_columns(layout, raws):
        problems += [ParseProblem(source, line, reason) for line, reason in column_errors]
        raise AnkiParseError(sorted(problems, key=lambda problem: problem.line))

    records: list[CardRecord] = []
    line_of_number: dict[int, int] = {}
    line_of_guid: dict[str, int] = {}
    for raw in raws:
        line = line_at(raw.start)
        if any(line <= bad <= line_at(raw.end) for bad in bad_lines):
            continue  # already reported, and its text cannot be trusted
        try:
            record = _card(raw, line=line, layout=layout, require_numbers=require_numbers)
        except _Rejected as rejection:
            problems.append(ParseProblem(source, line, str(rejection)))
            continue
        if record.number is not None and record.number in line_of_number:
            earlier = line_of_number[record.number]
            reason = f"duplicate card number {record.number} (first on line {earlier})"
            problems.append(ParseProblem(source, line, reason))
            continue
        if record.guid in line_of_guid:
            reason = f"duplicate guid {record.guid!r} (first on line {line_of_guid[record.guid]})"
            problems.append(ParseProblem(source, line, reason))
            continue
        if record.number is not None:
            line_of_number[record.number] = line
        line_of_guid[record.guid] = line
        records.append(record)
    if problems:
        raise AnkiParseError(sorted(problems, key=lambda problem: problem.line))
    return records


def export_anki(cards: Iterable[ExportCard], *, deck_name: str | None = None) -> str:
    """Write cards as an Anki text file that parse_anki reads back to the same records.

    The guid column lets Anki (and this site) update notes on re-import instead of
    adding duplicates.
    """
    lines = ["#separator:tab", "#html:true"]
    if deck_name is not None:
        if _LINE_BREAK.search(deck_name):
            raise ValueError(f"deck name {deck_name!r} spans lines")
        lines.append(f"#deck:{deck_name}")
    lines += ["#tags column:3", "#guid column:4"]
    lines += (_export_line(card) for card in cards)
    return "\n".join(lines) + "\n"


def _export_line(card: ExportCard) -> str:
    for tag in card.tags:
        if tag.split() != [tag]:
            raise ValueError(f"tag {tag!r} is empty or holds whitespace")
    answer = card.answer_html
    if card.source_url:
        answer += f"<br><br><a href='{html.escape(card.source_url)}'>{PROVENANCE_LABEL}</a>"
    fields = (card.question_html, answer, " ".join(card.tags), card.guid)
    return "\t".join(_export_field(field) for field in fields)


def _export_field(value: str) -> str:
    # Quote only when a reader would otherwise misread the field: a tab or line break
    # inside it, or a leading quote (opens quoting) or `#` (Anki skips such lines).
    if value.startswith(('"', "#")) or any(char in value for char in "\t\r\n"):
        return '"' + value.replace('"', '""') + '"'
    return value


# --- headers and columns ---


@dataclass(frozen=True)
class _Layout:
    separator: str
    html: bool
    tags: tuple[str, ...]
    columns: dict[str, int]  # role -> 0-based column
    width: int
    named_columns: int = 0  # how many the `#columns` header names
    numbered: tuple[tuple[str, int, int], ...] = ()  # (header key, 0-based column, its line)


def _read_headers(
    lines: list[str], bad_lines: set[int]
) -> tuple[_Layout, int, list[tuple[int, str]]]:
    """Read the `#key:value` lines at the top; return the layout and the first body line."""
    separator, is_html, tags, names = "\t", True, (), ""
    numbered: dict[str, int] = {}
    numbered_lines: dict[str, tuple[str, int]] = {}  # role -> (header key, line)
    errors: list[tuple[int, str]] = []
    body_line = len(lines) + 1
    for line, content in enumerate(lines, start=1):
        if not content.startswith("#"):
            if content.strip():
                body_line = line
                break
            continue
        header = _HEADER.fullmatch(content)
        if header is None or line in bad_lines:
            continue  # a comment, or already reported
        key, value = header[1].strip().lower(), header[2]
        if key == "separator":
            chosen = value if len(value) == 1 else _SEPARATORS.get(value.strip().lower())
            if chosen is None or chosen in '"\r\n':
                errors.append((line, f"unknown separator {value!r}"))
            else:
                separator = chosen
        elif key == "html":
            flag = value.strip().lower()
            if flag not in ("true", "false"):
                errors.append((line, f"#html must be true or false, not {value!r}"))
            is_html = flag == "true"
        elif key == "tags":
            tags = tuple(value.split())
        elif key == "columns":
            names = value
        elif key in _ROLE_BY_HEADER:
            if not _COLUMN_NUMBER.fullmatch(value.strip()):
                errors.append((line, f"#{key} must be a column number, not {value!r}"))
            else:
                numbered[_ROLE_BY_HEADER[key]] = int(value) - 1
                numbered_lines[_ROLE_BY_HEADER[key]] = (key, line)
    column_names = [name.strip().lower() for name in names.split(separator)] if names else []
    columns, width = _columns(column_names, numbered)
    declared = tuple((key, numbered[role], line) for role, (key, line) in numbered_lines.items())
    layout = _Layout(separator, is_html, tags, columns, width, len(column_names), declared)
    return layout, body_line, errors


def _unreachable_columns(layout: _Layout, raws: list["_RawRecord"]) -> list[tuple[int, str]]:
    """The `#x column:N` headers that point past every column of the file.

    A file may leave out trailing columns that are empty on every line (a tags column
    nobody filled in), so the numbered columns right after the widest line still count;
    one beyond a gap (`#tags column:9` in a file of 3 columns) is a mistake, not data.
    """
    if not raws:
        return []
    widest = max(layout.named_columns, *(len(raw.fields) for raw in raws))
    declared_columns = {column for _, column, _ in layout.numbered}
    reached = widest
    while reached in declared_columns:
        reached += 1
    return [
        (line, f"#{key} is {column + 1}, but the file has only {widest} columns")
        for key, column, line in layout.numbered
        if column >= reached
    ]


def _columns(names: list[str], numbered: dict[str, int]) -> tuple[dict[str, int], int]:
    """Map roles to columns: `#x column` headers, then `#columns` names, then the first
    free columns for question and answer. Unknown columns are read and ignored; missing
    trailing ones (tags, guid) read as empty."""
    by_column: dict[int, str] = {}
    for column, name in enumerate(names):
        role = _ROLE_BY_COLUMN_NAME.get(name)
        if role and role not in numbered and role not in by_column.values():
            by_column[column] = role
    by_column.update({column: role for role, column in numbered.items()})
    free = (column for column in range(len(names) + len(by_column) + 2) if column not in by_column)
    for role in ("question", "answer"):
        if role not in by_column.values():
            by_column[next(free)] = role
    return {role: column for column, role in by_column.items()}, max(len(names), max(by_column) + 1)


# --- records ---


@dataclass(frozen=True)
class _RawRecord:
    start: int  # offset of the first character
    end: int  # offset of the line break that ends it
    fields: list[str]
    error: str | None


def _split_records(text: str, position: int, separator: str) -> Iterator[_RawRecord]:
    """CSV-style records: a field is quoted only when it starts with `"` (then `""` is a
    quote, and separators and line breaks are literal); elsewhere quotes are plain text,
    so `href="..."` inside HTML survives. Blank lines yield nothing."""
    unquoted = re.compile(f"[^{re.escape(separator)}\r\n]*")
    while position < len(text):
        start, fields, error = position, [], None
        while True:
            if text.startswith('"', position):
                value, position = _quoted_field(text, position + 1)
                if value is None:
                    error = "unterminated quoted field (no closing quote before the end)"
                elif position < len(text) and text[position] not in (separator, "\r", "\n"):
                    error = "text after the closing quote of a quoted field"
                    position = _next_line_break(text, position)
            else:
                value = unquoted.match(text, position).group()
                position += len(value)
            fields.append(value or "")
            if error or not text.startswith(separator, position):
                break
            position += 1
        if error or text[start:position].strip():
            yield _RawRecord(start, position, fields, error)
        line_break = _LINE_BREAK.match(text, position)
        position = line_break.end() if line_break else position


def _quoted_field(text: str, position: int) -> tuple[str | None, int]:
    chunks = []
    while (close := text.find('"', position)) >= 0:
        chunks.append(text[position:close])
        if not text.startswith('"', close + 1):
            return "".join(chunks), close + 1
        chunks.append('"')
        position = close + 2
    return None, len(text)


def _next_line_break(text: str, position: int) -> int:
    line_break = _LINE_BREAK.search(text, position)
    return line_break.start() if line_break else len(text)


class _Rejected(Exception):
    """A record that cannot become a card; the message is the reason."""


def _card(raw: _RawRecord, *, line: int, layout: _Layout, require_numbers: bool) -> CardRecord:
    if raw.error:
        raise _Rejected(raw.error)
    fields, columns = raw.fields, layout.columns
    needed = max(columns["question"], columns["answer"]) + 1
    if len(fields) == 1:
        name = {"\t": "tab", " ": "space"}.get(layout.separator, repr(layout.separator))
        raise _Rejected(f"no {name} separator: a card needs a question and an answer")
    if len(fields) < needed:
        raise _Rejected(f"too few fields: expected at least {needed}, got {len(fields)}")
    if len(fields) > layout.width:
        raise _Rejected(f"too many fields: expected at most {layout.width}, got {len(fields)}")

    def field(role: str) -> str:
        column = columns.get(role)
        return fields[column] if column is not None and column < len(fields) else ""

    try:
        content = card_content(field("question"), field("answer"), is_html=layout.html)
    except CardHtmlError as error:
        raise _Rejected(str(error)) from None
    if require_numbers and content.number is None:
        raise _Rejected(f"no trailing '{PROVENANCE_LABEL}' link with a /questions/<number> URL")
    given_guid = field("guid").strip()
    return CardRecord(
        **{f.name: getattr(content, f.name) for f in dataclasses.fields(CardContent)},
        line=line,
        tags=tuple(dict.fromkeys((*layout.tags, *field("tags").split()))),
        guid=given_guid
        or note_guid(
            source_url=content.source_url,
            question_html=content.question_html,
            answer_html=content.answer_html,
        ),
        guid_from_file=bool(given_guid),
    )
