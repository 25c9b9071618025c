from quizzes.models.attempts import Attempt, AttemptQuestion
from quizzes.models.deck import CachedImage, Card, CardImage, Deck, ProblemReport, Tag

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "CachedImage",
    "Card",
    "CardImage",
    "Deck",
    "ProblemReport",
    "Tag",
]
