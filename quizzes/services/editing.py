"""Staff editing: saving cards from the admin, Anki import and export, image uploads.

Cards are matched on import by their number (from the source link), else by their Anki
guid, so a re-import updates the rows in place: primary keys, permalinks and the answers
learners gave stay attached.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from django.conf import settings
from django.db import transaction
from django.db.models import (
    Count,
    DurationField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.aggregates import Avg
from django.db.models.functions import Coalesce, NullIf
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
from quizzes.models import AttemptQuestion, CachedImage, Card, CardImage, Deck, ProblemReport, Tag
from quizzes.rendering import LocalImage, localize_images
from quizzes.sanitize import html_to_text, sanitize_card_html

# --- one card ---


# A provenance link the normaliser below appends and the parser takes off again, so that a
# link ending the answer staff typed is never mistaken for the card's own source link.
_PLACEHOLDER_SOURCE = "https://quizsite.invalid/questions/0"


class CardHtmlError(ValueError):
    """A side cannot become a card: the message says why, fit for a form error."""


def card_html_normalize(*, question_html: str, answer_html: str) -> tuple[str, str]:
    """Both sides exactly as an Anki import would store them: through the nh3 allow-list,
    repaired, trimmed. Saving what an export reads back keeps the round trip unchanged."""
    card = ExportCard(
        question_html=_plain_line_breaks(question_html),
        answer_html=_plain_line_breaks(answer_html),
        source_url=_PLACEHOLDER_SOURCE,
    )
    try:
        (record,) = parse_anki(export_anki([card]), source="card")
    except AnkiParseError as error:
        raise CardHtmlError("; ".join(problem.reason for problem in error.problems)) from None
    if reason := _image_problem(record) or _relative_image_problem(record):
        raise CardHtmlError(reason)
    return record.question_html, record.answer_html


def _relative_image_problem(record: CardRecord) -> str:
    # An import keeps a relative src (the file gives no base to resolve it against); staff
    # typing one by mistake would only get an image that can never be fetched.
    for image in record.images:
        url = urlsplit(image.url)
        if url.scheme.lower() not in ("http", "https") or not url.netloc:
            return f"the image src {image.url!r} is not an http:// or https:// URL"
    return ""


def _image_problem(record: CardRecord) -> str:
    longest = CachedImage._meta.get_field("url").max_length
    for image in record.images:
        if len(image.url) > longest:
            return f"an image URL is longer than {longest} characters"
    return ""


def _plain_line_breaks(html: str) -> str:
    # Browsers post CRLF; in HTML a line break is only whitespace.
    return html.replace("\r\n", "\n").replace("\r", "\n")


@transaction.atomic
def card_save_from_admin(*, card: Card) -> Card:
    """Save a card edited by staff: plain text and image references follow the HTML."""
    card.question_html, card.answer_html = card_html_normalize(
        question_html=card.question_html, answer_html=card.answer_html
    )
    card.question_text = html_to_text(card.question_html)
    card.answer_text = html_to_text(card.answer_html)
    if not card.guid and not card.source_url:
        # A card made here has no source link to be known by: give it a guid now so an
        # export and re-import (or Anki itself) recognise it after its text changes.
        card.guid = secrets.token_hex(8)
    card.save()
    card_images_sync(card=card)
    caching.deck_pages_changed()
    return card


def card_images_sync(*, card: Card) -> None:
    """Make the card's CardImage rows match the <img> tags of its HTML, side by side and in
    order; a URL seen for the first time gets a pending CachedImage for cache_images."""
    wanted = {
        (side, position): url
        for side, html in (
            (CardImage.Side.QUESTION, card.question_html),
            (CardImage.Side.ANSWER, card.answer_html),
        )
        for position, url in enumerate(_image_urls(html))
    }
    images = _cached_images_for(set(wanted.values()))
    current = {(row.side, row.position): row for row in card.card_images.select_related("image")}
    stale = [
        row.pk
        for place, row in current.items()
        if place not in wanted or row.image.url != wanted[place]
    ]
    CardImage.objects.filter(pk__in=stale).delete()
    CardImage.objects.bulk_create(
        CardImage(card=card, image=images[url], side=side, position=position)
        for (side, position), url in wanted.items()
        if (side, position) not in current or current[(side, position)].pk in stale
    )


def _image_urls(html: str) -> list[str]:
    return [img["src"] for img in BeautifulSoup(html, "html.parser").find_all("img", src=True)]


def _cached_images_for(urls: set[str]) -> dict[str, CachedImage]:
    CachedImage.objects.bulk_create(
        (CachedImage(url=url) for url in sorted(urls)), ignore_conflicts=True
    )
    return {image.url: image for image in CachedImage.objects.filter(url__in=urls)}


def card_preview_html(*, question_html: str, answer_html: str) -> tuple[str, str]:
    """Both sides as the card page would show them, from HTML that is not saved yet."""
    try:
        sides = card_html_normalize(question_html=question_html, answer_html=answer_html)
    except CardHtmlError:
        sides = (sanitize_card_html(question_html), sanitize_card_html(answer_html))
    urls = {url for html in sides for url in _image_urls(html)}
    images = {
        image.url: LocalImage(
            src=image.file.url if image.is_cached else None, width=image.width, height=image.height
        )
        for image in CachedImage.objects.filter(url__in=urls)
    }
    question, answer = (localize_images(html, images) for html in sides)
    return question, answer


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
    by_guid = {card_guid(card): card for card in cards}
    taken = set(by_number) | {record.number for record in records if record.number is not None}
    next_number = max(taken, default=0) + 1
    plan, problems, line_of_card = ImportPlan(), [], {}
    for record in records:
        if reason := _image_problem(record):
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
                f"card {number} of this deck is another card (guid {card_guid(card)!r}, "
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
    if not record.guid_from_file or record.guid == card_guid(card):
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
    if card_guid(card) != record.guid:
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
    card.question_html, card.answer_html = record.question_html, record.answer_html
    card.question_text, card.answer_text = record.question_text, record.answer_text
    card.source_url = record.source_url
    # A guid that follows from the source link needs no storing (the fixtures have none).
    card.guid = "" if card.source_url and record.guid == _derived_guid(card) else record.guid
    card.save()
    if record.tags:
        card.tags.set(_tags_named(record.tags, tags_by_name))
    card_images_sync(card=card)


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


def card_guid(card: Card) -> str:
    """The card's Anki guid: the stored one, else the one the parser derives for a card
    without a guid column (from the source link, else from the content)."""
    return card.guid or _derived_guid(card)


def _derived_guid(card: Card) -> str:
    # The same rule as quizzes.importing.anki: a card file without guids still matches.
    identity = card.source_url or f"{card.question_html}\x1f{card.answer_html}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


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
                guid=card_guid(card),
            )
            for card in rows
        ),
        deck_name=deck_name,
    )


# --- the card list and statistics ---

Outcome = AttemptQuestion.Outcome
# A question counts as answered when the learner had their go at it, timing out included;
# "missed" ones were still unanswered when the quiz ended, maybe never shown.
ANSWERED_OUTCOMES = (
    Outcome.CORRECT,
    Outcome.WRONG,
    Outcome.TIMED_OUT,
    Outcome.KNEW,
    Outcome.DIDNT_KNOW,
)
CORRECT_OUTCOMES = (Outcome.CORRECT, Outcome.KNEW)


def cards_with_statistics(queryset: QuerySet[Card]) -> QuerySet[Card]:
    """Annotate each card with how learners did on it, in the same single query:
    `times_answered`, `percent_correct` (None before any answer), `average_elapsed`, and
    the wrong answer picked most often (`most_picked_wrong_id`, `_number`, `_count`)."""
    answered = AttemptQuestion.objects.filter(card=OuterRef("pk"), outcome__in=ANSWERED_OUTCOMES)
    most_picked_wrong = (
        AttemptQuestion.objects.filter(
            card=OuterRef("pk"), outcome=Outcome.WRONG, chosen_card__isnull=False
        )
        .values("chosen_card", "chosen_card__number")
        .annotate(picks=Count("pk"))
        .order_by("-picks", "chosen_card__number")
    )
    return queryset.annotate(
        times_answered=_count_of(answered),
        times_correct=_count_of(answered.filter(outcome__in=CORRECT_OUTCOMES)),
        percent_correct=100.0
        * F("times_correct")
        / NullIf(F("times_answered"), 0, output_field=FloatField()),
        average_elapsed=Subquery(
            answered.filter(elapsed__isnull=False)
            .values("card")
            .annotate(average=Avg("elapsed"))
            .values("average"),
            output_field=DurationField(),
        ),
        most_picked_wrong_id=Subquery(most_picked_wrong.values("chosen_card")[:1]),
        most_picked_wrong_number=Subquery(most_picked_wrong.values("chosen_card__number")[:1]),
        most_picked_wrong_count=Subquery(most_picked_wrong.values("picks")[:1]),
    )


def cards_for_admin_list(queryset: QuerySet[Card]) -> QuerySet[Card]:
    """Everything the card changelist shows, for any number of cards in a fixed number of
    queries: statistics, open reports and image counts as annotations, tags prefetched."""
    images = CardImage.objects.filter(card=OuterRef("pk"))
    open_reports = ProblemReport.objects.filter(card=OuterRef("pk"), resolved_at__isnull=True)
    return (
        cards_with_statistics(queryset)
        .annotate(
            open_report_count=_count_of(open_reports),
            image_count=_count_of(images),
            uncached_image_count=_count_of(images.filter(~Q(image__status="cached"))),
            failed_image_count=_count_of(images.filter(image__status="failed")),
        )
        .select_related("deck")
        .prefetch_related("tags")
    )


def _count_of(rows: QuerySet) -> Coalesce:
    """How many of `rows` (one card's, through OuterRef) there are, as a subquery."""
    counted = rows.order_by().values("card").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
