from django import template
from django.utils.safestring import mark_safe

from quizzes.models import Card
from quizzes.rendering import LocalImage, highlight, localize_images

register = template.Library()


@register.simple_tag
def card_side(card: Card, side: str, words=()) -> str:
    """A side of a card ready for the page, with `words` (search words) marked. Prefetch
    `card_images__image` to avoid a query per card (services.cards.cards_for_display does)."""
    html = card.question_html if side == "question" else card.answer_html
    images = {}
    for card_image in card.card_images.all():
        image = card_image.image
        images[image.url] = LocalImage(
            src=image.file.url if image.is_cached else None,
            width=image.width,
            height=image.height,
        )
    # The stored HTML went through the nh3 allow-list when it was imported or saved, and
    # highlight() only splits its text nodes; it runs first so that only the card's own
    # text is marked, never the placeholder's words.
    return mark_safe(localize_images(highlight(html, words), images))
