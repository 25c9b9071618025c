"""Anki packages through Anki's own library: an .apkg made here with the `anki` package
(Basic, reversed, type-in, cloze, an image and a sound) imported card by card; .colpkg;
`export_apkg` read back by Anki with the same notes, guids and media."""

import base64
import hashlib
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import time_machine
import zstandard
from anki.collection import (
    Collection,
    DeckIdLimit,
    ExportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportCsvRequest,
)
from anki.import_export_pb2 import MediaEntries
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from quizzes import imagefetch
from quizzes.importing import apkg
from quizzes.importing.anki import AnkiParseError
from quizzes.models import CachedImage, Card, Deck, MediaFile
from quizzes.services.anki_io import anki_import_apply, anki_import_plan
from tests.factories import anki_note_type_package, anki_package

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


def test_a_video_anki_plays_through_a_sound_tag_is_a_video_player(biology, tmp_path):
    # Sign-language decks ask with a clip: Anki plays [sound:sign.mp4] in a video window.
    notes = [("Basic", ["[sound:hello.mp4]", "hello"]), ("Basic", ["[sound:word.mp3]", "w"])]
    media = {"hello.mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "word.mp3": SOUND}

    import_package(biology, anki_package(tmp_path, notes, media))

    video, sound = biology.cards.order_by("number")
    assert video.question_rendered.startswith('<video controls preload="metadata" src="/media/')
    assert video.question_rendered.endswith('.mp4"></video>')
    assert sound.question_rendered.startswith('<audio controls preload="none" src="/media/')


@pytest.mark.parametrize("name", ["page.html", "script.js", "page.xhtml", "noext"])
def test_a_sound_that_is_no_audio_or_video_file_is_never_stored_or_served(
    biology, tmp_path, media, name
):
    # A shared deck's [sound:page.html] was stored as /media/sounds/<hash>.html: a web
    # page of the deck author's, served from the site's own origin, script and all.
    notes = [("Basic", [f"[sound:{name}] and [sound:word.mp3]", "hello"])]
    package = {name: b"<script>alert(document.cookie)</script>", "word.mp3": SOUND}

    plan = import_package(biology, anki_package(tmp_path, notes, package))

    assert plan.summary == "1 new, 0 changed, 0 unchanged, 1 media file left out"
    (problem,) = plan.report
    assert f"sound {name!r} rejected: not an audio or video file this site plays" in (
        problem.reason
    )
    assert list(MediaFile.objects.values_list("name", flat=True)) == ["word.mp3"]
    stored = [path.name for path in Path(media).rglob("*") if path.is_file()]
    assert len(stored) == 1 and stored[0].endswith(".mp3")
    card = biology.cards.get()
    assert card.question_rendered.startswith(
        f'<span class="audio-missing">audio not available ({name})</span> and <audio'
    )


def test_a_bmp_image_anki_shows_is_stored_as_a_png(biology, tmp_path):
    # Anki's window shows a BMP (an old Windows deck's pasted picture); it was rejected as
    # "not a PNG, JPEG, GIF or WebP image" and the card lost it.
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "BMP")
    notes = [("Basic", ['<img src="old scan.bmp">', "an old picture"])]

    plan = import_package(
        biology, anki_package(tmp_path, notes, {"old scan.bmp": buffer.getvalue()})
    )

    assert plan.report == []
    image = CachedImage.objects.get(url="old scan.bmp")
    assert image.status == CachedImage.Status.CACHED and image.file.name.endswith(".png")
    with Image.open(image.file.path) as stored:
        assert (stored.format, stored.size, stored.getpixel((1, 1))) == ("PNG", (4, 3), (255, 0, 0))


def test_ankis_older_math_marks_become_mathml_and_a_latex_document_code(biology, tmp_path):
    notes = [("Basic", ["Old [$]x^2[/$] and [$$]\\sqrt{2}[/$$]", "[latex]\\LaTeX[/latex]"])]

    import_package(biology, anki_package(tmp_path, notes))

    card = biology.cards.get()
    assert card.question_rendered.count("<math display=") == 2
    assert card.answer_rendered == '<pre class="latex"><code>\\LaTeX</code></pre>'


def test_a_latex_document_anki_rendered_to_an_image_shows_that_image(biology, tmp_path):
    # Anki renders [latex] with a LaTeX install to latex-<sha1 of the source>.png and
    # exports it with the deck: the author's image was left out, and the learner shown
    # the document's source code.
    sources = [r"\begin{tabular}{ll}a & b\end{tabular}", r"$\frac{a}{b}$"]
    media = {
        f"latex-{hashlib.sha1(source.encode()).hexdigest()}.png": png_bytes() for source in sources
    }
    notes = [
        ("Basic", [f"Table: [latex]{sources[0]}[/latex] end", r"[$]\frac{a}{b}[/$]"]),
        ("Basic", ["No image", "[latex]\\LaTeX[/latex]"]),
    ]

    plan = import_package(biology, anki_package(tmp_path, notes, media))

    assert plan.report == []
    table, no_image = biology.cards.order_by("number")
    (url,) = table.card_images.values_list("image__url", flat=True)
    assert url == next(iter(media))
    assert CachedImage.objects.get(url=url).status == CachedImage.Status.CACHED
    assert table.question_rendered.startswith(
        'Table: <img alt="\\begin{tabular}{ll}a &amp; b\\end{tabular}"'
    )
    # [$] math stays MathML, which scales and is read aloud, though Anki had its image.
    assert table.answer_rendered.startswith('<math display="inline">')
    # A document Anki had no image of stays its source, as before.
    assert no_image.answer_rendered == '<pre class="latex"><code>\\LaTeX</code></pre>'


def test_a_less_than_sign_in_a_packages_math_is_kept_in_every_kind_of_math(biology, tmp_path):
    # A package made by a script (genanki, a converter) may hold a raw `<` in math: `<b`
    # opened a tag that took the rest of the field, " end" and all.
    fields = [r"\(a<b\) end", r"\[x<y\] end", "[$]a<b[/$] end", "[$$]a<b[/$$] end"]
    notes = [("Basic", [field, "yes"]) for field in fields]
    notes.append(("Basic", ["doc", "[latex]$a<b$[/latex] end"]))

    import_package(biology, anki_package(tmp_path, notes))

    questions = {card.question_html: card for card in biology.cards.all()}
    assert sorted(questions) == sorted(
        [r"\(a&lt;b\) end", r"\[x&lt;y\] end", "[$]a&lt;b[/$] end", "[$$]a&lt;b[/$$] end", "doc"]
    )
    for field in fields:
        rendered = questions[field.replace("a<b", "a&lt;b").replace("x<y", "x&lt;y")]
        assert "<mo>&lt;</mo>" in rendered.question_rendered
    # A [latex] document of math alone reads as MathML too.
    assert questions["doc"].answer_rendered == (
        '<math display="inline"><mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow></math> end'
    )


