"""A package of several Anki decks (a .colpkg backup, an "All Decks" .apkg): each Anki deck
becomes a deck here, named by its place in Anki's tree below the deck imported into."""

from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.models import Card, Deck, FormerDeckSlug
from quizzes.services.anki_io import anki_import_apply, anki_import_plan

pytestmark = pytest.mark.django_db

MEDICINE = {
    "Medicine": ["What is a vital sign?"],
    "Medicine::Cardiology": ["Normal heart rate?", "What does an ECG record?"],
    "Medicine::Cardiology::Drugs": ["What does a beta blocker slow?"],
    "Medicine::Neurology": ["What does the cerebellum coordinate?"],
}


def collection_package(folder: Path, decks: dict[str, list[str]], *, colpkg=True) -> Path:
    """A collection as an Anki user has it, written by Anki: Basic notes of `decks`
    (deck name -> fronts), each note's guid its front, as a .colpkg backup or an .apkg of
    all its decks."""
    collection = Collection(str(folder / f"collection-{len(list(folder.iterdir()))}.anki2"))
    for deck, fronts in decks.items():
        for front in fronts:
            note = collection.new_note(collection.models.by_name("Basic"))
            note["Front"], note["Back"] = front, f"the answer to {front}"
            note.guid = front
            collection.add_note(note, collection.decks.id(deck))
    path = folder / ("backup.colpkg" if colpkg else "all.apkg")
    if colpkg:
        collection.export_collection_package(str(path), include_media=True, legacy=False)
    else:
        collection.export_anki_package(
            out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
        )
    collection.close()
    return path


def fronts_by_deck() -> dict[str, list[str]]:
    return {
        deck.slug: [card.question_text for card in deck.cards.order_by("number")]
        for deck in Deck.objects.order_by("slug")
    }


@pytest.mark.parametrize("colpkg", [True, False], ids=["colpkg", "apkg"])
def test_each_anki_deck_becomes_a_deck_named_by_its_place_in_the_tree(tmp_path, colpkg):
    path = collection_package(tmp_path, MEDICINE, colpkg=colpkg)

    call_command("import_anki", str(path), "--deck", "medicine", "--name", "Medicine")

    assert fronts_by_deck() == {
        "medicine": ["What is a vital sign?"],
        "medicine-cardiology": ["Normal heart rate?", "What does an ECG record?"],
        "medicine-cardiology-drugs": ["What does a beta blocker slow?"],
        "medicine-neurology": ["What does the cerebellum coordinate?"],
    }
    # The deck list reads as Anki's tree: each subdeck right after its parent.
    assert list(Deck.objects.values_list("name", flat=True)) == [
        "Medicine",
        "Medicine::Cardiology",
        "Medicine::Cardiology::Drugs",
        "Medicine::Neurology",
    ]
    assert set(Card.objects.values_list("number", flat=True)) == {1, 2}


def test_decks_without_a_shared_parent_go_below_the_deck_imported_into(tmp_path):
    decks = {"Default": ["Hello?"], "Spanish::Verbs": ["ser?"], "Medicine": ["Pulse?"]}
    path = collection_package(tmp_path, decks)

    output = call_command("import_anki", str(path), "--deck", "anki", "--name", "My Anki")

    assert output == "anki: 3 new, 0 changed, 0 unchanged, in 3 decks (3 made)"
    assert dict(Deck.objects.values_list("slug", "name")) == {
        "anki": "My Anki",
        "anki-default": "My Anki::Default",
        "anki-medicine": "My Anki::Medicine",
        "anki-spanish-verbs": "My Anki::Spanish::Verbs",
    }


def test_decks_without_a_shared_parent_go_by_their_names_when_asked(tmp_path):
    Deck.objects.create(name="medicine", slug="med")
    decks = {"Default": ["Hello?"], "Spanish::Verbs": ["ser?"], "Medicine": ["Pulse?"]}
    path = collection_package(tmp_path, decks)

    output = call_command("import_anki", str(path), "--deck", "med", "--decks-by-name")

    assert output == "med: 3 new, 0 changed, 0 unchanged, in 3 decks (2 made)"
    assert dict(Deck.objects.values_list("slug", "name")) == {
        "med": "medicine",
        "default": "Default",
        "spanish-verbs": "Spanish::Verbs",
    }
    assert fronts_by_deck()["med"] == ["Pulse?"]


def test_a_collection_imported_into_the_deck_of_its_top_decks_name_names_it_once(tmp_path):
    # Most collections have cards in Default beside the deck that matters.
    path = collection_package(tmp_path, {**MEDICINE, "Default": ["Hello?"]})

    call_command("import_anki", str(path), "--deck", "medicine", "--name", "Medicine")

    assert dict(Deck.objects.values_list("slug", "name")) == {
        "medicine": "Medicine",
        "medicine-cardiology": "Medicine::Cardiology",
        "medicine-cardiology-drugs": "Medicine::Cardiology::Drugs",
        "medicine-default": "Medicine::Default",
        "medicine-neurology": "Medicine::Neurology",
    }
    assert fronts_by_deck()["medicine"] == ["What is a vital sign?"]


