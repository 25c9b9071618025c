"""Staff moving decks between the site and Anki desktop, round trip after round trip: each
export read by Anki's own library into one collection that lives on (as a course's Anki
does), studied and edited there, and read back here. Nothing doubles, nothing is lost,
Anki's scheduling stays."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from anki.collection import (
    Collection,
    DeckIdLimit,
    ExportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from django.utils import timezone

from quizzes.models import Card, Deck
from quizzes.services.anki_io import (
    anki_import_apply,
    cards_export_anki,
    cards_export_apkg,
    package_notice,
)
from quizzes.services.deck_exports import deck_branches
from tests.factories import image_bytes
from tests.studyhelpers import image_cached, question_image_missing

pytestmark = pytest.mark.django_db


class AnkiDesktop:
    """One Anki collection, in a folder of its own, that imports and exports packages as
    Anki desktop does."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.collection = Collection(str(folder / "collection.anki2"))
        self.imports = 0

    def import_package(self, package: Path):
        request = ImportAnkiPackageRequest(package_path=str(package))
        self.imports += 1
        return self.collection.import_anki_package(request).log

    def notes(self) -> list[tuple[str, str]]:
        """Each note's guid and fields, as Anki holds them."""
        return self.collection.db.all("select guid, flds from notes order by guid, flds")

    def cards(self) -> list[tuple[str, str, int]]:
        """Each card's note's first field, deck and template number."""
        rows = self.collection.db.all(
            "select n.sfld, d.name, c.ord from cards c join notes n on n.id = c.nid "
            "join decks d on d.id = c.did order by n.sfld, c.ord"
        )
        return [(front, deck.replace("\x1f", "::"), ord_) for front, deck, ord_ in rows]

    def note_type_names(self) -> list[str]:
        return sorted(self.collection.db.list("select name from notetypes"))

    def study(self, first_field: str, *, interval: int) -> None:
        """Make the cards of the note of `first_field` review cards due in `interval` days."""
        self.collection.db.execute(
            "update cards set type = 2, queue = 2, ivl = ?, due = ? "
            "where nid in (select id from notes where sfld = ?)",
            interval,
            interval,
            first_field,
        )

    def intervals(self) -> dict[str, int]:
        rows = self.collection.db.all(
            "select n.sfld, c.ivl from cards c join notes n on n.id = c.nid where c.ord = 0"
        )
        return dict(rows)

    def edit(self, guid: str, **fields: str) -> None:
        note = self.collection.get_note(
            self.collection.db.scalar("select id from notes where guid = ?", guid)
        )
        for name, value in fields.items():
            note[name] = value
        self.collection.update_note(note)

    def export_deck(self, name: str) -> Path:
        path = self.folder / f"from-anki-{self.imports}.apkg"
        self.collection.export_anki_package(
            out_path=str(path),
            options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True),
            limit=DeckIdLimit(self.collection.decks.id(name)),
        )
        return path


@pytest.fixture
def anki(tmp_path):
    folder = tmp_path / "anki-desktop"
    folder.mkdir()
    desktop = AnkiDesktop(folder)
    yield desktop
    desktop.collection.close()


def site_export(cards, folder: Path, name: str = "export", *, days_later: int = 0) -> Path:
    """The cards' package, written `days_later` (its notes dated by their last change here)."""
    path = folder / f"{name}.apkg"
    with time_machine.travel(timedelta(days=days_later)):
        cards_export_apkg(cards=cards, path=path)
    return path


@pytest.fixture
def biology(db):
    deck = Deck.objects.create(name="Biology", slug="biology")
    text = "#notetype:Basic (and reversed card)\nHund\tdog\nKatze\tcat\n"
    anki_import_apply(deck=deck, data=text.encode(), source="animals.txt")
    anki_import_apply(deck=deck, data=b"What is a cell?\tThe unit of life\n", source="cell.txt")
    return deck


def site_edit(card: Card, *, days_later: int, **sides: str) -> None:
    """Staff's edit of `card` in the admin, `days_later`."""
    for name, value in sides.items():
        setattr(card, name, value)
    with time_machine.travel(timedelta(days=days_later)):
        card.save()


