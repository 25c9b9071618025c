from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.models import ReviewLog
from quizzes.services import fsrs_fitting


class Command(BaseCommand):
    help = (
        "Fit FSRS parameters to each learner's reviews (fsrs-rs, on the CPU) and store them; "
        "their reviews are scheduled with them from then on. Says when there are too few."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help="Only this learner (username).")

    def handle(self, *, user, **options):
        users = get_user_model().objects.order_by("username")
        if user is not None:
            users = users.filter(username=user)
            if not users.exists():
                raise CommandError(f"There is no user called {user!r}.")
        else:
            users = users.filter(pk__in=ReviewLog.objects.values("user_id"))
        fitted = 0
        for learner in users:
            result = fsrs_fitting.parameters_fit(user=learner, now=timezone.now())
            fitted += result.fitted
            self.stdout.write(f"{learner.get_username()}: {result.summary}")
        return f"Parameters fitted for {fitted} of {len(users)} learner(s)."
