"""Card templates of note types as shared decks have them, each package written by Anki
itself (the `anki` wheel): what a card shows is what Anki shows, or the report says why not."""

import pytest

from quizzes.models import Deck
from quizzes.services.anki_io import anki_import_apply
from tests.factories import anki_note_type_package, image_bytes

pytestmark = pytest.mark.django_db

BACK = "{{FrontSide}}<hr id=answer>"
PNG = image_bytes("PNG", (4, 3))


@pytest.fixture(autouse=True)
def media(media_root):
    return media_root


@pytest.fixture
def deck(db):
    return Deck.objects.create(name="Shared", slug="shared")


def import_package(deck, path):
    return anki_import_apply(deck=deck, data=path.read_bytes(), source=path.name)


def test_a_hint_on_the_front_is_behind_a_toggle_named_as_its_field(deck, tmp_path):
    # Anki shows a link named after the field that reveals the hint; it was shown openly.
    path = anki_note_type_package(
        tmp_path,
        fields=["Front", "Back", "Mnemonic"],
        templates=[("Recall", "{{Front}}<br>{{hint:Mnemonic}}", BACK + "{{Back}}")],
        notes=[
            {"fields": ["Hund", "dog", "a <b>hound</b>"], "guid": "hund"},
            {"fields": ["Katze", "cat", ""], "guid": "katze"},
        ],
    )

    plan = import_package(deck, path)

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    hund, katze = deck.cards.get(guid="hund"), deck.cards.get(guid="katze")
    assert hund.question_html == (
        "Hund<br><br><details><summary>Mnemonic</summary>a <b>hound</b></details>"
    )
    assert "<details><summary>Mnemonic</summary>" in hund.question_rendered
    assert (katze.question_html, katze.answer_html) == ("Katze", "cat")


def test_a_hint_among_a_templates_own_words_is_a_toggle_too(deck, tmp_path):
    path = anki_note_type_package(
        tmp_path,
        fields=["Country", "Capital", "Hint"],
        templates=[("Capital", "Capital of {{Country}}? {{hint:Hint}}", BACK + "{{Capital}}")],
        notes=[{"fields": ["France", "Paris", "on the Seine"]}],
    )

    import_package(deck, path)

    (card,) = deck.cards.all()
    assert card.question_html == (
        "Capital of France? <details><summary>Hint</summary>on the Seine</details>"
    )


def test_a_templates_deck_tags_type_and_card_name_are_filled_in_as_anki_fills_them(deck, tmp_path):
    # A shared deck's template often says where a card is from: "{{Deck}}", "{{Tags}}".
    # They showed nothing.
    path = anki_note_type_package(
        tmp_path,
        name="Vocabulary & more",
        fields=["Word", "Meaning"],
        templates=[
            (
                "Recognition",
                "<i>{{Subdeck}} ({{Deck}})</i><br>{{Word}}",
                BACK + "{{Meaning}}<br><i>{{Type}}: {{Card}}; {{Tags}}</i>",
            ),
        ],
        notes=[
            {
                "fields": ["laufen", "to run"],
                "deck": "Languages::German::Verbs",
                "tags": ["verb", "irregular"],
            }
        ],
    )

    plan = import_package(deck, path)

    assert plan.report == []
    (card,) = deck.cards.all()
    assert card.question_html == ("<i>Verbs (Languages::German::Verbs)</i><br>laufen")
    assert card.answer_html == (
        "to run<br><i>Vocabulary &amp; more: Recognition; irregular verb</i>"
    )


def test_a_template_showing_its_fields_and_the_deck_alone_shows_both(deck, tmp_path):
    path = anki_note_type_package(
        tmp_path,
        fields=["Front", "Back"],
        templates=[
            ("Card 1", "{{Front}}<br>{{Deck}}", BACK + "{{Back}}{{#Tags}}<br>{{Tags}}{{/Tags}}")
        ],
        notes=[{"fields": ["Hund", "dog"], "deck": "German"}],
    )

    import_package(deck, path)

    (card,) = deck.cards.all()
    assert (card.question_html, card.answer_html) == ("Hund<br>German", "dog")


def test_cloze_numbers_spread_over_two_cloze_fields_each_make_their_card(deck, tmp_path):
    # Anki makes a card of each cloze number in any field its front shows as a cloze: the
    # second field's card was left out as empty, and its text was on no card.
    path = anki_note_type_package(
        tmp_path,
        cloze=True,
        fields=["Text", "More", "Notes"],
        templates=[
            (
                "Cloze",
                "{{cloze:Text}}<br>{{cloze:More}}",
                "{{cloze:Text}}<br>{{cloze:More}}<br>{{Notes}}",
            ),
        ],
        notes=[
            {
                "fields": ["{{c1::Paris}} is in France", "and {{c2::Berlin}} in Germany", "EU"],
                "guid": "capitals",
            }
        ],
    )

    plan = import_package(deck, path)

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    first, second = deck.cards.order_by("card_ord")
    assert [first.question_text, second.question_text] == [
        "[…] is in France\nand Berlin in Germany",
        "Paris is in France\nand […] in Germany",
    ]
    assert second.answer_text == "Paris is in France\nand Berlin in Germany\nEU"


def test_a_templates_right_to_left_text_keeps_its_direction(deck, tmp_path):
    # An Arabic deck's template marks the Arabic right to left: after English words the
    # side reads left to right, and without the mark "كتاب؟" showed its question mark on
    # the wrong side.
    path = anki_note_type_package(
        tmp_path,
        fields=["Arabic", "English"],
        templates=[
            (
                "Production",
                "What is {{English}} in Arabic?",
                BACK + 'In Arabic: <div dir="rtl">{{Arabic}}</div>',
            ),
        ],
        notes=[{"fields": ['<span dir="RTL">كتاب؟</span>', "book"]}],
    )

    import_package(deck, path)

    (card,) = deck.cards.all()
    assert card.answer_html == 'In Arabic: <div dir="rtl"><span dir="rtl">كتاب؟</span></div>'


def test_a_section_shown_when_a_field_is_empty_shows_only_then(deck, tmp_path):
    # "The picture, or the word when there is none": both showed, the word giving the
    # picture's answer away.
    path = anki_note_type_package(
        tmp_path,
        fields=["Word", "Picture", "Meaning"],
        templates=[
            (
                "Recognition",
                "{{^Picture}}{{Word}}{{/Picture}}{{#Picture}}{{Picture}}{{/Picture}}",
                BACK + "{{text:Meaning}}",
            )
        ],
        notes=[
            {"fields": ["der Hund", '<img src="hund.png">', "the <b>dog</b>"], "guid": "hund"},
            {"fields": ["die Katze", "", "the cat"], "guid": "katze"},
        ],
        media={"hund.png": PNG},
    )

    plan = import_package(deck, path)

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    hund, katze = deck.cards.get(guid="hund"), deck.cards.get(guid="katze")
    assert (hund.question_html, hund.answer_html) == ('<img src="hund.png">', "the dog")
    assert katze.question_html == "die Katze"
