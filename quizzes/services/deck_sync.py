"""Loading the deck fixtures (fixtures/<slug>.json, built from the source files) into the
database without losing what staff changed here.

Each deck remembers a checksum of every card as the fixture last gave it
(`Deck.synced_cards`). A card whose content still has that checksum was not edited here, so
a newer fixture may update it; a card whose content differs was edited (or made) here and is
left alone, and reported. A card deleted here stays deleted. `reset` is the explicit way to
make the deck what the fixture says again, edits and all.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Lower

from quizzes import caching
from quizzes.importing.cardhtml import note_guid
from quizzes.importing.fixtures import FixtureCard, FixtureDeck
from quizzes.models import Card, Deck, Distractor, Tag
from quizzes.services.card_editing import card_store
from quizzes.services.card_pages import distractor_render
from quizzes.services.decks import deck_by_former_slug, deck_slug_changed

_in_order = Distractor.objects.order_by("pk")


@dataclass(kw_only=True)
class SyncReport:
    deck: str
    created: bool = False
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    # Cards edited here that the fixture did not change: nothing to apply.
    edited_here: int = 0
    # Cards the fixture changed but staff had edited here: left as they are.
    kept_edits: list[int] = field(default_factory=list)
    # Cards the fixture still has but staff deleted here: not added back.
    kept_deleted: list[int] = field(default_factory=list)
    # Cards here that the fixture does not have (made or imported here): left alone.
    local_only: list[int] = field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{self.unchanged} unchanged",
        ]
        if self.edited_here:
            parts.append(f"{self.edited_here} with edits made here")
        if self.kept_edits:
            parts.append(
                f"{len(self.kept_edits)} changed in the fixture but edited here: left alone"
            )
        if self.kept_deleted:
            parts.append(f"{len(self.kept_deleted)} deleted here and not added back")
        return f"{self.deck}: " + ", ".join(parts)

    @property
    def details(self) -> list[str]:
        """One line per card left alone, for the command's output."""
        return [
            *(
                f"card {n}: edited here; the fixture's new version was not applied"
                for n in self.kept_edits
            ),
            *(f"card {n}: deleted here; not added back" for n in self.kept_deleted),
        ]


def card_checksum(
    *,
    question_html: str,
    answer_html: str,
    source_url: str,
    tags,
    short_answer_html: str = "",
    distractors=(),
) -> str:
    """What a card says, as one value: its two sides, its source, its tag slugs, and what
    editors wrote for its multiple choice (left out when nothing: so the checksums of
    cards without any stay what they were before there was such a thing)."""
    identity = [question_html, answer_html, source_url, sorted(tags)]
    if short_answer_html or distractors:
        identity += [short_answer_html, list(distractors)]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]


def _fixture_checksum(card: FixtureCard) -> str:
    content = card.content
    return card_checksum(
        question_html=content.question_html,
        answer_html=content.answer_html,
        source_url=content.source_url,
        tags=card.tags,
        short_answer_html=card.choice.short_answer_html,
        distractors=card.choice.distractors,
    )


def _current_checksum(card: Card) -> str:
    return card_checksum(
        question_html=card.question_html,
        answer_html=card.answer_html,
        source_url=card.source_url,
        tags=[tag.slug for tag in card.tags.all()],
        short_answer_html=card.short_answer_html,
        distractors=[row.html for row in card.distractors.all()],
    )


@transaction.atomic
def deck_sync(*, fixture: FixtureDeck, reset: bool = False) -> SyncReport:
    """Bring the deck `fixture` describes up to date with it, keeping local edits (unless
    `reset`); returns what was done, card by card where something was left alone."""
    slug = fixture.fields["slug"]
    report = SyncReport(deck=slug)
    # Staff may have given the deck another slug: it is the same deck.
    deck = Deck.objects.filter(slug=slug).first() or deck_by_former_slug(slug)
    wanted = {card.number: _fixture_checksum(card) for card in fixture.cards}
    if deck is not None and not reset and deck.synced_cards == _as_json_keys(wanted):
        report.unchanged = len(wanted)  # the fixture has not changed since the last sync
        return report
    if deck is None:
        deck, report.created = Deck.objects.create(**fixture.fields), True
    elif reset:
        renamed_from = deck.slug
        Deck.objects.filter(pk=deck.pk).update(**fixture.fields)
        deck.refresh_from_db()
        if deck.slug != renamed_from:
            deck_slug_changed(deck=deck, old_slug=renamed_from)
    tags = _tags(fixture.tags)
    existing = {
        card.number: card
        for card in deck.cards.prefetch_related("tags", Prefetch("distractors", _in_order))
    }
    synced = {int(number): checksum for number, checksum in deck.synced_cards.items()}
    for source_card in fixture.cards:
        number, checksum = source_card.number, wanted[source_card.number]
        card = existing.get(number)
        last = synced.get(number)
        if card is None:
            if last is not None and not reset:
                report.kept_deleted.append(number)
                continue
            _store(Card(deck=deck, number=number), source_card, tags)
            report.added.append(number)
        elif (current := _current_checksum(card)) == checksum:
            report.unchanged += 1
        elif checksum == last and not reset:
            report.edited_here += 1
            continue
        elif reset or current == last:
            _store(card, source_card, tags)
            report.updated.append(number)
        else:
            report.kept_edits.append(number)
            continue
        synced[number] = checksum
    report.local_only = sorted(set(existing) - set(wanted))
    deck.synced_cards = _as_json_keys(synced)
    deck.save(update_fields=["synced_cards"])
    caching.deck_pages_changed()
    return report


def _as_json_keys(checksums: dict[int, str]) -> dict[str, str]:
    return {str(number): checksum for number, checksum in sorted(checksums.items())}


def _tags(names_by_slug: dict[str, str]) -> dict[str, Tag]:
    """The fixture's tags by its slugs: the tag of that slug, else the one of that name
    whatever its case (staff may have given it another slug), else a new one."""

    def found() -> dict[str, Tag]:
        by_slug = {tag.slug: tag for tag in Tag.objects.filter(slug__in=names_by_slug)}
        names = {name.lower() for name in names_by_slug.values()}
        by_name = {
            tag.name.lower(): tag
            for tag in Tag.objects.annotate(folded=Lower("name")).filter(folded__in=names)
        }
        return {
            slug: tag
            for slug, name in names_by_slug.items()
            if (tag := by_slug.get(slug) or by_name.get(name.lower()))
        }

    known = found()
    missing = [
        Tag(slug=slug, name=name) for slug, name in names_by_slug.items() if slug not in known
    ]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        known = found()
    return known


def _store(card: Card, source_card: FixtureCard, tags: dict[str, Tag]) -> None:
    """Write the fixture's card over `card`. A new card is known by its source link (no
    guid stored); a card here keeps the guid it went to Anki with, which Anki knows its
    note by (migration 0048 gave some a guid of their own): stored, where the fixture's
    link or text would derive another."""
    content = source_card.content
    if card.pk is not None and not card.guid:
        went_out_with = card.anki_guid
        derived = note_guid(
            source_url=content.source_url,
            question_html=content.question_html,
            answer_html=content.answer_html,
        )
        card.guid = "" if derived == went_out_with else went_out_with
    card.source_url = content.source_url
    card.short_answer_html = source_card.choice.short_answer_html
    card_store(card=card, content=content)
    card.tags.set([tags[slug] for slug in source_card.tags])
    card.distractors.all().delete()
    rows = [Distractor(card=card, html=html) for html in source_card.choice.distractors]
    for row in rows:
        distractor_render(row)
    Distractor.objects.bulk_create(rows)