def test_an_image_cached_after_an_export_reaches_anki_with_the_next(biology, anki, tmp_path):
    # The note went out dated as before: Anki, which had it, kept the image's URL and left
    # the file out.
    biology.cards.update(updated_at=timezone.now() - timedelta(days=2))
    image = question_image_missing(biology.cards.get(question_html="What is a cell?"))
    anki.import_package(site_export(biology.cards.all(), tmp_path, "first"))

    with time_machine.travel(timedelta(days=1)):
        image_cached(image)
    anki.import_package(site_export(biology.cards.all(), tmp_path, "second", days_later=2))

    cell = next(fields for _, fields in anki.notes() if "What is this?" in fields)
    assert cell.startswith('<img src="card')
    assert [path.name for path in (anki.folder / "collection.media").iterdir()] == [
        image.url.rsplit("/", 1)[1]
    ]


def test_a_second_export_updates_the_notes_changed_here_and_keeps_anki_edits_of_the_others(
    biology, anki, tmp_path
):
    # Notes went out dated by the export: each note a user had edited in Anki since was
    # overwritten by the site's older version of it.
    biology.cards.update(updated_at=timezone.now() - timedelta(days=2))
    anki.import_package(site_export(biology.cards.all(), tmp_path, "first"))
    anki.study("What is a cell?", interval=30)
    anki.edit(biology.cards.get(question_html="Katze").anki_guid, Back="cat (die Katze)")
    note_types = anki.note_type_names()
    cell = biology.cards.get(question_html="What is a cell?")
    site_edit(cell, days_later=1, answer_html="The smallest unit of life")

    log = anki.import_package(site_export(biology.cards.all(), tmp_path, "second", days_later=1))

    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 1, 0)
    fields = [flds.split("\x1f") for _, flds in anki.notes()]
    assert ["What is a cell?", "The smallest unit of life"] in fields
    assert ["Katze", "cat (die Katze)"] in fields
    assert anki.intervals()["What is a cell?"] == 30
    assert anki.note_type_names() == note_types  # no "Basic+" at each import


@pytest.fixture
def zoology(db):
    return Deck.objects.create(name="Zoology", slug="zoology")


def test_a_note_whose_cards_were_moved_apart_is_written_once_each_card_in_its_deck(
    biology, zoology, anki, tmp_path
):
    Card.objects.filter(deck=biology, question_html="dog").update(deck=zoology)
    both = Card.objects.filter(deck__in=[biology, zoology])

    log = anki.import_package(site_export(both, tmp_path))

    assert (len(log.new), len(log.duplicate)) == (3, 0)
    assert ("Hund", "Biology", 0) in anki.cards()
    assert ("Hund", "Zoology", 1) in anki.cards()
    assert len(anki.cards()) == 5
    exported = cards_export_anki(cards=both).text
    assert len([line for line in exported.splitlines() if line.startswith("Hund")]) == 1


def test_a_note_anki_had_in_two_decks_goes_back_and_forth_as_one_note(anki, tmp_path):
    note = anki.collection.new_note(anki.collection.models.by_name("Basic (and reversed card)"))
    note["Front"], note["Back"], note.guid = "Hund", "dog", "hund-1"
    anki.collection.add_note(note, anki.collection.decks.id("German"))
    reverse = note.cards()[1]
    reverse.did = anki.collection.decks.id("German::Reverse")
    anki.collection.update_card(reverse)
    german = Deck.objects.create(name="German", slug="german")
    package = anki.export_deck("German")
    anki_import_apply(
        deck=german, data=package.read_bytes(), source="german.apkg", decks_by_name=True
    )
    assert sorted(Card.objects.values_list("deck__name", "guid", "card_ord")) == [
        ("German", "hund-1", 0),
        ("German::Reverse", "hund-1", 1),
    ]

    fresh = AnkiDesktop(tmp_path)
    try:
        log = fresh.import_package(site_export(Card.objects.all(), tmp_path))
        assert fresh.cards() == [("Hund", "German", 0), ("Hund", "German::Reverse", 1)]
    finally:
        fresh.collection.close()
    assert (len(log.new), len(log.duplicate)) == (1, 0)

    again = anki_import_apply(
        deck=german,
        data=site_export(Card.objects.all(), tmp_path, "again").read_bytes(),
        source="again.apkg",
        decks_by_name=True,
    )
    assert (len(again.new), len(again.changed), Card.objects.count()) == (0, 0, 2)


