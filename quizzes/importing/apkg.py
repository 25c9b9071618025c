"""Anki packages (.apkg, .colpkg) in and .apkg out, through Anki's own library (the `anki`
package: the real Anki backend), never a re-implementation of its notes and cards.

No Django import: a package's path in, card records and media bytes out; notes and media in,
a package out. Each package is opened in a throwaway collection in a temporary folder.

A package is a zip, and a zip of a few megabytes can unpack to gigabytes. So Anki is handed
a copy of the package with its collection only, unpacked here within the limits, and no
media; the media files the cards use are read here, each within its own limit.
"""

import dataclasses
import hashlib
import html
import io
import json
import re
import tempfile
import time
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

import zstandard
from anki.errors import BackendError, DBError
from PIL import Image

from quizzes.importing.anki import (
    BASIC,
    CLOZE,
    OPTIONAL_REVERSED,
    REVERSED,
    TYPE_IN,
    TYPED_BOX_TYPES,
    AnkiParseError,
    CardRecord,
    ParseProblem,
    own_cards_type_name,
)
from quizzes.importing.cardhtml import CardContent, CardHtmlError, card_content, inline_images
from quizzes.importing.occlusion import Drawing, Occlusion, OcclusionError, SvgMask, svg_mask
from quizzes.importing.occlusion import image_checked as occlusion_image_checked
from quizzes.importing.occlusion import masks as occlusion_masks
from quizzes.importing.occlusion import side_name as occlusion_side_name
from quizzes.rendering import cloze_numbers, cloze_text_for_typing, describe_image, sound_names
from quizzes.typed_answers import typed_answer_text