def localized_package(folder: Path) -> Path:
    """Note types as a German Anki names them, one renamed on a clash, and a user's own
    with four fields (Anki records one made from scratch as Basic, whatever its templates)."""
    collection = Collection(str(folder / "localized.anki2"))
    models = collection.models
    for stock, name in [
        ("Cloze", "Lückentext"),
        ("Basic (and reversed card)", "Einfach (mit umgedrehter Karte)"),
        ("Basic (and reversed card)", "Basic (and reversed card)-1a2b3"),
        ("Basic (optional reversed card)", "Einfach (optional umgedrehte Karte)"),
        ("Basic (type in the answer)", "Einfach (Antwort eintippen)"),
    ]:
        copy = models.copy(models.by_name(stock), add=False)
        copy["name"] = name
        models.add(copy)
    vocabulary = models.new("Vokabel")
    for name in ("Wort", "Bedeutung", "Beispiel", "Notizen"):
        models.add_field(vocabulary, models.new_field(name))
    for question, answer in [
        ("{{Wort}}", "{{Bedeutung}}<br>{{hint:Beispiel}}"),
        ("{{Bedeutung}}", "{{Wort}}"),
    ]:
        template = models.new_template(question)
        template["qfmt"], template["afmt"] = question, "{{FrontSide}}<hr id=answer>" + answer
        models.add_template(vocabulary, template)
    models.add(vocabulary)
    for name, fields, guid in [
        ("Lückentext", ["Die Hauptstadt ist {{c1::Paris}}.", ""], "cloze"),
        ("Einfach (mit umgedrehter Karte)", ["der Hund", "the dog"], "reversed"),
        ("Basic (and reversed card)-1a2b3", ["la casa", "the house"], "suffixed"),
        ("Einfach (optional umgedrehte Karte)", ["die Katze", "the cat", ""], "optional"),
        ("Einfach (Antwort eintippen)", ["2 + 2?", "4"], "typed"),
        ("Vokabel", ["laufen", "to run", "Ich laufe.", "unregelmäßig"], "vocabulary"),
    ]:
        note = collection.new_note(models.by_name(name))
        note.fields[:], note.guid = fields, guid
        collection.add_note(note, collection.decks.id("Deutsch"))
    path = folder / "localized.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()
    return path


def test_translated_and_renamed_note_types_make_the_cards_their_templates_make(biology, tmp_path):
    plan = import_package(biology, localized_package(tmp_path))

    assert plan.summary == "9 new, 0 changed, 0 unchanged"
    cards = {(card.anki_guid, card.card_ord): card for card in biology.cards.all()}
    assert {key: card.note_type for key, card in cards.items()} == {
        ("cloze", 0): "Cloze",
        ("reversed", 0): "Basic (and reversed card)",
        ("reversed", 1): "Basic (and reversed card)",
        ("suffixed", 0): "Basic (and reversed card)",
        ("suffixed", 1): "Basic (and reversed card)",
        ("optional", 0): "Basic (optional reversed card)",
        ("typed", 0): "Basic (type in the answer)",
        ("vocabulary", 0): "Basic (and reversed card)",
        ("vocabulary", 1): "Basic (and reversed card)",
    }
    assert cards["cloze", 0].question_text == "Die Hauptstadt ist […]."
    assert cards["reversed", 1].question_html == "the dog"


def test_a_custom_note_types_back_fields_join_the_answer_and_unshown_ones_are_reported(
    biology, tmp_path
):
    plan = import_package(biology, localized_package(tmp_path))

    recognition = biology.cards.get(guid="vocabulary", card_ord=0)
    assert recognition.answer_html == (
        "to run<br><br><details><summary>Beispiel</summary>Ich laufe.</details>"
    )
    assert [problem.reason for problem in plan.report] == [
        "note 'vocabulary': field 'Notizen' on no card template, left out as in Anki"
    ]


def test_the_notes_of_a_note_type_that_leave_out_the_same_field_are_one_line(biology, tmp_path):
    """A vocabulary deck's Frequency field on no template: one line for its notes, not one
    each, so that the note skipped is not lost among them."""
    notes = [{"fields": [f"word {number}", "meaning", str(number)]} for number in range(12)]
    notes += [
        {"fields": ["alone", "", "7"], "guid": "alone"},
        {"fields": ["", "meaning", ""], "guid": "empty"},
    ]
    package = anki_note_type_package(
        tmp_path,
        fields=["Word", "Meaning", "Frequency"],
        templates=[("Card 1", "{{Word}}", "{{FrontSide}}<hr id=answer>{{Meaning}}")],
        notes=notes,
        name="Vocabulary",
    )

    plan = import_package(biology, package)

    assert plan.summary == "12 new, 0 changed, 0 unchanged, 2 skipped"
    reasons = [(problem.line, problem.reason) for problem in plan.report]
    assert reasons[0] == (
        1,
        "12 notes of note type 'Vocabulary' (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ...): "
        "field 'Frequency' on no card template, left out as in Anki",
    )
    assert reasons[1:] == [(13, "note 'alone': empty answer"), (14, "note 'empty': empty question")]


def test_a_packages_stock_note_type_is_named_as_in_the_package(biology, tmp_path):
    # Read beside the new collection's own stock "Basic", Anki renamed it "Basic+": the
    # report and a template's {{Type}} named a note type the deck's owner never saw.
    notes = [
        ("Basic", ["Q1", "A1"]),
        ("Basic", ["Q2", "<div><br></div>"]),
        ("Basic", ["Q3", "&nbsp;"]),
    ]

    plan = import_package(biology, anki_package(tmp_path, notes))

    assert [str(problem) for problem in plan.report] == [
        "small.apkg:2: 2 notes of note type 'Basic' (lines 2, 3): empty answer (only markup, "
        "spaces or invisible characters)"
    ]


def test_the_notes_of_a_note_type_that_leave_out_the_same_card_are_one_line(biology, tmp_path):
    """A note type's card that cannot be played (here its back is empty; in a shared Greek
    deck, its template names fields the type lacks) was a line for each of its 108 notes."""
    notes = [{"fields": [f"land {number}", f"city {number}", ""]} for number in range(12)]
    notes += [{"fields": ["Xland", "", "flag.png"], "guid": "capital-less"}]
    package = anki_note_type_package(
        tmp_path,
        fields=["Country", "Capital", "Flag"],
        templates=[
            ("Capital", "{{Country}}", "{{FrontSide}}<hr id=answer>{{Capital}}"),
            ("Flag", "<div>{{Country}}</div>", "{{FrontSide}}<hr id=answer>{{Flag}}"),
        ],
        notes=notes,
        name="Country",
    )

    plan = import_package(biology, package)

    assert plan.summary == "13 new, 0 changed, 0 unchanged, 13 skipped"
    assert [(problem.line, problem.reason) for problem in plan.report] == [
        (
            1,
            "12 notes of note type 'Country' (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ...): card 2 "
            "left out (empty answer); each note's other cards are imported",
        ),
        (
            13,
            "note 'capital-less': card 1 left out (empty answer); the note's other cards are "
            "imported",
        ),
    ]


def test_an_optional_reverses_add_reverse_field_is_no_field_left_out(biology, tmp_path):
    notes = [("Basic (optional reversed card)", ["Hund", "dog", "y"])]

    plan = import_package(biology, anki_package(tmp_path, notes))

    assert plan.summary == "2 new, 0 changed, 0 unchanged"
    assert plan.report == []


def test_a_japanese_note_types_readings_are_shown_as_anki_shows_them(biology, tmp_path):
    collection = Collection(str(tmp_path / "japanese.anki2"))
    models = collection.models
    japanese = models.new("Japanese")
    for name in ("Expression", "Reading", "Meaning"):
        models.add_field(japanese, models.new_field(name))
    for name, question, answer in [
        ("Recognition", "{{Expression}}", "{{furigana:Reading}}<br>{{Meaning}}"),
        ("Listening", "{{kana:Reading}}", "{{Meaning}}"),
        ("Writing", "{{Meaning}}", "{{kanji:Reading}}"),
    ]:
        template = models.new_template(name)
        template["qfmt"], template["afmt"] = question, "{{FrontSide}}<hr id=answer>" + answer
        models.add_template(japanese, template)
    models.add(japanese)
    note = collection.new_note(models.by_name("Japanese"))
    note.fields[:] = ["日本語", "日本語[にほんご] を 話[はな]す", "to speak Japanese"]
    collection.add_note(note, 1)
    path = tmp_path / "japanese.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()

    import_package(biology, path)

    recognition, listening, writing = biology.cards.order_by("card_ord")
    assert recognition.answer_html == (
        "<ruby>日本語<rp>(</rp><rt>にほんご</rt><rp>)</rp></ruby> を"
        "<ruby>話<rp>(</rp><rt>はな</rt><rp>)</rp></ruby>す<br><br>to speak Japanese"
    )
    assert "<ruby>日本語<rp>(</rp><rt>にほんご</rt>" in recognition.answer_rendered
    assert recognition.answer_text.startswith("日本語(にほんご) を話(はな)す")
    assert (listening.question_html, writing.answer_html) == ("にほんご をはなす", "日本語 を話す")


