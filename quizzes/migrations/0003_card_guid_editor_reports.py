from django.db import migrations, models


def let_editors_handle_reports(apps, schema_editor):
    # Permissions for ProblemReport exist already: 0001 created the model and 0002 made
    # the permissions of every quizzes model.
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="quizzes",
                codename__in=["view_problemreport", "change_problemreport"],
            )
        )


def stop_editors_handling_reports(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="quizzes",
                codename__in=["view_problemreport", "change_problemreport"],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0002_editors_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="guid",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddConstraint(
            model_name="card",
            constraint=models.UniqueConstraint(
                condition=models.Q(("guid", ""), _negated=True),
                fields=("deck", "guid"),
                name="card_guid_unique_in_deck",
            ),
        ),
        migrations.RunPython(let_editors_handle_reports, stop_editors_handling_reports),
    ]