_FIELD_REFERENCE = re.compile(r"\{\{([^#/^{}][^{}]*)\}\}")
_SPECIAL_FIELDS = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "Type", "CardFlag", "CardID"}
# The special fields whose words a card here shows as Anki does (_special_fields): a flag
# and a card id are Anki's own, and {{FrontSide}} is the question above the answer.
_SPECIAL_WORDS = {"Deck", "Subdeck", "Tags", "Type", "Card"}
_IMAGE_SRC = re.compile(r"""<img\b[^<>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_CLOZE_TYPE = 1
_CONDITIONAL_TEMPLATE = re.compile(r"\s*\{\{[#^]")
_FURIGANA = re.compile(r" ?(?<![^ >\[\]])([^ >\[]++)\[([^\[\]\n]+)\]")
_FIELD_CONDITION = re.compile(r"\{\{[#^]([^{}]+)\}\}")
_IMAGE_OCCLUSION_KIND = 6
# Image Occlusion Enhanced's card templates show a mask field over the image field:
# `<div id="io-overlay">{{Question Mask}}</div><div id="io-original">{{Image}}</div>`,
# perhaps wrapped in tags of the deck author's.
_ENHANCED_OVERLAY = re.compile(
    r"""<div\b[^<>]*\bid\s*=\s*["']?io-overlay\b[^<>]*>(?:\s|<[^<>{}]*>)*\{\{([^#/^{}][^{}]*)\}\}""",
    re.I,
)
_ENHANCED_ORIGINAL = re.compile(
    r"""<div\b[^<>]*\bid\s*=\s*["']?io-original\b[^<>]*>(?:\s|<[^<>{}]*>)*\{\{([^#/^{}][^{}]*)\}\}""",
    re.I,
)
# The add-on's "Toggle Masks" button runs its script: nothing here to toggle.
_BUTTON = re.compile(r"<button\b.*?</button\s*>", re.I | re.S)
_NO_MASK = SvgMask(width=1, height=1, shapes=())
_ENHANCED_FIELDS = ("Question Mask", "Answer Mask", "Image")
# Its template names each extra ("Remarks", "Sources") in a class the add-on's CSS makes bold.
_ENHANCED_LABEL = re.compile(
    r"""(<div\b[^<>]*\bclass\s*=\s*["']?io-field-descr\b[^<>]*>)(.*?)(</div\s*>)""", re.I | re.S
)
# A template that makes a field's file name an image or a sound: `<img src="{{Picture}}">`,
# `[sound:{{Audio}}]`, perhaps with a folder or an extension around the reference.
_TEMPLATE_IMAGE = re.compile(
    r"""<img\b[^<>]*?\bsrc\s*=\s*["']?([^"'<>{}\s]*)\{\{([^#/^{}][^{}]*)\}\}([^"'<>{}\s]*)""", re.I
)
_TEMPLATE_SOUND = re.compile(r"\[sound:([^\[\]{}<>]*)\{\{([^#/^{}][^{}]*)\}\}([^\[\]{}<>]*)\]")
_CLOZE_REFERENCE = re.compile(r"\{\{(?:[^#/^{}][^{}]*:)?\s*cloze:[^{}]*\}\}")
_TEMPLATE_TAG = re.compile(r"\{\{([#^/]?)\s*([^{}]*?)\s*\}\}")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CLOZE_CONDITION = re.compile(r"c\d+")
_NOT_SHOWN = re.compile(r"<(style|script)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_ANSWER_RULE = re.compile(r"<hr\b[^<>]*\bid\s*=\s*[\"']?answer\b[^<>]*>", re.I)
_EMPTY_FIELD = re.compile(r"(?:\s|&nbsp;|</?(?:br|div)\b[^<>]*>)*", re.I)
_EMPTY_MEDIA = re.compile(r"""<img\b[^<>]*?\bsrc\s*=\s*(?:""|'')[^<>]*>|\[sound:\s*\]""", re.I)
_TAG = re.compile(r"<[^<>]*>")
_SOUND_TAG = re.compile(r"\[sound:[^\[\]]*\]")
# A type-in box on a card's question: `{{type:Back}}`, `{{type:nc:Back}}`, `{{type:cloze:Text}}`.
_TYPE_BOX = re.compile(r"\{\{\s*type:([^{}]*?)\s*\}\}")


@dataclass(frozen=True)
class PackageLimits:
    """How much of a package is unpacked, in bytes: each image, each sound, and the whole
    (its collection and the media files read, together)."""

    image_bytes: int
    sound_bytes: int
    unpacked_bytes: int
    image_pixels: int  # an Image Occlusion note's image is drawn on: decoded, so limited


@dataclass(frozen=True)
class Package:
    cards: list[CardRecord]
    notes: int
    skipped: list[ParseProblem]
    fields_left_out: list[ParseProblem]  # notes with fields that no card of theirs shows
    media: dict[str, bytes]  # the files the cards show or play, by name
    # The files the cards use that are not in `media`, and why: "missing from the package"
    # or "rejected: <reason>".
    media_problems: dict[str, str]
    decks: tuple[str, ...] = ()  # the decks the package's cards are in, filtered ones aside
    suspended: tuple[int, ...] = ()  # the lines of the notes with cards suspended in Anki
    # The Image Occlusion cards' pictures, by name, drawn when they are stored.
    drawings: dict[str, Drawing] = field(default_factory=dict)


MISSING_FROM_PACKAGE = "missing from the package"
_LATEST = 3  # PackageMetadata.VERSION_LATEST: zstd-compressed collection, media and list
_UNKNOWN = 0
_CHUNK = 1 << 20
# A media list names each file of the package once: its name (at most 255 bytes) and number,
# in JSON or protobuf. A longer list is not an Anki package's.
MEDIA_LIST_BYTES_PER_ENTRY = 300
_META_BYTES = 1024
# zstd adds a few bytes per 128 KiB block to data it cannot compress.
_ZSTD_OVERHEAD = 64 * 1024


class _Refused(Exception):
    """The package as a whole cannot be read; the message says why."""


def read_package(path: Path, *, source: str, limits: PackageLimits) -> Package:
    """The cards of an .apkg or .colpkg as Anki makes them, one per card Anki has, and the
    media files they use, each within `limits`. A `line` in a record is the note's position
    in the package. Raises AnkiParseError when the file is not a package Anki can open, or
    unpacks to more than the limits allow."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    with tempfile.TemporaryDirectory(prefix="quizsite-anki-") as folder:
        collection_path = str(Path(folder) / "collection.anki2")
        bare = Path(folder) / f"bare{Path(source).suffix.lower()}"
        try:
            with zipfile.ZipFile(path) as archive:
                budget = _Budget(limits.unpacked_bytes)
                contents = _contents(archive, budget)
                _write_bare_package(archive, contents, bare, budget)
                try:
                    if source.lower().endswith(".colpkg"):
                        _restore_collection(bare, folder, collection_path)
                        collection = Collection(collection_path)
                    else:
                        collection = Collection(collection_path)
                        _stock_note_types_set_aside(collection)
                        # With its scheduling, to tell which cards are suspended.
                        request = ImportAnkiPackageRequest(
                            package_path=str(bare),
                            options=ImportAnkiPackageOptions(with_scheduling=True),
                        )
                        collection.import_anki_package(request)
                except Exception as error:  # the backend raises its own error types
                    reason = f"not an Anki package Anki can open ({_backend_reason(error)})"
                    raise _Refused(reason) from None
                try:
                    cards, notes, skipped, fields_left_out, suspended = _package_cards(
                        collection,
                        source,
                        image_max_bytes=limits.image_bytes,
                        media_names=frozenset(contents.media),
                    )
                    decks = _deck_names(collection)
                finally:
                    collection.close()
                media, problems = _media(archive, contents, cards, limits, budget)
                cards, drawings = _occlusion_drawings(
                    archive, contents, cards, limits, budget, problems
                )
        except zipfile.BadZipFile as error:
            reason = f"not an Anki package Anki can open ({_not_a_zip(path, error)})"
            raise AnkiParseError([ParseProblem(source, 1, reason)]) from None
        except zstandard.ZstdError:
            reason = "not an Anki package Anki can open (a compressed part of it is damaged: "
            reason += "export it again from Anki)"
            raise AnkiParseError([ParseProblem(source, 1, reason)]) from None
        except (zlib.error, OSError, EOFError) as error:
            reason = f"not an Anki package Anki can open ({_first_line(error)})"
            raise AnkiParseError([ParseProblem(source, 1, reason)]) from None
        except _Refused as refusal:
            raise AnkiParseError([ParseProblem(source, 1, str(refusal))]) from None
    return Package(
        cards=cards,
        notes=notes,
        skipped=skipped,
        fields_left_out=fields_left_out,
        media=media,
        media_problems=problems,
        decks=decks,
        suspended=suspended,
        drawings=drawings,
    )


_LINES_NAMED = 10
# The name the one note type a collection must keep goes by while a package is imported.
_SET_ASIDE_NOTE_TYPE = "quizsite: no package's note type"


def _stock_note_types_set_aside(collection) -> None:
    """Remove a new collection's stock note types (Anki keeps one, renamed), so that the
    package's own keep their names: beside a stock "Basic" Anki renames the package's
    "Basic+", and the report and a template's `{{Type}}` named it so."""
    models = collection.models
    kept, *others = models.all_names_and_ids()
    for other in others:
        models.remove(other.id)
    notetype = models.get(kept.id)
    notetype["name"] = _SET_ASIDE_NOTE_TYPE
    models.update_dict(notetype)


def _deck_names(collection) -> tuple[str, ...]:
    """The decks the cards are in; a card in a filtered deck counts in its home deck."""
    deck_ids = collection.db.list(
        "select distinct case when odid != 0 then odid else did end from cards"
    )
    return tuple(
        sorted(
            collection.decks.name(deck_id)
            for deck_id in deck_ids
            if not collection.decks.is_filtered(deck_id)
        )
    )


_WEB_PAGE = re.compile(rb"\s*(?:<!doctype html|<html)", re.I)


def _not_a_zip(path: Path, error: zipfile.BadZipFile) -> str:
    """Why a package is no zip, as its owner can act on it: a download cut short, a
    download that saved something else in its place, or another kind of file given a
    package's name."""
    with path.open("rb") as file:
        head = file.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "a zip cut short or damaged: download or export it again"
    if not head:
        return "the file is empty"
    if head.startswith(b"version https://git-lfs.github.com/spec/"):
        # A repository's package kept in Git LFS, cloned or downloaded raw without it.
        return "a Git LFS pointer, not the package: get the file with git lfs pull"
    if head.startswith(b"SQLite format 3\x00"):
        # collection.anki2 (or .anki21) from an unzipped package or Anki's profile folder.
        return "an Anki collection itself, not a package: export the deck from Anki as an .apkg"
    if _WEB_PAGE.match(head):
        # Google Drive's "can't scan for viruses" page, or a deck's page, saved in its place.
        return "a web page, not the package: download the file itself from that page"
    if b"\x00" not in head:
        return "it is text, not a zip: a text export imports as .txt"
    return _first_line(error)


def _restore_collection(path: Path, folder: str, collection_path: str) -> None:
    from anki._backend import RustBackend

    RustBackend().import_collection_package(
        col_path=collection_path,
        backup_path=str(path),
        media_folder=str(Path(folder) / "collection.media"),
        media_db=str(Path(folder) / "collection.media.db"),
    )


# --- unpacking within limits ---


class _Budget:
    """The bytes a package may still unpack, all its files together: each byte a reader
    gives out counts, whether its file is kept or refused."""

    def __init__(self, limit: int):
        self.limit, self.left = limit, limit

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise _Refused(
                f"the package unpacks to more than {self.limit} bytes, the most one import "
                "takes: split it, or leave some of its media out"
            )


class _Charged:
    """A reader whose output counts against the budget."""

    def __init__(self, reader: BinaryIO, budget: _Budget):
        self.reader, self.budget = reader, budget

    def read(self, size: int = -1) -> bytes:
        data = self.reader.read(size)
        self.budget.take(len(data))
        return data


@dataclass(frozen=True)
class _Contents:
    collection: str  # the zip entry of the collection Anki reads
    zstd: bool  # the collection, media list and media files are zstd frames
    meta: bytes | None
    media: dict[str, str]  # file name -> its zip entry


def _contents(archive: zipfile.ZipFile, budget: _Budget) -> _Contents:
    """Which collection Anki reads and where each media file is, as Anki's own reader
    (rslib/src/import_export/package/meta.rs and media.rs) finds them."""
    from anki.import_export_pb2 import MediaEntries, PackageMetadata

    names = set(archive.namelist())
    meta = (
        _read_small(archive, "meta", _META_BYTES, budget, zstd=False) if "meta" in names else None
    )
    if meta is not None:
        try:
            version = PackageMetadata.FromString(meta).version
        except Exception:  # protobuf's DecodeError, or a value out of range
            raise _Refused("not an Anki package Anki can open (its meta data is damaged)") from None
        if version == _UNKNOWN:
            raise _Refused("made by a newer Anki than this site reads")
        collection = {1: "collection.anki2", 2: "collection.anki21"}.get(
            version, "collection.anki21b"
        )
    else:
        version = 2 if "collection.anki21" in names else 1
        collection = "collection.anki21" if version == 2 else "collection.anki2"
    if collection not in names:
        raise _Refused(f"not an Anki package Anki can open (it holds no {collection})")
    zstd = version >= _LATEST
    try:
        listed = b""
        if "media" in names:
            # Its own cap, not the whole budget: parsing 70 MB of JSON took 0.8 GB.
            cap = min(budget.left, MEDIA_LIST_BYTES_PER_ENTRY * len(names) + 1024)
            listed = _read_small(archive, "media", cap, budget, zstd=zstd)
        if zstd:
            entries = MediaEntries.FromString(listed).entries
            media = {entry.name: str(index) for index, entry in enumerate(entries)}
        else:
            media = {name: entry for entry, name in json.loads(listed or b"{}").items()}
    except _Refused:
        raise
    except Exception:  # bad JSON, protobuf or zstd, or JSON that is not a map
        raise _Refused("not an Anki package Anki can open (its media list is damaged)") from None
    for name in media:
        if not isinstance(name, str) or not _is_plain_file_name(name):
            raise _Refused(f"its media list names a file outside the media folder: {name!r}")
    return _Contents(collection=collection, zstd=zstd, meta=meta, media=media)


def _is_plain_file_name(name: str) -> bool:
    return name not in ("", ".", "..") and not any(char in name for char in "/\\\0")


def _write_bare_package(
    archive: zipfile.ZipFile, contents: _Contents, path: Path, budget: _Budget
) -> None:
    """The package as Anki reads it: its collection, unpacked within the budget and packed
    again by this zip (so its sizes are true), and an empty media list: Anki unpacks no
    media file."""
    with zipfile.ZipFile(path, "w") as bare:
        if contents.meta is not None:
            bare.writestr("meta", contents.meta)
        info = archive.getinfo(contents.collection)
        with (
            archive.open(info) as entry,
            bare.open(contents.collection, "w", force_zip64=True) as target,
        ):
            if contents.zstd:
                reader = _Charged(_unzstd(_packed(entry, info, budget)), budget)
                with zstandard.ZstdCompressor().stream_writer(target, closefd=False) as writer:
                    _copy(reader, writer)
            else:
                _copy(_Charged(entry, budget), target)
        empty = zstandard.ZstdCompressor().compress(b"") if contents.zstd else b"{}"
        bare.writestr("media", empty)


def _copy(source: BinaryIO, target: BinaryIO) -> None:
    while chunk := source.read(_CHUNK):
        target.write(chunk)


def _packed(entry: BinaryIO, info: zipfile.ZipInfo, budget: _Budget) -> BinaryIO:
    """A zip entry that holds zstd frames. Anki stores them as they are; one deflated
    could unpack to any size before zstd sees it, so that counts too."""
    return entry if info.compress_type == zipfile.ZIP_STORED else _Charged(entry, budget)


def _unzstd(stream: BinaryIO) -> BinaryIO:
    # Every frame, as Anki's reader decodes them: the first could be a decoy.
    return zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)


def _read_small(
    archive: zipfile.ZipFile, name: str, limit: int, budget: _Budget, *, zstd: bool
) -> bytes:
    """An entry Anki reads whole (the meta data, the media list), within `limit`."""
    info = archive.getinfo(name)
    with archive.open(info) as entry:
        reader = _unzstd(_packed(entry, info, budget)) if zstd else entry
        data = _read_capped(_Charged(reader, budget), limit)
    if data is None:
        raise _Refused(f"not an Anki package Anki can open (its {name} file is too large)")
    return data


def _read_capped(stream: BinaryIO, limit: int) -> bytes | None:
    """All of `stream` when it holds at most `limit` bytes, else None: never more than one
    byte past the limit is read, whatever the zip or the zstd frame says the size is."""
    chunks, size = [], 0
    while size <= limit and (chunk := stream.read(min(_CHUNK, limit + 1 - size))):
        chunks.append(chunk)
        size += len(chunk)
    return None if size > limit else b"".join(chunks)


def _media(
    archive: zipfile.ZipFile,
    contents: _Contents,
    cards: list[CardRecord],
    limits: PackageLimits,
    budget: _Budget,
) -> tuple[dict[str, bytes], dict[str, str]]:
    """The media files the cards use, each read within its limit (an image's or a
    sound's), and why each other one is left out."""
    limit_of: dict[str, int] = {}
    for card in cards:
        for name in sound_names(card.question_html + card.answer_html):
            limit_of.setdefault(name, limits.sound_bytes)
        inline = {name for name, _ in card.inline_images}  # in the note, not the zip
        for image in card.images:
            if image.url not in inline:
                limit_of[image.url] = limits.image_bytes
    media, problems = _media_read(archive, contents, limit_of, budget)
    images = {image.url for card in cards for image in card.images}
    return {
        name: _as_png_if_bitmap(data, max_pixels=limits.image_pixels) if name in images else data
        for name, data in media.items()
    }, problems


def _as_png_if_bitmap(data: bytes, *, max_pixels: int) -> bytes:
    """A BMP, which Anki's window shows and a page here would not take (only PNG, JPEG,
    GIF, WebP and SVG are stored), as a PNG of the same pixels; any other file as it is, to be
    checked as every image is."""
    if not data.startswith(b"BM"):
        return data
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "BMP" or image.width * image.height > max_pixels:
                return data
            converted = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    except (OSError, Image.DecompressionBombError, ValueError):
        return data  # refused by the image checks, with their reason
    output = io.BytesIO()
    converted.save(output, "PNG")
    return output.getvalue()


def _media_read(
    archive: zipfile.ZipFile, contents: _Contents, limit_of: dict[str, int], budget: _Budget
) -> tuple[dict[str, bytes], dict[str, str]]:
    """The package's files named in `limit_of`, each within its limit, and why each other
    one is left out."""
    find = _media_finder(contents.media)
    entries = set(archive.namelist())
    media: dict[str, bytes] = {}
    problems: dict[str, str] = {}
    for name, limit in sorted(limit_of.items()):
        if ":" in name:
            continue  # a URL: the site fetches it as any other
        if not _is_plain_file_name(name):
            problems[name] = MISSING_FROM_PACKAGE  # a path (`../x.png`): never read
            continue
        entry = find(name)
        if entry is None or entry not in entries:
            problems[name] = MISSING_FROM_PACKAGE
            continue
        try:
            data = _media_file(archive, archive.getinfo(entry), contents.zstd, limit, budget)
        except (zipfile.BadZipFile, zlib.error, zstandard.ZstdError, EOFError) as error:
            problems[name] = f"rejected: damaged in the package ({_first_line(error)})"
            continue
        if data is None:
            problems[name] = f"rejected: the file is more than the limit of {limit} bytes"
            continue
        media[name] = data
    return media, problems


def _occlusion_drawings(
    archive: zipfile.ZipFile,
    contents: _Contents,
    cards: list[CardRecord],
    limits: PackageLimits,
    budget: _Budget,
    problems: dict[str, str],
) -> tuple[list[CardRecord], dict[str, Drawing]]:
    """The cards with each Image Occlusion card's pictures named after its note's image
    (and an enhanced occlusion's after its masks too), and how to draw each picture; a
    picture that cannot be is in `problems`, with why (the image or its mask missing, too
    large, or not one this reads)."""
    occlusions = [card.occlusion for card in cards if card.occlusion is not None]
    if not occlusions:
        return cards, {}
    sources = {occlusion.image for occlusion in occlusions}
    overlays = {
        name
        for occlusion in occlusions
        for name in (occlusion.question_overlay, occlusion.answer_overlay)
        if name
    }
    files, missing = _media_read(
        archive, contents, dict.fromkeys(sources | overlays, limits.image_bytes), budget
    )
    hashes, failures, masks = {}, {}, {}
    for name in sources:
        if name in missing:
            failures[name] = missing[name]
            continue
        try:
            occlusion_image_checked(files[name], max_pixels=limits.image_pixels)
            hashes[name] = hashlib.sha256(files[name]).hexdigest()
        except OcclusionError as error:
            failures[name] = f"rejected: its image {name!r} is {error}"
    for name in overlays:
        try:
            if name in missing:
                raise OcclusionError(missing[name].removeprefix("rejected: "))
            masks[name] = svg_mask(files[name])
            hashes[name] = hashlib.sha256(files[name]).hexdigest()
        except OcclusionError as error:
            failures[name] = f"rejected: its mask {name!r} is {error}"
    drawings: dict[str, Drawing] = {}
    named = []
    for card in cards:
        if (occlusion := card.occlusion) is None:
            named.append(card)
            continue
        if why := failures.get(occlusion.image):
            problems |= dict.fromkeys([occlusion.question_name, occlusion.answer_name], why)
            named.append(dataclasses.replace(card, inline_images=(), occlusion=None))
            continue
        renames = {}
        sides = (
            (occlusion.question_name, False, occlusion.question_overlay),
            (occlusion.answer_name, True, occlusion.answer_overlay),
        )
        for name, answer, overlay in sides:
            if why := failures.get(overlay):
                problems[name] = why
                continue
            # Named after the bytes drawn too: the same name is the same picture.
            digest = hashes[occlusion.image]
            if overlay:
                digest = hashlib.sha256(f"{digest}{hashes[overlay]}".encode()).hexdigest()
            renames[name] = f"{Path(name).stem}-{digest[:16]}{Path(name).suffix}"
            drawings[renames[name]] = Drawing(
                image=files[occlusion.image],
                masks=occlusion.masks,
                card=occlusion.card,
                answer=answer,
                name=renames[name],
                overlay=masks.get(overlay, _NO_MASK) if occlusion.question_overlay else None,
            )
        named.append(_images_renamed(card, renames))
    return named, drawings


def _images_renamed(card: CardRecord, renames: dict[str, str]) -> CardRecord:
    def renamed(html: str) -> str:
        for old, new in renames.items():
            html = html.replace(f'src="{old}"', f'src="{new}"')
        return html

    return dataclasses.replace(
        card,
        question_html=renamed(card.question_html),
        answer_html=renamed(card.answer_html),
        images=tuple(
            dataclasses.replace(image, url=renames.get(image.url, image.url))
            for image in card.images
        ),
        inline_images=(),
        occlusion=None,
    )


def _media_finder(listed: dict[str, str]) -> Callable[[str], str | None]:
    """The package's file a card's `name` is, as Anki shows it: the name, else its NFC form
    (Anki gives old packages' names that form), else its percent-decoded form (Anki 2.0's
    editor wrote `<img src="my%20image.png">`, which Anki's web view decodes), else the
    one file named so whatever the case, as the file systems of Windows and macOS find it."""

    def key(name: str) -> str:
        return unicodedata.normalize("NFC", name)

    normalized = {key(name): entry for name, entry in listed.items()}
    folded: dict[str, str | None] = {}
    for name, entry in listed.items():
        folded[key(name).casefold()] = None if key(name).casefold() in folded else entry

    def find(name: str) -> str | None:
        names = dict.fromkeys([name, unquote(name)])
        for candidate in names:
            if entry := listed.get(candidate) or normalized.get(key(candidate)):
                return entry
        return next(filter(None, (folded.get(key(each).casefold()) for each in names)), None)

    return find


def _media_file(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, zstd: bool, limit: int, budget: _Budget
) -> bytes | None:
    """One media file, or None when it is larger than `limit`: by the size its zip entry or
    zstd frame declares, before it is unpacked, or by what it turns out to unpack to."""
    if not zstd and info.file_size > limit:
        return None
    with archive.open(info) as entry:
        if not zstd:
            return _read_capped(_Charged(entry, budget), limit)
        packed = _read_capped(_packed(entry, info, budget), limit + _ZSTD_OVERHEAD)
    if packed is None:
        return None
    declared = zstandard.get_frame_parameters(packed).content_size
    if declared != zstandard.CONTENTSIZE_UNKNOWN and declared > limit:
        return None
    return _read_capped(_Charged(_unzstd(io.BytesIO(packed)), budget), limit)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


# A collection Anki opens may still not hold together: a note of a note type it lacks, a
# card of a template its note type lacks (or of a number out of range), fewer fields than
# its note type names. Reading such a note (_note_data) fails with one of these errors
# (Anki's Python side's, or its backend's own), and the note is skipped.
def _backend_reason(error: Exception) -> str:
    """What Anki's backend refused a package for, as staff read it: its database error
    ("DbError { info: \"SqliteFailure(...)\" }") says only that the collection is damaged."""
    if isinstance(error, DBError) or str(error).startswith("DbError"):
        return "its collection, the database of its notes, is damaged: export it again from Anki"
    return _first_line(error)


_NOTE_DAMAGE_ERRORS = (IndexError, KeyError, TypeError, BackendError)
OTHER_CARDS_IMPORTED = "the note's other cards are imported"
DAMAGED_NOTE = "damaged in the package: its note type, fields and card templates do not match"


def _package_cards(
    collection,
    source: str,
    *,
    image_max_bytes: int | None = None,
    media_names: frozenset[str] = frozenset(),
) -> tuple[list[CardRecord], int, list[ParseProblem], list[ParseProblem], tuple[int, ...]]:
    cards: list[CardRecord] = []
    suspended_lines: list[int] = []
    skipped: list[ParseProblem] = []
    # The notes that have fields no card shows, by note type and those fields' names.
    unshown_lines: dict[tuple[str, tuple[str, ...]], list[tuple[int, str]]] = defaultdict(list)
    # The notes skipped, or cards of them left out, by note type and why: a template that
    # names a field its note type lacks does so for each of its notes alike.
    skipped_alike: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    notes = 0
    line_of_guid: dict[str, int] = {}  # the guid of each note read, and its position
    toggled: dict[int, dict] = {}  # each note type, its buttons' fields behind toggles
    # Anki keeps a card whose front shows nothing (an optional reverse whose Add Reverse was
    # cleared; a cloze number only in Back Extra) until its Empty Cards removes it.
    try:
        report = collection.get_empty_cards().notes
        suspended = set(collection.find_notes("is:suspended"))
    except _NOTE_DAMAGE_ERRORS:
        report, suspended = [], set()  # a damaged note is skipped below, saying so
    empty = {card_id for note in report for card_id in note.card_ids}
    for position, note_id in enumerate(sorted(collection.find_notes("")), start=1):
        try:
            note = collection.get_note(note_id)
        except _NOTE_DAMAGE_ERRORS:
            skipped.append(ParseProblem(source, position, f"note {note_id}: {DAMAGED_NOTE}"))
            continue
        if note.guid in line_of_guid:
            # Anki gives each note a guid of its own; a collection edited by hand may not.
            earlier = line_of_guid[note.guid]
            reason = f"note {note.guid!r}: line {earlier}'s note has this guid too, skipped"
            skipped.append(ParseProblem(source, position, reason))
            continue
        try:
            notetype, values, ords, empty_ords, deck_names = _note_data(note, empty)
        except _NOTE_DAMAGE_ERRORS:
            skipped.append(ParseProblem(source, position, f"note {note.guid!r}: {DAMAGED_NOTE}"))
            continue
        values = _latex_rendered(collection, values, notetype, media_names)
        notetype = _toggles_as_details(notetype, toggled)
        try:
            made, empty_clozes, unusable = _note_cards(
                note,
                notetype,
                values,
                ords,
                line=position,
                deck_names=deck_names,
                image_max_bytes=image_max_bytes,
            )
            empty_ords = sorted([*empty_ords, *empty_clozes])
        except CardHtmlError as error:
            skipped_alike[notetype["name"], str(error)].append((position, note.guid))
            continue
        if empty_ords and made:
            reason = _empty_cards_left_out(notetype, empty_ords)
            skipped_alike[notetype["name"], reason].append((position, note.guid))
        for ord_, reason in unusable.items():
            reason = f"card {ord_ + 1} left out ({reason}); {OTHER_CARDS_IMPORTED}"
            skipped_alike[notetype["name"], reason].append((position, note.guid))
        # Each card in its own deck: a note's reverse card may be in another one.
        first_deck = deck_names[min(deck_names)] if deck_names else ""
        made = [
            dataclasses.replace(record, anki_deck=deck_names.get(record.ord, first_deck))
            for record in made
        ]
        if note_id in suspended:
            suspended_lines.append(position)
        unshown = _unshown_fields(notetype, values)
        notes += 1
        cards += made
        if note.guid:
            line_of_guid[note.guid] = position
        if unshown:
            unshown_lines[notetype["name"], tuple(unshown)].append((position, note.guid))
    skipped += [
        _notes_skipped(notetype_name, reason, lines, source)
        for (notetype_name, reason), lines in skipped_alike.items()
    ]
    skipped.sort(key=lambda problem: problem.line)
    if not cards and not skipped:
        reason = (
            "the package holds no notes: its deck was empty in Anki (export the deck that "
            "holds the cards, or All Decks)"
        )
        raise AnkiParseError([ParseProblem(source, 1, reason)])
    if not cards:
        reasons = [ParseProblem(source, 1, "no note of the package can become a card"), *skipped]
        raise AnkiParseError(reasons)
    fields_left_out = [
        _fields_left_out(notetype_name, names, lines, source)
        for (notetype_name, names), lines in unshown_lines.items()
    ]
    return cards, notes, skipped, fields_left_out, tuple(suspended_lines)


def _fields_left_out(
    notetype_name: str, names: tuple[str, ...], lines: list[tuple[int, str]], source: str
) -> ParseProblem:
    """The notes of a note type that leave out the same fields, as one line: a vocabulary
    deck's Frequency field on no template is the same news for each of its 3,000 notes,
    and a line for each would bury the notes skipped."""
    fields = f"{'fields' if len(names) > 1 else 'field'} {', '.join(map(repr, names))}"
    reason = f"{fields} on no card template, left out as in Anki"
    (first, guid), *others = lines
    if not others:
        return ParseProblem(source, first, f"note {guid!r}: {reason}")
    return ParseProblem(
        source,
        first,
        f"{len(lines)} notes of note type {notetype_name!r} ({_lines_named(lines)}): {reason}",
    )


def _notes_skipped(
    notetype_name: str, reason: str, lines: list[tuple[int, str]], source: str
) -> ParseProblem:
    """The notes of a note type skipped for the same reason (or the same cards of them left
    out), as one line that counts them: a template that names a field its note type lacks
    leaves out that card of every note of the type."""
    (first, guid), *others = lines
    if not others:
        return ParseProblem(source, first, f"note {guid!r}: {reason}")
    reason = reason.replace(OTHER_CARDS_IMPORTED, "each note's other cards are imported")
    return ParseProblem(
        source,
        first,
        f"{len(lines)} notes of note type {notetype_name!r} ({_lines_named(lines)}): {reason}",
        notes=len(lines),
    )


def _lines_named(lines: list[tuple[int, str]]) -> str:
    named = ", ".join(str(line) for line, _ in lines[:_LINES_NAMED])
    return f"lines {named}{', ...' if len(lines) > _LINES_NAMED else ''}"


def suspended_notice(lines: tuple[int, ...], source: str) -> ParseProblem | None:
    """A note that cards their author suspended in Anki (wrong, retired) come in asked."""
    if not lines:
        return None
    named = ", ".join(str(line) for line in lines[:_LINES_NAMED])
    named += ", ..." if len(lines) > _LINES_NAMED else ""
    notes = (
        f"{len(lines)} note{'s' if len(lines) > 1 else ''} {'have' if len(lines) > 1 else 'has'}"
    )
    reason = (
        f"{notes} cards suspended in Anki (line{'s' if len(lines) > 1 else ''} {named}): they "
        "are imported like the others, and quizzes ask them; delete here any the deck should "
        "not ask"
    )
    return ParseProblem(source, lines[0], reason)


def _note_data(
    note, empty: set[int]
) -> tuple[dict, dict[str, str], list[int], list[int], dict[int, str]]:
    """A note's note type, its fields' values, its cards' template numbers, those of its
    cards that are `empty` and each card's deck by template number, read from Anki:
    where the package's note does not match its note type, this fails with one of
    _NOTE_DAMAGE_ERRORS (and only this: what reads the data after is our own code). A
    note of empty cards alone keeps them, to be refused with the reason its cards give."""
    notetype = note.note_type()
    values = dict(note.items())
    cards = note.cards()
    decks = note.col.decks
    # A card in a filtered deck shows its home deck, as in Anki.
    deck_names = {card.ord: decks.name(card.odid or card.did) for card in cards}
    ords = sorted({card.ord for card in cards})  # one card per template, as in Anki
    empty_ords = sorted({card.ord for card in cards if card.id in empty})
    if len(empty_ords) < len(ords):
        ords = [ord_ for ord_ in ords if ord_ not in empty_ords]
    else:
        empty_ords = []
    templates = notetype["tmpls"]
    if notetype["type"] == _CLOZE_TYPE:
        if not templates or not notetype["flds"]:
            raise IndexError("a cloze note type without a template or a field")
    elif any(not 0 <= ord_ < len(templates) for ord_ in ords):
        raise IndexError("a card of a template its note type lacks")
    return notetype, values, ords, empty_ords, deck_names


# A template's button that shows a field hidden by style, as AnKing's note types have it:
# `<button onclick="...">Lecture Notes</button><div style="display: none;">{{Lecture
# Notes}}</div>`. Its script runs in Anki only; here it is a toggle named as the button.
_BUTTON_TOGGLE = re.compile(
    r"<button\b[^<>]*>(?P<label>(?:(?!</?button\b).)*)</button\s*>\s*"
    r"<(?P<tag>div|span)\b(?P<attributes>[^<>]*?)\s*\bstyle\s*=\s*(?P<quote>[\"'])"
    r"[^\"'<>]*\bdisplay\s*:\s*none\b[^\"'<>]*(?P=quote)(?P<after>[^<>]*)>"
    r"(?P<body>(?:(?!</?(?P=tag)\b).)*)</(?P=tag)\s*>",
    re.I | re.S,
)


def _toggles_as_details(notetype: dict, seen: dict[int, dict]) -> dict:
    """The note type with each field its templates hide behind a button (a script shows it)
    behind a closed `<details>` named as the button, as `{{hint:}}` is; once per note type."""
    key = notetype["id"]  # Anki gives each note type its own
    if key not in seen:

        def toggle(match: re.Match) -> str:
            label = " ".join(_TAG.sub("", match["label"]).split()) or "Show"
            opening = f"<{match['tag']}{match['attributes']}{match['after']}>"
            body = f"{opening}{match['body']}</{match['tag']}>"
            return f"<details><summary>{label}</summary>{body}</details>"

        templates = [
            {
                **template,
                "qfmt": _BUTTON_TOGGLE.sub(toggle, template["qfmt"]),
                "afmt": _BUTTON_TOGGLE.sub(toggle, template["afmt"]),
            }
            for template in notetype["tmpls"]
        ]
        seen[key] = {**notetype, "tmpls": templates}
    return seen[key]


_LATEX_DOCUMENT = re.compile(r"\[latex\].+?\[/latex\]", re.I | re.S)


def _latex_rendered(collection, values: dict[str, str], notetype: dict, media: frozenset[str]):
    """The fields with each `[latex]` document as the image Anki rendered of it with a
    LaTeX install (`latex-<sha1 of the source>.png`, named by Anki's own backend) where the
    package holds it; else as it is, shown as its source. `[$]` and `[$$]` math stays: it
    is MathML here, which scales, a screen reader reads and a search finds. An SVG (the
    note type's "Create scalable images") is never shown here, so its math stays too."""
    if notetype.get("latexsvg"):
        return values

    def image(match: re.Match) -> str:
        found = collection._backend.extract_latex(
            text=match.group(), svg=False, expand_clozes=False
        )
        if found.latex and all(latex.filename in media for latex in found.latex):
            return found.text
        return match.group()

    return {name: _LATEX_DOCUMENT.sub(image, value) for name, value in values.items()}


def _empty_cards_left_out(notetype: dict, ords: list[int]) -> str:
    cloze = notetype["type"] == _CLOZE_TYPE
    which = ", ".join(f"{'cloze' if cloze else 'card'} {ord_ + 1}" for ord_ in ords)
    return (
        f"{which} left out: Anki shows {'them' if len(ords) > 1 else 'it'} "
        "as an empty card (its front shows nothing; Anki's Empty Cards deletes such cards); "
        f"{OTHER_CARDS_IMPORTED}"
    )


def _note_cards(
    note,
    notetype: dict,
    values: dict[str, str],
    ords: list[int],
    *,
    line: int,
    deck_names: dict[int, str],
    image_max_bytes: int | None = None,
) -> tuple[list[CardRecord], list[int], dict[int, str]]:
    """The note's cards, the cloze cards left out as empty (Anki makes a card of a cloze
    number in any field, and one only in Back Extra shows nothing on its front), and why
    each other card left out cannot be one here (a back that shows nothing) while the
    note's others can."""
    if enhanced := _enhanced_occlusion_fields(notetype):
        return _enhanced_occlusion_cards(note, notetype, values, enhanced, line=line), [], {}
    if (
        notetype.get("originalStockKind") == _IMAGE_OCCLUSION_KIND
        or "image occlusion" in notetype["name"].lower()
    ):
        return _occlusion_cards(note, notetype, values, ords, line=line), [], {}
    inline: dict[str, bytes | None] = {}
    values = dict(values)
    for name, value in values.items():
        values[name], files = inline_images(value, max_bytes=image_max_bytes)
        inline |= files
    unusable: dict[int, str] = {}
    if notetype["type"] == _CLOZE_TYPE:
        template = notetype["tmpls"][0]
        _check_fields_named(template, notetype)
        text_fields = _references(template["qfmt"], want_filter="cloze") or [
            notetype["flds"][0]["name"]
        ]
        # One text and one Back Extra for the note's cards, so the first card's deck.
        deck_name = deck_names.get(ords[0], "") if ords else ""
        shown = _special_fields(note, notetype, template, deck_name) | values
        if _shows_more_than_fields(template["qfmt"]) or set(_references(template["qfmt"])) - set(
            text_fields
        ):
            # A header, a hint, words of its own: the front as Anki renders it, each cloze
            # field's deletions left for the card to hide.
            text = _rendered(template["qfmt"], shown, question=True)
        else:
            # A note type may show several fields as cloze text, its numbers spread over
            # them: each card here shows all of them (Anki shows those holding its number).
            text = _join(values, text_fields)
        back = _question_lines_dropped(
            _CLOZE_REFERENCE.sub("", _answer_side(template)), template["qfmt"]
        )
        if _shows_more_than_fields(back):
            extra = _rendered(back, shown, question=False)
        else:
            # Below the text its front showed: a Header on both sides is not extra.
            extra = _join(values, _answer_fields(template, exclude=_references(template["qfmt"])))
        in_text = set(cloze_numbers(text))
        if empty := [ord_ for ord_ in ords if ord_ + 1 not in in_text]:
            if len(empty) < len(ords):
                ords = [ord_ for ord_ in ords if ord_ not in empty]
            else:
                empty = []  # refused below, with the reason
        contents = [(ord_, card_content(text, extra, cloze=ord_ + 1)) for ord_ in ords]
        typed = {ord_: _typed_answer(template["qfmt"], values, cloze=ord_ + 1) for ord_ in ords}
        note_type = CLOZE
    else:
        empty = []
        contents = []
        typed = {}
        for ord_ in ords:
            template = notetype["tmpls"][ord_]
            typed[ord_] = _typed_answer(template["qfmt"], values, cloze=None)
            question_fields = _references(template["qfmt"])
            back = _question_lines_dropped(_answer_side(template), template["qfmt"])
            shown = _special_fields(note, notetype, template, deck_names.get(ord_, "")) | values
            if _shows_more_than_fields(template["qfmt"]):
                question = _rendered(template["qfmt"], shown, question=True)
            else:
                question = _join(_filtered(template["qfmt"], values), question_fields)
            if _shows_more_than_fields(back):
                answer = _rendered(back, shown, question=False)
            else:
                answer = _join(
                    _filtered(template["afmt"], values),
                    _answer_fields(template, exclude=question_fields),
                )
            try:
                _check_fields_named(template, notetype)
                content = card_content(question, answer, take_provenance=ord_ == 0)
            except CardHtmlError as error:
                if len(unusable) + 1 == len(ords):
                    raise
                unusable[ord_] = str(error)
                continue
            contents.append((ord_, content))
        note_type = _note_type_name(notetype)
    records = [
        _record(
            content,
            note,
            line=line,
            ord_=ord_,
            note_type=note_type,
            inline=inline,
            typed=typed[ord_],
        )
        for ord_, content in contents
    ]
    return records, empty, unusable


def _occlusion_cards(
    note, notetype: dict, values: dict[str, str], ords: list[int], *, line: int
) -> list[CardRecord]:
    """An Image Occlusion note's cards (Anki 23.10's stock note type), each a picture
    drawn once the package's image is read: the header and the masked image on the
    question, the image with its mask open and Back Extra on the answer. Its fields are
    told by the templates (the masks are the cloze field, the header the front's other,
    Back Extra the back's own), whatever their names in the user's language or order."""
    template = notetype["tmpls"][0] if notetype["tmpls"] else {"qfmt": "", "afmt": ""}
    cloze_fields = _references(template["qfmt"], want_filter="cloze")
    found_masks = occlusion_masks(values.get(cloze_fields[0], "")) if cloze_fields else []
    if notetype["type"] != _CLOZE_TYPE or not found_masks:
        raise CardHtmlError(
            "an image occlusion note of an add-on's note type: only Anki shows those"
        )
    masks_field = values[cloze_fields[0]]
    image_field = next((name for name, value in values.items() if image_sources(value)), "")
    images = image_sources(values.get(image_field, ""))
    if not images:
        raise CardHtmlError("an image occlusion note without its image")
    front = [
        name for name in _references(template["qfmt"]) if name not in (*cloze_fields, image_field)
    ]
    back = [name for name in _answer_fields(template, exclude=[*cloze_fields, image_field, *front])]
    header, back_extra = _join(values, front), _join(values, back)
    # What a screen reader says of the pictures, which read as masks on an image.
    described = html.escape(describe_image(images[0]))
    hidden, shown = "with the part this card asks about masked", "with that part shown"
    records = []
    for ord_ in ords:
        if not any(mask.card == ord_ + 1 and mask.shape != "text" for mask in found_masks):
            continue
        names = [
            occlusion_side_name(
                guid=note.guid,
                card=ord_ + 1,
                image=images[0],
                occlusion_field=masks_field,
                side=side,
            )
            for side in ("question", "answer")
        ]
        question = _join(
            {"header": header, "image": f'<img src="{names[0]}" alt="{described}, {hidden}">'},
            ["header", "image"],
        )
        answer = _join(
            {"image": f'<img src="{names[1]}" alt="{described}, {shown}">', "extra": back_extra},
            ["image", "extra"],
        )
        content = card_content(question, answer, take_provenance=False)
        record = _record(
            content,
            note,
            line=line,
            ord_=ord_,
            note_type=_note_type_name(notetype),
            inline=dict.fromkeys(names),
        )
        occlusion = Occlusion(
            image=images[0],
            masks=tuple(found_masks),
            card=ord_ + 1,
            question_name=names[0],
            answer_name=names[1],
        )
        records.append(dataclasses.replace(record, occlusion=occlusion))
    if not records:
        raise CardHtmlError("an image occlusion note without its masks")
    return records


def _enhanced_occlusion_fields(notetype: dict) -> tuple[str, str, str] | None:
    """An Image Occlusion Enhanced note type's question mask, answer mask and image
    fields, told by its template (whatever their names), or None for another note type."""
    if notetype["type"] == _CLOZE_TYPE or len(notetype["tmpls"]) != 1:
        return None
    template = notetype["tmpls"][0]
    question = _ENHANCED_OVERLAY.search(template["qfmt"])
    answer = _ENHANCED_OVERLAY.search(template["afmt"])
    image = _ENHANCED_ORIGINAL.search(template["qfmt"])
    if question and answer and image:
        return question[1].strip(), answer[1].strip(), image[1].strip()
    # A template rewritten by a deck's author: the add-on's note type by its field names.
    names = {field["name"] for field in notetype["flds"]}
    if "image occlusion" in notetype["name"].lower() and names >= set(_ENHANCED_FIELDS):
        return _ENHANCED_FIELDS
    return None


def _enhanced_occlusion_cards(
    note, notetype: dict, values: dict[str, str], fields: tuple[str, str, str], *, line: int
) -> list[CardRecord]:
    """An Image Occlusion Enhanced note's card: the add-on makes a note per mask, whose
    question and answer masks are SVG files the card shows over the image. Both sides are
    pictures painted from them once the package is read (occlusion.svg_mask), the rest of
    each side as its template shows it: the header and footer on the question, the
    remarks, sources and extras on the answer."""
    question_field, answer_field, image_field = fields
    images = image_sources(values.get(image_field, ""))
    if not images:
        raise CardHtmlError("an image occlusion note without its image")
    question_masks = image_sources(values.get(question_field, ""))
    if not question_masks:
        raise CardHtmlError(
            f"an Image Occlusion Enhanced note without its question mask ({question_field!r} "
            "is empty): edit the note in Anki's add-on and export it again"
        )
    answer_masks = image_sources(values.get(answer_field, ""))
    overlays = (unquote(question_masks[0]), unquote(answer_masks[0]) if answer_masks else "")
    names = [
        occlusion_side_name(
            guid=note.guid,
            card=1,
            image=images[0],
            occlusion_field="\x1f".join(overlays),
            side=side,
        )
        for side in ("question", "answer")
    ]
    described = html.escape(describe_image(images[0]))
    alts = ("with the part this card asks about masked", "with that part shown")
    pictures = [
        f'<img src="{name}" alt="{described}, {alt}">'
        for name, alt in zip(names, alts, strict=True)
    ]
    template = notetype["tmpls"][0]
    shown = _special_fields(note, notetype, template, "") | values
    shown |= {question_field: "", answer_field: ""}
    question = _rendered(
        _BUTTON.sub("", template["qfmt"]), shown | {image_field: pictures[0]}, question=True
    )
    # The header and footer are on the question, shown above the answer.
    on_question = dict.fromkeys(_references(template["qfmt"]), "")
    answer = _rendered(
        _ENHANCED_LABEL.sub(r"\1<b>\2</b>\3", _BUTTON.sub("", template["afmt"])),
        shown | on_question | {image_field: pictures[1]},
        question=False,
    )
    content = card_content(question, answer, take_provenance=False)
    record = _record(
        content,
        note,
        line=line,
        ord_=0,
        note_type=_note_type_name(notetype),
        inline=dict.fromkeys(names),
    )
    occlusion = Occlusion(
        image=unquote(images[0]),
        masks=(),
        card=1,
        question_name=names[0],
        answer_name=names[1],
        question_overlay=overlays[0],
        answer_overlay=overlays[1],
    )
    return [dataclasses.replace(record, occlusion=occlusion)]


def _record(
    content: CardContent,
    note,
    *,
    line: int,
    ord_: int,
    note_type: str,
    inline: dict[str, bytes],
    typed: tuple[str, bool] = ("", False),
) -> CardRecord:
    return CardRecord(
        **{name: getattr(content, name) for name in CardContent.__dataclass_fields__},
        line=line,
        tags=tuple(dict.fromkeys(note.tags)),
        guid=note.guid,
        guid_from_file=True,
        ord=ord_,
        note_type=note_type,
        inline_images=tuple(
            (image.url, inline[image.url]) for image in content.images if image.url in inline
        ),
        typed_answer=typed[0],
        typed_answer_ignores_accents=typed[1],
    )


def _check_fields_named(template: dict, notetype: dict) -> None:
    """Raises CardHtmlError where a card template names a field its note type lacks, as
    Anki's renderer finds one (a section's `{{#Field}}` too, and in a script; not in an
    HTML comment): Anki shows an error in the card's place, never its fields. Anki's
    editor refuses such a template; a deck made by a script (genanki) may have one."""
    names = {field["name"] for field in notetype["flds"]} | _SPECIAL_FIELDS
    missing: list[str] = []
    text = _HTML_COMMENT.sub("", template["qfmt"] + template["afmt"])
    for kind, reference in _TEMPLATE_TAG.findall(text):
        *filters, name = (part.strip() for part in reference.split(":"))
        if kind in ("#", "^") and _CLOZE_CONDITION.fullmatch(reference):
            continue  # {{#c1}}: whether the card is cloze 1's
        if kind != "/" and name not in names and (name or not filters) and name not in missing:
            missing.append(name)
    if missing:
        fields = f"{'fields' if len(missing) > 1 else 'field'} {', '.join(map(repr, missing))}"
        raise CardHtmlError(
            f"its card template names {fields}, which its note type lacks: Anki shows an "
            "error in the card's place"
        )


def _typed_answer(
    question_template: str, values: dict[str, str], *, cloze: int | None
) -> tuple[str, bool]:
    """What a card whose question holds a type-in box expects typed (Anki reads the first
    box), as plain text, and whether it ignores accents (`{{type:nc:Back}}`, Anki 2.1.50+);
    ("", False) for a card without one."""
    box = _TYPE_BOX.search(_NOT_SHOWN.sub("", question_template))
    if box is None:
        return "", False
    *filters, name = (part.strip() for part in box[1].split(":"))
    value = values.get(name, "")
    if "cloze" in filters:
        value = cloze_text_for_typing(value, cloze) if cloze else ""
    return typed_answer_text(value), "nc" in filters


def _references(template: str, *, want_filter: str | None = None) -> list[str]:
    """The note fields a card template shows, in order. `{{type:Back}}` on the question
    side is an input box, not text to show; `{{cloze:Text}}` is the cloze text; a field
    in a script or an HTML comment (`<!-- {{Sound}} -->`: Anki leaves it unfilled) is
    not shown."""
    names: list[str] = []
    for reference in _FIELD_REFERENCE.findall(_NOT_SHOWN.sub("", template)):
        *filters, name = (part.strip() for part in reference.split(":"))
        if name in _SPECIAL_FIELDS or "type" in filters:
            continue
        if want_filter is not None and want_filter not in filters:
            continue
        if name not in names:
            names.append(name)
    return names


def _answer_side(template: dict) -> str:
    """What a card's back shows below its question: what follows its `<hr id=answer>`,
    else the back less the copy of the front it starts with (a back that repeats the
    front instead of naming {{FrontSide}}, as the stock Cloze's repeats its text), a
    comment or a line break more or less in the copy."""
    before, *after = _ANSWER_RULE.split(template["afmt"], maxsplit=1)
    if after:
        return after[0]
    back = _NOT_SHOWN.sub("", before)
    front = "".join(_NOT_SHOWN.sub("", template["qfmt"]).split())
    matched = 0
    for position, character in enumerate(back if front else ""):
        if character.isspace():
            continue
        if character != front[matched]:
            break
        matched += 1
        if matched == len(front):
            return back[position + 1 :]
    return before


# Where a card side starts a new line: a line break, a rule, or a block's edge.
_LINE_EDGE = re.compile(
    r"(<(?:br|hr|/?(?:div|p|li|ul|ol|table|tr|td|th|h[1-6]|blockquote|dl|dt|dd|center))\b[^<>]*>)",
    re.I,
)
# What a line left out keeps: its HTML tags (their blocks stay balanced) and sections.
_LINE_STRUCTURE = re.compile(r"<[^<>]*>|\{\{[#^/][^{}]*\}\}")


def _question_lines_dropped(back: str, front: str) -> str:
    """`back` without its lines that show only what the front shows ("Q: {{Front}}",
    `<div class=question>{{Front}}</div>`, "Question: {{FrontSide}}"): a card shows its
    answer below its question, and such a line repeated the question in it. A field the
    front shows through other filters (`{{furigana:Reading}}` below `{{kanji:Reading}}`)
    is the answer, and a line that says the question with its answer ("{{Front}} means
    {{Back}}") stays. Left whole when no field of its own would be left."""
    on_front = {"FrontSide"} | {
        ":".join(part.strip() for part in reference.split(":"))
        for kind, reference in _TEMPLATE_TAG.findall(_NOT_SHOWN.sub("", front))
        if not kind
    }
    pieces = _LINE_EDGE.split(back)
    dropped = own_field = False
    for index in range(0, len(pieces), 2):
        references = {
            ":".join(part.strip() for part in reference.split(":"))
            for kind, reference in _TEMPLATE_TAG.findall(pieces[index])
            if not kind
        }
        if references and references <= on_front:
            pieces[index] = "".join(_LINE_STRUCTURE.findall(pieces[index]))
            dropped = True
        elif any(
            reference.split(":")[-1] not in _SPECIAL_FIELDS | _SPECIAL_WORDS
            for reference in references - on_front
        ):
            own_field = True
    return "".join(pieces) if dropped and own_field else back


def _answer_fields(template: dict, *, exclude: list[str]) -> list[str]:
    names = [name for name in _references(template["afmt"]) if name not in exclude]
    typed = [
        reference.split(":")[-1].strip()
        for reference in _FIELD_REFERENCE.findall(template["afmt"])
        if reference.split(":")[0].strip() == "type"
    ]
    return [*names, *(name for name in typed if name not in names and name not in exclude)]


def _shows_more_than_fields(template: str) -> bool:
    """Whether a card side's template shows more than its fields, one below the other:
    words of its own, as a geography deck asks "Capital?" and "Flag?" of the same
    {{Country}}; Anki's words about the card (its deck, tags, note type or card type);
    sections shown only when a field is filled in or empty; a field as plain text."""
    template = _NOT_SHOWN.sub("", template)
    for kind, reference in _TEMPLATE_TAG.findall(template):
        *filters, name = (part.strip() for part in reference.split(":"))
        if kind in ("#", "^") or name in _SPECIAL_WORDS or "text" in filters:
            return True
    text = _TAG.sub("", _TEMPLATE_TAG.sub("", template))
    return bool(_SOUND_TAG.sub("", text).replace("&nbsp;", " ").strip())


def _special_fields(note, notetype: dict, template: dict, deck_name: str) -> dict[str, str]:
    """What Anki fills in for a template's `{{Deck}}`, `{{Subdeck}}` (the deck's last
    part), `{{Tags}}`, `{{Type}}` (the note type's name) and `{{Card}}` (the template's):
    words, so escaped as text. A note's own field of such a name (a genanki deck's "Type",
    a consonant or a vowel) is shown instead, as Anki shows it: the caller puts the
    fields' values over these."""
    words = {
        "Deck": deck_name,
        "Subdeck": deck_name.rsplit("::", 1)[-1],
        "Tags": " ".join(note.tags),
        "Type": notetype["name"],
        "Card": template["name"],
    }
    return {name: html.escape(value, quote=False) for name, value in words.items()}


def _rendered(template: str, values: dict[str, str], *, question: bool) -> str:
    """A card side as Anki renders its template: each field filled in (through the
    Japanese filters; `text:` without its HTML), a `{{#Field}}` section shown when the
    field is filled and a `{{^Field}}` one when it is empty. Special fields, a type-in box
    on the question, and an image or a sound whose field is empty show nothing; on the
    answer, `{{type:Back}}` is the answer, as Anki shows it beside what was typed. A field
    Anki speaks (`{{tts en_US:Front}}`) is shown as text, unless the side shows it so
    anyway."""
    template = _NOT_SHOWN.sub("", template)
    shown_as_text = {
        name
        for _, reference in _TEMPLATE_TAG.findall(template)
        for *filters, name in [[part.strip() for part in reference.split(":")]]
        if not _spoken(filters)
    }
    parts: list[str] = []
    shown = [True]
    position = 0
    for match in _TEMPLATE_TAG.finditer(template):
        if all(shown):
            parts.append(template[position : match.start()])
        position = match.end()
        kind, reference = match.groups()
        *filters, name = (part.strip() for part in reference.split(":"))
        if kind in ("#", "^"):
            filled = not _EMPTY_FIELD.fullmatch(values.get(name, ""))
            shown.append(filled if kind == "#" else not filled)
        elif kind == "/":
            if len(shown) > 1:
                shown.pop()
        elif all(shown) and name in _SPECIAL_WORDS:
            parts.append(values.get(name, ""))
        elif (question and "type" in filters) or (_spoken(filters) and name in shown_as_text):
            continue
        elif all(shown) and name not in _SPECIAL_FIELDS:
            # Through this reference's filters: a side may show a field twice, its
            # `{{kanji:Reading}}` and its `{{furigana:Reading}}`.
            value = _field_filtered(values.get(name, ""), name, filters)
            parts.append(_TAG.sub("", value) if "text" in filters else value)
    if all(shown):
        parts.append(template[position:])
    return _EMPTY_MEDIA.sub("", "".join(parts)).strip()


def _spoken(filters: list[str]) -> bool:
    return any(kind.startswith("tts ") for kind in filters)


def _filtered(template: str, values: dict[str, str], *, media: bool = True) -> dict[str, str]:
    """The fields as `template` shows them through Anki's Japanese filters (`furigana:`
    makes "日本[にほん]" ruby text, `kanji:` keeps "日本" and `kana:` "にほん"), a `hint:`
    field behind a toggle named after it, as Anki's "Mnemonic" link, and a field holding a
    file name as the image or sound the template makes of it."""
    filtered = dict(values)
    for reference in _FIELD_REFERENCE.findall(template):
        *filters, name = (part.strip() for part in reference.split(":"))
        if name in values and _VALUE_FILTERS.intersection(filters):
            filtered[name] = _field_filtered(values[name], name, filters)
    for pattern, markup in ((_TEMPLATE_IMAGE, '<img src="{}">'), (_TEMPLATE_SOUND, "[sound:{}]")):
        for before, reference, after in pattern.findall(template) if media else ():
            name = reference.split(":")[-1].strip()
            file_name = values.get(name, "").replace("&nbsp;", " ").strip()
            if file_name and "<" not in file_name and "[sound:" not in file_name:
                filtered[name] = markup.format(f"{before}{file_name}{after}".replace('"', "&quot;"))
    return filtered


_VALUE_FILTERS = {"furigana", "kanji", "kana", "hint"}


def _field_filtered(value: str, name: str, filters: list[str]) -> str:
    """A field's value through the Japanese filters and `hint:` of one reference."""
    for kind in ("furigana", "kanji", "kana"):
        if kind in filters:
            value = _reading(value, kind)
    if "hint" in filters and value.strip():
        # A <details> opens without script, from the keyboard too.
        label = html.escape(name, quote=False)
        value = f"<details><summary>{label}</summary>{value}</details>"
    return value


def _reading(text: str, kind: str) -> str:
    # As Anki's template_filters.rs: a word and its reading in brackets, a space before
    # it only separating words; "[sound:...]" is no reading.
    def replace(match: re.Match) -> str:
        word, reading = match.groups()
        if reading.startswith("sound:"):
            return match.group(0)
        if kind == "kanji":
            return word
        if kind == "kana":
            return reading
        return f"<ruby>{word}<rp>(</rp><rt>{reading}</rt><rp>)</rp></ruby>"

    return _FURIGANA.sub(replace, text.replace("&nbsp;", " "))


def _join(values: dict[str, str], names: list[str]) -> str:
    return "<br><br>".join(values[name] for name in names if values.get(name, "").strip())


def _note_type_name(notetype: dict) -> str:
    """The stock note type whose cards a package's note type makes, told by its card
    templates: its name may be translated ("Einfach (mit umgedrehter Karte)"), carry the
    suffix Anki adds on a clash ("Basic (and reversed card)-1a2b3"), or be the user's own,
    and Anki records a note type made from scratch as a Basic one, whatever its templates."""
    templates = notetype["tmpls"]
    if len(templates) == 2:
        # The stock optional reverse shows its second card only when a field is filled in.
        conditional = _CONDITIONAL_TEMPLATE.match(templates[1]["qfmt"])
        return OPTIONAL_REVERSED if conditional else REVERSED
    if len(templates) == 1 and "{{type:" in templates[0]["qfmt"]:
        return TYPE_IN
    return BASIC


def _unshown_fields(notetype: dict, values: dict[str, str]) -> list[str]:
    """The note's filled-in fields that none of its note type's templates shows or asks
    about: the stock optional reverse's Add Reverse only says whether its card is made
    (`{{#Add Reverse}}`), and is no field left out."""
    if _enhanced_occlusion_fields(notetype):
        # Image Occlusion Enhanced's own: the note's place in its occlusion (the first
        # field) and the mask of all its shapes, which it edits them from.
        values = {
            name: value
            for name, value in list(values.items())[1:]
            if not (sources := image_sources(value))
            or not all(source.lower().endswith(".svg") for source in sources)
        }
    shown = {
        reference.split(":")[-1].strip()
        for template in notetype["tmpls"]
        for pattern in (_FIELD_REFERENCE, _FIELD_CONDITION)
        for reference in pattern.findall(template["qfmt"] + template["afmt"])
    }
    return [name for name, value in values.items() if name not in shown and value.strip()]


# --- export ---


@dataclass(frozen=True)
class PackageNote:
    note_type: str  # one of NOTE_TYPES
    fields: tuple[str, ...]  # in the stock note type's order
    tags: tuple[str, ...] = ()
    guid: str = ""
    # Instead of `fields`, a note whose cards its stock type would not make again (a note
    # type of the user's own, of three templates, say): each card's question and answer by
    # its template number, ("", "") for a number the note has no card of. It is written
    # with a note type of as many templates, each showing its own question and answer.
    cards: tuple[tuple[str, str], ...] = ()
    # A type-in box the stock note type lacks: "cloze" for a cloze note whose cards ask
    # their deletions typed, "nc" for a type-in note whose accents need not be typed.
    typed_box: str = ""
    # The Anki deck the note goes in ("Medicine::Cardiology"), else the package's own.
    deck: str = ""
    # The cards that go in another deck than the note's, by template ordinal: a note's
    # cards may sit in several decks, in Anki as here (a reverse card moved apart).
    card_decks: tuple[tuple[int, str], ...] = ()
    # When the note's content last changed, in seconds since 1970 (0: when the package is
    # made). Anki takes a note it has only from a newer one, so a note unchanged here
    # since keeps what its user edited in Anki.
    modified: int = 0


def write_package(
    notes: Iterable[PackageNote], *, media: dict[str, bytes], deck_name: str, path: Path
) -> int:
    """Write an .apkg of `notes` in a deck named `deck_name` (a note naming its own deck, in
    that one), with `media` (name -> bytes); return how many notes it holds. Anki's stock
    note types carry the notes."""
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions, NoteIdsLimit

    with tempfile.TemporaryDirectory(prefix="quizsite-anki-") as folder:
        collection = Collection(str(Path(folder) / "collection.anki2"))
        try:
            deck_id = collection.decks.id(deck_name)
            deck_ids = {deck_name: deck_id}

            def deck_of(name: str) -> int:
                if name not in deck_ids:
                    deck_ids[name] = collection.decks.id(name)
                return deck_ids[name]

            note_ids = []
            dates: list[tuple[int, int]] = []
            now = int(time.time())
            count = 0
            for note in notes:
                if note.cards:
                    notetype = _several_cards_type(collection, note)
                    values = [value for sides in note.cards for value in sides]
                elif note.typed_box:
                    notetype = _typed_box_type(collection, note)
                    values = list(note.fields)
                else:
                    notetype = collection.models.by_name(note.note_type)
                    values = list(note.fields)
                made = collection.new_note(_stable_notetype(collection, notetype))
                for index, value in enumerate(values):
                    made.fields[index] = value
                made.tags = list(note.tags)
                if note.guid:
                    made.guid = note.guid
                collection.add_note(made, deck_of(note.deck or deck_name))
                if note.card_decks:
                    elsewhere = dict(note.card_decks)
                    for card in made.cards():
                        if card.ord in elsewhere:
                            card.did = deck_of(elsewhere[card.ord])
                            collection.update_card(card)
                note_ids.append(made.id)
                dates.append((note.modified or now, made.id))
                count += 1
            # Dated by this process's clock, not Anki's (so a test can move it): Anki
            # updates a note it has only from a newer one.
            collection.db.executemany("update notes set mod = ? where id = ?", dates)
            for name, data in media.items():
                collection.media.write_data(name, data)
            collection.export_anki_package(
                out_path=str(path),
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
                ),
                # Several decks side by side ("Medicine", "Physics") have no deck above them
                # all but Anki's own "Default": their notes are what is exported.
                limit=DeckIdLimit(deck_id) if len(deck_ids) == 1 else NoteIdsLimit(note_ids),
            )
        finally:
            collection.close()
    return count


