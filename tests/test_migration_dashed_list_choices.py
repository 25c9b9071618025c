"""Migration 0047 makes again the multiple choice of a card whose answer lists things on
one line between dashes, made before such a line became a list; other choices stay."""

import importlib

import pytest
from django.apps import apps

from quizzes.models import Card

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0047_dashed_list_choices")


def choice_made_before(deck, number: int, question: str, answer: str, kind: str) -> Card:
    """A card whose choice was made before the fix: its answer's line as it is."""
    return Card.objects.create(
        deck=deck,
        number=number,
        question_html=question,
        question_text=question,
        answer_html=answer,
        answer_text=answer,
        choice_html=answer,
        choice_text=answer,
        choice_kind=kind,
    )


def test_a_dashed_list_made_a_line_before_is_a_list_after(deck):
    listed = "get more data - augment data - add regularization"
    dashed = choice_made_before(deck, 1001, "How do you fix overfitting?", listed, "list")
    sentence = choice_made_before(deck, 1002, "What is 3 - 1?", "Two - as expected", "prose")

    migration.dashed_lists_listed(apps, None)

    dashed.refresh_from_db()
    assert dashed.choice_html.startswith('<span class="choice-list">')
    assert dashed.choice_text == "get more data\naugment data\nadd regularization"
    assert dashed.choice_kind == "list"
    sentence.refresh_from_db()
    assert sentence.choice_html == "Two - as expected"


def test_it_reads_the_cards_in_batches_of_what_a_choice_is_made_of(
    deck, monkeypatch, django_assert_num_queries
):
    """At 100,000 cards, their whole rows at once were too heavy: the rendered sides, the
    keywords and the rest stay in the database."""
    monkeypatch.setattr(migration, "BATCH", 2)
    listed = "get more data - augment data - add regularization"
    cards = [
        choice_made_before(deck, 1001 + n, "How do you fix overfitting?", listed, "list")
        for n in range(5)
    ]

    with django_assert_num_queries(7) as captured:  # 4 reads (the last finds none), 3 writes
        migration.dashed_lists_listed(apps, None)

    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 4
    assert not any("answer_rendered" in sql or "keywords" in sql for sql in reads)
    for card in cards:
        card.refresh_from_db()
        assert card.choice_text == "get more data\naugment data\nadd regularization"
