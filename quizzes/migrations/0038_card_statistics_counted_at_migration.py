from datetime import timedelta

from django.db import migrations
from django.db.models import Avg, Count, Min, Q
from django.utils import timezone

# As quizzes/engine.py and quizzes/services/card_statistics.py have them when this was
# written: what the statistics count, and what the roll-up leaves for later.
ATTEMPTED = ["correct", "wrong", "timed_out", "knew", "didnt_know"]
CORRECT = ["correct", "knew"]
SETTLING = timedelta(minutes=5)
WAITED_FOR = timedelta(days=1)
BATCH = 500


def count_every_card(apps, schema_editor):
    # Migration 0036 left the roll-up to read every answer at the admin card list's first
    # load, in that request (a term's 100,000 answers: a slow page for whoever opens it).
    # Here, at the deploy, it is counted once, and the roll-up starts where this stops.
    RollUp = apps.get_model("quizzes", "CardStatisticsRollUp")
    state, _ = RollUp.objects.get_or_create(pk=1)
    if state.seen_up_to:
        return  # rolled up already: nothing the roll-up would read at once
    now = timezone.now()
    questions = apps.get_model("quizzes", "AttemptQuestion").objects.order_by()
    # The roll-up reads again the questions of quizzes started too recently to pass over,
    # from the first of them on (see SETTLING there).
    first_recent = questions.filter(attempt__started_at__gte=now - SETTLING).aggregate(
        first=Min("pk")
    )["first"]
    last = questions.order_by("-pk").values_list("pk", flat=True).first() or 0
    seen_up_to = first_recent - 1 if first_recent else last
    counts = (
        questions.filter(outcome__in=ATTEMPTED)
        .values("card")
        .annotate(
            answered=Count("pk"),
            correct=Count("pk", filter=Q(outcome__in=CORRECT)),
            average=Avg("elapsed"),
        )
    )
    Card = apps.get_model("quizzes", "Card")
    cards = [
        Card(
            pk=row["card"],
            stats_answered=row["answered"],
            stats_correct=row["correct"],
            stats_percent_correct=100.0 * row["correct"] / row["answered"],
            stats_average_elapsed=row["average"],
        )
        for row in counts
    ]
    fields = ["stats_answered", "stats_correct", "stats_percent_correct", "stats_average_elapsed"]
    Card.objects.bulk_update(cards, fields, batch_size=BATCH)

    Waiting = apps.get_model("quizzes", "CardStatisticsWaiting")
    unanswered = questions.filter(
        outcome="", pk__lte=seen_up_to, attempt__started_at__gte=now - WAITED_FOR
    ).values_list("pk", "attempt__started_at", "attempt__deadline_at")
    Waiting.objects.bulk_create(
        (
            Waiting(
                question_id=pk,
                forget_after=min(
                    [started_at + WAITED_FOR] + ([deadline_at + SETTLING] if deadline_at else [])
                ),
            )
            for pk, started_at, deadline_at in unanswered.iterator()
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    state.seen_up_to = seen_up_to
    state.counted = list(
        questions.filter(pk__gt=seen_up_to).exclude(outcome="").values_list("pk", flat=True)
    )
    state.save(update_fields=["seen_up_to", "counted"])


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0037_card_statistics_waiting_table"),
    ]

    operations = [
        migrations.RunPython(count_every_card, migrations.RunPython.noop),
    ]
