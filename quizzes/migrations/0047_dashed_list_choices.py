"""A one-line answer listing three or more things between dashes ("get more data - augment
data - ...") is a list in its multiple choice now (rendering.choice_content), as the lists
offered beside it are: the choices made before are made again, as a save makes them
(services.card_pages.quiz_fields). Answers with images are left to their next save: their
choice depends on which images are cached, which this does not read."""

from django.db import migrations

CHOICE_FIELDS = ["choice_html", "choice_text", "choice_kind", "choice_words", "choice_stems"]


def dashed_lists_listed(apps, schema_editor):
    from quizzes.services.card_pages import quiz_fields

    Card = apps.get_model("quizzes", "Card")
    cards = list(
        Card.objects.filter(choice_kind="list", choice_html__contains=" - ")
        .exclude(choice_html__contains="<")
        .exclude(answer_html__contains="<img")
        .exclude(short_answer_html__contains="<img")
    )
    for card in cards:
        quiz_fields(card, {})
    Card.objects.bulk_update(cards, CHOICE_FIELDS, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0046_image_placeholder_words")]

    operations = [migrations.RunPython(dashed_lists_listed, migrations.RunPython.noop)]
