"""Small builders for test data that the real deck does not cover."""

import io
import json
import struct
import tempfile
import zlib
from functools import cache
from pathlib import Path

from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest
from django.conf import settings
from PIL import Image

from quizzes.models import CachedImage, Card, CardImage, Deck, Distractor, Tag
from quizzes.rendering import sound_names
from quizzes.services.card_pages import (
    RENDERED_FIELDS,
    card_render,
    distractor_render,
    keywords_insert,
)


def image_bytes(image_format: str, size: tuple[int, int]) -> bytes:
    """A plain image of `size` pixels, encoded as `image_format` ("PNG", "JPEG", ...)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(buffer, format=image_format)
    return buffer.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A PNG whose header announces width x height over a few bytes of pixel data."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        checksum = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


# What card_render stores.
PAGE_READY_FIELDS = [*RENDERED_FIELDS, "keywords"]


def rendered(card: Card, images: dict[str, CachedImage] | None = None) -> Card:
    """`card` with what services.card_pages stores at a save (page-ready sides, choice,
    topic words), for bulk_create. A card without images or sounds is rendered once a run
    for its content: make_deck's cards are the same in every test that makes them, and
    rendering them was most of what a deck of 1,000 or 10,000 cards cost a test."""
    if images or sound_names(card.question_html + card.answer_html):
        card_render(card, images or {})
        return card
    content = tuple(getattr(card, field) for field in RENDER_INPUT_FIELDS)
    for field, value in _page_ready_fields(content, settings.MEDIA_URL).items():
        setattr(card, field, value)
    return card


# What card_render reads of a card without images or sounds.
RENDER_INPUT_FIELDS = (
    "question_html",
    "answer_html",
    "question_text",
    "answer_text",
    "short_answer_html",
    "typed_answer",
    "is_cloze",
    "card_ord",
)


@cache
def _page_ready_fields(content: tuple, media_url: str) -> dict:
    card = Card(**dict(zip(RENDER_INPUT_FIELDS, content, strict=True)))
    card_render(card, {}, media={})
    return {field: getattr(card, field) for field in PAGE_READY_FIELDS}


def make_deck(
    size: int, *, slug: str = "synthetic", tags: tuple[str, ...] = (), name: str = ""
) -> Deck:
    deck = Deck.objects.create(name=name or f"Synthetic {slug}", slug=slug)
    tag_rows = [Tag.objects.get_or_create(name=name, slug=name)[0] for name in tags]
    cards = Card.objects.bulk_create(
        rendered(
            Card(
                deck=deck,
                number=number,
                question_html=f"<p>Question {number} about <code>tensor{number}</code>?</p>",
                answer_html=f"<p>Answer {number}: it depends on layer {number}.</p>",
                question_text=f"Question {number} about tensor{number}?",
                answer_text=f"Answer {number}: it depends on layer {number}.",
            )
        )
        for number in range(1, size + 1)
    )
    keywords_insert(cards)
    for index, tag in enumerate(tag_rows):
        tag.cards.add(*cards[index :: len(tag_rows)])
    return deck


@cache
def _fixture_rows(name: str) -> tuple[dict, ...]:
    path = Path(settings.FIXTURE_DIRS[0]) / f"{name}.json"
    return tuple(json.loads(path.read_text(encoding="utf-8")))


@cache
def _rendered_cards(name: str, media_url: str) -> tuple[dict, ...]:
    """Each of the fixture's cards as bulk_create takes it, page-ready (card_render). Done
    once a run: rendering the 79 cards took a third of a second in each of the hundreds
    of tests that load the deck. What card_render reads is the fixture's rows and the
    media URL (the fixture has no sounds, whose files it would look up)."""
    rows = _fixture_rows(name)
    images = {
        fields["url"]: CachedImage(**fields)
        for row in rows
        if row["model"] == "quizzes.cachedimage"
        for fields in [row["fields"]]
    }
    cards = []
    for row in rows:
        if row["model"] != "quizzes.card":
            continue
        fields = {k: v for k, v in row["fields"].items() if k not in ("deck", "tags")}
        card = rendered(Card(**fields), images)
        cards.append({**fields, **{field: getattr(card, field) for field in PAGE_READY_FIELDS}})
    return tuple(cards)


def load_deck_fixture(name: str = "fastai") -> Deck:
    """The committed fixture's rows, bulk-created: the same data `sync_decks` gives, in a
    few queries instead of several per card. tests/test_deck_sync.py covers sync_decks."""
    rows: dict[str, list[dict]] = {}
    for row in _fixture_rows(name):
        rows.setdefault(row["model"], []).append(row["fields"])
    (deck_fields,) = rows["quizzes.deck"]
    deck = Deck.objects.create(**deck_fields)
    tags = {
        tag.slug: tag
        for tag in Tag.objects.bulk_create(Tag(**fields) for fields in rows.get("quizzes.tag", []))
    }
    images = {
        image.url: image
        for image in CachedImage.objects.bulk_create(
            CachedImage(**fields) for fields in rows.get("quizzes.cachedimage", [])
        )
    }
    card_rows = rows["quizzes.card"]
    cards = Card.objects.bulk_create(
        Card(deck=deck, **fields) for fields in _rendered_cards(name, settings.MEDIA_URL)
    )
    keywords_insert(cards)
    by_number = {card.number: card for card in cards}
    Card.tags.through.objects.bulk_create(
        Card.tags.through(card=card, tag=tags[slug])
        for card, fields in zip(cards, card_rows, strict=True)
        for (slug,) in fields["tags"]
    )
    CardImage.objects.bulk_create(
        CardImage(
            card=by_number[fields["card"][1]],
            image=images[fields["image"][0]],
            side=fields["side"],
            position=fields["position"],
        )
        for fields in rows.get("quizzes.cardimage", [])
    )
    distractors = [
        Distractor(card=by_number[fields["card"][1]], html=fields["html"])
        for fields in rows.get("quizzes.distractor", [])
    ]
    for distractor in distractors:
        distractor_render(distractor)
    Distractor.objects.bulk_create(distractors)
    return deck


def anki_package(
    folder: Path, notes: list[tuple[str, list[str]]], media=None, *, legacy=False
) -> Path:
    """An .apkg of `notes` (note type name, fields), written by Anki, with `media`; in the
    format of Anki 2.1.50 and later (zstd frames) unless `legacy`."""
    collection = Collection(str(folder / "small.anki2"))
    for notetype, fields in notes:
        note = collection.new_note(collection.models.by_name(notetype))
        note.fields[:] = fields
        collection.add_note(note, collection.decks.id("Default"))
    for name, data in (media or {}).items():
        collection.media.write_data(name, data)
    path = folder / "small.apkg"
    collection.export_anki_package(
        out_path=str(path),
        options=ExportAnkiPackageOptions(with_scheduling=False, with_media=True, legacy=legacy),
        limit=None,
    )
    collection.close()
    return path


def anki_note_type_package(
    folder: Path,
    *,
    fields: list[str],
    templates: list[tuple[str, str, str]],
    notes: list[dict],
    name: str = "Own",
    cloze: bool = False,
    media=None,
) -> Path:
    """An .apkg, written by Anki, of notes of a note type of the user's own: `templates`
    are (name, front, back) as typed in Anki's card editor (`{{FrontSide}}<hr id=answer>`
    is not added), each of `notes` a dict of its `fields` and perhaps `tags`, `deck` (a
    "Parent::Child" name, made if missing) and `guid`."""
    collection = Collection(str(folder / "own.anki2"))
    models = collection.models
    notetype = models.new(name)
    if cloze:
        notetype["type"] = 1  # MODEL_CLOZE: one template, a card per cloze number
    for field in fields:
        models.add_field(notetype, models.new_field(field))
    for template_name, front, back in templates:
        template = models.new_template(template_name)
        template["qfmt"], template["afmt"] = front, back
        models.add_template(notetype, template)
    models.add(notetype)
    for values in notes:
        note = collection.new_note(models.by_name(name))
        note.fields[:] = values["fields"]
        note.tags = list(values.get("tags", ()))
        if "guid" in values:
            note.guid = values["guid"]
        collection.add_note(note, collection.decks.id(values.get("deck", "Default")))
    for file_name, data in (media or {}).items():
        collection.media.write_data(file_name, data)
    path = folder / "own.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()
    return path


def give_wrong_answers(card: Card, count: int = 3) -> list[Distractor]:
    """Give `card` `count` hand-written wrong answers ("Wrong idea 0", ...), rendered as the
    admin renders them."""
    rows = [Distractor(card=card, html=f"<p>Wrong idea {n}</p>") for n in range(count)]
    for row in rows:
        distractor_render(row)
    return Distractor.objects.bulk_create(rows)


def give_typed_answers(deck: Deck, answers: dict[int, str]) -> None:
    """Give the deck's cards typed answers (card number to answer), saved as the admin saves
    them: their quiz typed answer follows (services.card_pages.quiz_fields)."""
    from quizzes.services.card_pages import card_render

    for card in deck.cards.filter(number__in=answers):
        card.typed_answer = answers[card.number]
        card_render(card, {})
        card.save()


def package_decks(package: bytes) -> dict[str, list[str]]:
    """Each deck of an .apkg as Anki itself reads it: its notes' first fields, in order."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "read.apkg"
        path.write_bytes(package)
        collection = Collection(str(Path(folder) / "reader.anki2"))
        try:
            collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(path)))
            rows = collection.db.all(
                "select d.name, n.sfld from cards c join notes n on n.id = c.nid "
                "join decks d on d.id = c.did order by n.sfld"
            )
        finally:
            collection.close()
    found: dict[str, list[str]] = {}
    for deck, first_field in rows:
        found.setdefault(deck.replace("\x1f", "::"), []).append(first_field)
    return found
