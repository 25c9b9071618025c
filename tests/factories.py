"""Small builders for test data that the real deck does not cover."""

from quizzes.models import Card, Deck, Tag


def make_deck(size: int, *, slug: str = "synthetic", tags: tuple[str, ...] = ()) -> Deck:
    deck = Deck.objects.create(name=f"Synthetic {slug}", slug=slug)
    tag_rows = [Tag.objects.get_or_create(name=name, slug=name)[0] for name in tags]
    cards = Card.objects.bulk_create(
        Card(
            deck=deck,
            number=number,
            question_html=f"<p>Question {number} about <code>tensor{number}</code>?</p>",
            answer_html=f"<p>Answer {number}: it depends on layer {number}.</p>",
            question_text=f"Question {number} about tensor{number}?",
            answer_text=f"Answer {number}: it depends on layer {number}.",
        )
        for number in range(1, size + 1)
    )
    for index, tag in enumerate(tag_rows):
        tag.cards.add(*cards[index :: len(tag_rows)])
    return deck
