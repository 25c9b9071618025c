from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.importing.anki import AnkiParseError
from quizzes.models import Deck
from quizzes.services.anki_io import ImportTooLarge, anki_import_apply, anki_import_check_size


class Command(BaseCommand):
    help = (
        "Imports an Anki plain-text export into a deck (made if missing): new cards are "
        "added, changed ones updated in place, and a file with problems writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--deck", required=True, help="The deck's slug.")
        parser.add_argument("--name", help="The name of a deck made by this import.")

    def handle(self, *args, file, deck, name=None, **options):
        try:
            anki_import_check_size(size=file.stat().st_size)
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except ImportTooLarge as error:
            raise CommandError(f"nothing imported from {file}: {error}") from None
        target = Deck.objects.filter(slug=deck).first() or Deck(
            slug=deck, name=name or deck, source_name=file.name
        )
        try:
            plan = anki_import_apply(deck=target, data=data, source=str(file))
        except AnkiParseError as error:
            raise CommandError(f"nothing imported, the file has problems:\n{error}") from None
        return f"{target.slug}: {plan.summary}"
