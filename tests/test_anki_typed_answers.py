"""Cards that expect a typed answer: what `{{type:Back}}`, `{{type:nc:Back}}` and
`{{type:cloze:Text}}` ask is kept on the card from an .apkg (made by Anki itself) or a text
file naming the stock type, re-imports leave staff's edit of it, the admin keeps it plain
text, and the exports carry it where Anki's formats can."""

import pytest
from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportCsvRequest,
)
from django.urls import reverse

from quizzes.models import Card, Deck
from quizzes.services.anki_io import anki_import_apply, cards_export_anki, deck_export_apkg
from tests.editing_helpers import admin_form_data
from tests.factories import anki_note_type_package, anki_package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(media_root):
    return media_root


@pytest.fixture
def deck(db):
    return Deck.objects.create(name="Capitals", slug="capitals")


def import_file(deck, path):
    return anki_import_apply(deck=deck, data=path.read_bytes(), source=path.name)


def typed(deck):
    return {
        (card.card_ord, card.question_text): (card.typed_answer, card.typed_answer_ignores_accents)
        for card in deck.cards.all()
    }


def test_a_stock_type_in_card_remembers_its_back_as_plain_text(deck, tmp_path):
    notes = [
        ("Basic (type in the answer)", ["Capital of France?", "<b>Paris</b>&nbsp;(city)"]),
        ("Basic", ["Capital of Peru?", "Lima"]),
    ]
    import_file(deck, anki_package(tmp_path, notes))

    assert typed(deck) == {
        (0, "Capital of France?"): ("Paris (city)", False),
        (0, "Capital of Peru?"): ("", False),
    }
    # The question shows no box's markup, the answer the whole Back as before.
    card = deck.cards.get(typed_answer="Paris (city)")
    assert "type:" not in card.question_html and "<b>Paris</b>" in card.answer_html


def test_type_nc_remembers_that_accents_need_not_be_typed(deck, tmp_path):
    path = anki_note_type_package(
        tmp_path,
        fields=["Word", "Meaning"],
        templates=[("Card 1", "{{Meaning}}<br>{{type:nc:Word}}", "{{type:nc:Word}}")],
        notes=[{"fields": ["café", "coffee"]}],
    )
    import_file(deck, path)

    assert typed(deck) == {(0, "coffee"): ("café", True)}


def test_a_cloze_type_in_card_remembers_its_own_deletions(deck, tmp_path):
    path = anki_note_type_package(
        tmp_path,
        fields=["Text", "Back Extra"],
        templates=[("Cloze", "{{cloze:Text}}\n\n{{type:cloze:Text}}", "{{cloze:Text}}")],
        notes=[
            {
                "fields": [
                    "{{c1::Paris}} and {{c1::<i>Lyon</i>::a city}} are in {{c2::France}}",
                    "",
                ]
            }
        ],
        cloze=True,
    )
    import_file(deck, path)

    assert sorted(deck.cards.values_list("card_ord", "typed_answer")) == [
        (0, "Paris, Lyon"),
        (1, "France"),
    ]


def test_a_text_file_of_the_stock_type_in_note_type_remembers_its_back(deck):
    data = (
        "#separator:tab\n#html:true\n#notetype:Basic (type in the answer)\nFrance?\t<b>Paris</b>\n"
    )
    anki_import_apply(deck=deck, data=data, source="capitals.txt")

    assert typed(deck) == {(0, "France?"): ("Paris", False)}


# Anki 2.1.55 and later name a note type imported beside one of the same name "Basic+"
# (then "Basic++"), and its text export names the notes' type so.
@pytest.mark.parametrize("suffix", ["+", "++"])
def test_a_text_file_of_the_stock_type_in_note_type_renamed_by_anki_remembers_its_back(
    deck, suffix
):
    data = (
        "#separator:tab\n#html:true\n#notetype column:1\n"
        f"Basic (type in the answer){suffix}\tFrance?\tParis\n"
        f"Cloze (type in the answer){suffix}\t{{{{c1::Rome}}}} is in Italy\t\n"
    )
    anki_import_apply(deck=deck, data=data, source="capitals.txt")

    assert typed(deck) == {
        (0, "France?"): ("Paris", False),
        (0, "[…] is in Italy"): ("Rome", False),
    }


TYPE_IN = [("Basic (type in the answer)", ["Capital of France?", "Paris"])]


def test_a_card_imported_before_typed_answers_were_kept_gains_its_own_once(deck, tmp_path):
    path = anki_package(tmp_path, TYPE_IN)
    import_file(deck, path)
    Card.objects.update(typed_answer="")  # as an import before this one left it

    plan = import_file(deck, path)
    assert [planned.changes for planned in plan.changed] == [("typed_answer",)]
    assert Card.objects.get().typed_answer == "Paris"

    again = import_file(deck, path)
    assert (len(again.changed), len(again.unchanged)) == (0, 1)


