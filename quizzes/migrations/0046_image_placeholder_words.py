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


# Cards read and written this many at a time: 100,000 with images are never all in memory.
BATCH = 500


def placeholder_words_span(apps, schema_editor):
    Card = apps.get_model("quizzes", "Card")
    label = 'class="image-missing-label"'
    labelled = (
        Card.objects.filter(
            models.Q(question_rendered__contains=label) | models.Q(answer_rendered__contains=label)
        )
        .only("question_rendered", "answer_rendered")
        .order_by("pk")
    )
    # Each batch read anew after the last one's pk, not through one open cursor: SQLite
    # keeps no reading apart from the writes of the same connection between them.
    after = 0
    while batch := list(labelled.filter(pk__gt=after)[:BATCH]):
        after = batch[-1].pk
        changed = []
        for card in batch:
            question = _OLD_LABEL.sub(_words_spanned, card.question_rendered)
            answer = _OLD_LABEL.sub(_words_spanned, card.answer_rendered)
            if (question, answer) != (card.question_rendered, card.answer_rendered):
                card.question_rendered, card.answer_rendered = question, answer
                changed.append(card)
        Card.objects.bulk_update(changed, ["question_rendered", "answer_rendered"])


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0045_card_image_text")]

    operations = [migrations.RunPython(placeholder_words_span, migrations.RunPython.noop)]
