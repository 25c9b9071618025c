"""Reading the deck: decks and cards with what their pages need, in a fixed number of queries."""

from django.db.models import Count, Prefetch

from quizzes.models import Card, CardImage, Deck


def deck_summaries():
    """Every deck with its card count and its cards' questions, in two queries."""
    cards = Card.objects.only("id", "deck_id", "number", "question_text").order_by("number")
    return Deck.objects.annotate(card_count=Count("cards")).prefetch_related(
        Prefetch("cards", queryset=cards)
    )


def cards_for_display(queryset=None):
    """Cards with what rendering needs (deck, tags, images) fetched in a fixed number of queries."""
    queryset = Card.objects.all() if queryset is None else queryset
    return queryset.select_related("deck").prefetch_related(
        "tags", Prefetch("card_images", queryset=CardImage.objects.select_related("image"))
    )