def test_a_typed_answer_staff_edited_stays_while_the_file_says_what_it_said(deck, tmp_path):
    path = anki_package(tmp_path, TYPE_IN)
    import_file(deck, path)
    Card.objects.update(typed_answer="Paris, France", typed_answer_ignores_accents=True)

    plan = import_file(deck, path)

    assert (len(plan.changed), len(plan.unchanged)) == (0, 1)
    card = Card.objects.get()
    assert (card.typed_answer, card.typed_answer_ignores_accents) == ("Paris, France", True)


def test_a_file_that_changed_the_note_brings_its_new_typed_answer(deck, tmp_path):
    import_file(deck, anki_package(tmp_path, TYPE_IN))
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    guid = Card.objects.get().guid
    collection = Collection(str(fixed / "c.anki2"))
    note = collection.new_note(collection.models.by_name("Basic (type in the answer)"))
    note.fields[:] = ["Capital of France?", "Paris (Île-de-France)"]
    note.guid = guid
    collection.add_note(note, collection.decks.id("Default"))
    path = fixed / "fixed.apkg"
    collection.export_anki_package(out_path=str(path), options=_options(), limit=None)
    collection.close()

    import_file(deck, path)

    assert Card.objects.get().typed_answer == "Paris (Île-de-France)"


def _options():
    return ExportAnkiPackageOptions(with_scheduling=False, with_media=True)


def test_the_apkg_export_brings_a_type_in_card_back_with_its_typed_answer(deck, tmp_path):
    import_file(deck, anki_package(tmp_path, TYPE_IN))
    exported = tmp_path / "export.apkg"
    deck_export_apkg(deck=deck, path=exported)
    again = Deck.objects.create(name="Again", slug="again")

    import_file(again, exported)

    assert typed(again) == {(0, "Capital of France?"): ("Paris", False)}


def test_the_text_export_names_the_type_in_note_type_so_it_comes_back_typed(deck, tmp_path):
    import_file(deck, anki_package(tmp_path, TYPE_IN))
    text = cards_export_anki(cards=deck.cards.all()).text
    again = Deck.objects.create(name="Again", slug="again")

    anki_import_apply(deck=again, data=text, source="capitals.txt")

    assert typed(again) == {(0, "Capital of France?"): ("Paris", False)}


def test_the_apkg_export_gives_a_cloze_and_an_accents_optional_card_their_box(deck, tmp_path):
    cloze_and_accents_optional_cards(deck, tmp_path)
    exported = tmp_path / "export.apkg"
    deck_export_apkg(deck=deck, path=exported)

    collection = Collection(str(tmp_path / "reader.anki2"))
    collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(exported)))
    fronts = {
        collection.get_note(note_id).note_type()["name"]: collection.get_note(note_id).note_type()[
            "tmpls"
        ][0]["qfmt"]
        for note_id in collection.find_notes("")
    }
    collection.close()
    assert "{{type:cloze:Text}}" in fronts["Cloze (type in the answer)"]
    assert "{{type:nc:Back}}" in fronts["Basic (type in the answer, accents optional)"]
    again = Deck.objects.create(name="Again", slug="again")
    import_file(again, exported)
    assert typed_answers(again) == BOXES_BACK


def cloze_and_accents_optional_cards(deck, folder):
    """A type-in cloze note and a type-in note with accents optional, imported from
    packages Anki wrote; their stock note types lack those boxes."""
    cloze = folder / "cloze"
    cloze.mkdir()
    import_file(
        deck,
        anki_note_type_package(
            cloze,
            fields=["Text", "Back Extra"],
            templates=[("Cloze", "{{cloze:Text}}\n{{type:cloze:Text}}", "{{cloze:Text}}")],
            notes=[{"fields": ["{{c1::Paris}} is in {{c2::<b>France</b>}}", ""]}],
            cloze=True,
        ),
    )
    nc = folder / "nc"
    nc.mkdir()
    import_file(
        deck,
        anki_note_type_package(
            nc,
            fields=["Front", "Back"],
            templates=[("Card 1", "{{Front}}\n\n{{type:nc:Back}}", "{{type:nc:Back}}")],
            notes=[{"fields": ["Coffee?", "café"]}],
        ),
    )


BOXES_BACK = [("France", False), ("Paris", False), ("café", True)]


def typed_answers(deck):
    return sorted(deck.cards.values_list("typed_answer", "typed_answer_ignores_accents"))


def anki_reads(folder, path):
    """The notes Anki's text import makes of `path` in a new collection: (note type, first
    field) each."""
    collection = Collection(str(folder / "reader.anki2"))
    metadata = collection.get_csv_metadata(path=str(path), delimiter=None)
    collection.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
    notes = [collection.get_note(note_id) for note_id in collection.find_notes("")]
    read = sorted((note.note_type()["name"], note.fields[0]) for note in notes)
    collection.close()
    return read


def test_the_text_export_brings_a_cloze_and_an_accents_optional_card_back_with_their_box(
    deck, tmp_path
):
    cloze_and_accents_optional_cards(deck, tmp_path)
    text = cards_export_anki(cards=deck.cards.all()).text
    again = Deck.objects.create(name="Again", slug="again")

    anki_import_apply(deck=again, data=text, source="capitals.txt")

    assert typed_answers(again) == BOXES_BACK
    # Anki reads each note as its stock note type, which every collection has.
    path = tmp_path / "capitals.txt"
    path.write_text(text)
    assert anki_reads(tmp_path, path) == [
        ("Basic (type in the answer)", "Coffee?"),
        ("Cloze", "{{c1::Paris}} is in {{c2::<b>France</b>}}"),
    ]


