"""Every shape of Anki text file: re-importing it changes nothing (0 new, 0 changed), and
exporting the deck and importing that into a new deck keeps every card, tag and guid."""

import pytest

from quizzes.models import Deck
from quizzes.services.anki_io import anki_import_apply, anki_import_plan, cards_export_anki

pytestmark = pytest.mark.django_db

SHAPES = {
    "old export, tags in a last column": "Q1\tA1\tpython basics\nQ2\tA2\t\nQ3\tA3\tpython\n",
    "comma csv from a spreadsheet": '\ufeffFront,Back\r\n"Q, 1",A1\r\nQ2,"A ""2"""\r\n',
    "semicolon with quoted line breaks": 'Q1;"A1\nsecond line"\nQ2;A2\n',
    "2.1.55 export": (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
        "#tags column:6\nAbC1\tBasic\tDefault\tQ1\tA1\tt1 t2\nAbC2\tBasic\tDefault\tQ2\tA2\t\n"
    ),
    "cloze": "#notetype:Cloze\n{{c1::Paris}} is in {{c2::France}}\tGeography\n{{c1::a}} b\t\n",
    "reversed": "#notetype:Basic (and reversed card)\nHund\tdog\nKatze\tcat\n",
    "colliding tag slugs": "Q1\tA1\tFitts'_Law\nQ2\tA2\tFitts_Law\nQ3\tA3\tFitts'_Law Fitts_Law\n",
    "math, sound and right-to-left text": (
        "Energy?\t\\(E = mc^2\\)\tphysics\n"
        "Listen [sound:x.mp3]\t\u0645\u0631\u062d\u0628\u0627\tarabic\n"
    ),
    "duplicate notes": "Q1\tA1\tt1\nQ2\tA2\t\nQ1\tA1\tt2\n",
    "colours and rules from Anki's editor": (
        '#html:true\nWhich <font color="#FF0000" face="Arial">word</font>?\t'
        '<span style="color: rgb(0, 128, 0); font-size: 20px;">this</span><hr id=answer>'
        '<div style="text-align: center;"><b style="font-weight: normal">centred</b></div>\tde\n'
    ),
}


def shape(deck):
    return sorted(
        (
            card.anki_guid,
            card.card_ord,
            card.note_type,
            card.question_html,
            card.answer_html,
            tuple(sorted(tag.name for tag in card.tags.all())),
        )
        for card in deck.cards.all()
    )


@pytest.fixture
def deck(db):
    return Deck.objects.create(name="Imported", slug="imported")


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_reimporting_a_file_changes_nothing(deck, text):
    first = anki_import_apply(deck=deck, data=text.encode(), source="deck.txt")

    again = anki_import_plan(deck=deck, data=text.encode(), source="deck.txt")

    assert first.new
    assert (len(again.new), len(again.changed)) == (0, 0)
    assert len(again.unchanged) == deck.cards.count()


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_an_export_imports_into_a_new_deck_with_every_card_tag_and_guid(deck, text):
    anki_import_apply(deck=deck, data=text.encode(), source="deck.txt")
    exported = cards_export_anki(cards=deck.cards.all(), deck_name=deck.name).text
    copy = Deck.objects.create(name="Copy", slug="copy")

    anki_import_apply(deck=copy, data=exported.encode(), source="export.txt")

    assert shape(copy) == shape(deck)
    again = anki_import_plan(deck=deck, data=exported.encode(), source="export.txt")
    assert (len(again.new), len(again.changed)) == (0, 0)


def test_a_deck_of_several_note_types_exports_a_note_type_column(deck):
    anki_import_apply(deck=deck, data=SHAPES["cloze"].encode(), source="a.txt")
    anki_import_apply(deck=deck, data=SHAPES["reversed"].encode(), source="b.txt")

    exported = cards_export_anki(cards=deck.cards.all()).text.splitlines()

    assert "#notetype column:5" in exported
    assert len([line for line in exported if not line.startswith("#")]) == 4  # notes, not cards
