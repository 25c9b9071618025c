from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.models import Deck
from quizzes.services.anki_io import cards_export_anki


class Command(BaseCommand):
    help = "Writes a deck as an Anki plain-text file (tab-separated, HTML, tags and guids)."

    def add_arguments(self, parser):
        parser.add_argument("--deck", required=True, help="The deck's slug.")
        parser.add_argument(
            "-o", "--output", type=Path, help="The file to write (default: stdout)."
        )

    def handle(self, *args, deck, output=None, **options):
        found = Deck.objects.filter(slug=deck).first()
        if found is None:
            raise CommandError(f"no deck with the slug {deck!r}")
        exported = cards_export_anki(cards=found.cards.all(), deck_name=found.name)
        if output is None:
            self.stdout.write(exported.text, ending="")
            if exported.notice:
                self.stderr.write(exported.notice)
            return None
        output.write_text(exported.text, encoding="utf-8")
        summary = f"{found.cards.count()} cards written to {output}"
        return f"{summary}; {exported.notice}" if exported.notice else summary
