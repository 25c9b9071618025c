"""A card keeps how strongly its choice speaks to the reader (wording.reader_words), worked out
at save as its choice's words are (services.card_pages.quiz_fields): a quiz start weighed
every candidate wrong answer by it anew, an eighth of a start at 100,000 cards. The cards
made before are counted here; a card that says none of those words keeps the default 0."""

from django.db import migrations, models

# Cards read this many at a time, never all of them in memory.
BATCH = 2000


def voices_counted(apps, schema_editor):
    from quizzes.wording import reader_words

    Card = apps.get_model("quizzes", "Card")
    with_choice = Card.objects.exclude(choice_text="").order_by("pk")
    # Each batch read anew after the last one's pk, not through one open cursor: SQLite
    # keeps no reading apart from the writes of the same connection between them.
    after = 0
    while batch := list(with_choice.filter(pk__gt=after).values_list("pk", "choice_text")[:BATCH]):
        after = batch[-1][0]
        speaking = []
        for pk, text in batch:
            if said := reader_words(text):
                speaking.append(Card(pk=pk, choice_voice=said))
        Card.objects.bulk_update(speaking, ["choice_voice"])


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0048_card_guids_of_their_own")]

    operations = [
        # ALTER TABLE ADD COLUMN, on SQLite too, as 0045 does: Django's AddField would rebuild
        # quizzes_card there (a NOT NULL column), and the rebuild drops the indexes that
        # migrations made in SQL (the admin's sort indexes, 0036 and 0039).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE quizzes_card ADD COLUMN choice_voice smallint NOT NULL "
                    "DEFAULT 0 CHECK (choice_voice >= 0)",
                    "ALTER TABLE quizzes_card DROP COLUMN choice_voice",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="card",
                    name="choice_voice",
                    field=models.PositiveSmallIntegerField(default=0, editable=False),
                )
            ],
        ),
        migrations.RunPython(voices_counted, migrations.RunPython.noop, elidable=False),
    ]
