"""Turns parsed deck sources into deck fixtures, and reads them back (pure: records in,
JSON text out, and back).

The fixtures are Django fixtures (natural keys, no primary keys), sorted and stable, so the
same source gives the same bytes. The site loads them with `manage.py sync_decks`, which
keeps what staff edited (services.deck_sync), not with `loaddata`, which would overwrite it.
"""

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

from quizzes.importing.anki import CardRecord, ParseProblem, parse_anki
from quizzes.importing.cardhtml import CardContent, ImageRef, fragment_html


@dataclass(frozen=True)
class DeckSource:
    slug: str
    name: str
    description: str
    file: str
    source_url: str
    tags_file: str | None
    choices_file: str | None = None


class DeckSourceError(Exception):
    def __init__(self, problems: Sequence[ParseProblem | str]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def read_deck_sources(config_path: Path) -> list[DeckSource]:
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DeckSourceError([f"{config_path}: {error}"]) from None
    decks = []
    for index, entry in enumerate(config.get("deck", []), start=1):
        missing = [key for key in ("slug", "name", "file") if not entry.get(key)]
        if missing:
            raise DeckSourceError([f"{config_path}: deck {index} lacks {', '.join(missing)}"])
        decks.append(
            DeckSource(
                slug=entry["slug"],
                name=entry["name"],
                description=entry.get("description", ""),
                file=entry["file"],
                source_url=entry.get("source_url", ""),
                tags_file=entry.get("tags_file"),
                choices_file=entry.get("choices_file"),
            )
        )
    return decks


def read_tags_file(path: Path) -> dict[int, tuple[str, ...]]:
    """`number<TAB>tag tag ...` per line; `#` starts a comment."""
    tags: dict[int, tuple[str, ...]] = {}
    problems = []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        number, _, names = line.partition("\t")
        if not (number.isascii() and number.isdigit()) or not names.strip():
            problems.append(f"{path.name}:{line_number}: expected 'number<TAB>tags'")
            continue
        tags[int(number)] = tuple(names.split())
    if problems:
        raise DeckSourceError(problems)
    return tags


@dataclass(frozen=True, kw_only=True)
class CuratedChoice:
    """What editors wrote for a card's multiple choice: a short answer and wrong answers."""

    short_answer_html: str = ""
    distractors: tuple[str, ...] = ()


def read_choices_file(path: Path) -> dict[int, CuratedChoice]:
    """`[[card]]` tables of `number`, optional `short_answer` and `distractors` (HTML),
    made storable through the cards' allow-list."""
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("card", [])
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DeckSourceError([f"{path}: {error}"]) from None
    choices, problems = {}, []
    for index, entry in enumerate(entries, start=1):
        number = entry.get("number")
        distractors = tuple(fragment_html(text) for text in entry.get("distractors", []))
        if not isinstance(number, int) or number in choices or not all(distractors):
            problems.append(f"{path.name}: card {index} needs a new number and no blank distractor")
            continue
        choices[number] = CuratedChoice(
            short_answer_html=fragment_html(entry.get("short_answer", "")),
            distractors=distractors,
        )
    if problems:
        raise DeckSourceError(problems)
    return choices


def deck_fixture(
    deck: DeckSource,
    records: Sequence[CardRecord],
    tags=None,
    choices: dict[int, CuratedChoice] | None = None,
) -> str:
    tags = tags or {}
    choices = choices or {}
    card_tags = {
        record.number: sorted({*record.tags, *tags.get(record.number, ())}) for record in records
    }
    all_tags = sorted({name for names in card_tags.values() for name in names})
    rows: list[dict] = [
        {
            "model": "quizzes.deck",
            "fields": {
                "name": deck.name,
                "slug": deck.slug,
                "description": deck.description,
                "source_name": deck.file,
                "source_url": deck.source_url,
            },
        }
    ]
    rows += [
        {"model": "quizzes.tag", "fields": {"name": name, "slug": slugify(name)}}
        for name in all_tags
    ]
    image_urls = sorted({image.url for record in records for image in record.images})
    rows += [{"model": "quizzes.cachedimage", "fields": {"url": url}} for url in image_urls]
    for record in sorted(records, key=lambda record: record.number):
        rows.append(
            {
                "model": "quizzes.card",
                "fields": {
                    "deck": [deck.slug],
                    "number": record.number,
                    "question_html": record.question_html,
                    "answer_html": record.answer_html,
                    "question_text": record.question_text,
                    "answer_text": record.answer_text,
                    "source_url": record.source_url,
                    "short_answer_html": choices.get(
                        record.number, CuratedChoice()
                    ).short_answer_html,
                    "tags": [[slugify(name)] for name in card_tags[record.number]],
                },
            }
        )
        rows += [
            {
                "model": "quizzes.distractor",
                "fields": {"card": [deck.slug, record.number], "html": html},
            }
            for html in choices.get(record.number, CuratedChoice()).distractors
        ]
        rows += [
            {
                "model": "quizzes.cardimage",
                "fields": {
                    "card": [deck.slug, record.number],
                    "image": [image.url],
                    "side": image.side,
                    "position": image.position,
                },
            }
            for image in record.images
        ]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def build_deck_fixture(deck: DeckSource, source_dir: Path) -> str:
    path = source_dir / deck.file
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DeckSourceError([f"{path}: {error.strerror}"]) from None
    records = parse_anki(data, source=str(path), require_numbers=True)
    tags = read_tags_file(source_dir / deck.tags_file) if deck.tags_file else {}
    choices = read_choices_file(source_dir / deck.choices_file) if deck.choices_file else {}
    numbers = {record.number for record in records}
    unknown = [(deck.tags_file, n) for n in sorted(set(tags) - numbers)]
    unknown += [(deck.choices_file, n) for n in sorted(set(choices) - numbers)]
    if unknown:
        raise DeckSourceError([f"{name}: no card numbered {n}" for name, n in unknown])
    return deck_fixture(deck, records, tags, choices)


# --- reading a fixture back (services.deck_sync loads it without loaddata) ---


@dataclass(frozen=True, kw_only=True)
class FixtureCard:
    content: CardContent  # with the number and source URL
    tags: tuple[str, ...]  # slugs
    choice: CuratedChoice = CuratedChoice()

    @property
    def number(self) -> int:
        return self.content.number


@dataclass(frozen=True, kw_only=True)
class FixtureDeck:
    fields: dict  # name, slug, description, source_name, source_url
    tags: dict[str, str]  # slug -> name
    cards: tuple[FixtureCard, ...]


def read_deck_fixture(text: str, *, source: str) -> list[FixtureDeck]:
    """The decks of a fixture `deck_fixture` wrote; raises DeckSourceError naming `source`
    when the text is not such a fixture."""
    try:
        rows = json.loads(text)
        by_model: dict[str, list[dict]] = {}
        for row in rows:
            by_model.setdefault(row["model"], []).append(row["fields"])
        tags = {row["slug"]: row["name"] for row in by_model.get("quizzes.tag", [])}
        images: dict[tuple[str, int], list[ImageRef]] = {}
        for row in by_model.get("quizzes.cardimage", []):
            slug, number = row["card"]
            ref = ImageRef(row["image"][0], row["side"], row["position"])
            images.setdefault((slug, number), []).append(ref)
        distractors: dict[tuple[str, int], list[str]] = {}
        for row in by_model.get("quizzes.distractor", []):
            slug, number = row["card"]
            distractors.setdefault((slug, number), []).append(row["html"])
        decks = []
        for deck in by_model.get("quizzes.deck", []):
            cards = tuple(
                FixtureCard(
                    content=CardContent(
                        question_html=row["question_html"],
                        answer_html=row["answer_html"],
                        question_text=row["question_text"],
                        answer_text=row["answer_text"],
                        source_url=row["source_url"],
                        number=row["number"],
                        images=tuple(images.get((deck["slug"], row["number"]), ())),
                    ),
                    tags=tuple(slug for (slug,) in row["tags"]),
                    choice=CuratedChoice(
                        short_answer_html=row.get("short_answer_html", ""),
                        distractors=tuple(distractors.get((deck["slug"], row["number"]), ())),
                    ),
                )
                for row in by_model.get("quizzes.card", [])
                if row["deck"] == [deck["slug"]]
            )
            decks.append(FixtureDeck(fields=deck, tags=tags, cards=cards))
    except (ValueError, KeyError, TypeError) as error:
        raise DeckSourceError([f"{source}: not a deck fixture ({error!r})"]) from None
    return decks