SOURCED = (
    "What is a tensor?\tAn array of numbers<br><br>"
    "<a href='https://aiquizzes.com/questions/7'>view answer on aiquizzes</a>\n"
)


def test_the_same_text_imported_into_two_decks_is_two_notes_in_anki(
    biology, zoology, anki, tmp_path
):
    text = b"What is a cell?\tThe unit of life\n" + SOURCED.encode()
    anki_import_apply(deck=biology, data=SOURCED.encode(), source="tensor.txt")
    anki_import_apply(deck=zoology, data=text, source="cell.txt")

    anki.import_package(site_export(biology.cards.all(), tmp_path, "biology"))
    log = anki.import_package(site_export(zoology.cards.all(), tmp_path, "zoology"))

    assert (len(log.new), len(log.updated)) == (2, 0)
    assert ("What is a cell?", "Biology", 0) in anki.cards()
    assert ("What is a cell?", "Zoology", 0) in anki.cards()
    assert ("What is a tensor?", "Biology", 0) in anki.cards()
    assert ("What is a tensor?", "Zoology", 0) in anki.cards()
    guids = {card.anki_guid for card in Card.objects.filter(card_ord=0)}
    assert len(guids) == 6
    again = anki_import_apply(deck=zoology, data=text, source="cell.txt")
    assert (len(again.new), len(again.changed), len(again.unchanged)) == (0, 0, 2)
    assert {card.anki_guid for card in Card.objects.filter(card_ord=0)} == guids


def test_the_fastai_deck_goes_to_anki_is_edited_there_and_comes_back_changed_alone(
    fastai_deck, anki, tmp_path
):
    cards = fastai_deck.cards.count()
    log = anki.import_package(site_export(fastai_deck.cards.all(), tmp_path))
    assert (len(log.new), len(anki.cards())) == (cards, cards)
    first = fastai_deck.cards.get(number=1)
    anki.edit(first.anki_guid, Back="Edited in Anki")
    anki.study(
        anki.collection.get_note(
            anki.collection.db.scalar("select id from notes where guid = ?", first.anki_guid)
        ).fields[0],
        interval=9,
    )

    back = anki_import_apply(
        deck=fastai_deck, data=anki.export_deck(fastai_deck.name).read_bytes(), source="fastai.apkg"
    )

    assert (len(back.new), len(back.changed), len(back.unchanged)) == (0, 1, cards - 1)
    assert fastai_deck.cards.count() == cards
    assert fastai_deck.cards.get(number=1).answer_html.startswith("Edited in Anki")
    again = anki.import_package(site_export(fastai_deck.cards.all(), tmp_path, days_later=1))
    assert (len(again.new), len(again.conflicting)) == (0, 0)
    assert len(anki.cards()) == cards
    assert sorted(anki.intervals().values())[-1] == 9


PNG = image_bytes("PNG", (4, 3))


def test_a_deck_tree_with_its_image_goes_round_and_round_and_nothing_doubles(anki, tmp_path):
    teacher = AnkiDesktop(tmp_path)
    for deck, front, back in [
        ("Medicine", "What is a vital sign?", "Pulse"),
        ("Medicine::Cardiology", "Normal heart rate?", '60 to 100 <img src="heart.png">'),
        ("Medicine::Cardiology", "What does an ECG record?", "Electrical activity"),
    ]:
        note = teacher.collection.new_note(teacher.collection.models.by_name("Basic"))
        note["Front"], note["Back"] = front, back
        teacher.collection.add_note(note, teacher.collection.decks.id(deck))
    teacher.collection.media.write_data("heart.png", PNG)
    medicine = Deck.objects.create(name="Medicine", slug="medicine")
    from_teacher = teacher.export_deck("Medicine").read_bytes()
    teacher.collection.close()
    anki_import_apply(deck=medicine, data=from_teacher, source="medicine.apkg")
    branch = Card.objects.filter(deck__in=deck_branches(decks=Deck.objects.filter(pk=medicine.pk)))

    anki.import_package(site_export(branch, tmp_path, "first"))
    assert [deck for _, deck, _ in anki.cards()] == ["Medicine::Cardiology"] * 2 + ["Medicine"]
    assert (Path(anki.collection.media.dir()) / "heart.png").read_bytes() == PNG
    anki.study("Normal heart rate?", interval=12)
    anki.edit(branch.get(question_html="What does an ECG record?").anki_guid, Back="Its rhythm")
    back = anki_import_apply(
        deck=medicine, data=anki.export_deck("Medicine").read_bytes(), source="anki.apkg"
    )
    assert (len(back.new), len(back.changed), len(back.unchanged)) == (0, 1, 2)
    heart = Card.objects.get(question_html="Normal heart rate?")
    assert heart.card_images.get().image.file.read() == PNG
    site_edit(heart, days_later=1, answer_html=heart.answer_html + " at rest")
    again = anki.import_package(site_export(branch, tmp_path, "second", days_later=1))

    assert (len(again.new), len(again.conflicting)) == (0, 0)
    assert len(anki.cards()) == 3
    assert any(flds.endswith(" at rest") for _, flds in anki.notes())
    assert anki.intervals()["Normal heart rate?"] == 12
    assert ["What does an ECG record?", "Its rhythm"] in [
        flds.split("\x1f") for _, flds in anki.notes()
    ]
    assert Card.objects.count() == 3


