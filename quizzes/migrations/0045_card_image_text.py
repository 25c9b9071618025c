"""Search finds a card by the text of its images too (alt texts, titles): each card stores
it (`Card.image_text`, filled here from its HTML) and the search index gets a column for it
(quizzes/search_schema.py), made afresh from the cards."""

from django.db import migrations, models

from quizzes import search_schema
from quizzes.rendering import image_text


def fill_image_text(apps, schema_editor):
    Card = apps.get_model("quizzes", "Card")
    cards = list(
        Card.objects.filter(
            models.Q(question_html__contains="<img") | models.Q(answer_html__contains="<img")
        ).only("question_html", "answer_html")
    )
    for card in cards:
        card.image_text = image_text(card.question_html, card.answer_html)
    Card.objects.bulk_update(cards, ["image_text"], batch_size=500)


def index_install(apps, schema_editor):
    search_schema.uninstall(schema_editor.connection)
    search_schema.install(schema_editor.connection)


def index_uninstall(apps, schema_editor):
    search_schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0044_exportjob_of_decks_or_cards")]

    operations = [
        # ALTER TABLE ADD COLUMN, on SQLite too: Django's AddField would rebuild quizzes_card
        # there (a NOT NULL column), and the rebuild drops the indexes that migrations made
        # in SQL (the admin's sort indexes, 0036 and after).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE quizzes_card ADD COLUMN image_text text NOT NULL DEFAULT ''",
                    "ALTER TABLE quizzes_card DROP COLUMN image_text",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="card",
                    name="image_text",
                    field=models.TextField(blank=True, editable=False),
                )
            ],
        ),
        migrations.RunPython(fill_image_text, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(index_install, index_uninstall, elidable=False),
    ]
