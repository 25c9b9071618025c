"""Anki files in and out of a deck: what an import would change, the import itself in one
transaction with bulk writes, and the exports (text and .apkg) that import back unchanged.

Cards are matched on import by their number (from the source link), else by their Anki
guid and card ordinal, so a re-import updates the rows in place: primary keys, permalinks
and the answers learners gave stay attached.
"""

import dataclasses
import gc
import hashlib
import html
import json
import mimetypes
import re
import secrets
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import slugify

from quizzes import caching, search_schema
from quizzes.imagefetch import ImageRejected, VerifiedImage
from quizzes.importing.anki import (
    CLOZE,
    OPTIONAL_REVERSED,
    REVERSED,
    TYPE_IN,
    AnkiFile,
    AnkiParseError,
    CardRecord,
    ColumnMapping,
    ExportCard,
    ParseProblem,
    export_anki,
    export_notice,
    lines_named,
    own_cards_type_name,
    read_anki,
)
from quizzes.importing.apkg import (
    MISSING_FROM_PACKAGE,
    PackageLimits,
    PackageNote,
    image_sources,
    read_package,
    suspended_notice,
    write_package,
)
from quizzes.importing.cardhtml import PROVENANCE_LABEL, link_guid, note_guid
from quizzes.importing.occlusion import Drawing, OcclusionError
from quizzes.models import (
    CachedImage,
    Card,
    CardImage,
    CardKeyword,
    Deck,
    DeletedCard,
    FormerDeckSlug,
    ImportJob,
    MediaFile,
    Tag,
)
from quizzes.rendering import AUDIO_MISSING_CLASS, VIDEO_SUFFIXES, page_ready, sound_names
from quizzes.services import play_sql
from quizzes.services.card_editing import content_problem
from quizzes.services.card_pages import (
    QUIZ_FIELDS,
    cards_rerender,
    keywords_insert,
    local_image,
    media_for_names,
    quiz_fields,
)
from quizzes.services.images import image_store_upload, image_upload_verify

PACKAGE_SUFFIXES = (".apkg", ".colpkg")
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".tif", ".tiff"}
# The sounds a package's `[sound:]` may bring: those a browser plays. Any other file is
# left out, never stored: the proxy serves /media/ by suffix, and a deck's `page.html`
# there would be a page of its author's on the site's own origin.
_PLAYABLE_SUFFIXES = {
    ".mp3",
    ".m4a",
    ".aac",
    ".ogg",
    ".oga",
    ".opus",
    ".wav",
    ".flac",
    ".weba",
    *VIDEO_SUFFIXES,
}
NOT_PLAYABLE = (
    "rejected: not an audio or video file this site plays (MP3, M4A, AAC, Ogg, Opus, WAV, "
    "FLAC, WebM, MP4, MOV)"
)
_BATCH = 1000
_DECKS_NAMED = 5
Progress = Callable[[int, int], None]
# What Pillow found in an import's images, by the SHA-256 of their bytes: the fields of a
# VerifiedImage, or {"rejected": reason}. JSON, to be kept with an upload (ImportJob).
ImageChecks = dict[str, dict]
IMAGE_CHECKS_OPTION = "image_checks"  # where an ImportJob's options keep them

# --- Anki import ---


_CHANGE_NAMES = {
    "question_html": "question",
    "answer_html": "answer",
    "source_url": "source link",
    "note_type": "note type",
    "typed_answer": "typed answer",
}


@dataclass(frozen=True)
class PlannedCard:
    record: CardRecord
    number: int
    card: Card | None  # None for a new card
    changes: tuple[str, ...] = ()  # the fields an import would change
    # The tags to give the card where they are not the file's: staff's, with the file's
    # own changes since the last import.
    merged_tags: tuple[str, ...] | None = None
    # The sides ("question", "answer") of a card staff edited here that keep the edit while
    # the file's change to its other side is taken (_edits_merged).
    kept_here: tuple[str, ...] = ()
    # The site deck it goes to: the one imported into, or its Anki deck's (_site_decks).
    deck: Deck | None = field(default=None, compare=False)

    @property
    def tags(self) -> tuple[str, ...]:
        return self.record.tags if self.merged_tags is None else self.merged_tags

    def side(self, name: str) -> tuple[str, str]:
        """The (html, text) of the card's side `name` as the import writes it."""
        source = self.card if name in self.kept_here else self.record
        return getattr(source, f"{name}_html"), getattr(source, f"{name}_text")

    @property
    def changes_told(self) -> str:
        """What the import changes, as staff call it ("answer, tags")."""
        return ", ".join(_CHANGE_NAMES.get(change, change) for change in self.changes)

    @property
    def question_text(self) -> str:
        return self.side("question")[1]

    @property
    def answer_text(self) -> str:
        return self.side("answer")[1]


@dataclass(frozen=True)
class PackageFile:
    """A package's file to store; an image's comes with what Pillow found in it when the
    plan checked it, so storing it needs no second look."""

    data: bytes = field(repr=False)
    verified: VerifiedImage | None = None  # None for a file that is no image (a sound)
    # An Image Occlusion card's picture: drawn, then checked, as it is stored.
    drawing: Drawing | None = None


@dataclass
class DeckTarget:
    """The site deck a package's Anki deck goes to (see _site_decks), and what the import
    does in it."""

    anki_name: str
    deck: Deck  # unsaved while the import is to make it
    made: bool  # whether the import makes it
    # A deck the file's notes are found in by their guids, outside the decks its Anki
    # decks go to (_decks_holding_the_notes): they are updated there.
    holds_the_notes: bool = False
    held: int = 0  # the cards it holds before the import
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def told(self) -> str:
        """What happens to it, as the preview and the command say it."""
        what = "made by this import" if self.made else "already here"
        counts = f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged"
        return (
            f"Anki deck {self.anki_name!r} into {self.deck.name!r} "
            f"(/decks/{self.deck.slug}/, {what}): {counts}"
        )


@dataclass
class ImportPlan:
    new: list[PlannedCard] = field(default_factory=list)
    changed: list[PlannedCard] = field(default_factory=list)
    unchanged: list[PlannedCard] = field(default_factory=list)
    skipped: list[ParseProblem] = field(default_factory=list)  # lines that make no card
    merged: list[ParseProblem] = field(default_factory=list)  # notes given twice
    # Cards staff deleted here whose note the file gives as it was: not made again.
    kept_deleted: list[ParseProblem] = field(default_factory=list)
    # Cards staff edited here whose note the file changed too: the edit is kept.
    kept_edits: list[ParseProblem] = field(default_factory=list)
    # Of those, the ones that take the file's change to the side staff left as it was.
    merged_edits: list[ParseProblem] = field(default_factory=list)
    notices: list[ParseProblem] = field(default_factory=list)  # how a text file was read
    file: AnkiFile | None = None  # a text file's layout and preview; None for a package
    media: dict[str, PackageFile] = field(default_factory=dict)  # a package's files, by name
    # A package's files the cards use that are not stored, and why ("missing from the
    # package", "rejected: <reason>"), and each note that uses one.
    media_failures: dict[str, str] = field(default_factory=dict)
    media_problems: list[ParseProblem] = field(default_factory=list)
    # A package's files renamed as they clash with the site's: the name the package gives.
    package_names: dict[str, str] = field(default_factory=dict)
    images: set[str] = field(default_factory=set)  # the files the cards show as images
    # Notes with filled-in fields no card shows (a package's, or a text file's notes of
    # cards of their own).
    fields_left_out: list[ParseProblem] = field(default_factory=list)
    # Notes imported without a tag longer than the site keeps (an AnKing deck's paths).
    tags_left_out: list[ParseProblem] = field(default_factory=list)
    # A package of several Anki decks: the site deck of each, the one imported into first.
    decks: list[DeckTarget] = field(default_factory=list)
    # Decks with no shared parent in Anki may go by their names (True) or below the deck
    # imported into (False): None where the file's decks share one.
    decks_by_name: bool | None = None

    @property
    def summary(self) -> str:
        summary = (
            f"{len(self.new)} new, {len(self.changed)} changed, {len(self.unchanged)} unchanged"
        )
        if self.skipped:
            summary += f", {sum(problem.notes for problem in self.skipped)} skipped"
        if self.merged:
            summary += f", {sum(problem.notes for problem in self.merged)} merged"
        if deleted := len(self.kept_deleted):
            summary += f", {deleted} card{'s' if deleted != 1 else ''} deleted here kept deleted"
        if edited := len(self.kept_edits):
            summary += f", {edited} card{'s' if edited != 1 else ''} edited here kept as edited"
        if merged := len(self.merged_edits):
            summary += (
                f", {merged} card{'s' if merged != 1 else ''} edited here and in the file merged"
            )
        if self.media_failures:
            files = len(self.media_failures)
            summary += f", {files} media file{'s' if files != 1 else ''} left out"
        # Two Anki decks may share a site deck (notes in no deck and one named deck).
        if (site_decks := len({id(target.deck) for target in self.decks})) > 1:
            made = sum(target.made and target.new > 0 for target in self.decks)
            summary += f", in {site_decks} decks ({made} made)"
        return summary

    @property
    def report(self) -> list[ParseProblem]:
        problems = [
            *self.skipped,
            *self.merged,
            *self.kept_deleted,
            *self.kept_edits,
            *self.merged_edits,
            *self.media_problems,
            *self.fields_left_out,
            *self.tags_left_out,
        ]
        return sorted(problems, key=lambda problem: problem.line)

    @property
    def to_write(self) -> int:
        return len(self.new) + len(self.changed)

    @property
    def decks_made(self) -> list[Deck]:
        """The decks the import makes: those it plans new cards in (anki_import_apply)."""
        made = {id(target.deck): target.deck for target in self.decks if target.made and target.new}
        return list(made.values())


class ImportTooLarge(ValueError):
    """A file over QUIZSITE_IMPORT_MAX_BYTES; the message says so, fit for a form error."""


def anki_import_check_size(*, size: int) -> None:
    """Refuse a file too large to import, before it is read or parsed."""
    limit = settings.QUIZSITE_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportTooLarge(
            f"the file is {size} bytes, more than the {limit} bytes one import takes: "
            "split it into smaller files"
        )


def is_package(source: str) -> bool:
    return source.lower().endswith(PACKAGE_SUFFIXES)