# Anki matches an imported note type to one of its own by id: one new at each export
# would leave every note the collection has already (the same guid, another note type's)
# as it was, "conflicting", and add a note type "Basic+", "Basic++"... per import. So the
# note types of every export have the same ids, worked out from their names, fields and
# templates, and an old mtime, so that Anki updates the notes and keeps its user's own
# changes to the note type (its styling, say) rather than the export's.
_NOTETYPE_IDS_FROM = 1_000_000_000_000
_NOTETYPE_MTIME = 1_000_000_000


def _stable_notetype(collection, notetype: dict) -> dict:
    """`notetype` (of the throwaway collection, no note of it added yet) with the id every
    export gives it."""
    shape = [
        notetype["name"],
        [field["name"] for field in notetype["flds"]],
        [template["name"] for template in notetype["tmpls"]],
    ]
    digest = hashlib.sha256(json.dumps(shape).encode()).digest()
    stable_id = _NOTETYPE_IDS_FROM + int.from_bytes(digest[:8]) % _NOTETYPE_IDS_FROM
    if notetype["id"] == stable_id:
        return notetype
    collection.models.remove(notetype["id"])
    # Its fields and templates have ids too (Anki 2.1.66 merges note types by them).
    notetype = {
        **notetype,
        "id": stable_id,
        "mod": _NOTETYPE_MTIME,
        "usn": 0,
        "flds": [{**one, "id": stable_id * 100 + one["ord"]} for one in notetype["flds"]],
        "tmpls": [{**one, "id": stable_id * 100 + 50 + one["ord"]} for one in notetype["tmpls"]],
    }
    collection._backend.add_or_update_notetype(
        json=json.dumps(notetype).encode(), preserve_usn_and_mtime=True, skip_checks=False
    )
    return collection.models.get(stable_id)


