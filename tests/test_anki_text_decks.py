"""A text file of several Anki decks (an "All Decks" export with its deck column, a `#deck`
line): each Anki deck becomes a deck here, as a package's do (tests/test_anki_package_decks.py)."""

import unicodedata
from pathlib import Path

import pytest
from anki.collection import Collection, ImportCsvRequest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.models import Card, Deck
from quizzes.services.anki_io import anki_import_apply, anki_import_plan, cards_export_anki

pytestmark = pytest.mark.django_db

MEDICINE = {
    "Medicine": ["What is a vital sign?"],
    "Medicine::Cardiology": ["Normal heart rate?", "What does an ECG record?"],
    "Medicine::Neurology": ["What does the cerebellum coordinate?"],
}


def anki_text_export(
    folder: Path,
    decks: dict[str, list[str]],
    *,
    with_guid=True,
    with_deck=True,
    back="the answer to",
) -> Path:
    """The notes of `decks` (deck name -> fronts) as Anki's "Notes in Plain Text" export of
    All Decks writes them, with its deck column and guid column unless told otherwise."""
    collection = Collection(str(folder / f"collection-{len(list(folder.iterdir()))}.anki2"))
    for deck, fronts in decks.items():
        for front in fronts:
            note = collection.new_note(collection.models.by_name("Basic"))
            note["Front"], note["Back"] = front, f"{back} {front}"
            collection.add_note(note, collection.decks.id(deck))
    path = folder / f"All Decks {len(list(folder.iterdir()))}.txt"
    collection.export_note_csv(
        out_path=str(path),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=with_deck,
        with_notetype=True,
        with_guid=with_guid,
    )
    collection.close()
    return path


def fronts_by_deck() -> dict[str, list[str]]:
    return {
        deck.slug: [card.question_text for card in deck.cards.order_by("number")]
        for deck in Deck.objects.order_by("slug")
    }


def test_each_anki_deck_of_the_deck_column_becomes_a_deck(tmp_path):
    path = anki_text_export(tmp_path, MEDICINE)

    output = call_command("import_anki", str(path), "--deck", "medicine", "--name", "Medicine")

    assert output == "medicine: 4 new, 0 changed, 0 unchanged, in 3 decks (2 made)"
    assert fronts_by_deck() == {
        "medicine": ["What is a vital sign?"],
        "medicine-cardiology": ["Normal heart rate?", "What does an ECG record?"],
        "medicine-neurology": ["What does the cerebellum coordinate?"],
    }
    assert dict(Deck.objects.values_list("slug", "name"))["medicine-cardiology"] == (
        "Medicine::Cardiology"
    )


@pytest.mark.parametrize("with_guid", [True, False], ids=["guids", "no-guids"])
def test_importing_the_file_again_updates_each_deck_in_place(tmp_path, with_guid):
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    path = anki_text_export(tmp_path, MEDICINE, with_guid=with_guid)
    anki_import_apply(deck=medicine, data=path.read_bytes(), source=path.name)
    ids = sorted(Card.objects.values_list("pk", flat=True))

    plan = anki_import_apply(deck=medicine, data=path.read_bytes(), source=path.name)

    assert plan.summary == "0 new, 0 changed, 4 unchanged, in 3 decks (0 made)"
    assert sorted(Card.objects.values_list("pk", flat=True)) == ids


def test_cards_imported_into_one_deck_before_stay_there_even_changed(tmp_path):
    # A file imported when a text file's decks all became one deck, its answers fixed in
    # Anki since, and exported without guids: found by their first field, not made twice.
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    first = anki_text_export(tmp_path, MEDICINE, with_guid=False, with_deck=False)
    anki_import_apply(deck=medicine, data=first.read_bytes(), source=first.name)
    fixed = anki_text_export(tmp_path, MEDICINE, with_guid=False, back="fixed:")

    plan = anki_import_apply(deck=medicine, data=fixed.read_bytes(), source=fixed.name)

    # The decks its Anki decks would have gone to are not made, nor listed.
    assert plan.summary == "0 new, 4 changed, 0 unchanged"
    assert list(Deck.objects.values_list("slug", flat=True)) == ["medicine"]
    assert medicine.cards.filter(answer_text__startswith="fixed:").count() == 4


def test_a_deck_line_names_the_deck_of_the_notes_without_one(tmp_path):
    # A note whose deck cell is empty goes to the `#deck` line's deck (Anki would make a
    # deck "blank" of it); the spaces around a name's parts are dropped, as Anki drops them.
    text = (
        "#separator:tab\n#deck:Spanish\n#deck column:3\n"
        "ser\tto be\tSpanish :: Verbs\n"
        "casa\thouse\t\n"
        "rojo\tred\tSpanish::Adjectives\n"
    )

    call_command_text(tmp_path, text, "--deck", "es", "--name", "Español")

    assert fronts_by_deck() == {"es": ["casa"], "es-adjectives": ["rojo"], "es-verbs": ["ser"]}
    assert Deck.objects.get(slug="es-verbs").name == "Español::Verbs"


