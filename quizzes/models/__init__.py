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
from quizzes.models.memory import CardMemory, LearnerSettings, ReviewLog

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "CachedImage",
    "Card",
    "CardImage",
    "CardMemory",
    "Deck",
    "ImportJob",
    "LearnerSettings",
    "MediaFile",
    "ProblemReport",
    "ReviewLog",
    "Tag",
]
