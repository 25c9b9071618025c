"""How a notice names a card (Card.named): as the pages do, "Card 7 of" its deck, then
the start of its question, so that a learner studying many decks knows which card it was."""

import pytest

from quizzes.models import Card
from tests.factories import make_deck

pytestmark = pytest.mark.django_db


def _card(deck_name: str, question: str) -> Card:
    deck = make_deck(1, slug="named")
    deck.name = deck_name
    deck.save()
    card = Card.objects.select_related("deck").get(deck=deck)
    card.question_text = question
    return card


def test_it_names_the_number_the_deck_and_the_question_s_start():
    card = _card("Languages::Spanish::Verbs", "What is the past tense of hablar?")
    assert card.named == "Card 1 of Languages::Spanish::Verbs (“What is the past tense of…”)"


def test_a_long_question_is_cut_to_a_few_characters():
    card = _card("Verbs", "Supercalifragilisticexpialidocious antidisestablishmentarianism words")
    assert card.named == "Card 1 of Verbs (“Supercalifragilisticexpialidocious anti…”)"
    assert len(card.named) < 70


def test_a_long_deck_name_keeps_its_last_parts():
    card = _card("Medicine::" + "Very long branch " * 4 + "::Cardiology::Drugs", "Dose?")
    assert card.named == "Card 1 of …::Cardiology::Drugs (“Dose?”)"


def test_a_question_of_an_image_alone_is_named_by_its_number_and_deck():
    assert _card("Anatomy", " \n").named == "Card 1 of Anatomy"


def test_the_question_s_spaces_and_lines_are_one_space():
    assert _card("Deck", "Two\n\n  lines").named == "Card 1 of Deck (“Two lines”)"


def test_a_long_deck_name_of_one_part_is_cut_too():
    card = _card("Pharmacology for the second year " * 6, "Dose?")
    deck, rest = card.named.removeprefix("Card 1 of ").split(" (")
    assert len(deck) == 60 and deck.endswith("…")
    assert rest == "“Dose?”)"


def test_beside_another_deck_of_its_name_its_deck_is_named_with_its_slug_after_the_cut():
    card = _card("Medicine::" + "Very long branch " * 4 + "::Cardiology::Drugs", "Dose?")
    assert card.named_among({card.deck_id}) == "Card 1 of …::Cardiology::Drugs (named) (“Dose?”)"
    assert card.named_among({card.deck_id + 1}) == "Card 1 of …::Cardiology::Drugs (“Dose?”)"