def test_notes_in_no_deck_go_to_the_deck_imported_into(tmp_path):
    text = (
        "#separator:tab\n#deck column:3\nser\tto be\tVerbs\ncasa\thouse\t\nrojo\tred\tAdjectives\n"
    )

    call_command_text(tmp_path, text, "--deck", "es", "--name", "Español")

    assert fronts_by_deck() == {"es": ["casa"], "es-adjectives": ["rojo"], "es-verbs": ["ser"]}


def test_a_deck_line_alone_imports_into_the_deck_chosen(tmp_path):
    text = "#separator:tab\n#deck:Spanish::Verbs\nser\tto be\nestar\tto be (for now)\n"

    call_command_text(tmp_path, text, "--deck", "es", "--name", "Español")

    assert fronts_by_deck() == {"es": ["ser", "estar"]}


def call_command_text(folder: Path, text: str, *args: str) -> str:
    path = folder / "deck.txt"
    path.write_text(text)
    return call_command("import_anki", str(path), *args)


def test_the_preview_writes_nothing_and_names_the_decks_to_make(tmp_path):
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    path = anki_text_export(tmp_path, MEDICINE)

    plan = anki_import_plan(deck=medicine, data=path.read_bytes(), source=path.name)

    assert [(target.deck.slug, target.made, target.new) for target in plan.decks] == [
        ("medicine", False, 1),
        ("medicine-cardiology", True, 2),
        ("medicine-neurology", True, 1),
    ]
    assert Deck.objects.count() == 1
    assert not Card.objects.exists()


def test_a_failed_import_of_several_decks_makes_no_deck(tmp_path, monkeypatch):
    path = anki_text_export(tmp_path, MEDICINE)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("quizzes.services.anki_io._links_write", fail)
    with pytest.raises(RuntimeError):
        call_command("import_anki", str(path), "--deck", "medicine")

    assert not Deck.objects.exists()
    assert not Card.objects.exists()


def queries_to_import(slug: str, decks: int, cards: int) -> int:
    lines = ["#separator:tab", "#deck column:3"]
    lines += [
        f"{slug} {deck} {n}?\tyes\t{slug}::d{deck}" for deck in range(decks) for n in range(cards)
    ]
    target = Deck.objects.create(name=slug, slug=slug)
    with CaptureQueriesContext(connection) as captured:
        anki_import_apply(deck=target, data="\n".join(lines), source="decks.txt")
    assert Card.objects.filter(deck__slug__startswith=f"{slug}-").count() == decks * cards
    return len(captured)


def test_the_import_of_several_decks_runs_no_query_per_card_and_a_few_per_deck():
    few_cards = queries_to_import("a", decks=3, cards=2)
    many_cards = queries_to_import("b", decks=3, cards=40)
    more_decks = queries_to_import("c", decks=6, cards=2)

    # SQLite caps the parameters of one statement: 114 cards more cost a few statements
    # more, never one per card.
    assert many_cards - few_cards <= 114 // 25
    assert more_decks - few_cards <= 3 * 2


def test_the_text_export_of_several_decks_names_each_notes_deck(tmp_path):
    # Exported from one site and imported into another (or into Anki), the decks stay apart.
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    anki_import_apply(
        deck=medicine, data=anki_text_export(tmp_path, MEDICINE).read_bytes(), source="a.txt"
    )
    text = cards_export_anki(cards=Card.objects.all()).text
    Card.objects.all().delete()
    Deck.objects.all().delete()
    copy = Deck.objects.create(name="Medicine", slug="medicine")

    plan = anki_import_apply(deck=copy, data=text, source="export.txt")

    assert plan.summary == "4 new, 0 changed, 0 unchanged, in 3 decks (2 made)"
    assert fronts_by_deck() == {
        "medicine": ["What is a vital sign?"],
        "medicine-cardiology": ["Normal heart rate?", "What does an ECG record?"],
        "medicine-neurology": ["What does the cerebellum coordinate?"],
    }
    # Anki puts each note in its deck too.
    path = tmp_path / "export.txt"
    path.write_text(text)
    collection = Collection(str(tmp_path / "reader.anki2"))
    metadata = collection.get_csv_metadata(path=str(path), delimiter=None)
    collection.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
    decks = {
        collection.decks.name(card.did)
        for note_id in collection.find_notes("")
        for card in collection.get_note(note_id).cards()
    }
    collection.close()
    assert decks == set(MEDICINE)


def test_the_text_export_of_one_deck_has_no_deck_column(tmp_path):
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    text = "#separator:tab\nQ1\tA1\nQ2\tA2\n"
    anki_import_apply(deck=medicine, data=text, source="a.txt")

    exported = cards_export_anki(cards=medicine.cards.all(), deck_name="Medicine").text

    assert "#deck:Medicine\n" in exported
    assert "#deck column" not in exported