_TYPED_BOX_TYPES = {
    # (stock note type, box): the name of the note type, and its front's box
    ("Cloze", "cloze"): (TYPED_BOX_TYPES["cloze"], "{{type:cloze:Text}}"),
    (TYPE_IN, "nc"): (TYPED_BOX_TYPES["nc"], "{{type:nc:Back}}"),
}


def _typed_box_type(collection, note: PackageNote) -> dict:
    """The stock note type with the type-in box it lacks: Anki asks the card typed, and
    an import here reads the box back."""
    name, box = _TYPED_BOX_TYPES[note.note_type, note.typed_box]
    models = collection.models
    if (found := models.by_name(name)) is not None:
        return found
    notetype = models.copy(models.by_name(note.note_type), add=False)
    notetype["name"] = name
    template = notetype["tmpls"][0]
    template["qfmt"] = re.sub(r"\n*\{\{type:[^{}]*\}\}", "", template["qfmt"]) + "\n\n" + box
    models.add(notetype)
    return models.by_name(name)


def _several_cards_type(collection, note: PackageNote) -> dict:
    """A note type whose template n shows `Front n` and, on its back, `Back n`: a note of
    it makes the cards whose fronts are filled in, and reads back as the same cards (two
    templates as a reversed note type, the second one conditional for an optional one)."""
    count = len(note.cards)
    optional = count == 2 and note.note_type == OPTIONAL_REVERSED
    name = own_cards_type_name(count, note.note_type)
    models = collection.models
    if (found := models.by_name(name)) is not None:
        return found
    notetype = models.new(name)
    for number in range(1, count + 1):
        models.add_field(notetype, models.new_field(f"Front {number}"))
        models.add_field(notetype, models.new_field(f"Back {number}"))
    for number in range(1, count + 1):
        front = f"{{{{Front {number}}}}}"
        if optional and number == 2:
            front = f"{{{{#Front {number}}}}}{front}{{{{/Front {number}}}}}"
        template = models.new_template(f"Card {number}")
        template["qfmt"] = front
        template["afmt"] = f"{{{{FrontSide}}}}<hr id=answer>{{{{Back {number}}}}}"
        models.add_template(notetype, template)
    models.add(notetype)
    return models.by_name(name)


def image_sources(card_html: str) -> list[str]:
    return [next(filter(None, match)) for match in _IMAGE_SRC.findall(card_html)]
