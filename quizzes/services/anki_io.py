"""Anki files in and out of a deck: what an import would change, the import itself in one
transaction, and the export that imports back unchanged.

Cards are matched on import by their number (from the source link), else by their Anki
guid, so a re-import updates the rows in place: primary keys, permalinks and the answers
learners gave stay attached.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import (
    QuerySet,
)
from django.utils.text import slugify

from quizzes import caching
from quizzes.importing.anki import (
    AnkiParseError,
    CardRecord,
    ExportCard,
    ParseProblem,
    export_anki,
    parse_anki,
)
from quizzes.importing.cardhtml import note_guid
from quizzes.models import Card, Deck, Tag
from quizzes.services.card_editing import card_store, content_problem

# --- Anki import ---


@dataclass(frozen=True)
class PlannedCard:
    record: CardRecord
    number: int
    card: Card | None  # None for a new card
    changes: tuple[str, ...] = ()  # the fields an import would change


@dataclass(frozen=True)
class ImportPlan:
    new: list[PlannedCard] = field(default_factory=list)
    changed: list[PlannedCard] = field(default_factory=list)
    unchanged: list[PlannedCard] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{len(self.new)} new, {len(self.changed)} changed, {len(self.unchanged)} unchanged"


class ImportTooLarge(ValueError):
    """A file over QUIZSITE_IMPORT_MAX_BYTES; the message says so, fit for a form error."""


def anki_import_check_size(*, size: int) -> None:
    """Refuse a file too large to import, before it is read or parsed."""
    limit = settings.QUIZSITE_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportTooLarge(
            f"the file is {size} bytes, more than the {limit} bytes one import takes: "
            "split it into smaller files"
        )


def anki_import_plan(*, deck: Deck, data: bytes | str, source: str) -> ImportPlan:
    """What importing `data` into `deck` would do; raises ImportTooLarge or AnkiParseError,
    writes nothing.

    A card with a source link keeps the number in it; one without is matched by guid,
    else it takes the next free number. A file that leaves a card's tags out leaves its
    tags alone.

    A line whose guid column names a guid other than that of the deck's card with the
    same number is a problem on that line, not an update, when that card is known by its
    own guid or by another source link (another deck's export, say): overwriting would
    turn one card into another under the answers learners gave it, and a new number
    would break the rule that a card's number is the one in its source link. A card
    known only by the same source link is the same card with a guid Anki gave it.
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode())
    anki_import_check_size(size=size)
    records = parse_anki(data, source=source, max_cards=settings.QUIZSITE_IMPORT_MAX_CARDS)
    cards = list(deck.cards.prefetch_related("tags")) if deck.pk else []
    by_number = {card.number: card for card in cards}
    by_guid = {card.anki_guid: card for card in cards}
    taken = set(by_number) | {record.number for record in records if record.number is not None}
    next_number = max(taken, default=0) + 1
    plan, problems, line_of_card = ImportPlan(), [], {}
    for record in records:
        if reason := content_problem(record):
            problems.append(ParseProblem(source, record.line, reason))
            continue
        if record.number is not None:
            number, card = record.number, by_number.get(record.number)
        elif record.guid in by_guid:
            card = by_guid[record.guid]
            number = card.number
        else:
            number, card = next_number, None
            next_number += 1
        owner = by_guid.get(record.guid)
        if owner is not None and owner is not card:
            reason = f"guid {record.guid!r} belongs to card {owner.number}, not {number}"
            problems.append(ParseProblem(source, record.line, reason))
            continue
        if card is not None and _is_another_card(card, record):
            reason = (
                f"card {number} of this deck is another card (guid {card.anki_guid!r}, "
                f"not {record.guid!r}): import the file into another deck"
            )
            problems.append(ParseProblem(source, record.line, reason))
            continue
        if card is not None and card.pk in line_of_card:
            reason = f"matches card {number}, as line {line_of_card[card.pk]} does"
            problems.append(ParseProblem(source, record.line, reason))
            continue
        if card is None:
            plan.new.append(PlannedCard(record, number, None))
            continue
        line_of_card[card.pk] = record.line
        changes = _changes(card, record)
        (plan.changed if changes else plan.unchanged).append(
            PlannedCard(record, number, card, changes)
        )
    if problems:
        raise AnkiParseError(problems)
    return plan


def _is_another_card(card: Card, record: CardRecord) -> bool:
    if not record.guid_from_file or record.guid == card.anki_guid:
        return False
    return bool(card.guid) or card.source_url != record.source_url


def _changes(card: Card, record: CardRecord) -> tuple[str, ...]:
    changes = [
        name
        for name in ("question_html", "answer_html", "source_url")
        if getattr(card, name) != getattr(record, name)
    ]
    if record.tags and sorted(tag.name for tag in card.tags.all()) != sorted(record.tags):
        changes.append("tags")
    if card.anki_guid != record.guid:
        changes.append("guid")
    return tuple(changes)


@transaction.atomic
def anki_import_apply(*, deck: Deck, data: bytes | str, source: str) -> ImportPlan:
    """Import `data` into `deck` in one transaction; on a parse problem nothing is written."""
    if deck.pk is None:
        deck.save()
    plan = anki_import_plan(deck=deck, data=data, source=source)
    tags_by_name: dict[str, Tag] = {}
    for planned in plan.new:
        card = Card(deck=deck, number=planned.number)
        _apply_record(card, planned.record, tags_by_name)
    for planned in plan.changed:
        _apply_record(planned.card, planned.record, tags_by_name)
    caching.deck_pages_changed()
    return plan


def _apply_record(card: Card, record: CardRecord, tags_by_name: dict[str, Tag]) -> None:
    card.source_url = record.source_url
    # A guid that follows from the source link needs no storing (the fixtures have none).
    derived = note_guid(
        source_url=record.source_url,
        question_html=record.question_html,
        answer_html=record.answer_html,
    )
    card.guid = "" if record.source_url and record.guid == derived else record.guid
    card_store(card=card, content=record)
    if record.tags:
        card.tags.set(_tags_named(record.tags, tags_by_name))


def _tags_named(names: tuple[str, ...], known: dict[str, Tag]) -> list[Tag]:
    """The tags of these names, made where new; `known` keeps them from one card of an
    import to the next, so a tag is looked up once, not once per card."""
    for name in names:
        if name not in known:
            tag = Tag.objects.filter(name=name).first()
            if tag is None:
                tag, _ = Tag.objects.get_or_create(
                    slug=slugify(name) or name, defaults={"name": name}
                )
            known[name] = tag
    return [known[name] for name in names]


# --- Anki export ---


def cards_export_anki(*, cards: QuerySet[Card], deck_name: str | None = None) -> str:
    """An Anki plain-text file of `cards` (with tags and guids) that imports back unchanged."""
    rows = cards.select_related(None).prefetch_related("tags").order_by("deck__name", "number")
    return export_anki(
        (
            ExportCard(
                question_html=card.question_html,
                answer_html=card.answer_html,
                tags=tuple(sorted(tag.name for tag in card.tags.all())),
                source_url=card.source_url,
                guid=card.anki_guid,
            )
            for card in rows
        ),
        deck_name=deck_name,
    )