def anki_import_plan(
    *,
    deck: Deck,
    data: bytes | str,
    source: str,
    separator: str | None = None,
    preferred_separator: str | None = None,
    mapping: ColumnMapping | None = None,
    image_checks: ImageChecks | None = None,
    decks_by_name: bool = False,
) -> ImportPlan:
    """What importing `data` (a text file, or an .apkg/.colpkg when `source` is named so)
    into `deck` would do; writes nothing. Raises ImportTooLarge, or AnkiParseError for a
    file that is not a deck at all; lines that make no card are in the plan's report.
    `preferred_separator` wins where the guess of a text file's separator ties.
    `image_checks` holds what Pillow found in images checked before, and takes what it
    finds in the others (see _image_checked). `decks_by_name`: see _site_decks.

    A card with a source link keeps the number in it; one without is matched by guid and
    card ordinal, else (when the file gives no guid) by its note's first field within its
    note type, as Anki matches notes, else it takes the next free number. A file that
    leaves a card's tags out leaves its tags alone.

    A line whose guid column names a guid other than that of the deck's card with the
    same number is skipped, not an update, when that card is known by its own guid or by
    another source link (another deck's export, say): overwriting would turn one card into
    another under the answers learners gave it. A card known only by the same source link
    is the same card with a guid Anki gave it.
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode())
    anki_import_check_size(size=size)
    plan = ImportPlan()
    if is_package(source):
        package = _read_package(data, source)
        inline, too_large = _inline_media(package.cards)
        records, media, plan.package_names = _media_renamed(
            package.cards, {**package.media, **inline}
        )
        problems = {**package.media_problems, **too_large}
        plan.images = {image.url for record in records for image in record.images}
        plan.media, plan.media_failures = _media_checked(media, problems, plan.images, image_checks)
        plan.media |= {
            name: PackageFile(b"", drawing=drawing) for name, drawing in package.drawings.items()
        }
        plan.skipped, plan.fields_left_out = list(package.skipped), package.fields_left_out
        if notice := suspended_notice(package.suspended, source):
            plan.notices.append(notice)
    else:
        read = read_anki(
            data,
            source=source,
            separator=separator,
            preferred_separator=preferred_separator,
            mapping=mapping,
            max_cards=settings.QUIZSITE_IMPORT_MAX_CARDS,
            image_max_bytes=settings.QUIZSITE_IMAGE_MAX_BYTES,
        )
        records, plan.file = read.cards, read
        plan.images = {image.url for record in records for image in record.images}
        inline, too_large = _inline_media(records)
        problems = {**_media_not_in_text_file(records, inline), **too_large}
        plan.media, plan.media_failures = _media_checked(
            inline, problems, plan.images, image_checks
        )
        plan.skipped, plan.merged = list(read.skipped), list(read.merged)
        plan.notices, plan.fields_left_out = list(read.notices), list(read.fields_left_out)
    records, plan.tags_left_out = _tags_too_long_left_out(_tags_spelled_once(records), source)
    anki_decks = sorted({record.anki_deck for record in records})
    if len(anki_decks) > 1:
        if _shared_parent_length(anki_decks) == 0:
            plan.decks_by_name = decks_by_name
        plan.decks = _site_decks(deck, anki_decks, source, by_name=bool(plan.decks_by_name))
        of_anki_decks = list(plan.decks)
        several = len({id(target.deck) for target in plan.decks}) > 1
        plan.decks += _decks_holding_the_notes(records, plan.decks)
        site_decks = {id(target.deck): target.deck for target in plan.decks}
        cards, tag_names = _existing_cards(list(site_decks.values()))
        held = Counter(card.deck_id for card in cards)
        for target in plan.decks:
            target.held = held[target.deck.pk] if target.deck.pk else 0
        groups = _records_by_site_deck(records, plan.decks, cards)
        for key, group in groups.items():
            site_deck = site_decks[key]
            own = [card for card in cards if card.deck_id == site_deck.pk]
            _match(plan, site_deck, group, source, (own, tag_names))
        _decks_counted(plan)
        if several:
            plan.notices.append(_several_decks_notice(deck, of_anki_decks, plan, source))
        # A deck no card goes to is not listed: one to be made is not made, and one here of
        # an Anki deck's name whose notes are all here already, in other decks, gets none.
        receiving = {id(target.deck) for target in plan.decks if _imported(target)}
        plan.decks = [target for target in plan.decks if id(target.deck) in receiving]
    else:
        _match(plan, deck, records, source, _existing_cards([deck]))
    plan.media_problems = _media_problems(plan, source)
    if not (plan.new or plan.changed or plan.unchanged or plan.kept_deleted or plan.kept_edits):
        refusal = ParseProblem(source, 1, "no line of the file can become a card")
        raise AnkiParseError([refusal, *plan.report])
    return plan


def _read_package(data: bytes | str, source: str):
    if isinstance(data, str):
        raise AnkiParseError([ParseProblem(source, 1, "a package must be read as bytes")])
    with tempfile.NamedTemporaryFile(suffix=Path(source).suffix) as file:
        file.write(data)
        file.flush()
        limits = PackageLimits(
            image_bytes=settings.QUIZSITE_IMAGE_MAX_BYTES,
            sound_bytes=settings.QUIZSITE_SOUND_MAX_BYTES,
            unpacked_bytes=settings.QUIZSITE_IMPORT_MAX_UNPACKED_BYTES,
            image_pixels=settings.QUIZSITE_IMAGE_MAX_PIXELS,
        )
        package = read_package(Path(file.name), source=source, limits=limits)
    if len(package.cards) > settings.QUIZSITE_IMPORT_MAX_CARDS:
        reason = (
            f"more than {settings.QUIZSITE_IMPORT_MAX_CARDS} cards, the most one import "
            "takes: split the deck"
        )
        raise AnkiParseError([ParseProblem(source, 1, reason)])
    return package


def _inline_media(records: list[CardRecord]) -> tuple[dict[str, bytes], dict[str, str]]:
    """The images the cards gave inline (data: URLs), as files named by their content,
    and why each one over the image limit is left out (one sure to be over it was never
    decoded: only its name is kept)."""
    limit = settings.QUIZSITE_IMAGE_MAX_BYTES
    files = {name: data for record in records for name, data in record.inline_images}
    too_large = {
        name: f"rejected: the file is more than the limit of {limit} bytes"
        for name, data in files.items()
        if data is None or len(data) > limit
    }
    # A None (never decoded) is always too large.
    return {name: data for name, data in files.items() if name not in too_large}, too_large


# Why a file a text file's card names (`<img src="cat.png">`, `[sound:hola.mp3]`, as Anki's
# own media folder holds them) is left out, when the site has no file of that name.
NOT_IN_TEXT_FILE = "missing: a text file carries no media files (the deck's .apkg export does)"


def _media_not_in_text_file(records: list[CardRecord], inline: dict[str, bytes]) -> dict[str, str]:
    """The media files the cards of a text file name that it cannot bring: names, not
    URLs, and not the images it gave inline. _media_checked forgives those the site has."""
    names = {image.url for record in records for image in record.images}
    names.update(
        name
        for record in records
        if "[sound:" in record.question_html + record.answer_html
        for name in sound_names(record.question_html + record.answer_html)
    )
    return {
        name: NOT_IN_TEXT_FILE
        for name in names
        if name not in inline and not urlsplit(name).scheme and not name.startswith("/")
    }


def _media_renamed(
    records: list[CardRecord], media: dict[str, bytes]
) -> tuple[list[CardRecord], dict[str, bytes], dict[str, str]]:
    """A package's files whose names the site already gives to other content are renamed
    `name-<hash>.ext`, in the files and in the cards, as Anki renames clashing media, so
    one deck's `image.png` never replaces another's; and each new name's old one."""
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in media.items()}
    known = dict(
        CachedImage.objects.filter(url__in=list(media), status=CachedImage.Status.CACHED)
        .exclude(sha256="")
        .values_list("url", "sha256")
    )
    known.update(MediaFile.objects.filter(name__in=list(media)).values_list("name", "sha256"))
    renames = {
        name: f"{Path(name).stem}-{hashes[name][:8]}{Path(name).suffix}"
        for name in media
        if name in known and known[name] != hashes[name]
    }
    if not renames:
        return records, media, {}

    def rename(value: str) -> str:
        for old, new in renames.items():
            value = value.replace(f'src="{old}"', f'src="{new}"').replace(
                f"[sound:{old}]", f"[sound:{new}]"
            )
        return value

    renamed = [
        dataclasses.replace(
            record,
            question_html=rename(record.question_html),
            answer_html=rename(record.answer_html),
            images=tuple(
                dataclasses.replace(image, url=renames.get(image.url, image.url))
                for image in record.images
            ),
        )
        for record in records
    ]
    media = {renames.get(name, name): data for name, data in media.items()}
    return renamed, media, {new: old for old, new in renames.items()}


def _media_checked(
    media: dict[str, bytes],
    problems: dict[str, str],
    images: set[str],
    image_checks: ImageChecks | None = None,
) -> tuple[dict[str, PackageFile], dict[str, str]]:
    """The package's files to store, and those left out with why: images (by their name,
    or shown as one: `<img src="diagram.pdf">`) go through the same Pillow checks as a
    download. A file missing from the package is no failure when the site has one of its
    name already (as Anki's own media folder would)."""
    failures = dict(problems)
    files: dict[str, PackageFile] = {}
    for name, data in media.items():
        verified = None
        if _is_image(name) or name in images:
            try:
                verified = _image_checked(data, {} if image_checks is None else image_checks)
            except ImageRejected as rejection:
                failures[name] = f"rejected: {rejection.reason}"
        elif Path(name).suffix.lower() not in _PLAYABLE_SUFFIXES:
            failures[name] = NOT_PLAYABLE
        files[name] = PackageFile(data, verified)
    missing = [
        name for name, why in failures.items() if why in (MISSING_FROM_PACKAGE, NOT_IN_TEXT_FILE)
    ]
    present = {
        *CachedImage.objects.filter(url__in=missing, status=CachedImage.Status.CACHED).values_list(
            "url", flat=True
        ),
        *MediaFile.objects.filter(name__in=missing).values_list("name", flat=True),
    }
    failures = {name: why for name, why in failures.items() if name not in present}
    return {name: file for name, file in files.items() if name not in failures}, failures


def _image_checked(data: bytes, checks: ImageChecks) -> VerifiedImage:
    """What image_upload_verify finds in `data` (or ImageRejected), looked up in `checks`
    first by the SHA-256 of the bytes, and kept there: the admin stores them with the
    upload, so its preview and its confirmation run Pillow over a package's images once.
    The key is worked out here from the bytes read, never taken from a request."""
    key = hashlib.sha256(data).hexdigest()
    known = checks.get(key)
    if known is None:
        try:
            verified = image_upload_verify(data=data, declared_content_type=None)
        except ImageRejected as rejection:
            checks[key] = {"rejected": rejection.reason}
            raise
        # Kept as JSON (ImportJob.options): an SVG's cleaned bytes stay out, made again
        # from the package's when read back, by its allow-list, not Pillow.
        checks[key] = {**dataclasses.asdict(verified), "cleaned": None}
        return verified
    if "rejected" in known:
        raise ImageRejected(known["rejected"])
    if known["format"] == "SVG":
        return image_upload_verify(data=data, declared_content_type=None)
    return VerifiedImage(**known)