def test_anki_s_text_export_of_the_apkg_export_s_type_in_note_types_asks_them_typed(deck, tmp_path):
    # The .apkg export, imported into Anki and exported from there as text, names its
    # type-in copies of the stock note types in the note type column.
    cloze_and_accents_optional_cards(deck, tmp_path)
    package = tmp_path / "export.apkg"
    deck_export_apkg(deck=deck, path=package)
    collection = Collection(str(tmp_path / "anki.anki2"))
    collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(package)))
    text = tmp_path / "notes.txt"
    collection.export_note_csv(
        out_path=str(text),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=False,
        with_notetype=True,
        with_guid=False,
    )
    collection.close()
    again = Deck.objects.create(name="Again", slug="again")

    import_file(again, text)

    assert typed_answers(again) == BOXES_BACK


# --- the admin ---


def change_url(card):
    return reverse("admin:quizzes_card_change", args=[card.pk])


def test_staff_give_a_card_a_typed_answer_stored_as_plain_text(client, staff, make_deck):
    card = make_deck(1).cards.get()
    client.force_login(staff)
    page = client.get(change_url(card))
    assert b"Typing the answer" in page.content

    data = admin_form_data(
        page,
        typed_answer="  <b>Adam</b>W&nbsp;optimizer<script>x</script> ",
        typed_answer_ignores_accents="on",
    )
    response = client.post(change_url(card), data)

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.typed_answer, card.typed_answer_ignores_accents) == ("AdamW optimizer", True)


def test_a_typed_answer_longer_than_anyone_types_is_refused_saying_why(client, staff, make_deck):
    card = make_deck(1).cards.get()
    client.force_login(staff)
    data = admin_form_data(client.get(change_url(card)), typed_answer="word " * 120)

    response = client.post(change_url(card), data)

    assert response.status_code == 200
    assert "A typed answer is at most 500 characters" in response.content.decode()
    card.refresh_from_db()
    assert card.typed_answer == ""


def type_in_cloze(deck, tmp_path, text):
    path = anki_note_type_package(
        tmp_path,
        fields=["Text", "Back Extra"],
        templates=[("Cloze", "{{cloze:Text}}\n\n{{type:cloze:Text}}", "{{cloze:Text}}")],
        notes=[{"fields": [text, ""]}],
        cloze=True,
    )
    import_file(deck, path)
    return deck.cards.get(card_ord=0)


def test_editing_a_type_in_cloze_notes_text_gives_its_cards_the_new_typed_answers(
    client, staff, deck, tmp_path
):
    card = type_in_cloze(deck, tmp_path, "{{c1::Paris}} is in {{c2::France}}")
    client.force_login(staff)

    data = admin_form_data(
        client.get(change_url(card)),
        question_html="{{c1::Lyon}} is in {{c2::France}}, {{c3::Europe}}",
    )
    response = client.post(change_url(card), data)

    assert response.status_code == 302
    assert sorted(deck.cards.values_list("card_ord", "typed_answer", "quiz_typed_answer")) == [
        (0, "Lyon", "Lyon"),
        (1, "France", "France"),
        (2, "Europe", "Europe"),
    ]
    # The sibling's text changed in the same edit: its box follows its own deletion.
    data = admin_form_data(
        client.get(change_url(card)),
        question_html="{{c1::Lyon}} is in {{c2::<b>la</b> France::country}}, {{c3::Europe}}",
    )
    client.post(change_url(card), data)
    assert deck.cards.get(card_ord=1).typed_answer == "la France"


def test_a_typed_answer_staff_wrote_stays_when_the_cloze_text_changes(
    client, staff, deck, tmp_path
):
    card = type_in_cloze(deck, tmp_path, "{{c1::Paris}} is in {{c2::France}}")
    Card.objects.filter(card_ord=1).update(typed_answer="la France")
    client.force_login(staff)

    data = admin_form_data(
        client.get(change_url(card)),
        question_html="{{c1::Lyon}} is in {{c2::France}}",
        typed_answer="Lyon (city)",
    )
    client.post(change_url(card), data)

    # Typed in the same save, and written before by staff: both are staff's choices.
    assert sorted(deck.cards.values_list("card_ord", "typed_answer")) == [
        (0, "Lyon (city)"),
        (1, "la France"),
    ]


def test_editing_a_type_in_cards_back_gives_it_the_new_typed_answer(client, staff, deck, tmp_path):
    import_file(
        deck, anki_package(tmp_path, [("Basic (type in the answer)", ["France?", "Pariss"])])
    )
    card = deck.cards.get()
    client.force_login(staff)

    data = admin_form_data(client.get(change_url(card)), answer_html="<b>Paris</b>")
    client.post(change_url(card), data)

    card.refresh_from_db()
    assert (card.typed_answer, card.quiz_typed_answer) == ("Paris", "Paris")