def test_one_anki_note_imported_into_two_decks_goes_back_once_and_the_copy_is_told(anki, tmp_path):
    note = anki.collection.new_note(anki.collection.models.by_name("Basic"))
    note["Front"], note["Back"], note.guid = "Hund", "dog", "hund-1"
    anki.collection.add_note(note, anki.collection.decks.id("German"))
    package = anki.export_deck("German").read_bytes()
    for slug in ("year-1", "year-2"):
        deck = Deck.objects.create(name=slug.title(), slug=slug)
        anki_import_apply(deck=deck, data=package, source="german.apkg")
    copies = []

    cards_export_apkg(cards=Card.objects.all(), path=tmp_path / "both.apkg", copies=copies)
    fresh = AnkiDesktop(tmp_path)
    try:
        fresh.import_package(tmp_path / "both.apkg")
        assert fresh.notes() == [["hund-1", "Hund\x1fdog"]]
    finally:
        fresh.collection.close()
    assert [str(card) for card in copies] == ["year-2 #1"]
    assert package_notice(cards=Card.objects.all(), copies=copies).startswith(
        "1 note left out, each a copy of a note of another deck the file holds"
    )
    text = cards_export_anki(cards=Card.objects.all())
    assert len([line for line in text.text.splitlines() if "hund-1" in line]) == 1
    assert "year-2 #1" in text.notice


def test_the_copy_holding_the_whole_note_goes_out_not_one_missing_a_card(db, tmp_path):
    # One Anki reversed note imported into two decks; Year 1's front card deleted since.
    year_1 = Deck.objects.create(name="Year 1", slug="year-1")
    year_2 = Deck.objects.create(name="Year 2", slug="year-2")
    reversed_note = {"guid": "hund-1", "note_type": "Basic (and reversed card)"}
    sides = {0: ("Hund", "dog"), 1: ("dog", "Hund")}
    for deck, ords in ((year_1, [1]), (year_2, [0, 1])):
        for card_ord in ords:
            question, answer = sides[card_ord]
            Card.objects.create(
                deck=deck,
                number=card_ord + 1,
                card_ord=card_ord,
                question_html=question,
                answer_html=answer,
                **reversed_note,
            )
    copies = []

    text = cards_export_anki(cards=Card.objects.all())
    cards_export_apkg(cards=Card.objects.all(), path=tmp_path / "both.apkg", copies=copies)

    lines = [line.split("\t") for line in text.text.splitlines() if "hund-1" in line]
    assert len(lines) == 1
    assert lines[0][:2] == ["Hund", "dog"]  # the note's own fields, front first
    assert [str(card) for card in copies] == ["year-1 #2"]


def test_cards_known_by_one_source_link_in_two_decks_go_out_once(db):
    link = "https://aiquizzes.com/questions/7"
    for slug in ("fastai", "fastai-copy"):
        deck = Deck.objects.create(name=slug, slug=slug)
        Card.objects.create(
            deck=deck, number=7, source_url=link, question_html="Q7", answer_html="A"
        )
    guid = Card.objects.first().anki_guid

    text = cards_export_anki(cards=Card.objects.all())

    assert text.text.count(guid) == 1
    assert "fastai-copy #7" in text.notice
