"""Anki packages through Anki's own library: an .apkg made here with the `anki` package
(Basic, reversed, type-in, cloze, an image and a sound) imported card by card; .colpkg;
`export_apkg` read back by Anki with the same notes, guids and media."""

import io
from pathlib import Path

import pytest
from anki.collection import (
    Collection,
    DeckIdLimit,
    ExportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from django.core.management import CommandError, call_command
from PIL import Image

from quizzes.models import CachedImage, Card, Deck, MediaFile
from quizzes.services.anki_io import anki_import_apply, anki_import_plan

pytestmark = pytest.mark.django_db


def png_bytes(color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buffer, "PNG")
    return buffer.getvalue()


SOUND = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64


def make_package(folder: Path, *, colpkg=False) -> Path:
    """A deck as an Anki user has it, written by Anki itself."""
    collection = Collection(str(folder / "maker.anki2"))
    deck_id = collection.decks.id("Biology")

    def add(notetype, guid, tags=(), **fields):
        note = collection.new_note(collection.models.by_name(notetype))
        for name, value in fields.items():
            note[name.replace("_", " ")] = value
        note.guid, note.tags = guid, list(tags)
        collection.add_note(note, deck_id)

    add("Basic", "basic-1", ("Fitts'_Law",), Front="What is a cell?", Back="The unit of life.")
    add(
        "Basic (and reversed card)",
        "rev-1",
        ("Fitts_Law",),
        Front="der Hund",
        Back='the dog <img src="dog.png"> [sound:dog.mp3]',
    )
    add("Basic (type in the answer)", "type-1", Front="2 + 2?", Back="4")
    add(
        "Cloze",
        "cloze-1",
        Text="{{c1::Mitochondria}} make {{c2::ATP::a molecule}}",
        Back_Extra="See chapter 3",
    )
    add("Cloze", "cloze-2", Text="Energy \\(E = mc^2\\) by {{c1::Einstein}}")
    collection.media.write_data("dog.png", png_bytes())
    collection.media.write_data("dog.mp3", SOUND)
    path = folder / ("deck.colpkg" if colpkg else "deck.apkg")
    if colpkg:
        collection.export_collection_package(str(path), include_media=True, legacy=False)
    else:
        collection.export_anki_package(
            out_path=str(path),
            options=ExportAnkiPackageOptions(with_scheduling=False, with_media=True),
            limit=DeckIdLimit(deck_id),
        )
    collection.close()
    return path


@pytest.fixture(autouse=True)
def media(media_root):
    return media_root


@pytest.fixture
def package(tmp_path):
    return make_package(tmp_path)


@pytest.fixture
def biology(db):
    return Deck.objects.create(name="Biology", slug="biology")


def import_package(deck, path):
    return anki_import_apply(deck=deck, data=path.read_bytes(), source=path.name)


def cards_by_note(deck):
    return {(card.anki_guid, card.card_ord): card for card in deck.cards.all()}


def test_every_note_becomes_the_cards_anki_makes(biology, package):
    plan = import_package(biology, package)

    assert plan.summary == "7 new, 0 changed, 0 unchanged"
    assert sorted(cards_by_note(biology)) == [
        ("basic-1", 0),
        ("cloze-1", 0),
        ("cloze-1", 1),
        ("cloze-2", 0),
        ("rev-1", 0),
        ("rev-1", 1),
        ("type-1", 0),
    ]


def test_a_basic_note_is_one_card_with_its_tags(biology, package):
    import_package(biology, package)

    card = cards_by_note(biology)[("basic-1", 0)]
    assert (card.question_html, card.answer_html, card.note_type) == (
        "What is a cell?",
        "The unit of life.",
        "Basic",
    )
    assert list(card.tags.values_list("name", flat=True)) == ["Fitts'_Law"]


def test_a_reversed_note_makes_a_card_each_way_with_its_image_and_sound(biology, package):
    import_package(biology, package)

    forward = cards_by_note(biology)[("rev-1", 0)]
    backward = cards_by_note(biology)[("rev-1", 1)]
    assert forward.question_html == backward.answer_html == "der Hund"
    assert backward.question_html.startswith("the dog")
    assert 'src="/media/images/' in forward.answer_rendered
    assert '<audio controls preload="none" src="/media/sounds/' in forward.answer_rendered
    image = CachedImage.objects.get(url="dog.png")
    assert (image.status, image.width, image.height) == ("cached", 4, 3)
    assert MediaFile.objects.get(name="dog.mp3").byte_size == len(SOUND)


def test_a_type_in_the_answer_note_asks_for_the_answer(biology, package):
    import_package(biology, package)

    card = cards_by_note(biology)[("type-1", 0)]
    assert (card.question_html, card.answer_html, card.note_type) == (
        "2 + 2?",
        "4",
        "Basic (type in the answer)",
    )


def test_a_cloze_note_makes_one_card_per_cloze_number(biology, package):
    import_package(biology, package)

    first = cards_by_note(biology)[("cloze-1", 0)]
    second = cards_by_note(biology)[("cloze-1", 1)]
    assert first.is_cloze and second.is_cloze
    assert first.question_text == "[…] make ATP"
    assert second.question_text == "Mitochondria make [a molecule]"
    assert '<span class="cloze">ATP</span>' in second.answer_rendered
    assert '<div class="cloze-extra">See chapter 3</div>' in second.answer_rendered


def test_math_becomes_mathml_on_the_server(biology, package):
    import_package(biology, package)

    card = cards_by_note(biology)[("cloze-2", 0)]
    assert '<math display="inline">' in card.question_rendered
    assert "\\(" not in card.question_rendered


def test_reimporting_the_package_changes_nothing(biology, package):
    import_package(biology, package)

    plan = anki_import_plan(deck=biology, data=package.read_bytes(), source=package.name)

    assert plan.summary == "0 new, 0 changed, 7 unchanged"


def test_colliding_tag_slugs_keep_their_own_tags(biology, package):
    import_package(biology, package)

    rows = {
        card.anki_guid: [(tag.name, tag.slug) for tag in card.tags.all()]
        for card in biology.cards.filter(card_ord=0)
        if card.anki_guid in ("basic-1", "rev-1")
    }
    assert rows == {
        "basic-1": [("Fitts'_Law", "fitts_law")],
        "rev-1": [("Fitts_Law", "fitts_law-2")],
    }


def test_a_package_file_named_like_another_decks_is_renamed_as_anki_does(biology, tmp_path):
    other = Deck.objects.create(name="Other", slug="other")
    first = tmp_path / "first"
    first.mkdir()
    import_package(other, make_package(first))
    CachedImage.objects.filter(url="dog.png").update(sha256="0" * 64)  # another dog.png

    import_package(biology, make_package(tmp_path))

    card = cards_by_note(biology)[("rev-1", 0)]
    (renamed,) = card.card_images.values_list("image__url", flat=True)
    assert renamed.startswith("dog-") and renamed.endswith(".png")
    assert f'src="{renamed}"' in card.answer_html
    assert cards_by_note(other)[("rev-1", 0)].card_images.get().image.url == "dog.png"
    again = anki_import_plan(
        deck=biology, data=(tmp_path / "deck.apkg").read_bytes(), source="deck.apkg"
    )
    assert again.summary == "0 new, 0 changed, 7 unchanged"


def small_package(folder: Path, notes: list[tuple[str, list[str]]], media=None) -> Path:
    """An .apkg of `notes` (note type name, fields), written by Anki, with `media`."""
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
        options=ExportAnkiPackageOptions(with_scheduling=False, with_media=True),
        limit=None,
    )
    collection.close()
    return path


