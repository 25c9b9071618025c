"""The note's first field as last imported, for a guid-less re-import to find a card staff
reworded after the file changed the note. A card still as its last import wrote it (its
checksum says so) has it already: its own first field. One edited here before this keeps
it blank, and is matched as before."""

import hashlib
import json

from django.db import migrations, models

BATCH = 2000


def _checksum(card) -> str:
    identity = json.dumps([card.note_type, card.card_ord, card.question_html, card.answer_html])
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _first_field(card) -> str:
    reverse = card.note_type != "Cloze" and card.card_ord == 1
    return card.answer_html if reverse else card.question_html


def imported_first_fields_fill(apps, schema_editor):
    Card = apps.get_model("quizzes", "Card")
    imported = (
        Card.objects.exclude(imported_checksum="")
        .only("note_type", "card_ord", "question_html", "answer_html", "imported_checksum")
        .order_by("pk")
    )
    last = 0
    while batch := list(imported.filter(pk__gt=last)[:BATCH]):
        last = batch[-1].pk
        unedited = [card for card in batch if _checksum(card) == card.imported_checksum]
        for card in unedited:
            card.imported_first_field = _first_field(card)
        Card.objects.bulk_update(unedited, ["imported_first_field"])


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0028_export_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="imported_first_field",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(imported_first_fields_fill, migrations.RunPython.noop),
    ]