def _media_problems(plan: ImportPlan, source: str) -> list[ParseProblem]:
    """The files the cards the import writes use that are left out: a line per note and
    file, or one for the files of a kind left out for one reason (a text file's 31 images
    are one piece of news), naming the first few and the notes' lines."""
    # (kind, why) -> the (line, guid, name) of each note and file left out for it
    left_out: dict[tuple[str, str], dict[tuple[int, str], str]] = {}
    for planned in [*plan.new, *plan.changed, *plan.unchanged]:
        record = planned.record
        used = [("image", image.url) for image in record.images]
        used += [("sound", name) for name in sound_names(record.question_html + record.answer_html)]
        for kind, name in used:
            if name in plan.media_failures:
                # Named as in the package, where its owner looks for it.
                told = plan.package_names.get(name, name)
                uses = left_out.setdefault((kind, plan.media_failures[name]), {})
                uses.setdefault((record.line, name), f"note {record.guid!r}: {kind} {told!r}")
    problems = []
    for (kind, why), uses in left_out.items():
        if len(uses) == 1:
            ((line, _), what), *_ = uses.items()
            problems.append(ParseProblem(source, line, f"{what} {why}"))
            continue
        names = list(dict.fromkeys(plan.package_names.get(name, name) for _, name in uses))
        lines = sorted({line for line, _ in uses})
        named = ", ".join(repr(name) for name in names[:_MEDIA_NAMED])
        named += ", ..." if len(names) > _MEDIA_NAMED else ""
        reason = (
            f"{len(names)} {kind}{'s' if len(names) > 1 else ''} ({named}) of {len(lines)} "
            f"note{'s' if len(lines) > 1 else ''} ({lines_named(lines)}) {why}"
        )
        problems.append(ParseProblem(source, lines[0], reason))
    return problems


_MEDIA_NAMED = 3


def _is_image(name: str) -> bool:
    return Path(name).suffix.lower() in _IMAGE_SUFFIXES


def _tags_spelled_once(records: list[CardRecord]) -> list[CardRecord]:
    """The records with their tags as Anki keeps them: one tag whatever its case
    ("Biology", "biology"), spelled as the site first knew it, else as the file first
    spells it, as an Anki collection spells a tag as it first had it. Otherwise an .apkg
    export, which Anki writes so, would not import back unchanged."""
    names = {tag for record in records for tag in record.tags}
    if not names:
        return records
    folded = {name.casefold() for name in names}
    spelling: dict[str, str] = {}
    for name in Tag.objects.order_by("pk").values_list("name", flat=True).iterator():
        if name.casefold() in folded:
            spelling.setdefault(name.casefold(), name)
    for record in records:
        for tag in record.tags:
            spelling.setdefault(tag.casefold(), tag)
    spelled = []
    for record in records:
        tags = tuple(dict.fromkeys(spelling[tag.casefold()] for tag in record.tags))
        spelled.append(record if tags == record.tags else dataclasses.replace(record, tags=tags))
    return spelled


def _tags_too_long_left_out(
    records: list[CardRecord], source: str
) -> tuple[list[CardRecord], list[ParseProblem]]:
    """The records without the tags longer than a tag here holds, and a line per note
    that had one: Anki keeps tags of any length, and a note is worth more than its tag."""
    longest = Tag._meta.get_field("name").max_length
    kept, problems = [], {}
    for record in records:
        if too_long := [tag for tag in record.tags if len(tag) > longest]:
            reason = (
                f"the tag {too_long[0][:40]!r}… is longer than {longest} characters: left out, "
                "the note imported without it"
            )
            problems.setdefault(record.line, ParseProblem(source, record.line, reason))
            tags = tuple(tag for tag in record.tags if len(tag) <= longest)
            record = dataclasses.replace(record, tags=tags)
        kept.append(record)
    return kept, list(problems.values())


def _existing_cards(decks: list[Deck]) -> tuple[list[Card], dict[int, list[str]]]:
    """The decks' cards and their tag names, in two queries whatever the decks' size."""
    deck_ids = [deck.pk for deck in decks if deck.pk]
    if not deck_ids:
        return [], {}
    cards = list(
        Card.objects.filter(deck_id__in=deck_ids).only(
            "id",
            "deck_id",
            "number",
            "guid",
            "card_ord",
            "note_type",
            "source_url",
            "question_html",
            "answer_html",
            "question_text",
            "answer_text",
            "short_answer_html",
            "shuffle_key",
            "typed_answer",
            "typed_answer_ignores_accents",
            "imported_checksum",
            "imported_first_field",
            "imported_tags",
        )
    )
    tag_names: dict[int, list[str]] = {}
    rows = Card.tags.through.objects.filter(card__deck_id__in=deck_ids).values_list(
        "card_id", "tag__name"
    )
    for card_id, name in rows.iterator(chunk_size=5000):
        tag_names.setdefault(card_id, []).append(name)
    return cards, tag_names


def _match(
    plan: ImportPlan,
    deck: Deck,
    records: list[CardRecord],
    source: str,
    existing: tuple[list[Card], dict[int, list[str]]],
) -> None:
    """Plan `records` into `deck`, whose cards and their tag names are `existing`."""
    cards, tag_names = existing
    by_number = {card.number: card for card in cards}
    by_guid = {(card.anki_guid, card.card_ord): card for card in cards}
    by_first_field, by_plain_first_field = _by_first_field(cards, records, by_number, by_guid)
    by_imported_note = _by_imported_note(cards, records, by_number, by_guid)
    by_imported_first_field = _by_imported_first_field(cards, records, by_number, by_guid)
    taken = set(by_number) | {record.number for record in records if record.number is not None}
    next_number = max(taken, default=0) + 1
    line_of_card: dict[int, int] = {}
    deleted_here = _deleted_here(deck)
    for record in records:
        if reason := content_problem(record) or _guid_problem(record):
            plan.skipped.append(ParseProblem(source, record.line, reason))
            continue
        key = (record.guid, record.ord)
        if record.number is not None and record.ord == 0:
            number, card = record.number, by_number.get(record.number)
        elif key in by_guid:
            card = by_guid[key]
            number = card.number
        elif not record.guid_from_file and (
            same := by_imported_note.pop(_record_checksum(record), None)
            or by_imported_first_field.pop(_record_first_field(record), None)
            or by_first_field.pop(_record_first_field(record), None)
            or by_plain_first_field.pop(_record_plain_first_field(record), None)
        ):
            # A note the file gives no guid is the card last imported from that very note,
            # or from a note of that first field, whatever staff made of its text since;
            # else, as Anki finds it, the card asking its first field within its note type,
            # its HTML stripped: a fixed answer, or a question that gained bold or colours,
            # updates the card, which keeps its guid. The first line asking that question
            # takes it; another one is a note of its own.
            by_imported_note.pop(same.imported_checksum, None)
            by_imported_first_field.pop(_imported_first_field_key(same), None)
            by_first_field.pop(_card_first_field(same), None)
            by_plain_first_field.pop(_card_plain_first_field(same), None)
            card, number = same, same.number
            record = dataclasses.replace(record, guid=card.anki_guid)
            key = (record.guid, record.ord)
        else:
            # Numbered below, once it is sure to be a new card.
            number, card = None, None
        # Checked with the line's own guid, before a line without one takes its card's.
        owner, line_guid = by_guid.get(key), record.guid
        another = card is not None and _another_card_told(card, record, number)
        if card is not None and not record.guid_from_file and record.guid != card.anki_guid:
            # A file without guids leaves a card the guid it has (one of its own where
            # another deck's card had the one its text or link makes: _guids_taken_elsewhere).
            record = dataclasses.replace(record, guid=card.anki_guid)
            key = (record.guid, record.ord)
        problem = ""
        if owner is not None and owner is not card:
            problem = f"guid {line_guid!r} belongs to card {owner.number}, not {number}"
        elif another:
            problem = another
        elif card is not None and card.pk in line_of_card:
            problem = f"matches card {number}, as line {line_of_card[card.pk]} does"
        if problem:
            plan.skipped.append(ParseProblem(source, record.line, problem))
            continue
        if card is None:
            if (deleted := deleted_here(record)) is not None:
                plan.kept_deleted.append(ParseProblem(source, record.line, deleted))
                continue
            if number is None:
                number, next_number = next_number, next_number + 1
            plan.new.append(PlannedCard(record, number, None, deck=deck))
            continue
        line_of_card[card.pk] = record.line
        tags_here = tag_names.get(card.pk, [])
        changes = _changes(card, record, tags_here)
        merged_tags = None
        if "tags" in changes and card.imported_checksum:
            merged_tags = _tags_merged(card, tags_here, record.tags)
            if merged_tags is not None and _same_tags(merged_tags, tags_here):
                changes = tuple(change for change in changes if change != "tags")
        if changes and card.imported_checksum and _card_checksum(card) != card.imported_checksum:
            # Staff edited it here since the last import: the file does not undo the edit.
            merge = _edits_merged(card, record)
            if merge is not None:
                kept_here, taken, both = merge
                changes = tuple(
                    change for change in changes if change.removesuffix("_html") not in kept_here
                )
                plan.changed.append(
                    PlannedCard(record, number, card, changes, merged_tags, kept_here, deck=deck)
                )
                plan.merged_edits.append(
                    ParseProblem(source, record.line, _merge_told(number, kept_here, taken, both))
                )
            elif _record_checksum(record) != card.imported_checksum:
                plan.kept_edits.append(
                    ParseProblem(
                        source,
                        record.line,
                        f"card {number} was edited here, and the file changed its note too: "
                        "the edit is kept (delete the card here and import the file again to "
                        "take the file's version, as a new card)",
                    )
                )
            else:
                plan.unchanged.append(PlannedCard(record, number, card, deck=deck))
            continue
        (plan.changed if changes else plan.unchanged).append(
            PlannedCard(record, number, card, changes, merged_tags, deck=deck)
        )


ANKI_DECK_SEPARATOR = "::"


def _shared_parent_length(anki_names: list[str]) -> int:
    """How many parts of their path Anki decks share ("Medicine::Cardiology" and
    "Medicine::Neurology" one; "Biology" and "Chemistry" none)."""
    paths = [name.split(ANKI_DECK_SEPARATOR) for name in anki_names if name]
    shared = 0
    while all(len(path) > shared and path[shared] == paths[0][shared] for path in paths):
        shared += 1
    return shared


# How an export names a deck named as another it holds: "Biology (bio-b)" (export_deck_names).
_NAMESAKE = re.compile(r"(?P<name>.+) \((?P<slug>[-\w]+)\)")


def _deck_name_key(name: str) -> str:
    """A deck name as names are compared: composed (a Mac's file gives "Café" decomposed)
    and case folded, as Anki compares them."""
    return unicodedata.normalize("NFC", name).casefold()


def _decks_by_name(chosen: Deck, anki_names: list[str], source: str) -> list[DeckTarget]:
    """The site deck of each of a package's Anki decks by its name, as Anki makes a
    package's decks: the deck here of that name (ignoring case, as Anki does; the oldest
    of namesakes), or the one an export here named "Biology (bio-b)" by its slug, else
    a deck made with that name. Notes in no deck, and a deck named as `chosen`, go to
    `chosen`. An export of several decks imported back gives the same decks. Two
    queries."""
    # One object per site deck, so that the cards of each are planned once.
    decks = [chosen if deck.pk == chosen.pk else deck for deck in Deck.objects.order_by("-pk")]
    by_name = {_deck_name_key(deck.name): deck for deck in decks}  # the oldest last, so kept
    by_slug = {deck.slug: deck for deck in decks}
    by_name[_deck_name_key(chosen.name)] = chosen
    taken = {*by_slug, *FormerDeckSlug.objects.values_list("slug", flat=True)}
    targets, made = [], {}
    for anki_name in anki_names:
        namesake = _NAMESAKE.fullmatch(anki_name)
        # Looked up as it is saved: a name longer than the column finds the deck it made.
        name = unicodedata.normalize("NFC", anki_name)[: Deck._meta.get_field("name").max_length]
        deck = chosen if not anki_name else by_name.get(_deck_name_key(name))
        if deck is None and namesake and namesake["slug"] in by_slug:
            found = by_slug[namesake["slug"]]
            same = _deck_name_key(found.name) == _deck_name_key(namesake["name"])
            deck = found if same else None
        if deck is None and (deck := made.get(_deck_name_key(name))) is None:
            words = "-".join(_slug_word(part) for part in anki_name.split(ANKI_DECK_SEPARATOR))
            slug = _free_slug(words, taken)
            taken.add(slug)
            deck = made[_deck_name_key(name)] = Deck(
                slug=slug, name=name, source_name=Path(source).name[:200]
            )
        targets.append(DeckTarget(anki_name, deck, made=deck.pk is None))
    return sorted(targets, key=lambda target: target.deck is not chosen)


