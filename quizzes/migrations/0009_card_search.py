"""The card search index: FTS5 on SQLite; a tsvector column with a GIN index and pg_trgm for
spelling suggestions on PostgreSQL. quizzes/search_schema.py has the SQL and says why."""

from django.db import migrations

from quizzes import search_schema


def install(apps, schema_editor):
    search_schema.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    search_schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0008_study_steps_extra_new_leeches")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
