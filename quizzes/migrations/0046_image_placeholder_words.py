"""An image placeholder's own words (its alt text, or its file name's) sit in a span of
their own, which search words are marked in (quizzes.rendering.highlight): the labels stored
before it get their span here. A label this cannot read for sure (a problem with a bracket
in it) stays as it was, unmarked, until its card is rendered again."""

import re

from django.db import migrations, models

_OLD_LABEL = re.compile(
    r'(<span class="image-missing-label">Image [^(<]* \()(Screenshot: )?([^<]*)(\)</span>)'
)


def _balanced(text: str) -> bool:
    depth = 0
    for bracket in re.findall(r"[()]", text):
        depth += 1 if bracket == "(" else -1
        if depth < 0:
            return False
    return depth == 0


def _words_spanned(match: re.Match) -> str:
    opening, made_up, words, closing = match.groups()
    # "Image failed (HTTP 404) (chart)" could split two ways: left as it was.
    if not words or (not made_up and words == "Screenshot") or not _balanced(words):
        return match.group()
    return f'{opening}{made_up or ""}<span class="image-missing-words">{words}</span>{closing}'


def placeholder_words_span(apps, schema_editor):
    Card = apps.get_model("quizzes", "Card")
    label = 'class="image-missing-label"'
    cards = list(
        Card.objects.filter(
            models.Q(question_rendered__contains=label) | models.Q(answer_rendered__contains=label)
        ).only("question_rendered", "answer_rendered")
    )
    for card in cards:
        card.question_rendered = _OLD_LABEL.sub(_words_spanned, card.question_rendered)
        card.answer_rendered = _OLD_LABEL.sub(_words_spanned, card.answer_rendered)
    Card.objects.bulk_update(cards, ["question_rendered", "answer_rendered"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0045_card_image_text")]

    operations = [migrations.RunPython(placeholder_words_span, migrations.RunPython.noop)]
