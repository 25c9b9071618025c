from django import template
from django.utils.safestring import mark_safe

from quizzes.models import Card
from quizzes.rendering import highlight

register = template.Library()


@register.simple_tag
def card_side(card: Card, side: str, words=()) -> str:
    """A side of a card ready for the page, with `words` (search words) marked."""
    html = card.question_rendered if side == "question" else card.answer_rendered
    # The stored HTML went through the nh3 allow-list when it was imported or saved, and
    # highlight() only splits its text nodes.
    return mark_safe(highlight(html, words) if words else html)
