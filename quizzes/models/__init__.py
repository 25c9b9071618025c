from quizzes.models.deck import CachedImage, Card, CardImage, Deck, ProblemReport, Tag

__all__ = ["CachedImage", "Card", "CardImage", "Deck", "ProblemReport", "Tag"]
