"""Migration 0049 counts, for the cards made before it, how strongly each choice speaks to the
reader, as a save now does: a quiz start reads it instead of working it out."""

import importlib

import pytest
from django.apps import apps

from quizzes.models import Card
from quizzes.services.card_pages import quiz_fields

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0049_card_choice_voice")


def card_made_before(deck, number: int, choice: str) -> Card:
    """A card saved before the count: its choice as it was, its voice the column's default."""
    return Card.objects.create(
        deck=deck,
        number=number,
        question_html="Why?",
        question_text="Why?",
        answer_html=choice,
        answer_text=choice,
        choice_html=choice,
        choice_text=choice,
        choice_kind="prose",
    )


def test_the_cards_made_before_are_counted_as_a_save_counts_them(deck):
    speaking = card_made_before(deck, 1001, "We ask our model what you want.")
    acronym = card_made_before(deck, 1002, "The US economy, as we see it.")
    plain = card_made_before(deck, 1003, "A learning rate that is too high.")

    migration.voices_counted(apps, None)

    for card in (speaking, acronym, plain):
        card.refresh_from_db()
    assert (speaking.choice_voice, acronym.choice_voice, plain.choice_voice) == (3, 1, 0)
    # A save (an edit, an import) works it out the same way.
    speaking.choice_voice = 0
    quiz_fields(speaking, {})
    assert speaking.choice_voice == 3


def test_it_reads_the_cards_in_batches_and_writes_only_those_that_speak(
    deck, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(migration, "BATCH", 2)
    Card.objects.all().delete()  # the fixture deck's own, so the batches are these alone
    speaking = [card_made_before(deck, 1001 + n, "You need your data.") for n in range(3)]
    plain = [card_made_before(deck, 1011 + n, "Normalisation.") for n in range(2)]
    unasked = card_made_before(deck, 1021, "")  # no choice: nothing to count

    # 4 reads (the last finds none), and a write for each batch with a card that speaks.
    with django_assert_num_queries(6) as captured:
        migration.voices_counted(apps, None)

    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 4
    assert not any("answer_rendered" in sql or "keywords" in sql for sql in reads)
    assert [Card.objects.get(pk=card.pk).choice_voice for card in speaking] == [2, 2, 2]
    assert [Card.objects.get(pk=card.pk).choice_voice for card in [*plain, unasked]] == [0, 0, 0]
