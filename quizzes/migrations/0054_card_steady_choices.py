"""A card keeps its wrong answers as the worker chose them (services.attempts.choices_settle):
a quiz start planned in the request read candidates and weighed them for every card it drew,
two thirds of its work at 100,000 cards. Cards made before get theirs from the worker."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0053_reviewlog_rescheduled")]

    operations = [
        # ALTER TABLE ADD COLUMN, on SQLite too, as 0049 does: Django's AddField would rebuild
        # quizzes_card there, and the rebuild drops the indexes that migrations made in SQL
        # (the admin's sort indexes, 0036 and 0039).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE quizzes_card ADD COLUMN steady_choices text NOT NULL DEFAULT ''",
                    "ALTER TABLE quizzes_card DROP COLUMN steady_choices",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="card",
                    name="steady_choices",
                    field=models.TextField(blank=True, default="", editable=False),
                )
            ],
        ),
    ]