def test_a_question_in_two_decks_changed_in_one_is_updated_in_its_own(tmp_path):
    """Without guids a note is found by its first field; the same question in two Anki
    decks, its answer changed in one, went to whichever deck's card came first: a new card
    there, and the right one left as it was."""
    top = Deck.objects.create(name="Top", slug="top")
    lines = ["#separator:tab", "#html:true", "#deck column:3"]
    first = [*lines, "Same question\tanswer in A\tTop::A", "Same question\tanswer in B\tTop::B"]
    first.append("Other\tx\tTop::A")
    path = tmp_path / "decks.txt"
    path.write_text("\n".join(first) + "\n")
    anki_import_apply(deck=top, data=path.read_bytes(), source=path.name)
    path.write_text("\n".join(first).replace("answer in B", "answer in B, fixed") + "\n")

    plan = anki_import_apply(deck=top, data=path.read_bytes(), source=path.name)

    assert (len(plan.new), len(plan.changed)) == (0, 1)
    answers = {
        deck.slug: sorted(card.answer_text for card in deck.cards.all())
        for deck in Deck.objects.exclude(slug="top")
    }
    assert answers == {"top-a": ["answer in A", "x"], "top-b": ["answer in B, fixed"]}


def test_notes_in_no_deck_beside_one_named_deck_make_and_name_one_deck(tmp_path):
    """Both go into the deck imported into: the summary said "in 2 decks", and the notice
    named an empty deck."""
    spanish = Deck.objects.create(name="Spanish", slug="spanish")
    lines = [
        "#separator:tab",
        "#html:true",
        "#deck column:3",
        "uno\tone\t",
        "dos\ttwo\tSpanish::Verbs",
    ]
    path = tmp_path / "decks.txt"
    path.write_text("\n".join(lines) + "\n")

    plan = anki_import_apply(deck=spanish, data=path.read_bytes(), source=path.name)

    assert fronts_by_deck() == {"spanish": ["uno", "dos"]}
    assert "decks" not in plan.summary
    assert not any("Anki decks (" in problem.reason for problem in plan.notices)


def test_a_deck_name_spelled_decomposed_finds_the_deck_of_that_name():
    """A Mac's file may spell "Café" as "e" and a combining accent: the same name."""
    inbox = Deck.objects.create(name="Inbox", slug="inbox")
    Deck.objects.create(name=unicodedata.normalize("NFC", "Café"), slug="cafe")
    decomposed = unicodedata.normalize("NFD", "CAFÉ")
    lines = ["#separator:tab", "#html:true", "#deck column:3"]
    lines += [f"Espresso?\tcoffee\t{decomposed}", "pH?\tacidity\tChemistry", "Hi?\thello\tInbox"]

    plan = anki_import_apply(
        deck=inbox, data="\n".join(lines) + "\n", source="decks.txt", decks_by_name=True
    )

    assert [(target.deck.slug, target.made) for target in plan.decks] == [
        ("inbox", False),
        ("cafe", False),
        ("chemistry", True),
    ]
    assert fronts_by_deck() == {"cafe": ["Espresso?"], "chemistry": ["pH?"], "inbox": ["Hi?"]}
    assert Deck.objects.get(slug="chemistry").name == "Chemistry"


def test_notes_anki_exported_from_a_filtered_deck_are_told_they_lost_their_deck(tmp_path):
    # A pilot's "All Decks" export put 100 notes in a deck "Custom Study Session": Anki's
    # text export names the filtered deck a card is in, not its own deck.
    collection = Collection(str(tmp_path / "collection.anki2"))
    for front in ("What are cones?", "What are rods?"):
        note = collection.new_note(collection.models.by_name("Basic"))
        note["Front"], note["Back"] = front, "cells of the retina"
        collection.add_note(note, collection.decks.id("Private Pilot"))
    filtered = collection.decks.new_filtered("Custom Study Session")
    search = collection.decks.get(filtered)
    search["terms"] = [['"deck:Private Pilot"', 100, 0]]
    collection.decks.save(search)
    collection.sched.rebuild_filtered_deck(filtered)
    path = tmp_path / "All Decks.txt"
    collection.export_note_csv(
        out_path=str(path),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=True,
    )
    collection.close()
    deck = Deck.objects.create(name="Pilot", slug="pilot")

    plan = anki_import_plan(deck=deck, data=path.read_bytes(), source="All Decks.txt")

    assert [str(notice) for notice in plan.notices if "filtered" in notice.reason] == [
        "All Decks.txt:7: 2 notes (lines 7, 8) in 'Custom Study Session', as Anki names a "
        "filtered deck: its text export names the filtered deck a card is in, not the card's "
        "own deck, so they go to a deck of that name. To keep their decks, empty the filtered "
        "deck in Anki (its cards go back to their decks) and export again, or export a "
        "package (.apkg)"
    ]
