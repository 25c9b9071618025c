"""Migration 0046 puts the image's own words of a placeholder stored before it in the span
search marks them in, as rendering the card again would; a label it cannot read for sure
stays as it was."""

import importlib

import pytest
from django.apps import apps

from quizzes.models import Card
from quizzes.services.card_pages import card_render

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0046_image_placeholder_words")

NAMED = "https://x.org/mixed_precision.png"
HASHED = "https://x.org/a1b2c3d4e5f6a7b8.png"


def old_label(text: str) -> str:
    return f'<span class="image-missing-label">{text}</span>'


def test_stored_placeholders_get_their_words_span_as_a_new_render_gives(deck):
    card = Card.objects.create(
        deck=deck,
        number=900,
        question_html=f'<p>Q</p><img src="{NAMED}"><img src="{HASHED}">',
        answer_html='<img src="https://x.org/a.png" alt="Loss (log) &lt;curve&gt;">',
    )
    card_render(card, {})
    rendered = card.question_rendered, card.answer_rendered
    Card.objects.filter(pk=card.pk).update(
        question_rendered=card.question_rendered.replace(
            'Screenshot: <span class="image-missing-words">mixed precision</span>)',
            "Screenshot: mixed precision)",
        ),
        answer_rendered=card.answer_rendered.replace(
            '(<span class="image-missing-words">Loss (log) &lt;curve&gt;</span>)',
            "(Loss (log) &lt;curve&gt;)",
        ),
    )
    assert "image-missing-words" not in str(Card.objects.values_list().get(pk=card.pk))

    migration.placeholder_words_span(apps, None)

    card.refresh_from_db()
    assert (card.question_rendered, card.answer_rendered) == rendered


def test_a_label_it_cannot_read_for_sure_is_left_alone(deck):
    unsure = old_label("Image failed (HTTP 404) (chart)") + old_label(
        "Image not cached (Screenshot)"
    )
    card = Card.objects.create(deck=deck, number=901, question_rendered=unsure)

    migration.placeholder_words_span(apps, None)

    card.refresh_from_db()
    assert card.question_rendered == unsure


def test_it_reads_the_cards_in_batches_of_their_rendered_sides_alone(
    deck, monkeypatch, django_assert_num_queries
):
    """At 100,000 cards with images, the whole rows of all of them at once were too heavy."""
    monkeypatch.setattr(migration, "BATCH", 2)
    label = old_label("Image not cached (Screenshot: mixed precision)")
    cards = [
        Card.objects.create(deck=deck, number=900 + n, answer_rendered=label) for n in range(5)
    ]

    with django_assert_num_queries(7) as captured:  # 4 reads (the last finds none), 3 writes
        migration.placeholder_words_span(apps, None)

    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 4
    assert not any("question_html" in sql or "answer_html" in sql for sql in reads)
    spanned = 'Screenshot: <span class="image-missing-words">mixed precision</span>)'
    for card in cards:
        card.refresh_from_db()
        assert spanned in card.answer_rendered
