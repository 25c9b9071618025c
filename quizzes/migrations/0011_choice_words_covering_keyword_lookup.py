"""Each choice's words as a blind player compares them, stored with it (wording.choice_words),
so that a quiz start reads them instead of tokenizing and stemming every candidate answer;
and the topic-word index with the card, so that looking wrong answers up reads the index
alone."""

from django.db import migrations, models

from quizzes import wording

BATCH = 2000


def fill_choice_words(apps, schema_editor):
    """What services.card_pages stores at every save, for the choices saved before."""
    Card = apps.get_model("quizzes", "Card")
    Distractor = apps.get_model("quizzes", "Distractor")
    for model, text, fields in [
        (Card, "choice_text", ["choice_words", "choice_stems"]),
        (Distractor, "text", ["words", "stems"]),
    ]:
        rows = model.objects.exclude(**{text: ""}).only("pk", text).order_by("pk")
        changed = []
        for row in rows.iterator(chunk_size=BATCH):
            stored = wording.choice_words(getattr(row, text)).stored()
            for name, value in zip(fields, stored, strict=True):
                setattr(row, name, value)
            changed.append(row)
            if len(changed) == BATCH:
                model.objects.bulk_update(changed, fields)
                changed = []
        model.objects.bulk_update(changed, fields)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0010_search_and_indexes")]

    operations = [
        migrations.AddField(
            model_name="card",
            name="choice_words",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="card",
            name="choice_stems",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="distractor",
            name="words",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="distractor",
            name="stems",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_choice_words, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="cardkeyword", name="keyword_lookup"),
        migrations.AddIndex(
            model_name="cardkeyword",
            index=models.Index(
                fields=["deck", "word", "shuffle_key", "card"], name="keyword_lookup"
            ),
        ),
    ]