def test_a_field_a_template_shows_as_an_image_or_a_sound_brings_its_file(biology, tmp_path):
    # Decks made by scripts (genanki's) keep a bare file name in a field and let the
    # template make it an image or a sound: Anki shows the picture and plays the word,
    # never "hund.png". genanki packs the files itself, in Anki's legacy layout.
    collection = Collection(str(tmp_path / "vocabulary.anki2"))
    models = collection.models
    vocabulary = models.new("Vocabulary with a picture")
    for name in ("Word", "Picture", "Audio", "Meaning"):
        models.add_field(vocabulary, models.new_field(name))
    template = models.new_template("Recognition")
    template["qfmt"] = '<div class="picture"><img src="{{Picture}}"></div>{{Word}}'
    template["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}} [sound:{{Audio}}]"
    models.add_template(vocabulary, template)
    models.add(vocabulary)
    for guid, fields in [
        ("dog", ["der Hund", "hund.png", "hund.mp3", "the dog"]),
        ("cat", ["die Katze", "", "", "the cat"]),
    ]:
        note = collection.new_note(models.by_name("Vocabulary with a picture"))
        note.fields[:], note.guid = fields, guid
        collection.add_note(note, 1)
    exported = tmp_path / "exported.apkg"
    collection.export_anki_package(
        out_path=str(exported), options=ExportAnkiPackageOptions(legacy=True), limit=None
    )
    collection.close()
    path = tmp_path / "vocabulary.apkg"
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(path, "w") as target:
        for name in ("collection.anki2", "collection.anki21"):
            target.writestr(name, source.read(name))
        target.writestr("media", json.dumps({"0": "hund.png", "1": "hund.mp3"}))
        target.writestr("0", png_bytes())
        target.writestr("1", SOUND)

    plan = import_package(biology, path)

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    dog, cat = biology.cards.get(guid="dog"), biology.cards.get(guid="cat")
    assert dog.question_html == '<img src="hund.png"><br><br>der Hund'
    assert dog.answer_html == "the dog<br><br>[sound:hund.mp3]"
    assert 'src="/media/images/' in dog.question_rendered
    assert "<audio" in dog.answer_rendered
    assert "hund.png" not in dog.question_text
    assert (cat.question_html, cat.answer_html) == ("die Katze", "the cat")
    assert MediaFile.objects.filter(name="hund.mp3").exists()


def test_the_words_a_template_adds_around_its_fields_are_on_the_card(biology, tmp_path):
    # A geography deck asks "Capital?" and "Flag?" of the same country: without the words
    # its templates add, both cards asked "Germany".
    collection = Collection(str(tmp_path / "geography.anki2"))
    models = collection.models
    country = models.new("Country")
    for name in ("Country", "Capital", "Flag", "Anthem"):
        models.add_field(country, models.new_field(name))
    for name, question, answer in [
        ("Capital", '{{Country}}<div class="prompt">Capital?</div>', "{{Capital}}"),
        ("Flag", '{{Country}}<div class="prompt">Flag?</div>', "{{Flag}}"),
        (
            "Country",
            "{{#Capital}}Which country's capital is {{Capital}}?{{/Capital}}",
            "{{Country}}{{#Anthem}}, anthem: {{Anthem}}{{/Anthem}}"
            "{{^Anthem}} (no anthem yet){{/Anthem}}",
        ),
    ]:
        template = models.new_template(name)
        template["qfmt"] = question
        template["afmt"] = '{{FrontSide}}\n\n<hr id="answer">\n\n' + answer
        models.add_template(country, template)
    models.add(country)
    for guid, fields in [
        ("de", ["Germany", "Berlin", "black red gold", "Das Lied"]),
        ("xx", ["Xland", "X", "white", ""]),
    ]:
        note = collection.new_note(models.by_name("Country"))
        note.fields[:], note.guid = fields, guid
        collection.add_note(note, 1)
    path = tmp_path / "geography.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()

    plan = import_package(biology, path)

    assert (plan.summary, plan.report) == ("6 new, 0 changed, 0 unchanged", [])
    cards = {(card.guid, card.card_ord): card for card in biology.cards.all()}
    sides = {
        key: (" ".join(card.question_text.split()), " ".join(card.answer_text.split()))
        for key, card in cards.items()
    }
    assert sides["de", 0] == ("Germany Capital?", "Berlin")
    assert sides["de", 1] == ("Germany Flag?", "black red gold")
    assert sides["de", 2] == ("Which country's capital is Berlin?", "Germany, anthem: Das Lied")
    assert sides["xx", 2] == ("Which country's capital is X?", "Xland (no anthem yet)")
    assert "Xland" not in cards["xx", 0].answer_html


def test_a_card_of_a_users_note_type_with_nothing_on_its_back_leaves_the_notes_others(
    biology, tmp_path
):
    # Anki makes the "Flag" card of a country whose flag is not filled in yet: its front
    # asks, its back shows nothing. That one card cannot be played; its note's others can.
    collection = Collection(str(tmp_path / "countries.anki2"))
    models = collection.models
    country = models.new("Country")
    for name in ("Country", "Capital", "Flag"):
        models.add_field(country, models.new_field(name))
    for name, question, answer in [
        ("Capital", "{{Country}}", "{{Capital}}"),
        ("Flag", "<div>{{Country}}</div>", "{{Flag}}"),
    ]:
        template = models.new_template(name)
        template["qfmt"] = question
        template["afmt"] = "{{FrontSide}}<hr id=answer>" + answer
        models.add_template(country, template)
    models.add(country)
    note = collection.new_note(models.by_name("Country"))
    note.fields[:], note.guid = ["Xland", "X City", ""], "xx"
    collection.add_note(note, 1)
    assert len(note.cards()) == 2
    path = tmp_path / "countries.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()

    plan = import_package(biology, path)

    assert plan.summary == "1 new, 0 changed, 0 unchanged, 1 skipped"
    assert [str(problem) for problem in plan.report] == [
        "countries.apkg:1: note 'xx': card 2 left out (empty answer); "
        "the note's other cards are imported"
    ]
    (card,) = biology.cards.all()
    assert (card.card_ord, card.answer_html) == (0, "X City")


def test_an_optional_reverse_without_its_reverse_exports_without_it(biology, tmp_path):
    import_package(biology, localized_package(tmp_path))
    out = tmp_path / "out.apkg"
    call_command("export_apkg", "--deck", "biology", "-o", str(out))
    copy = Deck.objects.create(name="Copy", slug="copy")

    import_package(copy, out)

    assert copy.cards.filter(guid="optional").count() == 1


EMPTY_CARD = (
    "Anki shows it as an empty card (its front shows nothing; Anki's Empty Cards deletes such "
    "cards); the note's other cards are imported"
)


def test_a_cloze_in_the_back_extra_leaves_out_only_the_empty_card_anki_makes_of_it(
    biology, tmp_path
):
    # Anki makes a card of every cloze number in any field; one in Back Extra alone is an
    # empty card. It skipped the whole note, the text's clozes too.
    text = "{{c1::Mitochondria}} make {{c2::ATP}}"
    path = anki_package(tmp_path, [("Cloze", [text, "See {{c3::chapter 3}}"])])

    plan = import_package(biology, path)

    assert plan.summary == "2 new, 0 changed, 0 unchanged, 1 skipped"
    assert list(biology.cards.values_list("card_ord", "question_html")) == [
        (0, text),
        (1, text),
    ]
    assert [str(problem) for problem in plan.report] == [
        f"small.apkg:1: note {biology.cards.first().guid!r}: cloze 3 left out: {EMPTY_CARD}"
    ]


def test_an_optional_reverse_card_left_empty_leaves_the_notes_first_card(biology, tmp_path):
    # Anki keeps the reverse card of a note whose Add Reverse was cleared, empty, until
    # "Empty Cards" removes it: the note was skipped, its first card too.
    collection = Collection(str(tmp_path / "empty.anki2"))
    note = collection.new_note(collection.models.by_name("Basic (optional reversed card)"))
    note.fields[:] = ["der Hund", "the dog", "y"]
    collection.add_note(note, 1)
    note["Add Reverse"] = ""
    collection.update_note(note)
    path = tmp_path / "empty.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()

    plan = import_package(biology, path)

    assert plan.summary == "1 new, 0 changed, 0 unchanged, 1 skipped"
    assert list(biology.cards.values_list("card_ord", "question_html")) == [(0, "der Hund")]
    assert [problem.reason for problem in plan.report] == [
        f"note {note.guid!r}: card 2 left out: {EMPTY_CARD}"
    ]


def test_cards_suspended_in_anki_are_imported_and_named(biology, tmp_path):
    # They came in silently as cards like the others: an author's suspended (wrong,
    # retired) cards were asked in quizzes with nothing said.
    collection = Collection(str(tmp_path / "suspended.anki2"))
    notes = []
    for front in ("Kept?", "Suspended?", "Buried?"):
        note = collection.new_note(collection.models.by_name("Basic"))
        note.fields[:] = [front, "yes"]
        collection.add_note(note, 1)
        notes.append(note)
    collection.sched.suspend_cards([card.id for card in notes[1].cards()])
    collection.sched.bury_cards([card.id for card in notes[2].cards()])
    path = tmp_path / "suspended.apkg"
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=True)
    collection.export_anki_package(out_path=str(path), options=options, limit=None)
    collection.close()

    plan = import_package(biology, path)

    assert plan.summary == "3 new, 0 changed, 0 unchanged"
    assert [str(notice) for notice in plan.notices] == [
        "suspended.apkg:2: 1 note has cards suspended in Anki (line 2): they are imported "
        "like the others, and quizzes ask them; delete here any the deck should not ask"
    ]


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


