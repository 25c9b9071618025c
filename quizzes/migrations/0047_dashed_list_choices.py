"""A one-line answer listing three or more things between dashes ("get more data - augment
data - ...") is a list in its multiple choice now (rendering.choice_content), as the lists
offered beside it are: the choices made before are made again, as a save makes them
(services.card_pages.quiz_fields). Answers with images are left to their next save: their
choice depends on which images are cached, which this does not read."""

from django.db import migrations

CHOICE_FIELDS = ["choice_html", "choice_text", "choice_kind", "choice_words", "choice_stems"]
# What quiz_fields reads of a card: the rest of its row stays in the database.
QUIZ_FIELDS_READ = [
    "question_html",
    "question_text",
    "question_rendered",
    "answer_html",
    "answer_text",
    "short_answer_html",
    "typed_answer",
    "is_cloze",
]
# Cards made again this many at a time, never all of them in memory.
BATCH = 500


def dashed_lists_listed(apps, schema_editor):
    from quizzes.services.card_pages import quiz_fields

    Card = apps.get_model("quizzes", "Card")
    dashed = (
        Card.objects.filter(choice_kind="list", choice_html__contains=" - ")
        .exclude(choice_html__contains="<")
        .exclude(answer_html__contains="<img")
        .exclude(short_answer_html__contains="<img")
        .only(*QUIZ_FIELDS_READ)
        .order_by("pk")
    )
    # Each batch read anew after the last one's pk, not through one open cursor: SQLite
    # keeps no reading apart from the writes of the same connection between them.
    after = 0
    while batch := list(dashed.filter(pk__gt=after)[:BATCH]):
        after = batch[-1].pk
        for card in batch:
            quiz_fields(card, {})
        Card.objects.bulk_update(batch, CHOICE_FIELDS)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0046_image_placeholder_words")]

    operations = [migrations.RunPython(dashed_lists_listed, migrations.RunPython.noop)]
