"""Turns parsed deck sources into Django fixtures (pure: records in, JSON text out).

Rows carry natural keys and no primary keys, so `loaddata` updates the rows a database
already has; the output is sorted and stable, so the same source gives the same bytes.
"""

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

from quizzes.importing.anki import CardRecord, ParseProblem, parse_anki


@dataclass(frozen=True)
class DeckSource:
    slug: str
    name: str
    description: str
    file: str
    source_url: str
    tags_file: str | None


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
        if not number.isdigit() or not names.strip():
            problems.append(f"{path.name}:{line_number}: expected 'number<TAB>tags'")
            continue
        tags[int(number)] = tuple(names.split())
    if problems:
        raise DeckSourceError(problems)
    return tags


def deck_fixture(deck: DeckSource, records: Sequence[CardRecord], tags=None) -> str:
    tags = tags or {}
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
                    "tags": [[slugify(name)] for name in card_tags[record.number]],
                },
            }
        )
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
    unknown = sorted(set(tags) - {record.number for record in records})
    if unknown:
        raise DeckSourceError([f"{deck.tags_file}: no card numbered {n}" for n in unknown])
    return deck_fixture(deck, records, tags)