def test_the_command_names_each_decks_share(tmp_path, capsys):
    Deck.objects.create(name="Medicine", slug="medicine")
    path = collection_package(tmp_path, MEDICINE)

    call_command("import_anki", str(path), "--deck", "medicine")

    out, err = capsys.readouterr()
    assert out.splitlines()[:2] == [
        "Anki deck 'Medicine' into 'Medicine' (/decks/medicine/, already here): "
        "1 new, 0 changed, 0 unchanged",
        "Anki deck 'Medicine::Cardiology' into 'Medicine::Cardiology' "
        "(/decks/medicine-cardiology/, made by this import): 2 new, 0 changed, 0 unchanged",
    ]
    assert (
        "backup.colpkg: the notes come from 4 Anki decks (Medicine, Medicine::Cardiology, "
        "Medicine::Cardiology::Drugs, Medicine::Neurology): each becomes a deck of its own "
        "here, named by its place in Anki's tree below 'Medicine'"
    ) in err


def test_importing_the_collection_again_updates_each_deck_in_place(tmp_path):
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    import_path = collection_package(tmp_path, MEDICINE)
    anki_import_apply(deck=medicine, data=import_path.read_bytes(), source="backup.colpkg")
    ids = dict(Card.objects.values_list("question_text", "pk"))
    cardiology = Deck.objects.get(slug="medicine-cardiology")
    # Staff gave the subdeck another address: the import still finds it there.
    cardiology.slug = "heart"
    cardiology.save()
    FormerDeckSlug.objects.create(deck=cardiology, slug="medicine-cardiology")
    changed = {**MEDICINE, "Medicine::Cardiology": ["Normal heart rate?", "What is a murmur?"]}
    path = collection_package(tmp_path, changed)

    plan = anki_import_apply(deck=medicine, data=path.read_bytes(), source="backup.colpkg")

    assert plan.summary == "1 new, 0 changed, 4 unchanged, in 4 decks (0 made)"
    assert Deck.objects.count() == 4
    assert cardiology.cards.filter(question_text="What is a murmur?").exists()
    assert {front: ids[front] for front in ids} == {
        front: pk for front, pk in Card.objects.values_list("question_text", "pk") if front in ids
    }


def test_cards_already_here_stay_in_their_deck_when_their_anki_deck_changed(tmp_path):
    # A package imported before its decks were told apart, or notes moved between decks in
    # Anki since: the cards are updated where they are, never made twice.
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    everything = {"Medicine": [front for fronts in MEDICINE.values() for front in fronts]}
    first = collection_package(tmp_path, everything)
    anki_import_apply(deck=medicine, data=first.read_bytes(), source="one.colpkg")
    path = collection_package(tmp_path, {**MEDICINE, "Medicine::Neurology": ["New?"]})

    plan = anki_import_apply(deck=medicine, data=path.read_bytes(), source="backup.colpkg")

    assert plan.summary == "1 new, 0 changed, 4 unchanged, in 2 decks (1 made)"
    assert medicine.cards.count() == 5
    assert fronts_by_deck()["medicine-neurology"] == ["New?"]
    assert not Deck.objects.filter(slug__in=["medicine-cardiology", "medicine-cardiology-drugs"])


def test_deck_names_that_make_the_same_slug_each_get_a_deck(tmp_path):
    decks = {"Code::C": ["malloc?"], "Code::C++": ["new?"], "Code::医学": ["心?"]}
    path = collection_package(tmp_path, decks)

    call_command("import_anki", str(path), "--deck", "code", "--name", "Code")
    call_command("import_anki", str(path), "--deck", "code")

    assert fronts_by_deck() == {
        "code": [],
        "code-c": ["malloc?"],
        "code-c-2": ["new?"],
        "code-deck-ef710f": ["心?"],
    }


def test_a_failed_import_of_several_decks_makes_no_deck(tmp_path, monkeypatch):
    path = collection_package(tmp_path, MEDICINE)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("quizzes.services.anki_io._links_write", fail)
    with pytest.raises(RuntimeError):
        call_command("import_anki", str(path), "--deck", "medicine")

    assert not Deck.objects.exists()
    assert not Card.objects.exists()


def test_a_package_refused_makes_no_deck(tmp_path):
    path = tmp_path / "cut.colpkg"
    path.write_bytes(collection_package(tmp_path, MEDICINE).read_bytes()[:1000])

    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_anki", str(path), "--deck", "medicine")

    assert not Deck.objects.exists()


def test_the_preview_writes_nothing_and_names_the_decks_to_make(tmp_path):
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    path = collection_package(tmp_path, MEDICINE)

    plan = anki_import_plan(deck=medicine, data=path.read_bytes(), source="backup.colpkg")

    assert [(target.deck.slug, target.made, target.new) for target in plan.decks] == [
        ("medicine", False, 1),
        ("medicine-cardiology", True, 2),
        ("medicine-cardiology-drugs", True, 1),
        ("medicine-neurology", True, 1),
    ]
    assert Deck.objects.count() == 1


