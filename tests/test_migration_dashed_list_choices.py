"""Migration 0050 makes again the multiple choice of a card whose answer lists things on
one line between dashes, made before such a line became a list; other choices stay."""

import importlib

import pytest
from django.apps import apps

from quizzes.models import Card

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0050_dashed_list_choices")


def test_a_dashed_list_made_a_line_before_is_a_list_after(deck):
    dashed = Card.objects.create(
        deck=deck,
        number=1001,
        question_html="How do you fix overfitting?",
        question_text="How do you fix overfitting?",
        answer_html="get more data - augment data - add regularization",
        answer_text="get more data - augment data - add regularization",
        choice_html="get more data - augment data - add regularization",
        choice_text="get more data - augment data - add regularization",
        choice_kind="list",
    )
    sentence = Card.objects.create(
        deck=deck,
        number=1002,
        question_html="What is 3 - 1 - 1?",
        answer_html="One - as you would expect",
        choice_html="One - as you would expect",
        choice_text="One - as you would expect",
        choice_kind="prose",
    )

    migration.dashed_lists_listed(apps, None)

    dashed.refresh_from_db()
    assert dashed.choice_html.startswith('<span class="choice-list">')
    assert dashed.choice_text == "get more data\naugment data\nadd regularization"
    assert dashed.choice_kind == "list"
    sentence.refresh_from_db()
    assert sentence.choice_html == "One - as you would expect"
