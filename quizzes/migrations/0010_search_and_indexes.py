"""Fast at any size: the card search index (FTS5 on SQLite; a tsvector column with a GIN
index and pg_trgm for spelling suggestions on PostgreSQL: quizzes/search_schema.py has the
SQL and says why) and the leaderboards' indexes."""

from django.db import migrations, models

from quizzes import search_schema


def install(apps, schema_editor):
    """Nothing now: the index also holds a column that 0045 adds (the cards' image text),
    so 0045 makes it. A database migrated before that had it made here, and 0045 makes it
    again."""


def uninstall(apps, schema_editor):
    search_schema.uninstall(schema_editor.connection)


RANKED = models.Q(
    ("finished_at__isnull", False),
    ("implausibly_fast", False),
    ("is_quick", True),
    ("user__isnull", False),
)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0009_quiz_choices_and_reading_time")]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(
                condition=RANKED,
                fields=["deck", "-score", "total_time", "finished_at", "id"],
                name="attempt_leaderboard",
            ),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(
                condition=RANKED, fields=["deck", "started_at"], name="attempt_leaderboard_week"
            ),
        ),
    ]
