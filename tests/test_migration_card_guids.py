"""Migration 0048 stores the guid each card made here went to Anki with, and gives one of
its own to each card that shared its guid and card number with an older card of another
deck (Anki merged them); a guid Anki gave, and a note whose cards sit in two decks, stay."""

import importlib

import pytest
from django.apps import apps

from quizzes.importing.cardhtml import note_guid
from quizzes.models import Card, Deck

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0048_card_guids_of_their_own")
LINK = "https://aiquizzes.com/questions/{}"


def test_cards_keep_the_guid_they_went_out_with_unless_an_older_card_had_it():
    biology = Deck.objects.create(name="Biology", slug="biology")
    zoology = Deck.objects.create(name="Zoology", slug="zoology")
    made = {}
    for name, deck, fields in [
        ("cell", biology, {"question_html": "Cell?", "answer_html": "Unit"}),
        ("cell copy", zoology, {"question_html": "Cell?", "answer_html": "Unit"}),
        ("cell twin", zoology, {"question_html": "Cell?", "answer_html": "Unit"}),
        ("own text", zoology, {"question_html": "Bird?", "answer_html": "Feathers"}),
        ("text import", biology, {"guid": "0123456789abcdef"}),
        ("text import copy", zoology, {"guid": "0123456789abcdef"}),
        ("anki note", biology, {"guid": "Ab#c;9xY"}),
        ("anki note copy", zoology, {"guid": "Ab#c;9xY"}),
        ("split front", biology, {"guid": "fedcba9876543210"}),
        ("split reverse", zoology, {"guid": "fedcba9876543210", "card_ord": 1}),
        ("linked", biology, {"source_url": LINK.format(1)}),
        ("linked copy", zoology, {"source_url": LINK.format(1)}),
        ("linked alone", zoology, {"source_url": LINK.format(2)}),
    ]:
        fields = {"question_html": name, "answer_html": "A", **fields}
        made[name] = Card.objects.create(deck=deck, number=len(made) + 1, **fields)
    went_out_with = {name: card.anki_guid for name, card in made.items()}

    migration.guids_of_their_own(apps, None)

    guid = {name: Card.objects.get(pk=card.pk).guid for name, card in made.items()}
    kept = [
        "cell", "own text", "text import", "anki note", "anki note copy", "split front",
        "split reverse",
    ]  # fmt: skip
    assert {name: guid[name] for name in kept} == {name: went_out_with[name] for name in kept}
    assert guid["cell"] == note_guid(source_url="", question_html="Cell?", answer_html="Unit")
    assert (guid["linked"], guid["linked alone"]) == ("", "")
    fresh = ["cell copy", "cell twin", "text import copy", "linked copy"]
    assert all(len(guid[name]) == 16 for name in fresh)
    assert len({guid[name] for name in fresh} | {went_out_with["cell"]}) == 5
    assert went_out_with["text import copy"] not in {guid[name] for name in fresh}