def test_a_renamed_file_left_out_is_reported_by_the_name_the_package_gives_it(biology, tmp_path):
    other = Deck.objects.create(name="Other", slug="other")
    first = tmp_path / "first"
    first.mkdir()
    import_package(other, make_package(first))
    package = anki_package(
        tmp_path, [("Basic", ['<img src="dog.png">', "a dog"])], {"dog.png": b"not a png"}
    )

    plan = import_package(biology, package)

    (problem,) = plan.media_problems
    assert problem.reason.endswith(
        "image 'dog.png' rejected: not a PNG, JPEG, GIF, WebP or SVG image"
    )
    assert "Image rejected" in biology.cards.get().question_rendered
    assert "/media/images/" in cards_by_note(other)[("rev-1", 0)].answer_rendered


ZEROS = 32 * 1024 * 1024  # what a bomb unpacks to: a few kilobytes packed
UNZSTD = zstandard.ZstdDecompressor  # the real one, whatever a test counts


def with_bomb(path: Path, name: str, *, declared: int | None = None) -> Path:
    """`path` with media file `name` replaced by ZEROS zero bytes: deflated in a legacy
    package, a zstd frame (without its size, unless `declared`) in a new one. With
    `declared`, the legacy zip's directory says the file has that many bytes."""
    bomb = path.with_name("bomb.apkg")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w") as target:
        listed = source.read("media")
        legacy = listed.startswith(b"{")
        if legacy:
            entry = next(key for key, value in json.loads(listed).items() if value == name)
        else:
            entries = MediaEntries.FromString(UNZSTD().stream_reader(listed).read()).entries
            entry = str(next(i for i, media in enumerate(entries) if media.name == name))
        for info in source.infolist():
            if info.filename != entry:
                target.writestr(info, source.read(info))
            elif legacy:
                with target.open(entry, "w", force_zip64=True) as file:
                    for _ in range(ZEROS // (1 << 20)):
                        file.write(bytes(1 << 20))
                if declared is not None:
                    target.filelist[-1].file_size = declared
            else:
                compressor = zstandard.ZstdCompressor(write_content_size=declared is not None)
                target.writestr(entry, compressor.compress(bytes(ZEROS)))
    return bomb


@pytest.fixture
def unpacked(monkeypatch):
    """The bytes taken out of each zip entry (by name) and each zstd reader (in order)."""
    taken = {"zip": Counter(), "zstd": []}
    zip_read = zipfile.ZipExtFile.read

    def read(self, size=-1):
        data = zip_read(self, size)
        taken["zip"][self.name] += len(data)
        return data

    class Counted:
        def __init__(self, reader):
            self.reader, self.index = reader, len(taken["zstd"])
            taken["zstd"].append(0)

        def read(self, size=-1):
            data = self.reader.read(size)
            taken["zstd"][self.index] += len(data)
            return data

    class Decompressor:
        def stream_reader(self, *args, **kwargs):
            return Counted(UNZSTD().stream_reader(*args, **kwargs))

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    monkeypatch.setattr(zstandard, "ZstdDecompressor", Decompressor)
    return taken


MIB = 1024 * 1024


@pytest.mark.parametrize("legacy", [True, False])
def test_an_image_that_unpacks_past_its_limit_is_left_out_by_name_and_note(
    biology, tmp_path, settings, unpacked, legacy
):
    settings.QUIZSITE_IMAGE_MAX_BYTES = MIB
    notes = [("Basic", ['Bomb <img src="big.png">', "answer"]), ("Basic", ["Fine", "yes"])]
    path = with_bomb(
        anki_package(tmp_path, notes, {"big.png": png_bytes()}, legacy=legacy), "big.png"
    )

    plan = import_package(biology, path)

    assert plan.summary == "2 new, 0 changed, 0 unchanged, 1 media file left out"
    assert [str(problem) for problem in plan.report] == [
        "bomb.apkg:1: note "
        f"{biology.cards.get(number=1).anki_guid!r}: image 'big.png' rejected: the file is more "
        f"than the limit of {MIB} bytes"
    ]
    image = CachedImage.objects.get(url="big.png")
    assert (image.status, image.file.name) == ("failed", "")
    # Refused on the size its zip entry declares (legacy), or after a chunk of its frame.
    assert max(unpacked["zip"].values()) < MIB
    assert max(unpacked["zstd"], default=0) <= MIB + 1


def test_a_zip_entry_that_lies_about_its_size_is_never_read_past_it(
    biology, tmp_path, settings, unpacked
):
    settings.QUIZSITE_IMAGE_MAX_BYTES = MIB
    notes = [("Basic", ['Bomb <img src="big.png">', "answer"])]
    package = anki_package(tmp_path, notes, {"big.png": png_bytes()}, legacy=True)
    path = with_bomb(package, "big.png", declared=MIB)

    plan = import_package(biology, path)

    (problem,) = plan.report
    assert "image 'big.png' rejected: damaged in the package (Bad CRC-32" in problem.reason
    assert unpacked["zip"].most_common(1)[0][1] <= MIB
    assert not CachedImage.objects.get(url="big.png").is_cached


def test_a_zstd_frame_that_declares_more_than_the_limit_is_never_unpacked(
    biology, tmp_path, settings, unpacked
):
    settings.QUIZSITE_IMAGE_MAX_BYTES = MIB
    notes = [("Basic", ['Bomb <img src="big.png">', "answer"])]
    path = with_bomb(anki_package(tmp_path, notes, {"big.png": png_bytes()}), "big.png", declared=0)

    plan = import_package(biology, path)

    assert plan.summary == "1 new, 0 changed, 0 unchanged, 1 media file left out"
    # Only the collection and the media list went through a zstd reader.
    assert len(unpacked["zstd"]) == 2


def test_a_sound_past_its_limit_is_left_out_and_never_stored(biology, tmp_path, settings, unpacked):
    settings.QUIZSITE_SOUND_MAX_BYTES = MIB
    notes = [("Basic", ["Listen [sound:big.mp3]", "answer"]), ("Basic", ["Q [sound:ok.mp3]", "A"])]
    media = {"big.mp3": SOUND, "ok.mp3": SOUND + b"ok"}
    path = with_bomb(anki_package(tmp_path, notes, media), "big.mp3")

    plan = import_package(biology, path)

    assert plan.summary == "2 new, 0 changed, 0 unchanged, 1 media file left out"
    (problem,) = plan.report
    assert problem.reason.endswith(
        f"sound 'big.mp3' rejected: the file is more than the limit of {MIB} bytes"
    )
    assert list(MediaFile.objects.values_list("name", flat=True)) == ["ok.mp3"]
    assert "audio not available (big.mp3)" in biology.cards.get(number=1).question_rendered
    assert max(unpacked["zstd"]) <= MIB + 1


def test_a_sound_a_later_package_brings_plays_on_the_cards_naming_it_dated_changed(tmp_path):
    # They kept "audio not available" and their date: Anki, which had their notes, took
    # neither them nor the file from the next package (it takes a note only from a newer one).
    one, two = (Deck.objects.create(name=name, slug=name) for name in ("one", "two"))
    for folder in ("without", "with"):
        (tmp_path / folder).mkdir()
    notes = [("Basic", ["Q [sound:hola.mp3]", "A"]), ("Basic", ["Q [sound:adios.mp3]", "A"])]
    with time_machine.travel("2026-03-01 12:00Z", tick=False):
        import_package(one, anki_package(tmp_path / "without", notes))
    bringing = anki_package(
        tmp_path / "with", [("Basic", ["R [sound:hola.mp3]", "B"])], {"hola.mp3": SOUND}
    )

    with (
        time_machine.travel("2026-03-02 12:00Z", tick=False),
        CaptureQueriesContext(connection) as stored,
    ):
        import_package(two, bringing)
    with time_machine.travel("2026-03-03 12:00Z", tick=False):
        import_package(two, bringing)  # the same bytes: nothing new to carry

    hola, adios = one.cards.order_by("number")
    dated = [query for query in stored.captured_queries if 'SET "updated_at"' in query["sql"]]
    assert len(dated) == 1
    assert hola.question_rendered.startswith('Q <audio controls preload="none" src="/media/')
    assert hola.updated_at.isoformat()[:10] == "2026-03-02"
    assert "audio not available (adios.mp3)" in adios.question_rendered
    assert adios.updated_at.isoformat()[:10] == "2026-03-01"


def test_a_sound_stored_by_an_import_that_stopped_plays_once_the_package_comes_again(tmp_path):
    # A background import commits as it goes: stopped after storing the package's sounds,
    # its retry found them stored already, and the cards naming them waited for good.
    from quizzes.services.anki_io import _sound_store

    deck = Deck.objects.create(name="one", slug="one")
    for folder in ("without", "with"):
        (tmp_path / folder).mkdir()
    import_package(
        deck, anki_package(tmp_path / "without", [("Basic", ["Q [sound:hola.mp3]", "A"])])
    )
    _sound_store("hola.mp3", SOUND)  # as the stopped import left it

    import_package(
        deck,
        anki_package(
            tmp_path / "with", [("Basic", ["R [sound:hola.mp3]", "B"])], {"hola.mp3": SOUND}
        ),
    )

    assert deck.cards.get(number=1).question_rendered.startswith("Q <audio controls")


def test_a_package_that_unpacks_past_the_total_limit_is_refused_whole(
    biology, tmp_path, settings, unpacked
):
    settings.QUIZSITE_IMPORT_MAX_UNPACKED_BYTES = 2 * MIB
    settings.QUIZSITE_SOUND_MAX_BYTES = MIB
    sounds = {f"{n}.mp3": SOUND + bytes(MIB - len(SOUND) - n) for n in range(3)}
    notes = [("Basic", [f"Q [sound:{name}]", "A"]) for name in sounds]
    path = anki_package(tmp_path, notes, sounds)

    with pytest.raises(CommandError, match=f"the package unpacks to more than {2 * MIB} bytes"):
        call_command("import_anki", str(path), "--deck", "biology")

    assert not Card.objects.exists() and not MediaFile.objects.exists()
    assert sum(unpacked["zstd"]) <= 3 * MIB  # a chunk (1 MiB) past the limit at most


def test_files_refused_for_their_size_count_against_the_total_limit(
    biology, tmp_path, settings, unpacked
):
    settings.QUIZSITE_IMPORT_MAX_UNPACKED_BYTES = 2 * MIB
    settings.QUIZSITE_SOUND_MAX_BYTES = 4 * MIB
    path = with_bomb(
        anki_package(tmp_path, [("Basic", ["Q [sound:big.mp3]", "A"])], {"big.mp3": SOUND}),
        "big.mp3",
    )

    with pytest.raises(CommandError, match=f"the package unpacks to more than {2 * MIB} bytes"):
        call_command("import_anki", str(path), "--deck", "biology")

    assert sum(unpacked["zstd"]) <= 3 * MIB  # a chunk (1 MiB) past the limit at most


@pytest.mark.parametrize("legacy", [True, False])
def test_a_collection_that_unpacks_past_the_total_limit_is_refused_before_anki_reads_it(
    biology, tmp_path, settings, unpacked, legacy
):
    settings.QUIZSITE_IMPORT_MAX_UNPACKED_BYTES = 64 * 1024
    path = anki_package(tmp_path, [("Basic", ["Q", "A"])], legacy=legacy)

    with pytest.raises(CommandError, match="the package unpacks to more than 65536 bytes"):
        call_command("import_anki", str(path), "--deck", "biology")

    assert not Card.objects.exists()
    assert max([*unpacked["zip"].values(), *unpacked["zstd"]]) <= 64 * 1024 + 1024 * 1024


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9"/></svg>'
UNUSABLE_IMAGES = [
    ("Basic", ['Corrupt <img src="corrupt.png">', "a placeholder"]),
    ("Basic", ['An SVG <img src="diagram.svg">', "a placeholder"]),
    ("Basic", ['Missing <img src="nothere.png">', "a placeholder [sound:gone.mp3]"]),
    ("Basic", ['Fine <img src="fine.png">', "shown"]),
]


UNUSABLE_MEDIA = {"corrupt.png": b"not a png at all", "diagram.svg": SVG, "fine.png": png_bytes()}


@pytest.fixture
def unusable_images(tmp_path):
    return anki_package(tmp_path, UNUSABLE_IMAGES, UNUSABLE_MEDIA)


def test_images_rejected_or_missing_are_reported_by_note_and_say_so_on_the_card(
    biology, unusable_images
):
    plan = import_package(biology, unusable_images)

    guid = {card.number: card.anki_guid for card in biology.cards.all()}
    assert plan.summary == "4 new, 0 changed, 0 unchanged, 4 media files left out"
    assert [str(problem) for problem in plan.report] == [
        f"small.apkg:1: note {guid[1]!r}: image 'corrupt.png' rejected: "
        "not a PNG, JPEG, GIF, WebP or SVG image",
        f"small.apkg:2: note {guid[2]!r}: image 'diagram.svg' rejected: "
        "an SVG without a size (no width and height, nor a viewBox)",
        f"small.apkg:3: note {guid[3]!r}: image 'nothere.png' missing from the package",
        f"small.apkg:3: note {guid[3]!r}: sound 'gone.mp3' missing from the package",
    ]
    rendered = {card.number: card.question_rendered for card in biology.cards.all()}
    labels = {
        number: BeautifulSoup(html, "html.parser").select_one(".image-missing-label").get_text()
        for number, html in rendered.items()
        if "image-missing-label" in html
    }
    assert labels == {
        1: "Image rejected: not a PNG, JPEG, GIF, WebP or SVG image (Screenshot: corrupt)",
        2: "Image rejected: an SVG without a size (no width and height, nor a viewBox) "
        "(Screenshot: diagram)",
        3: "Image missing from the package (Screenshot: nothere)",
    }
    assert 'src="/media/images/' in rendered[4]
    statuses = dict(CachedImage.objects.values_list("url", "status"))
    assert statuses == {
        "corrupt.png": "failed",
        "diagram.svg": "failed",
        "nothere.png": "failed",
        "fine.png": "cached",
    }


def test_an_svg_image_anki_shows_is_shown_as_its_drawing_at_its_size(biology, tmp_path):
    # Anki shows an SVG diagram; it was refused as "not a PNG, JPEG, GIF or WebP image".
    chart = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" onload="alert(1)">'
        b'<path d="M0 100L300 0" stroke="black"/></svg>'
    )
    notes = [("Basic", ['What does <img src="chart.svg"> show?', "growth"])]

    plan = import_package(biology, anki_package(tmp_path, notes, {"chart.svg": chart}))

    assert plan.report == []
    image = CachedImage.objects.get(url="chart.svg")
    assert (image.status, image.content_type, image.width, image.height) == (
        "cached",
        "image/svg+xml",
        300,
        100,
    )
    assert b"onload" not in image.file.read()
    rendered = biology.cards.get().question_rendered
    assert f'height="100" loading="lazy" src="{image.file.url}" width="300"' in rendered