def _site_decks(
    chosen: Deck, anki_names: list[str], source: str, *, by_name: bool = False
) -> list[DeckTarget]:
    """The site deck of each of a package's Anki decks, as a learner browsing the site
    would look for them: the decks' shared parent in Anki is `chosen` (with no shared
    parent, a whole collection's, `chosen` is the top deck of its own name, if any: its
    subdecks are not named twice, "Medicine::Medicine::Cardiology"), and each deck below
    it a deck of its own, named by its path below it after `chosen`'s name, as Anki names subdecks
    ("Medicine::Cardiology::Drugs" for Cardiology::Drugs under Medicine: the decks list
    in order, a subdeck after its parent, and a deck's .apkg export lands in Anki's tree
    where it came from), its slug `chosen`'s followed by the path's
    (`medicine-cardiology-drugs`). A deck at that address, or once at it, is the one
    written to: a re-import finds the decks it made, even renamed. Notes a text file puts
    in no deck (an empty deck column, no `#deck` line: anki_name "") go to `chosen`.
    Decks with no shared parent go `by_name` if asked (_decks_by_name). Two queries."""
    if by_name:
        return _decks_by_name(chosen, anki_names, source)
    paths = [name.split(ANKI_DECK_SEPARATOR) for name in anki_names if name]
    shared = _shared_parent_length(anki_names)
    chosen_key = _deck_name_key(chosen.name)
    own_top = shared == 0 and any(_deck_name_key(path[0]) == chosen_key for path in paths)
    taken = {chosen.slug}
    wanted: list[tuple[str, str, str]] = []  # (anki name, slug, name)
    if "" in anki_names:
        wanted.append(("", chosen.slug, chosen.name))
    for anki_name, path in zip([name for name in anki_names if name], paths, strict=True):
        below = path[shared:]
        if own_top and _deck_name_key(path[0]) == chosen_key:
            below = path[1:]
        if not below:
            wanted.append((anki_name, chosen.slug, chosen.name))
            continue
        words = "-".join(_slug_word(part) for part in below)
        slug = _free_slug(f"{chosen.slug}-{words}", taken)
        taken.add(slug)
        name = ANKI_DECK_SEPARATOR.join([chosen.name, *below])
        wanted.append((anki_name, slug, name[: Deck._meta.get_field("name").max_length]))
    slugs = [slug for _, slug, _ in wanted if slug != chosen.slug]
    found = {deck.slug: deck for deck in Deck.objects.filter(slug__in=slugs)}
    for former in FormerDeckSlug.objects.filter(slug__in=slugs).select_related("deck"):
        found.setdefault(former.slug, former.deck)
    # One object per site deck, so that the cards of each are planned once.
    by_pk = {chosen.pk: chosen} if chosen.pk else {}
    targets = []
    for anki_name, slug, name in wanted:
        if slug == chosen.slug:
            deck = chosen
        elif slug in found:
            deck = by_pk.setdefault(found[slug].pk, found[slug])
        else:
            deck = Deck(slug=slug, name=name, source_name=Path(source).name[:200])
        targets.append(DeckTarget(anki_name, deck, made=deck.pk is None))
    return sorted(targets, key=lambda target: target.deck is not chosen)


def _slug_word(part: str) -> str:
    """A deck name's part in a slug; one slugify leaves empty ("医学") by its hash."""
    return slugify(part) or f"deck-{hashlib.sha1(part.encode()).hexdigest()[:6]}"


def _free_slug(slug: str, taken: set[str]) -> str:
    """`slug` within the slug column, with `-2`, `-3`... where another deck of the same
    import took it ("C++" and "C" are both `c`)."""
    longest = Deck._meta.get_field("slug").max_length
    candidate, suffix = slug[:longest].strip("-"), 1
    while candidate in taken:
        suffix += 1
        candidate = f"{slug[: longest - len(str(suffix)) - 1].strip('-')}-{suffix}"
    return candidate


def _records_by_site_deck(
    records: list[CardRecord], targets: list[DeckTarget], cards: list[Card]
) -> dict[int, list[CardRecord]]:
    """The records each site deck is to plan, by its object's id: a card already here in
    one of the decks stays there (one moved to another deck in Anki, or imported when a
    package's decks all became one deck, is updated where it is, never made twice); any
    other goes to its Anki deck's. A text file's note without a guid is found as _match
    finds it: by the note it was last imported from, or by its first field."""
    deck_of_anki = {
        target.anki_name: target.deck for target in targets if not target.holds_the_notes
    }
    deck_of_pk = {target.deck.pk: target.deck for target in targets if target.deck.pk}
    # A note in one of its Anki decks' decks and a copy elsewhere is updated in the first.
    holding = {target.deck.pk for target in targets if target.holds_the_notes}
    in_order = sorted(cards, key=lambda card: card.deck_id not in holding)
    deck_of_card = {(card.anki_guid, card.card_ord): deck_of_pk[card.deck_id] for card in in_order}
    decks_of_note: dict[object, set[int]] = defaultdict(set)
    for card in cards:
        keys = (card.imported_checksum, _imported_first_field_key(card), _card_first_field(card))
        for key in keys:
            decks_of_note[key].add(card.deck_id)
    groups: dict[int, list[CardRecord]] = {id(target.deck): [] for target in targets}
    for record in records:
        own = deck_of_anki[record.anki_deck]
        deck = deck_of_card.get((record.guid, record.ord))
        if deck is None and not record.guid_from_file:
            keys = (_record_checksum(record), _record_first_field(record))
            found = next((decks_of_note[key] for key in keys if key in decks_of_note), set())
            # A note found in its line's deck stays there; found in one other deck, it
            # is that deck's card; found in several (the same question in two decks),
            # which one is unknown: its line's deck, where _match looks again.
            if len(found) == 1 and own.pk not in found:
                deck = deck_of_pk[next(iter(found))]
        groups[id(deck or own)].append(record)
    return groups


def _decks_holding_the_notes(
    records: list[CardRecord], targets: list[DeckTarget]
) -> list[DeckTarget]:
    """The decks here, besides `targets`, that hold cards of the file's notes, known by the
    guids the file gives: a note already here is updated where it is, never added again,
    as when a package of several decks imported below the deck chosen is imported again
    by its decks' names, or the other way round. Of a note in several such decks (copies),
    the oldest. Two queries a thousand notes (_cards_of_guids), and one for the decks."""
    given = {(record.guid, record.ord): record for record in records if record.guid_from_file}
    if not given:
        return []
    links = {record.source_url for record in given.values() if record.source_url}
    found: dict[tuple[str, int], set[int]] = defaultdict(set)
    for guid, deck_id, ord_ in _cards_of_guids({guid for guid, _ in given}, links):
        found[guid, ord_].add(deck_id)
    targeted = {target.deck.pk for target in targets if target.deck.pk}
    anki_name_of: dict[int, str] = {}
    for key, deck_ids in found.items():
        if key in given and not deck_ids & targeted:
            anki_name_of.setdefault(min(deck_ids), given[key].anki_deck)
    decks = Deck.objects.in_bulk(list(anki_name_of))
    return [
        DeckTarget(anki_name_of[pk], decks[pk], made=False, holds_the_notes=True)
        for pk in sorted(anki_name_of)
    ]


def _decks_counted(plan: ImportPlan) -> None:
    """Each site deck's share of the plan's new, changed and unchanged cards."""
    for kind in ("new", "changed", "unchanged"):
        counts = Counter(id(planned.deck) for planned in getattr(plan, kind))
        seen: set[int] = set()
        for target in plan.decks:
            # Two Anki decks may share a site deck (one once at another's address).
            share = 0 if id(target.deck) in seen else counts[id(target.deck)]
            seen.add(id(target.deck))
            setattr(target, kind, share)


def _imported(target: DeckTarget) -> int:
    return target.new + target.changed + target.unchanged


def _several_decks_notice(
    chosen: Deck, targets: list[DeckTarget], plan: ImportPlan, source: str
) -> ParseProblem:
    """Where the notes of a file of several Anki decks (`targets`, one each: _site_decks)
    go, counted (_decks_counted): their decks here, unless the notes are here already in
    other decks (_decks_holding_the_notes), where they stay."""
    names = ", ".join(target.anki_name or "no deck" for target in targets[:_DECKS_NAMED])
    names += ", ..." if len(targets) > _DECKS_NAMED else ""
    reason = f"the notes come from {len(targets)} Anki decks ({names})"
    held_elsewhere = any(_imported(target) for target in plan.decks if target.holds_the_notes)
    if held_elsewhere and not any(_imported(target) for target in targets):
        # It said "each becomes a deck of its own" of a file whose decks were all made here
        # before under other names: no deck was made.
        return ParseProblem(
            source,
            0,
            f"{reason}, and every note is here already, in other decks: each is imported "
            "in the deck that holds it, and no deck is made",
        )
    where = (
        "the deck of its name here, made where there is none, as Anki makes them"
        if plan.decks_by_name
        else f"a deck of its own here, named by its place in Anki's tree below {chosen.name!r}"
    )
    reason += f": each becomes {where}"
    if held_elsewhere:
        reason += "; a note here already, in another deck, is imported in the deck that holds it"
    return ParseProblem(source, 0, reason)


Sides = tuple[str, ...]  # "question", "answer"


def _edits_merged(card: Card, record: CardRecord) -> tuple[Sides, Sides, Sides] | None:
    """A card staff edited here whose note the file changed too, merged over the note as
    last imported, side by side: each goes to whoever changed it since, and one both
    changed keeps the edit made here, as staff chose it over the file's version once
    already. Returns the sides kept as edited here, those taken from the file, and those
    both changed; None when the file changes no side staff left as it was (or the note as
    last imported is not known: a card edited before round 18)."""
    if not card.imported_first_field:
        return None
    if (card.note_type, card.card_ord) != (record.note_type, record.ord):
        return None
    first = _first_side(card.note_type, card.card_ord, "question", "answer")
    other = "answer" if first == "question" else "question"

    def imported_as(side: str, value: str) -> bool:
        if side == first:
            return value == card.imported_first_field
        # The other side as last imported is the one that gives the checksum it left.
        sides = {first: card.imported_first_field, other: value}
        return (
            card_note_checksum(
                note_type=card.note_type,
                card_ord=card.card_ord,
                question_html=sides["question"],
                answer_html=sides["answer"],
            )
            == card.imported_checksum
        )

    sides = ("question", "answer")
    here = {side: getattr(card, f"{side}_html") for side in sides}
    there = {side: getattr(record, f"{side}_html") for side in sides}
    kept_here = tuple(side for side in sides if not imported_as(side, here[side]))
    changed_there = tuple(side for side in sides if not imported_as(side, there[side]))
    taken = tuple(side for side in changed_there if side not in kept_here)
    if not taken:
        return None
    both = tuple(side for side in changed_there if side in kept_here and here[side] != there[side])
    return kept_here, taken, both


