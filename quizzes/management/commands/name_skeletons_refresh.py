from django.core.management.base import BaseCommand

from quizzes.services.accounts import name_skeletons_refresh


class Command(BaseCommand):
    help = (
        "Works every username's skeleton and reading (quizzes/lookalikes.py) out again by "
        "the rules as they are now, and stores those that changed. Run it after changing "
        "the rules, so that sign-up compares new names with the names taken by those rules."
    )

    def handle(self, *args, **options):
        changed = name_skeletons_refresh()
        return f"{changed} usernames' skeletons changed with the rules."
