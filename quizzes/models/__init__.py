from quizzes.models.attempts import Attempt, AttemptQuestion
from quizzes.models.deck import (
    CachedImage,
    Card,
    CardImage,
    Deck,
    MediaFile,
    ProblemReport,
    Tag,
)
from quizzes.models.imports import ImportJob

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "CachedImage",
    "Card",
    "CardImage",
    "Deck",
    "ImportJob",
    "MediaFile",
    "ProblemReport",
    "Tag",
]
