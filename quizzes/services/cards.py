"""Reading the deck: decks and cards with what their pages need, in a fixed number of queries
and in time that does not grow with the deck (index lookups, counts kept in the cache)."""

import random
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count, Min, OuterRef, Subquery

from quizzes import caching
from quizzes.models import Card, Deck, Tag
from quizzes.models.deck import askable
from quizzes.services import decks, search

search_clean = search.search_clean
search_words = search.search_words
search_prefixes = search.search_prefixes
card_search = search.card_search
NO_RESULT = search.SearchResult(card_ids=(), more=False, words=(), suggested=False)


def deck_summaries():
    """Every deck with its card count and how many of them a multiple choice can ask
    (`choice_count`, for its Quick quiz), in one query."""
    return Deck.objects.annotate(
        card_count=Count("cards"),
        choice_count=Count("cards", filter=askable("multiple_choice", prefix="cards__")),
    )


def deck_summaries_kept() -> list[Deck]:
    """deck_summaries, counted once per change of the decks (caching): the home page's
    tree, and the decks a study of one deck or branch takes its cards from."""
    return caching.cached("home:decks", lambda: list(deck_summaries()))


def tree_scopes_kept() -> decks.TreeScopes:
    """The decks each Study link of the tree studies (decks.tree_scopes), worked out once
    per change of the decks: a study of one deck reads them at each of its requests."""
    # Named anew when TreeScopes changes shape: the release before kept its branches by
    # their names as written, which a branch's study would look for in vain until the
    # decks next changed.
    return caching.cached("home:tree-scopes-2", lambda: decks.tree_scopes(deck_summaries_kept()))


def cards_for_display(queryset=None):
    """Cards with what their pages show (deck, tags) fetched in a fixed number of queries."""
    queryset = Card.objects.all() if queryset is None else queryset
    return queryset.select_related("deck").prefetch_related("tags")


def deck_tags(*, deck: Deck) -> list[Tag]:
    """The tags used in the deck, each with the number of its cards there; cached until the
    deck changes."""
    return caching.cached(
        f"deck-tags:{deck.pk}",
        lambda: list(
            Tag.objects.filter(cards__deck=deck)
            .annotate(card_count=Count("cards"))
            .order_by("name")
        ),
    )


@dataclass(frozen=True)
class DeckFigures:
    count: int
    first_number: int | None
    choice_count: int  # the cards a multiple-choice quiz can ask: its Quick quiz's pool


def deck_figures(*, deck: Deck, tag: Tag | None = None) -> DeckFigures:
    """How many cards the deck has (with `tag`, if given) and the first one's number,
    counted once per change of the deck rather than at every page view."""

    def count() -> DeckFigures:
        cards = Card.objects.filter(deck=deck)
        if tag is not None:
            cards = cards.filter(tags=tag)
        figures = cards.aggregate(
            count=Count("id"),
            first_number=Min("number"),
            choice_count=Count("id", filter=askable("multiple_choice")),
        )
        return DeckFigures(**figures)

    # Named anew when DeckFigures changes shape: figures kept by the release before, without
    # a field, would be read back as they are until the deck next changes.
    return caching.cached(f"deck-figures-2:{deck.pk}:{tag.pk if tag else ''}", count)


class _Page:
    """What the card list's template reads from either kind of page."""

    size: int
    count: int
    more: bool

    @property
    def count_text(self) -> str:
        return f"more than {self.count:,}" if self.more else f"{self.count:,}"

    @property
    def paginated(self) -> bool:
        return self.count > self.size

    @property
    def next_query(self) -> str:
        return urlencode(self.next_params or {})

    @property
    def previous_query(self) -> str:
        return urlencode(self.previous_params or {})


