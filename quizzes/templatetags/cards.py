import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from quizzes.models import Card
from quizzes.rendering import highlight

register = template.Library()


@register.simple_tag
def card_side(card: Card, side: str, words=()) -> str:
    """A side of a card ready for the page, with `words` (search words) marked."""
    html = card.question_rendered if side == "question" else card.answer_rendered
    # highlight() only splits the text nodes of the stored, page-ready HTML.
    return page_ready_side(highlight(html, words) if words else html)


@register.simple_tag
def page_ready_side(html: str) -> str:
    """Page-ready card HTML (quizzes.rendering.page_ready) in a block whose direction
    follows its text (`dir="auto"`: Arabic or Hebrew cards read right to left)."""
    # Page-ready HTML went through the nh3 allow-list when it was imported, saved or
    # previewed, and rendering only adds its own markup.
    return mark_safe(f'<div dir="auto">{html}</div>')


@register.simple_tag
def image_text_found(card: Card, words=()) -> str:
    """The card's image texts (alt texts) that search words begin a word of, the words
    marked: why search found a card whose visible text says none of them ("" if none)."""
    if not words or not card.image_text:
        return ""
    starts = re.compile(
        "|".join(rf"(?<![^\W_]){re.escape(word)}" for word in words if word), re.IGNORECASE
    )
    found = [line for line in card.image_text.splitlines() if starts.search(line)]
    return mark_safe(highlight(escape(", ".join(found)), words)) if found else ""