@pytest.mark.parametrize("legacy", [True, False])
def test_an_image_named_percent_encoded_or_in_another_case_is_the_packages_file(
    biology, tmp_path, legacy
):
    # Anki 2.0's editor wrote src="my%20photo.png" (Anki's web view decodes it), and
    # Windows and macOS find Photo.PNG as photo.png: Anki shows both.
    notes = [
        ("Basic", ['<img src="my photo.png">', "the file's own name"]),
        ("Basic", ['<img src="my%20photo.png">', "percent-encoded"]),
        ("Basic", ['<img src="Caf%C3%A9.PNG">', "encoded, in capitals"]),
    ]
    media = {"my photo.png": png_bytes("blue"), "café.png": png_bytes("green")}
    path = anki_package(
        tmp_path, [*notes, ("Basic", ['<img src="café.png">', "x"])], media, legacy=legacy
    )

    plan = import_package(biology, path)

    assert plan.report == []
    rendered = [card.question_rendered for card in biology.cards.order_by("number")]
    assert all('src="/media/images/' in html for html in rendered), rendered
    assert rendered[0].split("src=")[1] == rendered[1].split("src=")[1]


def test_a_packages_image_given_inline_is_stored_and_one_too_large_reported(
    biology, tmp_path, settings
):
    settings.QUIZSITE_IMAGE_MAX_BYTES = 1000
    small, large = png_bytes("blue"), b"\x89PNG" + b"\x00" * 2000
    encoded = base64.b64encode(large).decode()
    notes = [
        (
            "Basic",
            ["small", f'<img src="data:image/png;base64,{base64.b64encode(small).decode()}">'],
        ),
        ("Basic", ["large", f'<img src="data:image/png;base64,{encoded}">']),
    ]

    plan = import_package(biology, anki_package(tmp_path, notes))

    rendered = {card.question_html: card.answer_rendered for card in biology.cards.all()}
    assert 'src="/media/images/' in rendered["small"]
    assert "Image rejected: the file is more than the limit of 1000 bytes" in rendered["large"]
    assert [problem.reason.split(": ", 1)[1] for problem in plan.report] == [
        # Never decoded, it is named by its base64 text.
        f"image 'inline-{hashlib.sha256(encoded.encode()).hexdigest()[:16]}.png' rejected: "
        "the file is more than the limit of 1000 bytes"
    ]


