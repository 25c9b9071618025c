from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quizzes.importing.anki import AnkiParseError
from quizzes.importing.fixtures import DeckSourceError, build_deck_fixture, read_deck_sources


class Command(BaseCommand):
    help = "Regenerates fixtures/<deck>.json from the sources in fixtures/source/decks.toml."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if a committed fixture differs from a fresh build.",
        )

    def handle(self, *args, check=False, **options):
        fixtures_dir = Path(settings.FIXTURE_DIRS[0])
        source_dir = fixtures_dir / "source"
        stale, written = [], 0
        try:
            for deck in read_deck_sources(source_dir / "decks.toml"):
                text = build_deck_fixture(deck, source_dir)
                target = fixtures_dir / f"{deck.slug}.json"
                current = target.read_text(encoding="utf-8") if target.exists() else None
                if current == text:
                    continue
                if check:
                    stale.append(target.name)
                else:
                    target.write_text(text, encoding="utf-8")
                    written += 1
        except (AnkiParseError, DeckSourceError) as error:
            raise CommandError(f"the deck source has problems:\n{error}") from None
        if stale:
            raise CommandError(f"out of date, run build_fixtures: {', '.join(stale)}")
        return f"{written} fixture file(s) written" if not check else "fixtures are up to date"
