from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.models import Deck
from quizzes.services.anki_io import deck_export_apkg


class Command(BaseCommand):
    help = (
        "Writes a deck as an Anki package (.apkg) with its cached images and sounds, made by "
        "Anki's own library: Anki imports it back with the same notes, guids and media."
    )

    def add_arguments(self, parser):
        parser.add_argument("--deck", required=True, help="The deck's slug.")
        parser.add_argument("-o", "--output", type=Path, required=True, help="The .apkg to write.")

    def handle(self, *args, deck, output, **options):
        found = Deck.objects.filter(slug=deck).first()
        if found is None:
            raise CommandError(f"no deck with the slug {deck!r}")
        if output.suffix.lower() != ".apkg":
            raise CommandError(f"{output} does not end in .apkg")
        notes = deck_export_apkg(deck=found, path=output)
        return f"{notes} notes written to {output}"