def queries_to_import(folder: Path, slug: str, decks: int, cards: int) -> int:
    layout = {
        f"{slug}::d{deck}": [f"{slug} {deck} {n}?" for n in range(cards)] for deck in range(decks)
    }
    path = collection_package(folder, layout)
    target = Deck.objects.create(name=slug, slug=slug)
    with CaptureQueriesContext(connection) as captured:
        anki_import_apply(deck=target, data=path.read_bytes(), source=path.name)
    assert Card.objects.filter(deck__slug__startswith=f"{slug}-").count() == decks * cards
    return len(captured)


def test_the_import_of_several_decks_runs_no_query_per_card_and_a_few_per_deck(tmp_path):
    folders = [tmp_path / str(n) for n in range(3)]
    for folder in folders:
        folder.mkdir()

    few_cards = queries_to_import(folders[0], "a", decks=3, cards=2)
    many_cards = queries_to_import(folders[1], "b", decks=3, cards=40)
    more_decks = queries_to_import(folders[2], "c", decks=6, cards=2)

    # SQLite caps the parameters of one statement: 114 cards more cost a few statements
    # more (as in test_import_anki's count), never one per card.
    assert many_cards - few_cards <= 114 // 25
    # Each deck more: its save (and, for a deck already here, its cards deleted here, read
    # before its first new card); the cards of every deck are written in the same batches.
    assert more_decks - few_cards <= 3 * 2


def test_a_failed_import_of_decks_by_their_names_makes_no_deck(tmp_path, monkeypatch):
    inbox = Deck.objects.create(name="Inbox", slug="inbox")
    path = collection_package(tmp_path, {"Biology": ["Cell?"], "Chemistry": ["pH?"]})

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("quizzes.services.anki_io._links_write", fail)
    with pytest.raises(RuntimeError):
        anki_import_apply(deck=inbox, data=path.read_bytes(), source=path.name, decks_by_name=True)

    assert list(Deck.objects.values_list("slug", flat=True)) == ["inbox"]
    assert not Card.objects.exists()


def test_decks_by_their_names_find_the_deck_of_each_name_whatever_its_case(tmp_path):
    inbox = Deck.objects.create(name="Inbox", slug="inbox")
    oldest = Deck.objects.create(name="BIOLOGY", slug="bio")
    Deck.objects.create(name="Biology", slug="bio-2")
    path = collection_package(tmp_path, {"Biology": ["Cell?"], "Inbox": ["Hello?"]})

    plan = anki_import_apply(
        deck=inbox, data=path.read_bytes(), source=path.name, decks_by_name=True
    )

    assert [(target.anki_name, target.deck.slug) for target in plan.decks] == [
        ("Inbox", "inbox"),
        ("Biology", "bio"),
    ]
    assert list(oldest.cards.values_list("question_text", flat=True)) == ["Cell?"]


def test_a_deck_name_longer_than_the_column_finds_its_deck_again_by_name(tmp_path):
    inbox = Deck.objects.create(name="Inbox", slug="inbox")
    long_name = "Pharmacology of the " + "very " * 50 + "long deck"
    path = collection_package(tmp_path, {long_name: ["Dose?"], "Chemistry": ["pH?"]})
    anki_import_apply(deck=inbox, data=path.read_bytes(), source=path.name, decks_by_name=True)

    again = anki_import_apply(
        deck=inbox, data=path.read_bytes(), source=path.name, decks_by_name=True
    )

    assert Deck.objects.filter(name__startswith="Pharmacology").count() == 1
    assert Card.objects.count() == 2
    assert [target.made for target in again.decks] == [False, False]
    assert again.summary.startswith("0 new, 0 changed, 2 unchanged")


@pytest.mark.parametrize(
    "by_name_first", [False, True], ids=["below, then by name", "by name, then below"]
)
def test_a_package_imported_again_with_its_decks_placed_otherwise_adds_no_note_again(
    tmp_path, by_name_first
):
    # The decks other than the one chosen were made again, each with a copy of its notes.
    decks = {"Default": ["Hello?"], "Spanish::Verbs": ["ser?"], "Medicine": ["Pulse?"]}
    data = collection_package(tmp_path, decks).read_bytes()
    medicine = Deck.objects.create(name="Medicine", slug="med")
    anki_import_apply(deck=medicine, data=data, source="all.colpkg", decks_by_name=by_name_first)
    before = fronts_by_deck()

    again = anki_import_apply(
        deck=medicine, data=data, source="all.colpkg", decks_by_name=not by_name_first
    )

    assert (len(again.new), len(again.changed), len(again.unchanged)) == (0, 0, 3)
    assert not again.decks_made
    assert fronts_by_deck() == before