def test_a_file_a_card_shows_as_an_image_is_checked_as_one_whatever_its_name(biology, tmp_path):
    # A PDF in an <img> was stored as a sound and shown as "Image not cached", unreported;
    # a picture named without a suffix too.
    notes = [("Basic", ['<img src="notes.pdf">', "a PDF"]), ("Basic", ['<img src="photo">', "x"])]
    media = {"notes.pdf": b"%PDF-1.4 not a picture", "photo": png_bytes("blue")}

    plan = import_package(biology, anki_package(tmp_path, notes, media))

    rendered = {card.answer_html: card.question_rendered for card in biology.cards.all()}
    assert "Image rejected: not a PNG, JPEG, GIF, WebP or SVG image" in rendered["a PDF"]
    assert 'src="/media/images/' in rendered["x"]
    assert [problem.reason.split(": ", 1)[1] for problem in plan.report] == [
        "image 'notes.pdf' rejected: not a PNG, JPEG, GIF, WebP or SVG image"
    ]
    assert not MediaFile.objects.exists()


def test_each_image_of_a_package_is_verified_once_per_import(biology, unusable_images, monkeypatch):
    name_of = {data: name for name, data in UNUSABLE_MEDIA.items()}
    verified = Counter()
    verify_image = imagefetch.verify_image

    def counted(data, **options):
        verified[name_of.get(data, data)] += 1
        return verify_image(data, **options)

    monkeypatch.setattr(imagefetch, "verify_image", counted)

    import_package(biology, unusable_images)

    assert verified == {"corrupt.png": 1, "diagram.svg": 1, "fine.png": 1}
    assert CachedImage.objects.get(url="fine.png").is_cached


def test_the_command_lists_each_image_left_out_with_its_note(biology, unusable_images, capsys):
    summary = call_command("import_anki", str(unusable_images), "--deck", "biology")

    assert summary == "biology: 4 new, 0 changed, 0 unchanged, 4 media files left out"
    err = capsys.readouterr().err
    assert f"{unusable_images}:1: note " in err
    assert "image 'corrupt.png' rejected: not a PNG, JPEG, GIF, WebP or SVG image" in err
    assert f"{unusable_images}:3: note " in err
    assert "image 'nothere.png' missing from the package" in err


def test_a_path_a_card_names_as_its_file_is_reported_missing_and_never_read(biology, tmp_path):
    package = anki_package(
        tmp_path,
        [("Basic", ['Up <img src="../../etc/passwd">', "[sound:../secret.mp3]"])],
        {"secret.mp3": SOUND},
    )

    plan = import_package(biology, package)

    assert plan.summary == "1 new, 0 changed, 0 unchanged, 2 media files left out"
    assert [problem.reason.split(": ", 1)[1] for problem in plan.report] == [
        "image '../../etc/passwd' missing from the package",
        "sound '../secret.mp3' missing from the package",
    ]
    card = biology.cards.get()
    assert "Image missing from the package" in card.question_rendered
    assert "audio not available" in card.answer_rendered
    assert not MediaFile.objects.exists()


