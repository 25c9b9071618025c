from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.services.accounts import pending_emails_expired_before, pending_emails_purge
from quizzes.services.housekeeping import guest_attempts_purge


class Command(BaseCommand):
    help = (
        "Deletes guests' quizzes left unfinished for longer than a guest's session lasts "
        "(nobody can finish or claim them any more), and the email addresses typed for "
        "confirmation links that have expired. Run it daily, beside clearsessions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            help="Started more than this many days ago (default: the session lifetime, "
            "SESSION_COOKIE_AGE, rounded up to whole days).",
        )

    def handle(self, *args, days=None, **options):
        if days is None:
            days = -(-settings.SESSION_COOKIE_AGE // 86400)
        if days < 1:
            raise CommandError("--days must be 1 or more")
        before = timezone.now() - timedelta(days=days)
        deleted = guest_attempts_purge(started_before=before)
        addresses = pending_emails_purge(asked_before=pending_emails_expired_before(timezone.now()))
        return (
            f"Deleted {deleted} unfinished guest quizzes "
            f"started before {before:%Y-%m-%d %H:%M} UTC, and {addresses} email addresses "
            "waiting for a confirmation link that has expired."
        )
