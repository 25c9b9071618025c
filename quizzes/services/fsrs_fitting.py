"""Fitting a learner's FSRS parameters to their review log with fsrs-rs-python (the Rust
optimizer Anki uses; no PyTorch, no GPU).

fsrs-rs trains on "items": a card's reviews up to one that came a day or more after the
previous (a long-term review). After dropping outliers it returns the default parameters
below 8 items and fits only the four initial stabilities below 64; we ask for
MIN_TRAINING_ITEMS before fitting at all, so a fit always trains the whole model.
"""

from dataclasses import dataclass
from datetime import datetime

import fsrs_rs_python
from django.db import transaction

from quizzes import scheduling
from quizzes.models import LearnerSettings, ReviewLog
from quizzes.services.reviews import learner_settings

MIN_TRAINING_ITEMS = 64


@dataclass(frozen=True, kw_only=True)
class FitResult:
    fitted: bool
    reviews: int
    items: int
    parameters: tuple[float, ...]

    @property
    def summary(self) -> str:
        if self.fitted:
            return f"fitted to {self.reviews} reviews ({self.items} training items)"
        return (
            f"too few reviews: {_reviews(self.reviews)} give {self.items} training "
            f"item{'s' if self.items != 1 else ''}, the optimizer needs {MIN_TRAINING_ITEMS} "
            "(reviews of a card on a later day)"
        )

    @property
    def not_yet(self) -> str:
        """Why there is nothing to fit yet, for the learner (no optimizer words)."""
        if not self.reviews:
            counted = "You have no reviews yet"
        else:
            counted = (
                f"Of your {_reviews(self.reviews)}, {self.items} "
                f"{'counts' if self.items == 1 else 'count'}"
            )
        return (
            f"Not yet. Fitting needs {MIN_TRAINING_ITEMS} reviews of a card on a later day "
            f"than its review before. {counted}. Keep reviewing for a few weeks, then try again."
        )


def _reviews(count: int) -> str:
    return f"{count} review{'s' if count != 1 else ''}"


def _training_data(user) -> tuple[int, list]:
    """The learner's number of reviews, and the training items they make."""
    settings = learner_settings(user=user)
    rows = list(
        ReviewLog.objects.filter(user=user)
        .order_by("card_id", "reviewed_at", "pk")
        .values_list("card_id", "reviewed_at", "rating")
    )
    items = scheduling.training_items(
        rows, time_zone=settings.time_zone, day_start_hour=settings.day_start_hour
    )
    return len(rows), items


def fit_readiness(*, user) -> FitResult:
    """Whether `user` has reviews enough to fit (`fitted` tells), without fitting."""
    reviews, items = _training_data(user)
    return FitResult(
        fitted=len(items) >= MIN_TRAINING_ITEMS, reviews=reviews, items=len(items), parameters=()
    )


def parameters_fit(*, user, now: datetime) -> FitResult:
    """Fit `user`'s parameters and store them, or say there are too few reviews."""
    review_count, items = _training_data(user)
    if len(items) < MIN_TRAINING_ITEMS:
        return FitResult(fitted=False, reviews=review_count, items=len(items), parameters=())
    optimizer = fsrs_rs_python.FSRS(list(scheduling.DEFAULT_PARAMETERS))
    parameters = scheduling.clamp_parameters(optimizer.compute_parameters(items))
    with transaction.atomic():
        stored, _created = LearnerSettings.objects.select_for_update().get_or_create(user=user)
        stored.fsrs_parameters = list(parameters)
        stored.parameters_fitted_at = now
        stored.parameters_review_count = review_count
        stored.save(
            update_fields=["fsrs_parameters", "parameters_fitted_at", "parameters_review_count"]
        )
    return FitResult(fitted=True, reviews=review_count, items=len(items), parameters=parameters)
