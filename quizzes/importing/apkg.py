"""Anki packages (.apkg, .colpkg) in and .apkg out, through Anki's own library (the `anki`
package: the real Anki backend), never a re-implementation of its file format.

No Django import: a package's path in, card records and media bytes out; notes and media in,
a package out. Each package is opened in a throwaway collection in a temporary folder.
"""

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from quizzes.importing.anki import (
    BASIC,
    CLOZE,
    NOTE_TYPES,
    REVERSED,
    AnkiParseError,
    CardRecord,
    ParseProblem,
)
from quizzes.importing.cardhtml import CardContent, CardHtmlError, card_content
from quizzes.rendering import sound_names

_FIELD_REFERENCE = re.compile(r"\{\{([^#/^{}][^{}]*)\}\}")
_SPECIAL_FIELDS = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "Type", "CardFlag", "CardID"}
_IMAGE_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_CLOZE_TYPE = 1
_IMAGE_OCCLUSION_KIND = 6


@dataclass(frozen=True)
class Package:
    cards: list[CardRecord]
    notes: int
    skipped: list[ParseProblem]
    media: dict[str, bytes]  # the files the cards show or play, by name


def read_package(path: Path, *, source: str) -> Package:
    """The cards of an .apkg or .colpkg as Anki makes them, one per card Anki has, and the
    media files they use. A `line` in a record is the note's position in the package.
    Raises AnkiParseError when the file is not a package Anki can open."""
    from anki.collection import Collection, ImportAnkiPackageRequest

    with tempfile.TemporaryDirectory(prefix="quizsite-anki-") as folder:
        collection_path = str(Path(folder) / "collection.anki2")
        try:
            if source.lower().endswith(".colpkg"):
                _restore_collection(path, folder, collection_path)
                collection = Collection(collection_path)
            else:
                collection = Collection(collection_path)
                collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(path)))
        except Exception as error:  # the backend raises its own error types
            reason = f"not an Anki package Anki can open ({_first_line(error)})"
            raise AnkiParseError([ParseProblem(source, 1, reason)]) from None
        try:
            return _package(collection, source)
        finally:
            collection.close()


def _restore_collection(path: Path, folder: str, collection_path: str) -> None:
    from anki._backend import RustBackend

    RustBackend().import_collection_package(
        col_path=collection_path,
        backup_path=str(path),
        media_folder=str(Path(folder) / "collection.media"),
        media_db=str(Path(folder) / "collection.media.db"),
    )


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def _package(collection, source: str) -> Package:
    cards: list[CardRecord] = []
    skipped: list[ParseProblem] = []
    media_names: set[str] = set()
    notes = 0
    for position, note_id in enumerate(sorted(collection.find_notes("")), start=1):
        note = collection.get_note(note_id)
        try:
            made = _note_cards(note, line=position)
        except CardHtmlError as error:
            skipped.append(ParseProblem(source, position, f"note {note.guid!r}: {error}"))
            continue
        notes += 1
        cards += made
        for card in made:
            media_names.update(image.url for image in card.images)
            media_names.update(sound_names(card.question_html + card.answer_html))
    media_dir = Path(collection.media.dir())
    media = {
        name: (media_dir / name).read_bytes()
        for name in sorted(media_names)
        if "/" not in name and (media_dir / name).is_file()
    }
    if not cards:
        reasons = [ParseProblem(source, 1, "no note of the package can become a card"), *skipped]
        raise AnkiParseError(reasons)
    return Package(cards=cards, notes=notes, skipped=skipped, media=media)


