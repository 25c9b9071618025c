"""A fit of a learner's FSRS parameters keeps how well the parameters in use predict their
reviews, and whether it kept those it found in use (services.fsrs_fitting.parameters_fit)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('quizzes', '0049_card_choice_voice'),
    ]

    operations = [
        migrations.AddField(
            model_name='learnersettings',
            name='parameters_kept',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='learnersettings',
            name='parameters_log_loss',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='learnersettings',
            name='parameters_rmse',
            field=models.FloatField(blank=True, null=True),
        ),
    ]