def test_a_note_nested_too_deep_is_skipped_by_name_and_the_rest_imported(biology, tmp_path):
    divs = "<div>" * 400 + "deep" + "</div>" * 400
    path = small_package(
        tmp_path, [("Basic", ["Divs", divs]), ("Basic", ["Too deep", "<b><i>" * 600 + "x"])]
    )

    plan = import_package(biology, path)

    assert plan.summary == "1 new, 0 changed, 0 unchanged, 1 skipped"
    assert biology.cards.get().answer_text == "deep"
    (problem,) = plan.report
    assert (problem.source, problem.line) == ("small.apkg", 2)
    assert problem.reason.endswith(": HTML elements nested more than 500 deep")


def test_a_colpkg_imports_like_an_apkg(biology, tmp_path):
    path = make_package(tmp_path, colpkg=True)

    plan = import_package(biology, path)

    assert plan.summary == "7 new, 0 changed, 0 unchanged"


def test_a_file_that_is_not_a_package_is_refused(biology, tmp_path):
    path = tmp_path / "fake.apkg"
    path.write_bytes(b"not a zip file")

    with pytest.raises(CommandError, match="not an Anki package Anki can open"):
        call_command("import_anki", str(path), "--deck", "biology")

    assert not Card.objects.exists()


def test_export_apkg_is_read_back_by_anki_with_the_same_notes_guids_and_media(
    biology, package, tmp_path
):
    import_package(biology, package)
    out = tmp_path / "out.apkg"

    summary = call_command("export_apkg", "--deck", "biology", "-o", str(out))

    assert summary == f"5 notes written to {out}"
    reader = Collection(str(tmp_path / "reader.anki2"))
    reader.import_anki_package(ImportAnkiPackageRequest(package_path=str(out)))
    notes = {
        # Anki names a package's note type "Basic+" beside its own stock "Basic".
        note.guid: (note.note_type()["name"].rstrip("+"), list(note.fields), sorted(note.tags))
        for note in map(reader.get_note, reader.find_notes(""))
    }
    media = sorted(path.name for path in Path(reader.media.dir()).iterdir())
    reader.close()
    assert notes["rev-1"] == (
        "Basic (and reversed card)",
        ["der Hund", 'the dog <img src="dog.png"> [sound:dog.mp3]'],
        ["Fitts_Law"],
    )
    assert notes["cloze-1"][1] == [
        "{{c1::Mitochondria}} make {{c2::ATP::a molecule}}",
        "See chapter 3",
    ]
    assert sorted(notes) == ["basic-1", "cloze-1", "cloze-2", "rev-1", "type-1"]
    assert media == ["dog.mp3", "dog.png"]


def test_an_exported_package_imports_into_a_new_deck_as_the_same_cards(biology, package, tmp_path):
    import_package(biology, package)
    out = tmp_path / "out.apkg"
    call_command("export_apkg", "--deck", "biology", "-o", str(out))
    copy = Deck.objects.create(name="Copy", slug="copy")

    import_package(copy, out)

    def shape(deck):
        return sorted(
            (c.anki_guid, c.card_ord, c.question_html, c.answer_html, c.note_type)
            for c in deck.cards.all()
        )

    assert shape(copy) == shape(biology)


def test_export_apkg_refuses_an_unknown_deck(db, tmp_path):
    with pytest.raises(CommandError, match="no deck with the slug 'nope'"):
        call_command("export_apkg", "--deck", "nope", "-o", str(tmp_path / "x.apkg"))
