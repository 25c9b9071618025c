from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quizzes.importing.fixtures import DeckSourceError, read_deck_fixture
from quizzes.models import Deck
from quizzes.services.attempts import choices_wanted, ready_quick_quizzes_wanted
from quizzes.services.deck_sync import deck_sync


def fixture_decks(names: list[str]):
    """The decks of fixtures/<name>.json for each name, or of every fixture file."""
    fixtures_dir = Path(settings.FIXTURE_DIRS[0])
    paths = [fixtures_dir / f"{name}.json" for name in names] or sorted(fixtures_dir.glob("*.json"))
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            yield from read_deck_fixture(text, source=str(path))
        except DeckSourceError as error:
            raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Loads the deck fixtures (fixtures/<deck>.json): adds missing decks and cards, and "
        "updates the cards nobody edited here. Cards edited or deleted here are left alone "
        "and listed; `reset_deck` overwrites them."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Fixture names (default: every one).")

    def handle(self, *args, names, **options):
        summaries, synced = [], []
        for fixture in fixture_decks(names):
            report = deck_sync(fixture=fixture)
            for line in report.details:
                self.stdout.write(f"{report.deck} {line}")
            summaries.append(report.summary)
            synced.append(report.deck)
        # `make run` and `make serve` sync the decks as the site starts: its worker chooses
        # the cards' wrong answers and plans Quick quizzes then, not at the first learner's
        # start (with no Quick quizzes planned ahead, it still chooses the wrong answers).
        for deck in Deck.objects.filter(slug__in=synced):
            if settings.QUIZSITE_READY_QUICK_QUIZZES > 0:
                ready_quick_quizzes_wanted(deck)
            else:
                choices_wanted(deck)
        return "\n".join(summaries) or "no deck fixture found"
