from quizzes.models.accounts import NameSkeleton, PendingEmail
from quizzes.models.attempts import (
    Attempt,
    AttemptQuestion,
    CardStatisticsRollUp,
    CardStatisticsWaiting,
    ReadyQuiz,
)
from quizzes.models.deck import (
    CachedImage,
    Card,
    CardImage,
    CardKeyword,
    Deck,
    Distractor,
    FormerDeckSlug,
    MediaFile,
    ProblemReport,
    Tag,
)
from quizzes.models.imports import DeletedCard, ExportJob, ImportJob
from quizzes.models.memory import CardFlag, CardHold, CardMemory, LearnerSettings, ReviewLog

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "CachedImage",
    "Card",
    "CardFlag",
    "CardHold",
    "CardImage",
    "CardKeyword",
    "CardMemory",
    "CardStatisticsRollUp",
    "CardStatisticsWaiting",
    "Deck",
    "DeletedCard",
    "Distractor",
    "ExportJob",
    "FormerDeckSlug",
    "ImportJob",
    "LearnerSettings",
    "MediaFile",
    "NameSkeleton",
    "PendingEmail",
    "ProblemReport",
    "ReadyQuiz",
    "ReviewLog",
    "Tag",
]
