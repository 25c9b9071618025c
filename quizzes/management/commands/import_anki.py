from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from quizzes.importing.anki import SEPARATORS, AnkiParseError, ColumnMapping
from quizzes.models import Deck
from quizzes.services.anki_io import ImportTooLarge, anki_import_apply, anki_import_check_size


def _separator(value: str) -> str:
    if value.lower() in SEPARATORS:
        return SEPARATORS[value.lower()]
    if len(value) == 1 and value not in '"\r\n':
        return value
    raise ValueError(value)


def _column(value: str) -> int:
    if (column := int(value)) < 1:
        raise ValueError(value)
    return column


def _columns(value: str) -> tuple[int, ...]:
    columns = tuple(int(part) - 1 for part in value.split(",") if part.strip())
    if any(column < 0 for column in columns):
        raise ValueError(value)
    return columns


class Command(BaseCommand):
    help = (
        "Imports an Anki export (.txt, .csv, .tsv, or an .apkg/.colpkg package) into a deck "
        "(made if missing): new cards are added, changed ones updated in place; lines that "
        "make no card are listed, and a file that is not a deck writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--deck", required=True, help="The deck's slug.")
        parser.add_argument("--name", help="The name of a deck made by this import.")
        parser.add_argument(
            "--separator",
            type=_separator,
            help="tab, comma, semicolon, pipe, colon, space or one character "
            "(default: the file's #separator header, else a guess).",
        )
        parser.add_argument("--question", type=_column, help="The question's column (1 = first).")
        parser.add_argument("--answer", type=_column, help="The answer's column (1 = first).")
        parser.add_argument(
            "--extra", type=_columns, default=(), help="Columns appended to the answer, e.g. 4,5."
        )
        parser.add_argument(
            "--decks-by-name",
            action="store_true",
            help="Decks of the file with no shared parent go each to the deck of its name, as "
            "Anki imports them (made where there is none), not below --deck.",
        )

    def handle(self, *args, file, deck, name=None, separator=None, **options):
        try:
            anki_import_check_size(size=file.stat().st_size)
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except ImportTooLarge as error:
            raise CommandError(f"nothing imported from {file}: {error}") from None
        target = Deck.objects.filter(slug=deck).first() or self._new_deck(deck, name, file)
        try:
            plan = anki_import_apply(
                deck=target,
                data=data,
                source=str(file),
                separator=separator,
                mapping=self._mapping(options),
                progress=self._progress,
                decks_by_name=options["decks_by_name"],
            )
        except AnkiParseError as error:
            raise CommandError(f"nothing imported, the file is not a deck:\n{error}") from None
        for line in [*plan.notices, *plan.report]:
            self.stderr.write(str(line))
        for site_deck in plan.decks:
            self.stdout.write(site_deck.told)
        return f"{target.slug}: {plan.summary}"

    def _new_deck(self, slug: str, name: str | None, file: Path) -> Deck:
        """The deck to make, refused while the site could not hold it: a slug its addresses
        cannot name, or a slug or name longer than their columns."""
        try:
            validate_slug(slug)
        except ValidationError:
            raise CommandError(
                f"--deck {slug!r} is no slug: letters, numbers, hyphens and underscores only "
                "(--name gives the deck a name of any letters)"
            ) from None
        deck = Deck(slug=slug, name=name or slug, source_name=file.name[:200])
        for option, field_name in (("--deck", "slug"), ("--name", "name")):
            longest = Deck._meta.get_field(field_name).max_length
            if len(getattr(deck, field_name)) > longest:
                raise CommandError(f"{option} is longer than {longest} characters")
        return deck

    def _mapping(self, options) -> ColumnMapping | None:
        if options["question"] is None:
            if options["answer"] is not None or options["extra"]:
                raise CommandError("--answer and --extra need --question")
            return None
        answer = options["answer"] - 1 if options["answer"] is not None else None
        return ColumnMapping(options["question"] - 1, answer, options["extra"])

    def _progress(self, done: int, total: int) -> None:
        """A line at each tenth of a big import: the writes come a thousand cards at a time."""
        step = max(1000, total // 10)
        if total < 2000:
            return
        if done == 0:
            self.stderr.write(f"writing {total} cards")
        elif done == total or done // step != (done - 1000) // step:
            self.stderr.write(f"written {done} of {total} cards ({done * 100 // total}%)")
