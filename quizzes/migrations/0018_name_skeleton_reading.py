from django.conf import settings
from django.db import migrations, models

from quizzes.lookalikes import reading, skeleton

BATCH = 1000


def skeletons_refresh(apps, schema_editor):
    """Every name's skeleton by the new rule (a lower-case i no longer an l), and its
    reading, which the old skeleton's lower case stood for."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    name_skeleton = apps.get_model("quizzes", "NameSkeleton")
    users = user_model.objects.order_by("pk").values_list("pk", "username")
    rows = [
        name_skeleton(user_id=pk, skeleton=skeleton(username), reading=reading(username))
        for pk, username in users.iterator(chunk_size=BATCH)
    ]
    name_skeleton.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["skeleton", "reading"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0017_attempt_past_ranked_per_day"),
    ]

    operations = [
        migrations.AddField(
            model_name="nameskeleton",
            name="reading",
            field=models.CharField(db_index=True, default="", max_length=300),
            preserve_default=False,
        ),
        migrations.RunPython(skeletons_refresh, migrations.RunPython.noop),
    ]