def _merge_told(number: int, kept_here: Sides, taken: Sides, both: Sides) -> str:
    told = (
        f"card {number} was edited here and the file changed its note too: the file's new "
        f"{' and '.join(taken)} {'is' if len(taken) == 1 else 'are'} taken, the "
        f"{' and '.join(kept_here)} kept as edited here"
    )
    if both:
        told += f" (the file changed the {' and '.join(both)} too)"
    return told


def _same_tags(some: Iterable[str], others: Iterable[str]) -> bool:
    return {tag.casefold() for tag in some} == {tag.casefold() for tag in others}


def _tags_merged(
    card: Card, tags_here: list[str], from_file: tuple[str, ...]
) -> tuple[str, ...] | None:
    """The card's tags where staff changed them here since the last import (None where
    they did not): theirs, with the tags the file added since then and without those it
    removed."""
    imported = card.imported_tags.splitlines()
    if _same_tags(tags_here, imported):
        return None
    imported_keys = {tag.casefold() for tag in imported}
    file_keys = {tag.casefold() for tag in from_file}
    removed = imported_keys - file_keys
    kept = [tag for tag in tags_here if tag.casefold() not in removed]
    added = [tag for tag in from_file if tag.casefold() not in imported_keys]
    return tuple(dict.fromkeys([*kept, *added]))


def card_note_checksum(
    *, note_type: str, card_ord: int, question_html: str, answer_html: str
) -> str:
    """What a card's note says, as the card shows it: its note type and the card's two
    fields as stored (a cloze card's are its note's text and Back Extra)."""
    identity = json.dumps([note_type, card_ord, question_html, answer_html])
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _card_checksum(card: Card) -> str:
    return card_note_checksum(
        note_type=card.note_type,
        card_ord=card.card_ord,
        question_html=card.question_html,
        answer_html=card.answer_html,
    )


def _record_checksum(record: CardRecord) -> str:
    return card_note_checksum(
        note_type=record.note_type,
        card_ord=record.ord,
        question_html=record.question_html,
        answer_html=record.answer_html,
    )


def _deleted_here(deck: Deck) -> Callable[[CardRecord], str | None]:
    """Why a new card of the file is not made: staff deleted it here and its note says what
    it said then (None when it is no such card). The deck's deleted cards are read at the
    first new card, in one query: a re-import with no new card reads none."""
    deleted: dict[tuple[int, str], int] | None = None

    def why(record: CardRecord) -> str | None:
        nonlocal deleted
        if deleted is None:
            rows = DeletedCard.objects.filter(deck=deck) if deck.pk else DeletedCard.objects.none()
            deleted = {
                (card_ord, checksum): number
                for card_ord, checksum, number in rows.values_list(
                    "card_ord", "note_checksum", "number"
                )
            }
        number = deleted.get((record.ord, _record_checksum(record)))
        if number is None:
            return None
        if record.is_cloze:
            which = f"cloze {record.ord + 1} of the note"
        else:
            which = "the note's reverse card" if record.ord == 1 else "the note's card"
        return (
            f"{which} (card {number}) was deleted here and is kept deleted: the note says what "
            "it said then (a change to its text imports it again, as does removing it from "
            "the admin's Deleted cards)"
        )

    return why


@transaction.atomic
def cards_delete(*, cards: QuerySet[Card]) -> int:
    """Delete `cards`, remembering each by what its note said when it was last imported
    (else by what it says), so that importing the same note again does not make it again
    (a deleted cloze card came back at every re-import of its file, and one edited here
    before it was deleted came back from the file it came from). Returns how many cards
    were deleted."""
    # By id: `cards` may work out statistics for each card (the admin list's queryset).
    deleting = list(
        Card.objects.filter(pk__in=cards.values("pk")).only(
            "deck_id",
            "number",
            "card_ord",
            "note_type",
            "question_html",
            "answer_html",
            "imported_checksum",
        )
    )
    DeletedCard.objects.bulk_create(
        [
            DeletedCard(
                deck_id=card.deck_id,
                card_ord=card.card_ord,
                number=card.number,
                note_checksum=card.imported_checksum or _card_checksum(card),
            )
            for card in deleting
        ],
        ignore_conflicts=True,
        batch_size=_BATCH,
    )
    _, deleted = Card.objects.filter(pk__in=[card.pk for card in deleting]).delete()
    return deleted.get(Card._meta.label, 0)


Side = TypeVar("Side")  # a side as _first_side is given it: its HTML, or (html, text)


def _first_side(note_type: str, ord_: int, question: Side, answer: Side) -> Side:
    """Which side of a card holds its note's first field: the question, but a reverse
    card's (the second of a note that is no cloze) answer."""
    return answer if note_type != CLOZE and ord_ == 1 else question


def _first_field_key(
    note_type: str, ord_: int, question_html: str, answer_html: str
) -> tuple[str, int, str]:
    """A card's note type, ordinal and its note's first field."""
    return (note_type, ord_, _first_side(note_type, ord_, question_html, answer_html))


def _record_first_field(record: CardRecord) -> tuple[str, int, str]:
    return _first_field_key(record.note_type, record.ord, record.question_html, record.answer_html)


def _card_first_field(card: Card) -> tuple[str, int, str]:
    return _first_field_key(card.note_type, card.card_ord, card.question_html, card.answer_html)


PlainFirstField = tuple[str, int, str, tuple[str, ...]]


def _plain_first_field_key(
    note_type: str, ord_: int, question: tuple[str, str], answer: tuple[str, str]
) -> PlainFirstField | None:
    """A card's note type, ordinal and its note's first field, of its sides given as
    (html, text), as Anki's duplicate check compares it: its text with the whitespace
    collapsed, and the images it names (Anki keeps media names when it strips the HTML).
    None for a field of neither."""
    first_html, first_text = _first_side(note_type, ord_, question, answer)
    text, images = " ".join(first_text.split()), tuple(image_sources(first_html))
    return (note_type, ord_, text, images) if text or images else None


def _record_plain_first_field(record: CardRecord) -> PlainFirstField | None:
    return _plain_first_field_key(
        record.note_type,
        record.ord,
        (record.question_html, record.question_text),
        (record.answer_html, record.answer_text),
    )


def _card_plain_first_field(card: Card) -> PlainFirstField | None:
    return _plain_first_field_key(
        card.note_type,
        card.card_ord,
        (card.question_html, card.question_text),
        (card.answer_html, card.answer_text),
    )


def _by_first_field(
    cards: list[Card],
    records: list[CardRecord],
    by_number: dict[int, Card],
    by_guid: dict[tuple[str, int], Card],
) -> tuple[dict[tuple[str, int, str], Card], dict[PlainFirstField, Card]]:
    """The deck's cards by their note's first field, and by its plain text, for the lines
    a guid or a number does not match: only cards no line matches so, none with a source
    link (its number names it), and only first fields no other card of the deck has (two
    notes asking the same question are two notes).

    A card some line of the file gives by its very HTML is left to that line: two cards
    whose questions differ only in markup (`x`, `<b>x</b>`) stay two, and share the plain
    text, so a third markup of it (`<i>x</i>`) matches neither."""
    claimed = {by_number[record.number] for record in records if record.number in by_number}
    claimed |= {
        by_guid[(record.guid, record.ord)]
        for record in records
        if (record.guid, record.ord) in by_guid
    }
    unclaimed = [card for card in cards if card not in claimed and not card.source_url]
    keys = {card.pk: _card_first_field(card) for card in cards}
    counts = Counter(keys.values())
    by_html = {keys[card.pk]: card for card in unclaimed if counts[keys[card.pk]] == 1}
    given = {_record_first_field(record) for record in records if not record.guid_from_file}
    plain_keys = {card.pk: _card_plain_first_field(card) for card in cards}
    plain_counts = Counter(plain_keys.values())
    by_plain = {
        plain_keys[card.pk]: card
        for card in unclaimed
        if plain_keys[card.pk] is not None
        and plain_counts[plain_keys[card.pk]] == 1
        and keys[card.pk] not in given
    }
    return by_html, by_plain


def _by_imported_note(
    cards: list[Card], records: list[CardRecord], by_number: dict[int, Card], by_guid
) -> dict[str, Card]:
    """The deck's cards by the checksum of the note they were last imported from, for the
    lines a guid or a number does not match: the card a guid-less note made keeps that
    note's guid until its text changes in the file, and is found by its question until
    staff reword it here; this finds it after both. Only checksums one card has."""
    claimed = {by_number[record.number] for record in records if record.number in by_number}
    claimed |= {by_guid[key] for record in records if (key := (record.guid, record.ord)) in by_guid}
    counts = Counter(card.imported_checksum for card in cards)
    return {
        card.imported_checksum: card
        for card in cards
        if card.imported_checksum and counts[card.imported_checksum] == 1 and card not in claimed
    }


def _imported_first_field_key(card: Card) -> tuple[str, int, str]:
    return (card.note_type, card.card_ord, card.imported_first_field)


def _by_imported_first_field(
    cards: list[Card], records: list[CardRecord], by_number: dict[int, Card], by_guid
) -> dict[tuple[str, int, str], Card]:
    """The deck's cards by their note's first field as last imported, for the lines a guid
    or a number does not match: a card staff reworded here whose note the file changed
    since (a fixed answer) is still that note's. Only first fields one card had, and no
    card with a source link (its number names it)."""
    claimed = {by_number[record.number] for record in records if record.number in by_number}
    claimed |= {by_guid[key] for record in records if (key := (record.guid, record.ord)) in by_guid}
    keyed = [card for card in cards if card.imported_first_field and not card.source_url]
    counts = Counter(_imported_first_field_key(card) for card in keyed)
    return {
        key: card
        for card in keyed
        if counts[key := _imported_first_field_key(card)] == 1 and card not in claimed
    }


def _guid_problem(record: CardRecord) -> str:
    longest = Card._meta.get_field("guid").max_length
    return f"its guid is longer than {longest} characters" if len(record.guid) > longest else ""


def _another_card_told(card: Card, record: CardRecord, number: int) -> str:
    """Why the deck's card the line found by its number is another note than the line's,
    or "": one known by its own guid or by another source link (another deck's export, a
    card made here), as the line gives its guid; without one, the line is its source link,
    which gave the number. A card known only by the same link is the same card, with a
    guid Anki gave it or one of its own (migration 0048)."""
    if record.guid == card.anki_guid:
        return ""
    if record.guid_from_file and (card.guid or card.source_url != record.source_url):
        return (
            f"card {number} of this deck is another card (guid {card.anki_guid!r}, "
            f"not {record.guid!r}): import the file into another deck"
        )
    if not record.guid_from_file and card.source_url != record.source_url:
        return (
            f"card {number} of this deck is another card (source link "
            f"{card.source_url or 'none'!r}, not {record.source_url!r}): import the file into "
            "another deck"
        )
    return ""


