"""Storing a card's content: from the admin's card form, an Anki import or the deck
fixtures. The content arrives already made storable by quizzes.importing.cardhtml; storing
it keeps the card's plain text, image rows and page-ready HTML in step with it."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import models, transaction
from django.db.models import Count, Max, QuerySet

from quizzes import caching
from quizzes.importing.anki import CLOZE, OPTIONAL_REVERSED, REVERSED
from quizzes.importing.cardhtml import (
    CardContent,
    CardHtmlError,
    ImageRef,
    card_content,
    cloze_note_problem,
    tts_directives_as_text,
)
from quizzes.models import AttemptQuestion, CachedImage, Card, CardImage, Deck
from quizzes.rendering import cloze_numbers, cloze_text_for_typing
from quizzes.sanitize import sanitize_card_html
from quizzes.services.card_pages import (
    card_render,
    images_for_urls,
    keywords_sync,
    media_for_html,
    sides_render,
)
from quizzes.typed_answers import typed_answer_text


def content_problem(content: CardContent, *, typed_by_staff: bool = False) -> str:
    """Why `content` cannot be stored ("" when it can): a source link or an image URL too
    long to keep, or, for HTML staff typed, an image src that is not an absolute http(s)
    URL. An import keeps a relative src (its file gives no base to resolve it against);
    staff typing one by mistake would only get an image that can never be fetched. One the
    site knows already (a package's "cell.png", kept by its file name) is no mistake: it
    is the image an import put there."""
    longest_source = Card._meta.get_field("source_url").max_length
    if len(content.source_url) > longest_source:
        return f"its source link is longer than {longest_source} characters"
    longest = CachedImage._meta.get_field("url").max_length
    relative = []
    for image in content.images:
        if len(image.url) > longest:
            return f"an image URL is longer than {longest} characters"
        url = urlsplit(image.url)
        if typed_by_staff and (url.scheme.lower() not in ("http", "https") or not url.netloc):
            relative.append(image.url)
    if relative:
        known = set(CachedImage.objects.filter(url__in=relative).values_list("url", flat=True))
        if unknown := next((src for src in relative if src not in known), None):
            return f"the image src {unknown!r} is not an http:// or https:// URL"
    return ""


def card_content_from_form(
    *, question_html: str, answer_html: str, cloze: int | None = None
) -> CardContent:
    """The content of the admin's card form, stored exactly as an Anki import of the same
    HTML would be (`cloze` for a cloze card: its number). Raises CardHtmlError with a reason
    fit for a form error."""
    content = card_content(
        _plain_line_breaks(question_html),
        _plain_line_breaks(answer_html),
        take_provenance=False,
        cloze=cloze,
    )
    if problem := content_problem(content, typed_by_staff=True):
        raise CardHtmlError(problem)
    return content


def _plain_line_breaks(html: str) -> str:
    # Browsers post CRLF; in HTML a line break is only whitespace.
    return html.replace("\r\n", "\n").replace("\r", "\n")


@transaction.atomic
def card_store(*, card: Card, content: CardContent) -> Card:
    """Save `card` with both sides from `content`; its text, image rows, page-ready HTML,
    choice and keywords follow. The caller sets everything else (deck, number, source,
    guid, short answer)."""
    images = images_for_urls((image.url for image in content.images), create=True)
    card.question_html, card.answer_html = content.question_html, content.answer_html
    card.question_text, card.answer_text = content.question_text, content.answer_text
    card.is_cloze = card.note_type == CLOZE
    card_render(card, images)
    card.save()
    _card_images_sync(card, content.images, images)
    keywords_sync(card)
    return card


def card_version(card: Card) -> str:
    """What the card form shows of `card` (deck, number, sides, short answer, source, tags,
    wrong answers), as one value: the form carries it from the moment it was opened, so
    saving can tell a card somebody else changed meanwhile, through the admin or an import."""
    identity = [
        card.deck_id,
        card.number,
        card.question_html,
        card.answer_html,
        card.short_answer_html,
        card.typed_answer,
        card.typed_answer_ignores_accents,
        card.source_url,
        sorted(card.tags.values_list("pk", flat=True)),
        list(card.distractors.order_by("pk").values_list("pk", "html")),
    ]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]


def card_version_now(card_pk: int) -> str:
    """The version of the card as stored, its row locked until the transaction ends, so
    that no other save slips in between this check and the caller's own save."""
    return card_version(Card.objects.select_for_update().get(pk=card_pk))


@dataclass(frozen=True, kw_only=True)
class NoteSaved:
    """What saving one card of a note did to the note's other cards (card numbers)."""

    note: str = "note"  # what the admin's messages call it: "cloze note", "reversed note"
    updated: tuple[int, ...] = ()  # given the note's new text
    added: tuple[int, ...] = ()  # made for a cloze number new in the text
    left: tuple[int, ...] = ()  # their cloze number is gone from the text: kept as they were


@transaction.atomic
def card_save_from_admin(
    *, card: Card, content: CardContent, typed_answer_edited: bool = False
) -> NoteSaved:
    """Save the admin's card form. A note's cards share its fields, as in Anki: a cloze
    note's others follow the edit, and a cloze number new in the text gets its card; a
    reversed card shows the edited card's sides the other way round. A type-in card's
    typed answer follows its new text (_typed_answer_followed) unless staff changed it in
    this save (`typed_answer_edited`)."""
    if not card.guid and not card.source_url:
        # A card made here has no source link to be known by: give it a guid now so an
        # export and re-import (or Anki itself) recognize it after its text changes.
        card.guid = secrets.token_hex(8)
    before = (
        Card.objects.values_list("question_html", "answer_html", "typed_answer")
        .filter(pk=card.pk)
        .first()
        if card.pk
        else None
    )
    if before is not None and not typed_answer_edited:
        card.typed_answer = _typed_answer_followed(
            card,
            typed=before[2],
            before=before[:2],
            after=(content.question_html, content.answer_html),
        )
    card = card_store(card=card, content=content)
    if card.is_cloze:
        saved = _cloze_note_sync(card)
    elif before is not None and card.note_type in (REVERSED, OPTIONAL_REVERSED):
        saved = _reversed_note_sync(card, before=before[:2])
    else:
        saved = NoteSaved()
    caching.deck_pages_changed()
    return saved


def note_tags_share(*, card: Card) -> tuple[int, ...]:
    """Give the other cards of `card`'s note its tags: Anki keeps tags on the note, so a
    tag staff add to one card or take off it is its siblings' too. Returns the numbers of
    the cards whose tags changed."""
    tags = set(card.tags.values_list("pk", flat=True))
    siblings = card.note_cards().exclude(pk=card.pk).prefetch_related("tags")
    retagged = []
    for sibling in siblings:
        if {tag.pk for tag in sibling.tags.all()} != tags:
            sibling.tags.set(tags)
            retagged.append(sibling.number)
    return tuple(retagged)


def _reversed_note_sync(card: Card, *, before: tuple[str, str]) -> NoteSaved:
    """Give the card's reverse (a "Basic (and reversed card)" note's other card: its Back
    as the question, its Front as the answer) the edited sides the other way round. A
    sibling is taken for the reverse when a side of it still shows the other side of the
    card as it was (one side suffices: a pair an earlier edit left apart comes together
    again); the cards of a note whose every card has fields of its own ("Cards of their
    own") match neither, and are left alone, as in Anki."""
    question_before, answer_before = before
    siblings = (
        Card.objects.filter(deck_id=card.deck_id, guid=card.guid, is_cloze=False)
        .exclude(pk=card.pk)
        .exclude(guid="")
        .select_for_update()
    )
    updated = []
    for sibling in siblings:
        if (sibling.question_html, sibling.answer_html) == (card.answer_html, card.question_html):
            continue
        if sibling.question_html == answer_before or sibling.answer_html == question_before:
            reverse = card_content(card.answer_html, card.question_html, take_provenance=False)
            card_store(card=sibling, content=reverse)
            updated.append(sibling.number)
    return NoteSaved(note="reversed note", updated=tuple(updated))


def _cloze_note_sync(card: Card) -> NoteSaved:
    numbers = cloze_numbers(card.question_html)
    siblings = list(
        Card.objects.filter(deck_id=card.deck_id, guid=card.guid, is_cloze=True)
        .exclude(pk=card.pk)
        .select_for_update()
    )
    updated, left = [], []
    for sibling in siblings:
        cloze = sibling.card_ord + 1
        if cloze not in numbers:
            left.append(sibling.number)
        elif (sibling.question_html, sibling.answer_html) != (card.question_html, card.answer_html):
            sibling.typed_answer = _typed_answer_followed(
                sibling,
                typed=sibling.typed_answer,
                before=(sibling.question_html, sibling.answer_html),
                after=(card.question_html, card.answer_html),
            )
            card_store(card=sibling, content=_stored_content(card, cloze))
            updated.append(sibling.number)
    have = {card.card_ord + 1} | {sibling.card_ord + 1 for sibling in siblings}
    added = []
    tags = list(card.tags.all())
    last = Card.objects.filter(deck_id=card.deck_id).aggregate(Max("number"))["number__max"]
    # A type-in note's new cloze asks its own deletions typed, as Anki's box would.
    type_in = bool(card.typed_answer) and card.typed_answer == _own_typed_answer(
        card, card.question_html, card.answer_html
    )
    for number, cloze in enumerate(
        (cloze for cloze in numbers if cloze not in have), start=(last or 0) + 1
    ):
        new = Card(
            deck_id=card.deck_id,
            number=number,
            guid=card.guid,
            card_ord=cloze - 1,
            note_type=card.note_type,
            is_cloze=True,
            source_url=card.source_url,
            typed_answer_ignores_accents=card.typed_answer_ignores_accents,
        )
        if type_in:
            new.typed_answer = _own_typed_answer(new, card.question_html, card.answer_html)
        card_store(card=new, content=_stored_content(card, cloze))
        new.tags.set(tags)
        added.append(number)
    return NoteSaved(
        note="cloze note", updated=tuple(updated), added=tuple(added), left=tuple(left)
    )


def _own_typed_answer(card: Card, question_html: str, answer_html: str) -> str:
    """What a type-in card of these sides asks typed, as an import reads its note's box:
    a cloze card's own deletions (`{{type:cloze:Text}}`), another card's Back."""
    if card.is_cloze:
        return typed_answer_text(cloze_text_for_typing(question_html, card.card_ord + 1))
    return typed_answer_text(answer_html)


def _typed_answer_followed(
    card: Card, *, typed: str, before: tuple[str, str], after: tuple[str, str]
) -> str:
    """The typed answer of a card whose sides change from `before` to `after`: the new
    sides' own where `typed` was the old sides' own (Anki's box reads the note's field
    afresh); `typed` where staff wrote another one, where the card asks nothing typed, or
    where the new sides give nothing to type (a cloze number gone from the text)."""
    if not typed or typed != _own_typed_answer(card, *before):
        return typed
    return _own_typed_answer(card, *after) or typed


def _stored_content(card: Card, cloze: int) -> CardContent:
    # The note's HTML is stored already made storable: read again for another cloze number.
    return card_content(card.question_html, card.answer_html, take_provenance=False, cloze=cloze)


def _card_images_sync(
    card: Card, refs: tuple[ImageRef, ...], images: dict[str, CachedImage]
) -> None:
    """Make the card's CardImage rows match its <img> tags, side by side and in order."""
    wanted = {(ref.side, ref.position): images[ref.url] for ref in refs}
    current = {(row.side, row.position): row for row in card.card_images.all()}
    stale = [
        row.pk
        for place, row in current.items()
        if place not in wanted or row.image_id != wanted[place].pk
    ]
    CardImage.objects.filter(pk__in=stale).delete()
    CardImage.objects.bulk_create(
        CardImage(card=card, image=image, side=side, position=position)
        for (side, position), image in wanted.items()
        if (side, position) not in current or current[(side, position)].pk in stale
    )


@dataclass(frozen=True, kw_only=True)
class PreviewCard:
    """One card as its pages would show it: `cloze` is its number on a cloze note."""

    question: str
    answer: str
    cloze: int | None = None
    is_this_card: bool = True


@dataclass(frozen=True, kw_only=True)
class CardPreview:
    """The cards that typed HTML makes, page-ready, and why saving would refuse it ("")."""

    cards: list[PreviewCard]
    problem: str = ""


def card_preview(*, question_html: str, answer_html: str, cloze: int | None = None) -> CardPreview:
    """HTML that is not saved yet, as the card pages would show it. For a cloze card
    (`cloze`: its number) every cloze number of the text is shown, each as its own card;
    the form's own number is the one saving checks."""
    try:
        content = card_content_from_form(
            question_html=question_html, answer_html=answer_html, cloze=cloze
        )
    except CardHtmlError as error:
        # Shown as typed (sanitized), images as placeholders: saving will refuse it. Its
        # `[anki:tts]` directives show their words, as a saved card's do.
        question, answer = (
            sanitize_card_html(tts_directives_as_text(_plain_line_breaks(side)))
            for side in (question_html, answer_html)
        )
        # A form not filled in yet (a new card) has nothing to refuse.
        typed = question_html.strip() or answer_html.strip()
        images, problem = {}, str(error) if typed else ""
    else:
        question, answer = content.question_html, content.answer_html
        images = images_for_urls((image.url for image in content.images), create=False)
        problem = ""
    media = media_for_html(question, answer)
    if cloze is None:
        question, answer = sides_render(question, answer, images, media=media)
        return CardPreview(cards=[PreviewCard(question=question, answer=answer)], problem=problem)
    numbers = cloze_numbers(question)
    if cloze_note_problem(question):
        # Saving refuses it: its own card alone, not each of thousands showing the text.
        numbers = [cloze] if cloze in numbers else numbers[:1]
    cards = []
    for number in numbers:
        sides = sides_render(question, answer, images, cloze=number, media=media)
        cards.append(
            PreviewCard(
                question=sides[0], answer=sides[1], cloze=number, is_this_card=number == cloze
            )
        )
    return CardPreview(cards=cards, problem=problem)


def cards_asked_in_quizzes(*, cards: QuerySet[Card]) -> list[Card]:
    """The cards among `cards` that learners' quizzes asked (`times_asked`): their results
    show them, so they are kept (AttemptQuestion protects them)."""
    asked = cards.annotate(times_asked=Count("attempt_questions")).filter(times_asked__gt=0)
    return list(asked.select_related("deck").order_by("deck", "number"))


def decks_asked_in_quizzes(*, decks: QuerySet[Deck]) -> list[tuple[Deck, int]]:
    """The decks among `decks` some of whose cards learners' quizzes asked, each with how
    many of its cards were: those are kept (cards_asked_in_quizzes)."""
    asked = (
        AttemptQuestion.objects.filter(card__deck__in=decks)
        .order_by()
        .values("card__deck")
        .annotate(cards=Count("card", distinct=True))
    )
    counts = {row["card__deck"]: row["cards"] for row in asked}
    return [(deck, counts[deck.pk]) for deck in decks.filter(pk__in=counts).order_by("name")]


def decks_deletion_counts(*, decks: QuerySet[Deck]) -> dict[type[models.Model], int]:
    """How many rows of each kind deleting `decks` deletes with them: their cards and what
    goes with each (cards_deletion_counts), their import jobs, former slugs and learners'
    quizzes not played."""
    counts = cards_deletion_counts(cards=Card.objects.filter(deck__in=decks))
    for relation in _cascades_from(Deck):
        model = relation.related_model
        if model is not Card:
            counts[model] = model._default_manager.filter(
                **{f"{relation.field.name}__in": decks}
            ).count()
    return {model: count for model, count in counts.items() if count}


def _cascades_from(model: type[models.Model]) -> list:
    """The relations whose rows go when a `model` row goes, those without a way back
    (`related_name="+"`: a deck's Quick quizzes planned ahead) too."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if (field.one_to_many or field.one_to_one)
        and field.auto_created
        and not field.concrete
        and field.on_delete is models.CASCADE
    ]


def cards_deletion_counts(*, cards: QuerySet[Card]) -> dict[type[models.Model], int]:
    """How many rows of each kind deleting `cards` deletes with them (learners' memories
    and reviews of them, reports, wrong answers...), one count per kind."""
    ids = cards.values("pk")
    counts = {Card: cards.count()}
    for relation in _cascades_from(Card):
        if not relation.related_model._meta.auto_created:
            related = relation.related_model._default_manager.filter(
                **{f"{relation.field.name}__in": ids}
            )
            counts[relation.related_model] = related.count()
    return {model: count for model, count in counts.items() if count}
