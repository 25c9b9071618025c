"""The Editors group: staff who may edit the deck (cards, decks, tags, images) and nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "deck": ("view", "add", "change"),
    "card": ("view", "add", "change"),
    "tag": ("view", "add", "change"),
    "cachedimage": ("view", "add", "change"),
    "cardimage": ("view", "add", "change", "delete"),
}


def create_editors_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran; the group needs them now.
    quizzes_config = apps.get_app_config("quizzes")
    quizzes_config.models_module = True
    create_permissions(quizzes_config, apps=apps, verbosity=0)
    quizzes_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    codenames = [
        f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions
    ]
    editors.permissions.set(
        Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames)
    )


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_deck"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
