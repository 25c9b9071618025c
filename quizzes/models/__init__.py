from quizzes.models.attempts import Attempt, AttemptQuestion
from quizzes.models.deck import CachedImage, Card, CardImage, Deck, ProblemReport, Tag
from quizzes.models.memory import CardMemory, LearnerSettings, ReviewLog

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "CachedImage",
    "Card",
    "CardImage",
    "CardMemory",
    "Deck",
    "LearnerSettings",
    "ProblemReport",
    "ReviewLog",
    "Tag",
]