def _note_cards(note, *, line: int) -> list[CardRecord]:
    notetype = note.note_type()
    if (
        notetype.get("originalStockKind") == _IMAGE_OCCLUSION_KIND
        or "image occlusion" in notetype["name"].lower()
    ):
        raise CardHtmlError("an image occlusion note: only Anki shows those")
    values = dict(note.items())
    ords = sorted(card.ord for card in note.cards())
    if notetype["type"] == _CLOZE_TYPE:
        template = notetype["tmpls"][0]
        text_fields = _references(template["qfmt"], want_filter="cloze") or [notetype["flds"][0]]
        text = values.get(text_fields[0], "")
        extra = _join(values, _answer_fields(template, exclude=text_fields))
        contents = [(ord_, card_content(text, extra, cloze=ord_ + 1)) for ord_ in ords]
        note_type = CLOZE
    else:
        contents = []
        for ord_ in ords:
            template = notetype["tmpls"][ord_]
            question_fields = _references(template["qfmt"])
            question = _join(values, question_fields)
            answer = _join(values, _answer_fields(template, exclude=question_fields))
            contents.append((ord_, card_content(question, answer, take_provenance=ord_ == 0)))
        note_type = _note_type_name(notetype)
    return [
        _record(content, note, line=line, ord_=ord_, note_type=note_type)
        for ord_, content in contents
    ]


def _record(content: CardContent, note, *, line: int, ord_: int, note_type: str) -> CardRecord:
    return CardRecord(
        **{name: getattr(content, name) for name in CardContent.__dataclass_fields__},
        line=line,
        tags=tuple(dict.fromkeys(note.tags)),
        guid=note.guid,
        guid_from_file=True,
        ord=ord_,
        note_type=note_type,
    )


def _references(template: str, *, want_filter: str | None = None) -> list[str]:
    """The note fields a card template shows, in order. `{{type:Back}}` on the question
    side is an input box, not text to show; `{{cloze:Text}}` is the cloze text."""
    names: list[str] = []
    for reference in _FIELD_REFERENCE.findall(template):
        *filters, name = (part.strip() for part in reference.split(":"))
        if name in _SPECIAL_FIELDS or "type" in filters:
            continue
        if want_filter is not None and want_filter not in filters:
            continue
        if name not in names:
            names.append(name)
    return names


def _answer_fields(template: dict, *, exclude: list[str]) -> list[str]:
    names = [name for name in _references(template["afmt"]) if name not in exclude]
    typed = [
        reference.split(":")[-1].strip()
        for reference in _FIELD_REFERENCE.findall(template["afmt"])
        if reference.split(":")[0].strip() == "type"
    ]
    return [*names, *(name for name in typed if name not in names and name not in exclude)]


def _join(values: dict[str, str], names: list[str]) -> str:
    return "<br><br>".join(values[name] for name in names if values.get(name, "").strip())


def _note_type_name(notetype: dict) -> str:
    # A package's note type comes in as "Basic+" when a stock one of the same name differs.
    name = notetype["name"].rstrip("+").strip()
    known = {known.lower(): known for known in NOTE_TYPES}
    if name.lower() in known:
        return known[name.lower()]
    return REVERSED if len(notetype["tmpls"]) == 2 else BASIC


# --- export ---


@dataclass(frozen=True)
class PackageNote:
    note_type: str  # one of NOTE_TYPES
    fields: tuple[str, ...]  # in the stock note type's order
    tags: tuple[str, ...] = ()
    guid: str = ""


def write_package(
    notes: Iterable[PackageNote], *, media: dict[str, bytes], deck_name: str, path: Path
) -> int:
    """Write an .apkg of `notes` in a deck named `deck_name`, with `media` (name -> bytes);
    return how many notes it holds. Anki's stock note types carry the notes."""
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

    with tempfile.TemporaryDirectory(prefix="quizsite-anki-") as folder:
        collection = Collection(str(Path(folder) / "collection.anki2"))
        try:
            deck_id = collection.decks.id(deck_name)
            count = 0
            for note in notes:
                made = collection.new_note(collection.models.by_name(note.note_type))
                for index, value in enumerate(note.fields):
                    made.fields[index] = value
                made.tags = list(note.tags)
                if note.guid:
                    made.guid = note.guid
                collection.add_note(made, deck_id)
                count += 1
            for name, data in media.items():
                collection.media.write_data(name, data)
            collection.export_anki_package(
                out_path=str(path),
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
                ),
                limit=DeckIdLimit(deck_id),
            )
        finally:
            collection.close()
    return count


def image_sources(card_html: str) -> list[str]:
    return [next(filter(None, match)) for match in _IMAGE_SRC.findall(card_html)]
