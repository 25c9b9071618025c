from django import template
from django.utils.safestring import mark_safe

from quizzes.models import Card
from quizzes.rendering import highlight

register = template.Library()


@register.simple_tag
def card_side(card: Card, side: str, words=()) -> str:
    """A side of a card ready for the page, with `words` (search words) marked, in a block
    whose direction follows its text (`dir="auto"`: Arabic or Hebrew cards read right to
    left)."""
    html = card.question_rendered if side == "question" else card.answer_rendered
    # The stored HTML went through the nh3 allow-list when it was imported or saved, and
    # highlight() only splits its text nodes.
    return mark_safe(f'<div dir="auto">{highlight(html, words) if words else html}</div>')
