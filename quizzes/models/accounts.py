from django.conf import settings
from django.db import models


class NameSkeleton(models.Model):
    """What a username looks like and what it reads as (quizzes.lookalikes.skeleton and
    reading), kept for every user so that sign-up refuses in one indexed lookup a name that
    can pass for one taken, in either order: "alice" spelt in Cyrillic after "alice", and
    "scope" after "scope" spelt in Cyrillic. Kept in step with every save of a user's name
    (services.accounts), the admin's included; `manage.py name_skeletons_refresh` works
    them out again when the rules change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="name_skeleton",
    )
    # Not unique: names taken before the rule came in may share one.
    skeleton = models.CharField(max_length=300, db_index=True)
    reading = models.CharField(max_length=300, db_index=True)

    def __str__(self):
        return self.skeleton


class PendingEmail(models.Model):
    """The address a learner last asked a confirmation link for, until they open it (see
    services.accounts). Its `nonce` is in the link, so only the latest link asked for works:
    one sent before to an address given up, or before the email changed and changed back,
    does not come back to life."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pending_email",
    )
    email = models.EmailField()
    nonce = models.CharField(max_length=32)
    asked_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.email