def _changes(card: Card, record: CardRecord, tag_names: list[str]) -> tuple[str, ...]:
    changes = [
        name
        for name in ("question_html", "answer_html", "source_url", "note_type")
        if getattr(card, name) != getattr(record, name)
    ]
    if _typed_answer_changed(card, record):
        changes.append("typed_answer")
    if record.tags and sorted(tag_names) != sorted(record.tags):
        changes.append("tags")
    if card.anki_guid != record.guid:
        changes.append("guid")
    return tuple(changes)


def _typed_answer_changed(card: Card, record: CardRecord) -> bool:
    """Whether the file gives the card another typed answer: one it had none of (a card
    imported before typed answers were kept), or the file's note changed. A typed answer
    staff edited here stays while the file says what it said then."""
    typed = (record.typed_answer, record.typed_answer_ignores_accents)
    if (card.typed_answer, card.typed_answer_ignores_accents) == typed:
        return False
    return not card.typed_answer or _record_checksum(record) != card.imported_checksum


def anki_import_apply(
    *,
    deck: Deck,
    data: bytes | str,
    source: str,
    separator: str | None = None,
    mapping: ColumnMapping | None = None,
    progress: Progress | None = None,
    one_transaction: bool = True,
    image_checks: ImageChecks | None = None,
    decks_by_name: bool = False,
) -> ImportPlan:
    """Import `data` into `deck` with bulk writes: a few queries per thousand cards, none
    per card. A file that is not a deck writes nothing: it is refused before any write.

    In one transaction by default. A background import commits each thousand cards, so
    its progress can be read meanwhile; running it again after a failure finishes it (the
    cards written match their lines and come out unchanged)."""
    with transaction.atomic() if one_transaction else nullcontext(), _few_collections():
        if deck.pk is None:
            deck.save()
        plan = anki_import_plan(
            deck=deck,
            data=data,
            source=source,
            separator=separator,
            mapping=mapping,
            image_checks=image_checks,
            decks_by_name=decks_by_name,
        )
        for made in plan.decks_made:
            made.save()
        if plan.file is not None:
            deck.import_settings = {
                "separator": plan.file.layout.separator,
                "mapping": plan.file.mapping.as_dict(),
            }
            deck.save(update_fields=["import_settings", "updated_at"])
        _media_store(plan.media, plan.media_failures, plan.images)
        # The plan's records live to the end: no full pass needs to walk them again.
        gc.freeze()
        try:
            _cards_write(deck, plan, progress or (lambda done, total: None))
        finally:
            gc.unfreeze()
        caching.deck_pages_changed()
    if plan.to_write >= STATISTICS_REFRESH_CARDS:
        _statistics_refresh()
    return plan


@contextmanager
def _few_collections():
    """An import makes and drops objects by the million while its plan's hundred thousand
    records live to the end: the garbage collector's default pace (a pass every 700 new
    objects, a full one walking every record now and then) took a sixth of its time. Rarer
    passes for the import's length; what it drops is still collected."""
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


# From how many written cards an import refreshes PostgreSQL's statistics of the tables it
# filled (autovacuum would, a minute or so later): planned on a deck of 79 cards, the
# lookups that draw a quiz read the whole deck instead of an index range.
STATISTICS_REFRESH_CARDS = 1000


def _statistics_refresh() -> None:
    if connection.vendor != "postgresql":
        return
    tables = [Card, Card.tags.through, CardKeyword, CardImage]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(model._meta.db_table for model in tables)}")


