from django.db import migrations

# The admin card list filtered by deck and sorted by a statistic walked the whole sort index
# of 0036 (every deck's cards) to find a page of the deck's: all of it for a small deck
# beside a large one. These read the deck's cards alone, in the order of the sort, as 0036's
# do for every card: each direction on PostgreSQL, one read either way on SQLite.
SORTED_STATISTICS = ["stats_answered", "stats_percent_correct", "stats_average_elapsed"]


def _index_names(column):
    return [f"card_deck_{column}_up", f"card_deck_{column}_down"]


def create_indexes(apps, schema_editor):
    for column in SORTED_STATISTICS:
        up, down = _index_names(column)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX {up} ON quizzes_card (deck_id, {column} ASC NULLS LAST, id DESC)"
            )
            schema_editor.execute(
                f"CREATE INDEX {down} ON quizzes_card (deck_id, {column} DESC NULLS LAST, id DESC)"
            )
        else:
            schema_editor.execute(f"CREATE INDEX {up} ON quizzes_card (deck_id, {column}, id)")


def drop_indexes(apps, schema_editor):
    for column in SORTED_STATISTICS:
        for name in _index_names(column):
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0038_card_statistics_counted_at_migration"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
