"""Reading the deck: decks and cards with what their pages need, in a fixed number of queries."""

from django.db.models import Count, Max, Min, Q

from quizzes.models import Card, Deck, Tag
from quizzes.models.deck import askable

# Longer search input is cut, not refused: a pasted paragraph still gives a page.
MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 10


def deck_summaries():
    """Every deck with its card count and how many of them a multiple choice can ask
    (`choice_count`, for its Quick quiz), in one query."""
    return Deck.objects.annotate(
        card_count=Count("cards"),
        choice_count=Count("cards", filter=askable("multiple_choice", prefix="cards__")),
    )


def cards_for_display(queryset=None):
    """Cards with what their pages show (deck, tags) fetched in a fixed number of queries."""
    queryset = Card.objects.all() if queryset is None else queryset
    return queryset.select_related("deck").prefetch_related("tags")


def search_clean(raw: str) -> str:
    """A search box value fit to echo and search: NULs dropped, length capped, spaces collapsed."""
    return " ".join(raw.replace("\x00", "")[:MAX_QUERY_LENGTH].split())


def search_words(query: str) -> list[str]:
    """The distinct words of a cleaned query, each of which a result must contain."""
    return list(dict.fromkeys(query.split()))[:MAX_SEARCH_WORDS]


def card_search(*, deck: Deck, query: str = "", tag_slug: str = ""):
    """The deck's cards in number order whose question or answer contains every word of
    `query` (case-insensitive), limited to one tag when `tag_slug` is given."""
    cards = Card.objects.filter(deck=deck)
    for word in search_words(query):
        cards = cards.filter(Q(question_text__icontains=word) | Q(answer_text__icontains=word))
    if tag_slug:
        cards = cards.filter(tags__slug=tag_slug)
    return cards_for_display(cards.order_by("number"))


def deck_tags(*, deck: Deck):
    """The tags used in the deck, each with the number of its cards there."""
    return Tag.objects.filter(cards__deck=deck).annotate(card_count=Count("cards")).order_by("name")


def card_for_page(*, deck_slug: str, number: int) -> Card:
    """One card for its page; raises Card.DoesNotExist."""
    return cards_for_display(Card.objects.filter(deck__slug=deck_slug)).get(number=number)


def card_neighbours(*, card: Card) -> dict[str, int | None]:
    """The previous and next card numbers in the deck (None at either end) and the deck's
    card count, in one query."""
    return Card.objects.filter(deck_id=card.deck_id).aggregate(
        previous=Max("number", filter=Q(number__lt=card.number)),
        next=Min("number", filter=Q(number__gt=card.number)),
        count=Count("id"),
    )


def card_random(*, deck: Deck, exclude_number: int | None = None) -> Card | None:
    """A random card of the deck, another than `exclude_number` when the deck has one."""
    cards = Card.objects.filter(deck=deck).select_related("deck").order_by("?")
    if exclude_number is not None:
        other = cards.exclude(number=exclude_number).first()
        if other is not None:
            return other
    return cards.first()