def import_jobs_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget uploads previewed and never confirmed (and finished jobs' leftovers)."""
    stale = ImportJob.objects.filter(
        status=ImportJob.Status.PREVIEWED, created_at__lt=timezone.now() - older_than
    )
    for job in stale:
        job.upload.delete(save=False)
    return stale.delete()[0]


def import_job_confirm(
    *,
    job: ImportJob,
    separator: str | None,
    mapping: ColumnMapping | None,
    cards: int,
    decks_by_name: bool = False,
) -> None:
    """Run a previewed import of `cards` cards: now when it is small, else queued as a
    background task (anki_import_task) whose progress the job shows."""
    from quizzes.tasks import anki_import_task

    # The image checks the preview stored stay: the import needs no second look.
    job.options = {
        **(job.options or {}),
        "separator": separator,
        "mapping": mapping.as_dict() if mapping else None,
        "decks_by_name": decks_by_name,
    }
    job.status, job.total = ImportJob.Status.QUEUED, cards
    job.save(update_fields=["options", "status", "total"])
    if cards >= settings.QUIZSITE_IMPORT_BACKGROUND_CARDS:
        anki_import_task.enqueue(job.pk)
    else:
        import_job_run(job_id=job.pk)
    job.refresh_from_db()


def import_job_run(*, job_id: int) -> str:
    """Run a queued import, recording its progress on the job as it goes."""
    job = ImportJob.objects.select_related("deck").get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return job.summary
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    options = job.options or {}
    mapping = options.get("mapping")
    try:
        with job.upload.open("rb") as file:
            data = file.read()
        plan = anki_import_apply(
            deck=job.deck,
            data=data,
            source=job.source_name,
            separator=options.get("separator"),
            mapping=ColumnMapping.from_dict(mapping) if mapping else None,
            progress=progress,
            one_transaction=False,
            image_checks=options.get(IMAGE_CHECKS_OPTION),
            decks_by_name=bool(options.get("decks_by_name")),
        )
    except (AnkiParseError, ImportTooLarge, OSError) as error:
        _job_finish(job, status=ImportJob.Status.FAILED, error=str(error))
        return f"failed: {error}"
    _job_finish(
        job,
        status=ImportJob.Status.DONE,
        summary=plan.summary,
        # Each line names the file: the admin shows them as messages on the deck's cards.
        report=[
            f"line {problem.line} of {job.source_name}: {problem.reason}" for problem in plan.report
        ],
    )
    return plan.summary


def _job_finish(job: ImportJob, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **fields)
    job.upload.delete(save=False)


# --- writing ---

_CARD_FIELDS = [
    "source_url",
    "guid",
    "card_ord",
    "note_type",
    "is_cloze",
    "question_html",
    "answer_html",
    "question_text",
    "answer_text",
    "question_rendered",
    "answer_rendered",
    "imported_checksum",
    "imported_first_field",
    "imported_tags",
    "typed_answer",
    "typed_answer_ignores_accents",
    *QUIZ_FIELDS,
    "keywords",
    "updated_at",  # which bulk_update leaves as it was: _fill sets it
]


def _chunks(items: list) -> Iterator[list]:
    # _BATCH read at each call, not bound as a default: a test makes batches small.
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _cards_write(deck: Deck, plan: ImportPlan, progress: Progress) -> None:
    total, done = plan.to_write, 0
    progress(0, total)
    writes = [*plan.new, *plan.changed]
    images = _images_for(
        {image.url for planned in writes for image in planned.record.images}, create=True
    )
    local = {url: local_image(image) for url, image in images.items()}
    media = media_for_names(
        name
        for planned in writes
        if "[sound:" in planned.record.question_html + planned.record.answer_html
        for name in sound_names(planned.record.question_html + planned.record.answer_html)
    )
    tags = _tags_named({tag for planned in writes for tag in planned.tags})
    guids_of_their_own = _guids_taken_elsewhere(deck, plan.new)
    for batch in _chunks(plan.new):
        cards = [Card(deck=planned.deck or deck, number=planned.number) for planned in batch]
        for card, planned in zip(cards, batch, strict=True):
            if own := guids_of_their_own.get((card.deck_id, planned.record.guid)):
                planned = dataclasses.replace(
                    planned, record=dataclasses.replace(planned.record, guid=own)
                )
            _fill(card, planned, local, media)
        with transaction.atomic():
            play_sql.cards_insert(cards)
            _links_write(list(zip(cards, batch, strict=True)), tags, images, fresh=True)
        done += len(batch)
        progress(done, total)
    for batch in _chunks(plan.changed):
        for planned in batch:
            _fill(planned.card, planned, local, media)
        with transaction.atomic():
            Card.objects.bulk_update([planned.card for planned in batch], _CARD_FIELDS)
            _links_write([(planned.card, planned) for planned in batch], tags, images, fresh=False)
        done += len(batch)
        progress(done, total)


def _guids_taken_elsewhere(deck: Deck, new: list[PlannedCard]) -> dict[tuple[int, str], str]:
    """A new guid of its own, by deck and guid, for each new note whose guid the file did
    not give (worked out from its text or source link: note_guid) that another deck's card
    has with the same card number, or a note of this import in another deck: Anki keeps
    one note of a guid, and would merge them. A guid the file gave is the Anki note's own,
    and kept. Two queries a thousand notes."""
    invented: dict[tuple[int, str], set[int]] = {}
    for planned in new:
        if not planned.record.guid_from_file:
            key = ((planned.deck or deck).pk, planned.record.guid)
            invented.setdefault(key, set()).add(planned.record.ord)
    if not invented:
        return {}
    elsewhere: dict[str, set[tuple[int, int]]] = {}
    links = {planned.record.source_url for planned in new if planned.record.source_url}
    for guid, deck_id, ord_ in _cards_of_guids({guid for _, guid in invented}, links):
        elsewhere.setdefault(guid, set()).add((deck_id, ord_))
    fresh = {}
    for (deck_id, guid), ords in invented.items():
        taken = elsewhere.setdefault(guid, set())
        if any(other != deck_id and ord_ in ords for other, ord_ in taken):
            fresh[deck_id, guid] = secrets.token_hex(8)
        else:
            taken.update((deck_id, ord_) for ord_ in ords)
    return fresh


def _cards_of_guids(guids: set[str], links: set[str]) -> list[tuple[str, int, int]]:
    """The guid, deck id and card ordinal of each card here of one of `guids`: stored, or
    given by its source link, one of `links` (a card known by its link stores none). Two
    queries a thousand guids and links: in batches, as every lookup of the import, for one
    parameter a note would pass SQLite's limit of variables (32,766 in its usual builds)
    on a large file."""
    stored = [
        row
        for batch in _chunks(sorted(guids))
        for row in Card.objects.filter(guid__in=batch).values_list("guid", "deck_id", "card_ord")
    ]
    derived = [
        (link_guid(link), deck_id, ord_)
        for batch in _chunks(sorted(links))
        for link, deck_id, ord_ in Card.objects.filter(guid="", source_url__in=batch).values_list(
            "source_url", "deck_id", "card_ord"
        )
    ]
    return [*stored, *derived]


def _fill(card: Card, planned: PlannedCard, local: dict, media: dict[str, str]) -> None:
    record = planned.record
    # Read before the card changes: a side kept as edited here is the card's own.
    (question_html, question_text), (answer_html, answer_text) = (
        planned.side("question"),
        planned.side("answer"),
    )
    card.source_url = record.source_url
    # A guid that follows from the source link needs no storing (the fixtures have none).
    derived = note_guid(
        source_url=record.source_url,
        question_html=record.question_html,
        answer_html=record.answer_html,
    )
    stored_guid = record.source_url and record.ord == 0 and record.guid == derived
    card.guid = "" if stored_guid else record.guid
    card.card_ord, card.note_type, card.is_cloze = record.ord, record.note_type, record.is_cloze
    card.question_html, card.answer_html = question_html, answer_html
    card.question_text, card.answer_text = question_text, answer_text
    card.imported_checksum = _record_checksum(record)
    card.imported_first_field = _record_first_field(record)[2]
    card.imported_tags = "\n".join(record.tags)
    # When its content changed: its note goes to Anki dated so (cards_export_apkg).
    card.updated_at = timezone.now()
    # The typed answer goes with the answer: kept where staff's edit of it is kept.
    if planned.card is None or (
        "typed_answer" in planned.changes and "answer" not in planned.kept_here
    ):
        card.typed_answer = record.typed_answer
        card.typed_answer_ignores_accents = record.typed_answer_ignores_accents
    card.question_rendered, card.answer_rendered = page_ready(
        question_html,
        answer_html,
        local,
        media,
        cloze=record.ord + 1 if record.is_cloze else None,
    )
    quiz_fields(card, local)


def _links_write(
    pairs: list[tuple[Card, PlannedCard]],
    tags: dict[str, Tag],
    images: dict[str, CachedImage],
    *,
    fresh: bool,
) -> None:
    """Tag and image rows of a batch of saved cards, in bulk."""
    through = Card.tags.through
    retag = [(card, planned) for card, planned in pairs if planned.tags]
    if not fresh:
        retag = [(card, planned) for card, planned in retag if "tags" in planned.changes]
        through.objects.filter(card_id__in=[card.pk for card, _ in retag]).delete()
    links = [
        through(card_id=card.pk, tag_id=tags[name].pk)
        for card, planned in retag
        for name in dict.fromkeys(planned.tags)
    ]
    if fresh:
        with search_schema.tags_indexed_per_batch(connection, [card.pk for card, _ in retag]):
            through.objects.bulk_create(links, batch_size=_BATCH)
    else:
        through.objects.bulk_create(links, batch_size=_BATCH)
    # Topic words and image rows come from the card's text: made anew where it changed.
    rewritten = pairs
    if not fresh:
        rewritten = [
            (card, planned)
            for card, planned in pairs
            if {"question_html", "answer_html"} & set(planned.changes)
        ]
        rewritten_ids = [card.pk for card, _ in rewritten]
        CardKeyword.objects.filter(card_id__in=rewritten_ids).delete()
        CardImage.objects.filter(card_id__in=rewritten_ids).delete()
    keywords_insert(card for card, _ in rewritten)
    CardImage.objects.bulk_create(
        [
            CardImage(card=card, image=images[ref.url], side=ref.side, position=ref.position)
            for card, planned in rewritten
            for ref in planned.record.images
        ],
        batch_size=_BATCH,
    )


def _images_for(urls: set[str], *, create: bool) -> dict[str, CachedImage]:
    urls_list = sorted(urls)
    if create:
        CachedImage.objects.bulk_create(
            (CachedImage(url=url) for url in urls_list), ignore_conflicts=True, batch_size=_BATCH
        )
    images: dict[str, CachedImage] = {}
    for batch in _chunks(urls_list):
        images.update({image.url: image for image in CachedImage.objects.filter(url__in=batch)})
    return images


def _tags_named(names: set[str]) -> dict[str, Tag]:
    """The tags of these names, made where new. Tag names are matched exactly; a new tag
    whose slug another tag has (`Fitts'_Law` beside `Fitts_Law`) gets the next free
    `-2`, `-3`..., so each name keeps its own tag and a re-import finds it again."""
    known: dict[str, Tag] = {}
    ordered = sorted(names)
    for batch in _chunks(ordered):
        known.update({tag.name: tag for tag in Tag.objects.filter(name__in=batch)})
    missing = [name for name in ordered if name not in known]
    if missing:
        slugs = set(Tag.objects.values_list("slug", flat=True))
        longest = Tag._meta.get_field("slug").max_length - 4
        made = []
        for name in missing:
            base = (slugify(name) or slugify(name, allow_unicode=True) or "tag")[:longest]
            slug, suffix = base, 1
            while slug in slugs:
                suffix += 1
                slug = f"{base}-{suffix}"
            slugs.add(slug)
            made.append(Tag(name=name, slug=slug))
        Tag.objects.bulk_create(made, batch_size=_BATCH)
        for batch in _chunks(missing):
            known.update({tag.name: tag for tag in Tag.objects.filter(name__in=batch)})
    return known


def _media_store(media: dict[str, PackageFile], failures: dict[str, str], images: set[str]) -> None:
    """A package's files: images (as the plan's check found them) stored by hash as each
    image's local copy; other files (sounds) as MediaFile rows. An image left out keeps
    why, for its placeholder ("image missing from the package")."""
    failures = dict(failures)
    sounds: set[str] = set()
    for name, file in media.items():
        if file.drawing is not None:
            if why := _drawing_store(name, file.drawing):
                failures[name] = why
        elif file.verified is not None:
            _package_image_store(name, file.data, file.verified)
        else:
            _sound_store(name, file.data)
            sounds.add(name)
    # Every sound the package has, not only those stored anew: an import stopped after
    # storing them (a background one commits as it goes) left their cards waiting.
    _cards_awaiting_sounds_refreshed(sounds)
    failed = [name for name in failures if _is_image(name) or name in images]
    CachedImage.objects.bulk_create(
        (CachedImage(url=name) for name in failed), ignore_conflicts=True
    )
    for image in CachedImage.objects.filter(url__in=failed).exclude(
        status=CachedImage.Status.CACHED
    ):
        image.status, image.last_error = CachedImage.Status.FAILED, failures[image.url]
        image.save(update_fields=["status", "last_error"])


def _drawing_store(name: str, drawing: Drawing) -> str:
    """Store an Image Occlusion card's picture, drawn unless a picture of its name is
    stored already (its name holds the note's masks and its image's hash); why it cannot
    be, or ""."""
    if CachedImage.objects.filter(url=name, status=CachedImage.Status.CACHED).exists():
        return ""
    try:
        data = drawing.drawn(max_pixels=settings.QUIZSITE_IMAGE_MAX_PIXELS)
        verified = image_upload_verify(data=data, declared_content_type=None)
    except OcclusionError as error:
        return f"rejected: its image is {error}"
    except ImageRejected as rejection:
        return f"rejected: {rejection.reason}"
    _package_image_store(name, data, verified)
    return ""


def _package_image_store(name: str, data: bytes, verified: VerifiedImage) -> None:
    image, _ = CachedImage.objects.get_or_create(url=name)
    if image.sha256 != verified.sha256 or not image.is_cached:
        image_store_upload(image=image, data=data, verified=verified)


def _sound_store(name: str, data: bytes) -> None:
    """The site's file of that name, stored where it had none or other bytes (a name it
    has is renamed before, _media_renamed: only an import meanwhile stores it first)."""
    sha256 = hashlib.sha256(data).hexdigest()
    existing = MediaFile.objects.filter(name=name).first()
    if existing is not None and existing.sha256 == sha256:
        return
    suffix = Path(name).suffix.lower()[:10]
    stored = f"sounds/{sha256[:2]}/{sha256}{suffix}"
    if not default_storage.exists(stored):
        stored = default_storage.save(stored, ContentFile(data))
    MediaFile.objects.update_or_create(
        name=name,
        defaults={
            "file": stored,
            "byte_size": len(data),
            "sha256": sha256,
            "content_type": mimetypes.guess_type(name)[0] or "",
        },
    )


def _cards_awaiting_sounds_refreshed(names: set[str]) -> None:
    """The cards already here that name a sound the site had no file of showed "audio not
    available" (a text file's, or a package's that left it out): rendered again with its
    player, and dated changed in one UPDATE, as a cached image's are (images._record_image),
    since their Anki notes carry its file from now on and Anki takes a note it has only from
    a newer one. Found by that mark in one pass, not one per sound: a package brings
    thousands; this import's own notes are written after, with the file."""
    if not names:
        return
    mark = f'class="{AUDIO_MISSING_CLASS}"'
    awaiting = Card.objects.filter(
        Q(question_rendered__contains=mark) | Q(answer_rendered__contains=mark)
    ).values_list("pk", "question_html", "answer_html")
    naming = [
        pk
        for pk, question, answer in awaiting.iterator(chunk_size=_BATCH)
        if names.intersection([*sound_names(question), *sound_names(answer)])
    ]
    now = timezone.now()
    for batch in _chunks(naming):
        cards = Card.objects.filter(pk__in=batch)
        cards_rerender(cards)
        cards.update(updated_at=now)


# --- Anki export ---


# The order an export takes cards in: its notes, their copies and their first cards follow it.
NOTE_ORDER = ("deck__name", "number", "card_ord")


def _notes(
    cards: QuerySet[Card], copies: list[Card] | None = None
) -> Iterator[tuple[Card, list[Card], list[str]]]:
    """Each note of `cards` once: its first card, every card of it, its tag names; the
    first card of each copy left out (notes_grouped) added to `copies`."""
    # By id: `cards` may work out statistics for each card (the admin list's queryset).
    rows = Card.objects.filter(pk__in=cards.values("pk")).prefetch_related("tags")
    for group, left_out in notes_grouped(rows.order_by(*NOTE_ORDER)):
        if copies is not None:
            copies += [min(copy, key=lambda card: card.card_ord) for copy in left_out]
        first = min(group, key=lambda card: card.card_ord)
        yield first, group, sorted(tag.name for tag in first.tags.all())


def notes_grouped(cards: Iterable[Card]) -> Iterator[tuple[list[Card], list[list[Card]]]]:
    """Each note of `cards` (in NOTE_ORDER) as an export writes it: its cards, and each
    copy of it left out, a deck's cards of it. A note's cards may sit in several decks (a
    reverse card moved apart here, or in Anki before its import): it is still one note, as
    Anki writes it, its cards each in their own deck. Cards of one guid in another deck
    that repeat a card number of the note are a copy (the same Anki note imported into two
    decks here): Anki keeps one note of a guid (a package of both adds both, one guid twice
    in its collection), so the copy is left out. Reads each card's pk, deck_id, guid,
    card_ord and source_url alone."""
    by_guid: dict[str | int, dict[int, list[Card]]] = {}
    for card in cards:
        # A card without a stored guid is a note of its own (Card.note_cards), unless its
        # source link gives its guid: two decks' copies of one link are one note to Anki.
        key = card.guid or (link_guid(card.source_url) if card.source_url else card.pk)
        by_guid.setdefault(key, {}).setdefault(card.deck_id, []).append(card)
    for decks in by_guid.values():
        group: list[Card] = []
        left_out: list[list[Card]] = []
        # The deck holding most of the note first (then its first card's), so that a copy
        # missing a card is the one left out, never the whole note; then by name.
        in_order = sorted(
            decks.values(),
            key=lambda cards: (-len({card.card_ord for card in cards}), cards[0].card_ord),
        )
        for cards_of_deck in in_order:
            ords = {card.card_ord for card in cards_of_deck}
            if ords.isdisjoint(card.card_ord for card in group):
                group += cards_of_deck
            else:
                left_out.append(cards_of_deck)
        yield group, left_out


def package_notice(*, cards: QuerySet[Card], copies: list[Card]) -> str:
    """What to tell of a package of `cards`: the decks it renamed (export_deck_names) and
    the notes it left out as `copies` (cards_export_apkg gives them)."""
    return "; ".join(filter(None, [export_deck_names(cards=cards)[1], _copies_notice(copies)]))


def _copies_notice(copies: list[Card]) -> str:
    if not copies:
        return ""
    named = ", ".join(str(card) for card in copies[:_DECKS_NAMED])
    more = f" and {len(copies) - _DECKS_NAMED} more" if len(copies) > _DECKS_NAMED else ""
    return (
        f"{len(copies)} note{pluralize(len(copies))} left out, each a copy of a note of "
        f"another deck the file holds (the same Anki guid, as when one Anki deck is "
        f"imported into two decks here), as Anki keeps one note of a guid: {named}{more}"
    )


def _extra_fields(first: Card, group: list[Card]) -> tuple[str, ...]:
    if first.note_type == OPTIONAL_REVERSED:
        return ("y" if any(card.card_ord == 1 for card in group) else "",)
    return ()


def _stock_type_makes(first: Card, group: list[Card]) -> bool:
    """Whether the stock note type makes the note's cards again from its two fields: a
    note type of the user's own may have made a third card, or a second one that is not
    the first reversed (a country's capital, then its flag)."""
    by_ord = {card.card_ord: card for card in group}
    if first.note_type == CLOZE:
        return True
    if first.note_type in (REVERSED, OPTIONAL_REVERSED) and set(by_ord) <= {0, 1}:
        front, back = by_ord.get(0), by_ord.get(1)
        return front is not None and (
            back is None
            or (back.question_html, back.answer_html) == (front.answer_html, front.question_html)
        )
    return set(by_ord) == {0}


def _typed_box(first: Card, group: list[Card]) -> str:
    """The type-in box a note's stock note type lacks (apkg.PackageNote.typed_box)."""
    if first.note_type == CLOZE and any(card.typed_answer for card in group):
        return "cloze"
    if first.note_type == TYPE_IN and first.typed_answer_ignores_accents:
        return "nc"
    return ""


def _note_sides(first: Card) -> tuple[str, str]:
    """The note's first two fields: a reverse card swaps its sides back."""
    if first.card_ord == 1 and first.note_type != CLOZE:
        return first.answer_html, first.question_html
    return first.question_html, first.answer_html


def _own_sides(first: Card, group: list[Card]) -> list[tuple[str, str]]:
    """A note whose cards the stock note type would not make again, as a note of cards of
    their own: each card's question and answer by its template number, ("", "") for a
    number the note has no card of. Two templates read back as a reversed note type, so a
    Basic note of a type of three cards that made two of them is written with three."""
    by_ord = {card.card_ord: card for card in group}
    reversed_type = first.note_type in (REVERSED, OPTIONAL_REVERSED)
    return [
        (by_ord[ord_].question_html, by_ord[ord_].answer_html) if ord_ in by_ord else ("", "")
        for ord_ in range(max(*by_ord, 0 if reversed_type else 2) + 1)
    ]


@dataclass(frozen=True)
class AnkiTextExport:
    text: str
    notice: str = ""  # what to tell of notes written as notes of cards of their own
    notes: int = 0


def cards_export_anki(*, cards: QuerySet[Card], deck_name: str | None = None) -> AnkiTextExport:
    """An Anki plain-text file of `cards` (note types, tags and guids) that imports back
    unchanged: a note Anki makes several cards of is written once, and one of a note type
    of the user's own whose cards the stock type would not make again (a third card, or a
    second that is no reverse of the first) as a note of cards of their own, as the .apkg
    export writes it, with a notice of what Anki makes of it. Cards of several decks are
    written with a deck column naming each note's deck, so that Anki, and an import here,
    keep them apart."""
    exported = []
    deck_names, renamed = export_deck_names(cards=cards)
    copies: list[Card] = []
    for first, group, tags in _notes(cards, copies):
        question, answer = _note_sides(first)
        note_type, extra_fields = first.note_type, _extra_fields(first, group)
        source_url, typed_box = first.source_url, _typed_box(first, group)
        if not _stock_type_makes(first, group):
            sides = _own_sides(first, group)
            (question, answer), *others = sides
            note_type = own_cards_type_name(len(sides), first.note_type)
            extra_fields = tuple(value for side in others for value in side)
            source_url = source_url if first.card_ord == 0 else ""
            typed_box = ""
        exported.append(
            ExportCard(
                question_html=question,
                answer_html=answer,
                tags=tuple(tags),
                source_url=source_url,
                guid=first.anki_guid,
                note_type=note_type,
                extra_fields=extra_fields,
                typed_box=typed_box,
                deck=deck_names[first.deck_id],
            )
        )
    notice = "; ".join(filter(None, [renamed, _copies_notice(copies), export_notice(exported)]))
    return AnkiTextExport(export_anki(exported, deck_name=deck_name), notice, len(exported))


def export_deck_names(*, cards: QuerySet[Card]) -> tuple[dict[int, str], str]:
    """The Anki deck name of each deck `cards` are in, by its id, and what to tell of those
    renamed. Anki keeps one deck of a name (ignoring case), and would pour two decks named
    "Biology" here into one: the first (the oldest) keeps the name, each other one takes
    its slug after it, "Biology (bio-b)", a name an import here finds it by again, with
    " 2", " 3"... after that where another deck here is named so. One query."""
    their_decks = Card.objects.filter(pk__in=cards.values("pk")).values("deck_id")
    rows = Deck.objects.filter(pk__in=their_decks).order_by("pk").values_list("pk", "name", "slug")
    names: dict[int, str] = {}
    renamed: list[str] = []
    taken: set[str] = set()
    for pk, name, slug in rows:
        anki_name, suffix = name, 1
        if _deck_name_key(anki_name) in taken:
            anki_name = f"{name} ({slug})"
        while _deck_name_key(anki_name) in taken:
            suffix += 1
            anki_name = f"{name} ({slug}) {suffix}"
        if anki_name != name:
            renamed.append(f"{slug} as {anki_name!r}")
        names[pk] = anki_name
        taken.add(_deck_name_key(anki_name))
    if not renamed:
        return names, ""
    notice = (
        f"Anki keeps one deck of a name: decks named as another here are exported under "
        f"their slug, {', '.join(renamed)}"
    )
    return names, notice


def deck_export_apkg(*, deck: Deck, path: Path, progress: Progress | None = None) -> int:
    """Write `deck` as an .apkg with its cached images and sounds; return the note count."""
    return cards_export_apkg(
        cards=deck.cards.all(), path=path, progress=progress, deck_name=deck.name
    )


def cards_export_apkg(
    *,
    cards: QuerySet[Card],
    path: Path,
    progress: Progress | None = None,
    deck_name: str | None = None,
    copies: list[Card] | None = None,
) -> int:
    """Write `cards` as an .apkg with their cached images and sounds; return the note count.
    The first card of each note left out as a copy of another deck's is added to `copies`
    (_notes).
    Each note goes in an Anki deck named as its deck here, so that several decks stay
    apart and a subdeck ("Medicine::Cardiology") lands in Anki's tree where it came from;
    an empty package holds an empty deck named `deck_name`. `progress` hears how many of
    the cards are written, every thousand or so.

    An image the site fetched from the web goes into the package under its file name (the
    HTML points at that name, as Anki's own media do); one not cached keeps its URL."""
    # By id: `cards` may work out statistics for each card (the admin list's queryset).
    cards = Card.objects.filter(pk__in=cards.values("pk"))
    deck_names, _ = export_deck_names(cards=cards)
    deck_name = deck_name or next(iter(deck_names.values()), "Default")
    progress = progress or (lambda done, total: None)
    total = cards.count()
    progress(0, total)
    media: dict[str, bytes] = {}
    names: dict[str, str] = {}  # image src as the HTML writes it -> name in the package
    # The HTML escapes a src ("tom &amp; jerry.png"); an image is stored by the URL it means.
    sources = {
        html.unescape(src): src
        for card in cards
        for src in image_sources(card.question_html) + image_sources(card.answer_html)
    }
    for image in CachedImage.objects.filter(url__in=sources):
        if not image.is_cached:
            continue
        name = _package_name(image, taken=set(media))
        with image.file.open("rb") as file:
            media[name] = file.read()
        names[sources[image.url]] = name
    notes = []
    sounds: set[str] = set()
    cards_of_note = []
    for first, group, tags in _notes(cards, copies):
        cards_of_note.append(len(group))
        link = ""
        if first.source_url:
            link = f"<br><br><a href='{html.escape(first.source_url)}'>{PROVENANCE_LABEL}</a>"
        fields, sides = [], []
        if _stock_type_makes(first, group):
            question, answer = _note_sides(first)
            fields = [_rename_images(question, names), _rename_images(answer + link, names)]
            fields += _extra_fields(first, group)
            sounds.update(sound_names(question + answer))
        else:
            for ord_, (question, answer) in enumerate(_own_sides(first, group)):
                answer += link if ord_ == 0 and first.card_ord == 0 else ""
                sides.append((_rename_images(question, names), _rename_images(answer, names)))
                sounds.update(sound_names(question + answer))
        notes.append(
            PackageNote(
                note_type=first.note_type,
                fields=tuple(fields),
                tags=tuple(tags),
                guid=first.anki_guid,
                cards=tuple(sides),
                typed_box=_typed_box(first, group) if fields else "",
                deck=deck_names[first.deck_id],
                card_decks=tuple(
                    (card.card_ord, deck_names[card.deck_id])
                    for card in group
                    if card.deck_id != first.deck_id
                ),
                modified=int(max(card.updated_at for card in group).timestamp()),
            )
        )
    for sound in MediaFile.objects.filter(name__in=sounds):
        with sound.file.open("rb") as file:
            media[sound.name] = file.read()

    def told_as_written():
        # Anki adding the notes is most of the time: told as it takes each.
        done = 0
        for note, count in zip(notes, cards_of_note, strict=True):
            yield note
            if done // _BATCH != (done + count) // _BATCH:
                progress(done + count, total)
            done += count
        progress(done, total)

    return write_package(told_as_written(), media=media, deck_name=deck_name, path=path)


def _package_name(image: CachedImage, *, taken: set[str]) -> str:
    if "/" not in image.url and ":" not in image.url:
        return image.url  # already a package's file name
    name = Path(urlsplit(image.url).path).name or f"{image.sha256}.png"
    if name in taken:
        name = f"{image.sha256[:12]}-{name}"
    return name


def _rename_images(card_html: str, names: dict[str, str]) -> str:
    for src, name in names.items():
        if src != html.escape(name, quote=False) and src in card_html:
            card_html = card_html.replace(f'src="{src}"', f'src="{html.escape(name)}"')
    return card_html
