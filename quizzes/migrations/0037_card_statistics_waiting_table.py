from datetime import timedelta

from django.db import migrations, models

# As quizzes/services/card_statistics.py has them when this was written.
WAITED_FOR = timedelta(days=1)
SETTLING = timedelta(minutes=5)


def move_waiting_to_its_table(apps, schema_editor):
    # The questions the roll-up saw unanswered, kept as JSON on its row (with card ids it
    # never used), go to a table of their own; the next roll-up counts those answered
    # since, and forgets those of quizzes older than a day or past their time limit.
    state = apps.get_model("quizzes", "CardStatisticsRollUp").objects.filter(pk=1).first()
    if state is None or not state.waiting:
        return
    AttemptQuestion = apps.get_model("quizzes", "AttemptQuestion")
    Waiting = apps.get_model("quizzes", "CardStatisticsWaiting")
    ids = sorted(int(pk) for pk in state.waiting)
    for start in range(0, len(ids), 500):
        quizzes = AttemptQuestion.objects.filter(pk__in=ids[start : start + 500]).values_list(
            "pk", "attempt__started_at", "attempt__deadline_at"
        )
        Waiting.objects.bulk_create(
            Waiting(
                question_id=pk,
                forget_after=min(
                    [started_at + WAITED_FOR] + ([deadline_at + SETTLING] if deadline_at else [])
                ),
            )
            for pk, started_at, deadline_at in quizzes
        )


class Migration(migrations.Migration):

    dependencies = [
        ('quizzes', '0036_card_statistics_rolled_up'),
    ]

    operations = [
        migrations.CreateModel(
            name='CardStatisticsWaiting',
            fields=[
                ('question_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('forget_after', models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.RunPython(move_waiting_to_its_table, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='cardstatisticsrollup',
            name='waiting',
        ),
    ]