def test_a_file_missing_from_the_package_that_the_site_has_is_no_problem(
    biology, tmp_path, unusable_images
):
    first = tmp_path / "first"
    first.mkdir()
    import_package(
        biology, anki_package(first, [("Basic", ["Q", "A [sound:gone.mp3]"])], {"gone.mp3": SOUND})
    )

    plan = import_package(biology, unusable_images)

    assert "gone.mp3" not in " ".join(problem.reason for problem in plan.report)
    assert '<audio controls preload="none"' in biology.cards.get(number=4).answer_rendered


@pytest.mark.parametrize("legacy", [True, False])
def test_a_package_whose_collection_is_damaged_is_refused(biology, tmp_path, legacy):
    path = anki_package(tmp_path, [("Basic", ["Q", "A"])], legacy=legacy)
    damaged = tmp_path / "damaged.apkg"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            garbage = info.filename.startswith("collection.anki21")
            target.writestr(info, b"garbage" * 1000 if garbage else source.read(info))

    with pytest.raises(AnkiParseError) as refusal:
        import_package(biology, damaged)

    # Said for staff, not as the backend's own error (a "DbError { info: ... }").
    damaged = (
        "its collection, the database of its notes, is damaged"
        if legacy
        else "a compressed part of it is damaged"  # the newer packages' zstd
    )
    assert refusal.value.problems[0].reason == (
        f"not an Anki package Anki can open ({damaged}: export it again from Anki)"
    )


def test_a_package_whose_media_list_names_a_path_is_refused_as_anki_does(biology, tmp_path):
    path = anki_package(tmp_path, [("Basic", ["Q", "A"])], {"a.png": png_bytes()}, legacy=True)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "slip.apkg", "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, b'{"0": "../../a.png"}' if info.filename == "media" else data)

    with pytest.raises(AnkiParseError, match="names a file outside the media folder"):
        import_package(biology, tmp_path / "slip.apkg")


def test_a_media_list_longer_than_its_files_need_is_refused_unread(biology, tmp_path, unpacked):
    path = anki_package(tmp_path, [("Basic", ["Q", "A"])], {"a.png": png_bytes()}, legacy=True)
    huge = json.dumps({str(n): f"{n}.png" for n in range(200_000)}).encode()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "long.apkg", "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, huge if info.filename == "media" else data, zipfile.ZIP_DEFLATED)

    read_here = unpacked["zip"]["media"]  # copying the package read its own list

    with pytest.raises(AnkiParseError, match="its media file is too large"):
        import_package(biology, tmp_path / "long.apkg")

    # Four entries: the list may take 300 bytes for each (and a little more), not 3 MB.
    entries = len(zipfile.ZipFile(tmp_path / "long.apkg").namelist())
    cap = entries * apkg.MEDIA_LIST_BYTES_PER_ENTRY + 1024
    assert unpacked["zip"]["media"] - read_here <= cap + 1 < len(huge)


def test_a_media_list_naming_files_the_package_lacks_leaves_out_only_those(biology, tmp_path):
    # Anki imports such a package (a tool listed files it did not pack; files were taken
    # out to make it smaller); it was refused whole.
    question = '<img src="a.png"><img src="gone1.png">'
    path = anki_package(tmp_path, [("Basic", [question, "A"])], {"a.png": png_bytes()}, legacy=True)
    listed = json.dumps({"0": "a.png", **{str(n): f"gone{n}.png" for n in range(1, 8)}}).encode()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "many.apkg", "w") as target:
        for info in source.infolist():
            target.writestr(info, listed if info.filename == "media" else source.read(info))

    plan = import_package(biology, tmp_path / "many.apkg")

    assert plan.summary == "1 new, 0 changed, 0 unchanged, 1 media file left out"
    (problem,) = plan.report
    assert problem.reason.endswith("image 'gone1.png' missing from the package")
    assert CachedImage.objects.filter(url="a.png", status=CachedImage.Status.CACHED).exists()


def test_a_note_nested_too_deep_is_skipped_by_name_and_the_rest_imported(biology, tmp_path):
    divs = "<div>" * 400 + "deep" + "</div>" * 400
    path = anki_package(
        tmp_path, [("Basic", ["Divs", divs]), ("Basic", ["Too deep", "<b><i>" * 600 + "x"])]
    )

    plan = import_package(biology, path)

    assert plan.summary == "1 new, 0 changed, 0 unchanged, 1 skipped"
    assert biology.cards.get().answer_text == "deep"
    (problem,) = plan.report
    assert (problem.source, problem.line) == ("small.apkg", 2)
    assert problem.reason.endswith(": HTML elements nested more than 500 deep")


def test_a_notes_colours_come_with_it_as_the_card_allow_list_keeps_them(biology, tmp_path):
    back = (
        '<font color="#00aa00">mitochondria</font>, not '
        '<span style="color: rgb(255, 0, 0); background-image: url(https://evil.example/x)">'
        "chloroplasts</span>"
    )
    path = anki_package(tmp_path, [("Basic", ["Where is ATP made?", back])])

    import_package(biology, path)

    assert biology.cards.get().answer_html == (
        '<span style="color: #00aa00">mitochondria</span>, not '
        '<span style="color: rgb(255, 0, 0)">chloroplasts</span>'
    )


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


def test_a_package_of_an_empty_deck_is_refused_saying_so(biology, tmp_path):
    # Anki exports a deck with no cards as a package of no notes: the deck chosen in its
    # export dialog was the wrong one, often an empty parent.
    collection = Collection(str(tmp_path / "empty.anki2"))
    deck_id = collection.decks.id("Biology::Empty")
    path = tmp_path / "empty.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(), limit=DeckIdLimit(deck_id)
    )
    collection.close()

    with pytest.raises(CommandError) as refusal:
        call_command("import_anki", str(path), "--deck", "biology")

    assert str(refusal.value).endswith(
        "empty.apkg:1: the package holds no notes: its deck was empty in Anki (export the "
        "deck that holds the cards, or All Decks)"
    )
    assert not Card.objects.exists()