class CardListPage(_Page):
    """One page of the deck's cards in number order, found from the card before it (keyset
    pagination: an index range, never an OFFSET). Cards are fetched when first used, so a
    page whose HTML is cached costs no card query."""

    numbered = True

    def __init__(self, *, deck: Deck, tag: Tag | None, after=None, before=None, size: int):
        self.deck, self.tag, self.size = deck, tag, size
        self.after, self.before = after, (before if after is None else None)
        self.figures = deck_figures(deck=deck, tag=tag)
        self.count, self.more = self.figures.count, False

    @property
    def cache_key(self) -> str:
        return f"after={self.after}&before={self.before}"

    @cached_property
    def _rows(self) -> list[Card]:
        cards = Card.objects.filter(deck=self.deck)
        if self.tag is not None:
            cards = cards.filter(tags=self.tag)
        if self.before is not None:
            rows = cards.filter(number__lt=self.before).order_by("-number")
            return list(cards_for_display(rows)[: self.size + 1])[::-1]
        if self.after is not None:
            cards = cards.filter(number__gt=self.after)
        return list(cards_for_display(cards.order_by("number"))[: self.size + 1])

    @cached_property
    def cards(self) -> list[Card]:
        if self.before is not None:
            return self._rows[-self.size :]
        return self._rows[: self.size]

    @property
    def has_next(self) -> bool:
        if self.before is not None:
            return True
        return len(self._rows) > self.size

    @property
    def next_params(self) -> dict[str, int] | None:
        return {"after": self.cards[-1].number} if self.has_next and self.cards else None

    @property
    def previous_params(self) -> dict[str, int] | None:
        if not self.cards or self.cards[0].number == self.figures.first_number:
            return None
        return {"before": self.cards[0].number}

    @property
    def range_label(self) -> str:
        """ "Cards 16 to 30 of 45" (with a dash), as a card's page says "Card 16": the
        numbers of the cards shown."""
        return self._label(self.cards[0].number if self.cards else 0)

    @property
    def cumulative_label(self) -> str:
        """The same from the first card, for a list that "show more" has grown."""
        return self._label(self.figures.first_number or 0)

    def _label(self, start) -> str:
        end = self.cards[-1].number if self.cards else 0
        return f"Cards {start}\N{EN DASH}{end} of {self.count_text}"


class SearchPage(_Page):
    """One page of a search's results, best first; the ranked ids are cached (see
    search.card_search), so a page is a slice of them."""

    numbered = False

    def __init__(self, *, result: search.SearchResult, number: int, size: int):
        self.result, self.size = result, size
        self.count, self.more = len(result.card_ids), result.more
        pages = max(1, -(-self.count // size))
        self.number = min(max(number, 1), pages)
        self.has_next = self.number < pages
        self.start = (self.number - 1) * size

    @property
    def cache_key(self) -> str:
        return f"page={self.number}"

    @cached_property
    def cards(self) -> list[Card]:
        ids = self.result.card_ids[self.start : self.start + self.size]
        found = cards_for_display(Card.objects.filter(pk__in=ids)).in_bulk()
        return [found[card_id] for card_id in ids if card_id in found]

    @property
    def next_params(self) -> dict[str, int] | None:
        return {"page": self.number + 1} if self.has_next else None

    @property
    def previous_params(self) -> dict[str, int] | None:
        return {"page": self.number - 1} if self.number > 1 else None

    @property
    def range_label(self) -> str:
        return self._label(self.start + 1 if self.count else 0)

    @property
    def cumulative_label(self) -> str:
        return self._label(1 if self.count else 0)

    def _label(self, start: int) -> str:
        end = min(self.start + self.size, self.count)
        return f"Cards {start}\N{EN DASH}{end} of {self.count_text}"


def card_for_page(*, deck_slug: str, number: int) -> Card:
    """One card for its page, with the numbers of the cards before and after it in the deck
    (`previous_number`, `next_number`: None at either end), in one query and two index
    lookups; raises Card.DoesNotExist."""
    neighbours = Card.objects.filter(deck_id=OuterRef("deck_id")).values("number")
    return (
        cards_for_display(Card.objects.filter(deck__slug=deck_slug))
        .annotate(
            previous_number=Subquery(
                neighbours.filter(number__lt=OuterRef("number")).order_by("-number")[:1]
            ),
            next_number=Subquery(
                neighbours.filter(number__gt=OuterRef("number")).order_by("number")[:1]
            ),
        )
        .get(number=number)
    )


def card_random(*, deck: Deck, exclude_number: int | None = None) -> Card | None:
    """A random card of the deck, another than `exclude_number` when the deck has one: the
    first card at or after a random number, found through the deck's number index (gaps in
    the numbering make the cards after them a little likelier)."""
    cards = Card.objects.filter(deck=deck).select_related("deck").order_by("number")
    numbers = cards.values_list("number", flat=True)
    first, last = numbers.first(), numbers.last()
    if first is None:
        return None
    others = cards.exclude(number=exclude_number) if exclude_number is not None else cards
    pick = random.randint(first, last)
    return others.filter(number__gte=pick).first() or others.first() or cards.first()
