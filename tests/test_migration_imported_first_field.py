"""Migration 0029 keeps the note's first field as last imported for the cards still as
their last import wrote them; a card edited here before it keeps none."""

import importlib

import pytest
from django.apps import apps

from quizzes.models import Card, Deck
from quizzes.services.anki_io import anki_import_apply

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0029_card_imported_first_field")


def test_unedited_cards_get_their_first_field_and_edited_ones_none():
    deck = Deck.objects.create(name="Words", slug="words")
    text = "#notetype:Basic (and reversed card)\nHund\tdog\nKatze\tcat\n"
    anki_import_apply(deck=deck, data=text, source="words.txt")
    Card.objects.update(imported_first_field="")  # as before the migration
    Card.objects.filter(card_ord=0, question_html="Katze").update(question_html="die Katze")

    migration.imported_first_fields_fill(apps, None)

    kept = dict(Card.objects.values_list("question_html", "imported_first_field"))
    assert kept == {"Hund": "Hund", "dog": "Hund", "die Katze": "", "cat": "Katze"}
