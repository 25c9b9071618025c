"""Multiple choices made before their math became MathML (and their sounds were left out)
showed `\\(x^2\\)` and `[sound:x.mp3]` as written: they are made again, as a save makes them
(services.card_pages.quiz_fields). Answers with images are left to their next save: their
choice depends on which images are cached, which this does not read."""

from django.db import migrations
from django.db.models import Q

MARKS = ("\\(", "\\[", "[$", "[sound:")
CHOICE_FIELDS = ["choice_html", "choice_text", "choice_kind", "choice_words", "choice_stems"]


def choices_again(apps, schema_editor):
    from quizzes.services.card_pages import quiz_fields

    Card = apps.get_model("quizzes", "Card")
    written = Q()
    for mark in MARKS:
        written |= Q(choice_html__contains=mark)
    cards = list(
        Card.objects.filter(written)
        .exclude(answer_html__contains="<img")
        .exclude(short_answer_html__contains="<img")
    )
    for card in cards:
        quiz_fields(card, {})
    Card.objects.bulk_update(cards, CHOICE_FIELDS, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0023_former_deck_slug")]

    operations = [migrations.RunPython(choices_again, migrations.RunPython.noop)]
