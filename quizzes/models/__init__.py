from quizzes.models.attempts import Attempt, AttemptQuestion
from quizzes.models.deck import (
    CachedImage,
    Card,
    CardImage,
    CardKeyword,
    Deck,
    Distractor,
    ProblemReport,
    Tag,
)

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "CachedImage",
    "Card",
    "CardImage",
    "CardKeyword",
    "Deck",
    "Distractor",
    "ProblemReport",
    "Tag",
]