def test_a_package_cut_short_or_not_a_package_is_refused_saying_what_to_do(biology, tmp_path):
    data = make_package(tmp_path).read_bytes()
    cases = {
        "cut.apkg": (data[: len(data) // 2], "a zip cut short or damaged: download or export"),
        "notes.apkg": (b"Hund\tdog\n", "it is text, not a zip: a text export imports as .txt"),
        # A repository's deck in Git LFS, cloned without it (a real German deck's was so).
        "lfs.apkg": (
            b"version https://git-lfs.github.com/spec/v1\noid sha256:d876\nsize 106573324\n",
            "a Git LFS pointer, not the package: get the file with git lfs pull)",
        ),
        "drive.apkg": (
            b"\n<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title>",
            "a web page, not the package: download the file itself from that page)",
        ),
        # collection.anki2 out of an unzipped package, renamed: "File is not a zip file".
        "collection.apkg": (
            b"SQLite format 3\x00" + bytes(100),
            "an Anki collection itself, not a package: export the deck from Anki as an .apkg)",
        ),
    }
    for name, (content, reason) in cases.items():
        with pytest.raises(AnkiParseError) as caught:
            anki_import_plan(deck=biology, data=content, source=name)

        assert caught.value.problems[0].reason.startswith(
            f"not an Anki package Anki can open ({reason}"
        )


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


def test_export_apkg_keeps_an_image_whose_name_holds_an_ampersand(biology, tmp_path):
    # Anki's editor writes a file named "tom & jerry.png" as src="tom &amp; jerry.png".
    notes = [("Basic", ['<img src="tom &amp; jerry.png">', "a cartoon"])]
    import_package(biology, anki_package(tmp_path, notes, {"tom & jerry.png": png_bytes()}))
    assert 'src="/media/images/' in biology.cards.get().question_rendered
    out = tmp_path / "out.apkg"

    call_command("export_apkg", "--deck", "biology", "-o", str(out))

    reader = Collection(str(tmp_path / "reader.anki2"))
    reader.import_anki_package(ImportAnkiPackageRequest(package_path=str(out)))
    (note,) = map(reader.get_note, reader.find_notes(""))
    media = sorted(path.name for path in Path(reader.media.dir()).iterdir())
    reader.close()
    assert note.fields == ['<img src="tom &amp; jerry.png">', "a cartoon"]
    assert media == ["tom & jerry.png"]


def _shape(deck):
    return sorted(
        (c.anki_guid, c.card_ord, c.question_html, c.answer_html, c.note_type)
        for c in deck.cards.all()
    )


def test_an_exported_package_imports_into_a_new_deck_as_the_same_cards(biology, package, tmp_path):
    import_package(biology, package)
    out = tmp_path / "out.apkg"
    call_command("export_apkg", "--deck", "biology", "-o", str(out))
    copy = Deck.objects.create(name="Copy", slug="copy")

    import_package(copy, out)

    assert _shape(copy) == _shape(biology)


def test_an_export_of_tags_differing_only_in_case_imports_back_unchanged(biology, tmp_path):
    text = "#separator:tab\n#tags column:3\nQ1\tA1\tTag tag\nQ2\tA2\tTAG Other\n"
    anki_import_apply(deck=biology, data=text, source="tags.txt")
    out = tmp_path / "out.apkg"
    call_command("export_apkg", "--deck", "biology", "-o", str(out))

    again = import_package(biology, out)

    assert again.summary == "0 new, 0 changed, 2 unchanged"


def own_note_types_package(folder: Path) -> Path:
    """Note types of the user's own: three cards of a word, and a country's capital and
    its flag (the second card no reverse of the first, and made only with a flag)."""
    collection = Collection(str(folder / "own.anki2"))
    models = collection.models

    def note_type(name, fields, templates):
        made = models.new(name)
        for field in fields:
            models.add_field(made, models.new_field(field))
        for number, (question, answer) in enumerate(templates, start=1):
            template = models.new_template(f"Card {number}")
            template["qfmt"], template["afmt"] = question, "{{FrontSide}}<hr id=answer>" + answer
            models.add_template(made, template)
        models.add(made)
        return models.by_name(name)

    word = note_type(
        "Vocabulary",
        ["Word", "Meaning", "Audio"],
        [("{{Word}}", "{{Meaning}}"), ("{{Meaning}}", "{{Word}}"), ("{{Audio}}", "{{Word}}")],
    )
    country = note_type(
        "Country",
        ["Country", "Capital", "Flag"],
        [("{{#Capital}}{{Country}}{{/Capital}}", "{{Capital}}"), ("{{Flag}}", "{{Country}}")],
    )
    for notetype, fields in [
        (word, ["laufen", "to run", "[sound:laufen.mp3]"]),
        (word, ["gehen", "to go", ""]),
        (country, ["France", "Paris", "blue, white, red"]),
        (country, ["Atlantis", "", "all blue"]),
    ]:
        note = collection.new_note(notetype)
        note.fields[:] = fields
        collection.add_note(note, collection.decks.id("Own"))
    collection.media.write_data("laufen.mp3", SOUND)
    path = folder / "own.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()
    return path


def test_an_export_keeps_the_cards_of_the_users_own_note_types(biology, tmp_path):
    # Written as the stock note types, the word's third card was lost, and the flag card
    # came back as the capital's reverse, overwriting the flag card in the same deck.
    import_package(biology, own_note_types_package(tmp_path))
    out = tmp_path / "out.apkg"
    call_command("export_apkg", "--deck", "biology", "-o", str(out))
    copy = Deck.objects.create(name="Copy", slug="copy")

    again = import_package(biology, out)
    import_package(copy, out)

    assert again.summary == "0 new, 0 changed, 8 unchanged"
    assert len(_shape(biology)) == 8
    assert _shape(copy) == _shape(biology)
    reader = Collection(str(tmp_path / "reader.anki2"))
    reader.import_anki_package(ImportAnkiPackageRequest(package_path=str(out)))
    assert reader.card_count() == 8
    assert [path.name for path in Path(reader.media.dir()).iterdir()] == ["laufen.mp3"]
    reader.close()


def test_a_text_export_of_the_users_own_note_types_overwrites_no_card(biology, tmp_path):
    # The flag card came back from a text export as the capital's reverse, replacing it.
    import_package(biology, own_note_types_package(tmp_path))
    before = {
        (c.anki_guid, c.card_ord): (c.question_html, c.answer_html) for c in biology.cards.all()
    }
    out = tmp_path / "out.txt"
    call_command("export_anki", "--deck", "biology", "-o", str(out))

    anki_import_apply(deck=biology, data=out.read_bytes(), source=out.name)

    after = {
        (c.anki_guid, c.card_ord): (c.question_html, c.answer_html) for c in biology.cards.all()
    }
    assert {key: after[key] for key in before} == before


def test_a_text_export_of_the_users_own_note_types_keeps_every_card(biology, tmp_path):
    # A line held the note's first card only: the word's second and third cards and
    # Atlantis's flag card were lost on the way to another deck, unsaid.
    import_package(biology, own_note_types_package(tmp_path))
    out = tmp_path / "out.txt"
    summary = call_command("export_anki", "--deck", "biology", "-o", str(out))
    copy = Deck.objects.create(name="Copy", slug="copy")

    again = import_package(biology, out)
    import_package(copy, out)

    assert again.summary == "0 new, 0 changed, 8 unchanged"
    assert _shape(copy) == _shape(biology)
    said = (
        "4 notes of a note type of the user's own written as 'Cards of their own (n)' notes, "
        "a question and an answer per card: Anki imports them only into a collection that "
        "has that note type (import the deck's .apkg export first), and skips them elsewhere; "
        "1 of them has no first card, and Anki skips a note whose first field is empty (the "
        ".apkg export carries it)"
    )
    assert summary == f"8 cards written to {out}; {said}"
    assert out.read_text().splitlines()[2] == f"# {said}"


def test_anki_reads_a_text_export_of_own_note_types_beside_the_apkg_export(biology, tmp_path):
    import_package(biology, own_note_types_package(tmp_path))
    call_command("export_apkg", "--deck", "biology", "-o", str(tmp_path / "out.apkg"))
    call_command("export_anki", "--deck", "biology", "-o", str(tmp_path / "out.txt"))
    reader = Collection(str(tmp_path / "reader.anki2"))
    reader.import_anki_package(ImportAnkiPackageRequest(package_path=str(tmp_path / "out.apkg")))
    reader.remove_notes(reader.find_notes(""))
    path = str(tmp_path / "out.txt")

    log = reader.import_csv(
        ImportCsvRequest(path=path, metadata=reader.get_csv_metadata(path, None))
    ).log

    # Atlantis has no capital: its first field, Front 1, is empty, as the export says.
    assert (len(log.new), len(log.empty_first_field)) == (3, 1)
    assert reader.card_count() == 7
    reader.close()


def test_export_apkg_refuses_an_unknown_deck(db, tmp_path):
    with pytest.raises(CommandError, match="no deck with the slug 'nope'"):
        call_command("export_apkg", "--deck", "nope", "-o", str(tmp_path / "x.apkg"))
