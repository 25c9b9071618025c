"""Tags staff change in the admin: "pytorch" and "torch" made one, a tag added to or taken
off many cards at once."""

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from quizzes import caching
from quizzes.models import Card, Tag


@transaction.atomic
def tags_merge(*, tags: QuerySet[Tag]) -> tuple[Tag, list[Tag]] | None:
    """Make `tags` one: the one on most cards (the oldest of a tie) is kept, given every
    card of the others, which are deleted. Returns the kept tag and those merged into it;
    None when fewer than two were given."""
    ranked = list(tags.annotate(card_count=Count("cards")).order_by("-card_count", "pk"))
    if len(ranked) < 2:
        return None
    kept, merged = ranked[0], ranked[1:]
    through = Card.tags.through
    cards = through.objects.filter(tag__in=merged).values_list("card_id", flat=True).distinct()
    _notes_changed(Card.objects.filter(pk__in=cards))
    through.objects.bulk_create(
        [through(card_id=card_id, tag_id=kept.pk) for card_id in cards], ignore_conflicts=True
    )
    Tag.objects.filter(pk__in=[tag.pk for tag in merged]).delete()
    caching.deck_pages_changed()
    return kept, merged


def tag_renamed(*, tag: Tag) -> int:
    """Date the cards of `tag`, whose name staff changed, as changed now: their Anki notes
    carry the name. Returns how many."""
    return _notes_changed(Card.objects.filter(tags=tag))


def _notes_changed(cards: QuerySet[Card]) -> int:
    """Date `cards` changed now, as a save would (their Anki notes go out dated so, and
    Anki takes a note only from a newer one): a change of tags writes no card row."""
    return cards.update(updated_at=timezone.now())


def _with_their_notes(cards: QuerySet[Card]) -> QuerySet[Card]:
    """`cards` and the other cards of their Anki notes (Card.note_cards: the same deck and
    guid), as one query however many were selected."""
    selected = Card.objects.filter(pk__in=cards.values("pk"))
    same_note = selected.exclude(guid="").filter(deck_id=OuterRef("deck_id"), guid=OuterRef("guid"))
    return Card.objects.filter(Q(pk__in=selected.values("pk")) | Exists(same_note))


@transaction.atomic
def cards_tag_add(*, cards: QuerySet[Card], tag: Tag) -> int:
    """Give `tag` to `cards` and to their notes' other cards, as the card form does for one
    (Anki keeps tags on the note). One INSERT ... SELECT, however many cards: Django's
    bulk_create would send a query per 500 cards on SQLite. Returns how many cards gained it."""
    lacking = _with_their_notes(cards).exclude(tags=tag).values("pk")
    _notes_changed(Card.objects.filter(pk__in=lacking))
    sql, params = lacking.query.sql_with_params()
    quote = connection.ops.quote_name
    through = Card.tags.through._meta
    card_column = quote(through.get_field("card").column)
    tag_column = quote(through.get_field("tag").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(through.db_table)} ({card_column}, {tag_column}) "
            f"SELECT {quote('id')}, %s FROM {quote(Card._meta.db_table)} "
            f"WHERE {quote('id')} IN ({sql})",
            [tag.pk, *params],
        )
        added = cursor.rowcount
    if added:
        caching.deck_pages_changed()
    return added


@transaction.atomic
def cards_tag_remove(*, cards: QuerySet[Card], tag: Tag) -> int:
    """Take `tag` off `cards` and their notes' other cards, in one DELETE. Returns how many
    cards lost it."""
    links = Card.tags.through.objects.filter(tag=tag, card__in=_with_their_notes(cards))
    _notes_changed(Card.objects.filter(pk__in=links.values("card_id")))
    removed, _ = links.delete()
    if removed:
        caching.deck_pages_changed()
    return removed
