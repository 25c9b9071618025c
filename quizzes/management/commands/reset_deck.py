from django.core.management.base import BaseCommand, CommandError

from quizzes.management.commands.sync_decks import fixture_decks
from quizzes.services.deck_sync import deck_sync


class Command(BaseCommand):
    help = (
        "Makes a deck exactly what its fixture (fixtures/<deck>.json) says: cards edited here "
        "are overwritten and cards deleted here come back. Learners' answers stay attached."
    )

    def add_arguments(self, parser):
        parser.add_argument("deck", help="The deck's slug, which names its fixture.")
        parser.add_argument(
            "--yes", action="store_true", help="Do it without asking (edits here are lost)."
        )

    def handle(self, *args, deck, yes=False, **options):
        if not yes:
            answer = input(f"Overwrite every edit made here to the deck {deck!r}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("nothing changed")
        summaries = [deck_sync(fixture=f, reset=True).summary for f in fixture_decks([deck])]
        return "\n".join(summaries)
