"""Migration 0024 makes again the multiple choices stored with their math as written."""

import importlib

import pytest
from django.apps import apps

from quizzes.models import Card

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0024_choices_with_math")


def stored_as_before(card: Card, answer_html: str, choice_html: str) -> None:
    """`card` as a save before the migration left it: its choice the answer as written."""
    Card.objects.filter(pk=card.pk).update(
        answer_html=answer_html, choice_html=choice_html, choice_text=choice_html
    )


def test_choices_stored_with_math_or_sounds_as_written_are_made_again(make_deck):
    math, sound, plain = make_deck(3).cards.order_by("number")
    stored_as_before(math, r"<p>\(x^2 + 1\)</p>", r"\(x^2 + 1\)")
    stored_as_before(sound, "<p>[sound:hund.mp3]</p>", "[sound:hund.mp3]")
    plain_before = Card.objects.values().get(pk=plain.pk)

    migration.choices_again(apps, None)

    math, sound = Card.objects.get(pk=math.pk), Card.objects.get(pk=sound.pk)
    assert "<math" in math.choice_html and r"\(" not in math.choice_html
    assert (sound.choice_html, sound.choice_kind) == ("", "")  # a sound alone is no choice
    assert Card.objects.values().get(pk=plain.pk) == plain_before
