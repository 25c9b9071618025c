"""Fitting a learner's FSRS parameters to their review log with fsrs-rs-python (the Rust
optimizer Anki uses; no PyTorch, no GPU).

fsrs-rs trains on "items": a card's reviews up to one that came a day or more after the
previous (a long-term review). After dropping outliers it returns the default parameters
below 8 items and fits only the four initial stabilities below 64; we ask for
MIN_TRAINING_ITEMS before fitting at all, so a fit always trains the whole model.
"""

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

import fsrs_rs_python
from django.core.cache import cache
from django.db import transaction

from quizzes import caching, scheduling
from quizzes.models import CardMemory, LearnerSettings, ReviewLog
from quizzes.services.reviews import learner_settings, review_cards_reschedule

MIN_TRAINING_ITEMS = 64
# How long a fit asked for stops another being queued, if the worker never gets to it.
FIT_ASKED_SECONDS = 15 * 60


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """How well parameters predict a learner's reviews (fsrs-rs's evaluate, Anki's
    Evaluate): the log loss, and the RMSE of the predicted recall by bins. Lower is better."""

    log_loss: float
    rmse: float

    def __str__(self) -> str:
        return f"log loss {self.log_loss:.4f}, RMSE {self.rmse:.2%}"


@dataclass(frozen=True, kw_only=True)
class FitResult:
    fitted: bool
    reviews: int
    items: int
    parameters: tuple[float, ...]
    # Of the parameters in use before the fit, and of those it found.
    before: Evaluation | None = None
    found: Evaluation | None = None
    # The parameters in use predicted the reviews at least as well: kept, as Anki keeps them.
    kept: bool = False
    # Review cards given new due dates, for a learner who asked for it ("Reschedule cards on
    # change").
    rescheduled: int = 0

    @property
    def summary(self) -> str:
        if self.fitted:
            fitted = f"fitted to {self.reviews} reviews ({self.items} training items)"
            if self.kept:
                return (
                    f"{fitted}: the parameters in use predict them as well or better "
                    f"({self.before} against {self.found}), kept"
                )
            moved = f"; {self.rescheduled} review cards rescheduled" if self.rescheduled else ""
            return f"{fitted}: {self.before} before, {self.found} now{moved}"
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


def _review_rows(user) -> list[tuple[int, datetime, int]]:
    """The learner's reviews as (card id, when, rating), by card, then oldest first; of a
    card they forgot (reset to new), only the reviews since, as Anki's optimizer takes
    them: its history before the reset is not what the memory since was built on. The
    reviews of cards deleted since are left out, as Anki's optimizer reads the reviews of
    the cards there are: without their card they cannot be told apart into histories. A Set
    due date, or a due date moved by Reschedule cards on change, is no answer, and Anki's
    optimizer skips them too: the card's history goes on past them."""
    return scheduling.since_last_reset(
        list(
            ReviewLog.objects.filter(user=user, card__isnull=False)
            .exclude(source__in=(ReviewLog.Source.RESCHEDULE, ReviewLog.Source.RESCHEDULED))
            .order_by("card_id", "reviewed_at", "pk")
            .values_list("card_id", "reviewed_at", "rating")
        )
    )


def _training_items(rows, settings: LearnerSettings) -> list:
    return scheduling.training_items(
        rows, time_zone=settings.time_zone, day_start_hour=settings.day_start_hour
    )


def fit_asked_key(user_id: int) -> str:
    return f"fsrs-fit:{user_id}:asked"


def parameters_fit_wanted(*, user) -> bool:
    """Ask the worker to fit `user`'s parameters, once until it has: every press of Fit
    queued one (a double click, a script posting again and again), each seconds of the
    worker's CPU. Whether this asked; False when a fit asked before has not run yet."""
    if not cache.add(fit_asked_key(user.pk), True, timeout=FIT_ASKED_SECONDS):
        return False
    from quizzes.tasks import fsrs_parameters_fit

    fsrs_parameters_fit.enqueue(user.pk)
    return True


def fit_readiness(*, user) -> FitResult:
    """Whether `user` has reviews enough to fit (`fitted` tells), without fitting."""
    rows = _review_rows(user)
    items = _training_items(rows, learner_settings(user=user))
    return FitResult(
        fitted=len(items) >= MIN_TRAINING_ITEMS, reviews=len(rows), items=len(items), parameters=()
    )


def _memories_replayed(rows, *, settings: LearnerSettings, parameters) -> dict:
    """Each card's memory worked out again from its reviews with `parameters`."""
    scheduler = scheduling.make_scheduler(
        desired_retention=settings.desired_retention,
        parameters=parameters,
        learning_steps=settings.learning_step_durations,
        relearning_steps=settings.relearning_step_durations,
    )
    return {
        card_id: scheduling.replay(
            ((moment, rating) for _card, moment, rating in card_rows),
            scheduler=scheduler,
            time_zone=settings.time_zone,
            day_start_hour=settings.day_start_hour,
        )
        for card_id, card_rows in groupby(rows, key=lambda row: row[0])
    }


def _memories_update(*, user, replayed: dict) -> None:
    """Give the learner's card memories the replayed stability and difficulty, keeping their
    due dates (Anki reschedules only when asked). A card reviewed since its reviews were
    read keeps its memory: the replay does not know that review."""
    changed = []
    for row in CardMemory.objects.select_for_update().filter(user=user):
        memory = replayed.get(row.card_id)
        if memory is None or memory.last_review != row.last_review:
            continue
        row.stability, row.difficulty = memory.stability, memory.difficulty
        changed.append(row)
    CardMemory.objects.bulk_update(changed, ["stability", "difficulty"], batch_size=500)
    caching.learner_memory_changed(user.pk)


def _evaluation(parameters, items) -> Evaluation:
    found = fsrs_rs_python.FSRS(list(parameters)).evaluate(items)
    return Evaluation(log_loss=found.log_loss, rmse=found.rmse_bins)


def parameters_fit(*, user, now: datetime) -> FitResult:
    """Fit `user`'s parameters and store them, or say there are too few reviews. As Anki
    does, the parameters found replace those in use only when they predict the learner's
    reviews better (a lower log loss: a fit on a few noisy weeks can do worse than the
    defaults, or than the last fit); both evaluations are kept for the settings page. On
    new parameters every card's stability and difficulty are then worked out again from
    its reviews with them, so that the fitted forgetting curve meets memories it made, and
    for a learner who asked for it the review cards are rescheduled with them, as Anki's
    "Reschedule cards on change" does."""
    settings = learner_settings(user=user)
    rows = _review_rows(user)
    items = _training_items(rows, settings)
    if len(items) < MIN_TRAINING_ITEMS:
        return FitResult(fitted=False, reviews=len(rows), items=len(items), parameters=())
    optimizer = fsrs_rs_python.FSRS(list(scheduling.DEFAULT_PARAMETERS))
    found = scheduling.clamp_parameters(optimizer.compute_parameters(items))
    in_use = settings.parameters
    before, found_evaluation = _evaluation(in_use, items), _evaluation(found, items)
    kept = found_evaluation.log_loss >= before.log_loss
    parameters, evaluation = (in_use, before) if kept else (found, found_evaluation)
    replayed = {} if kept else _memories_replayed(rows, settings=settings, parameters=found)
    with transaction.atomic():
        stored, _created = LearnerSettings.objects.select_for_update().get_or_create(user=user)
        if not kept:  # kept, FSRS's defaults stay unwritten, to follow the library's
            stored.fsrs_parameters = list(found)
        stored.parameters_fitted_at = now
        stored.parameters_review_count = len(rows)
        stored.parameters_log_loss, stored.parameters_rmse = evaluation.log_loss, evaluation.rmse
        stored.parameters_kept = kept
        stored.save(
            update_fields=[
                "fsrs_parameters",
                "parameters_fitted_at",
                "parameters_review_count",
                "parameters_log_loss",
                "parameters_rmse",
                "parameters_kept",
            ]
        )
        rescheduled = 0
        if not kept:
            _memories_update(user=user, replayed=replayed)
            if stored.reschedule_on_change:
                rescheduled = review_cards_reschedule(user=user, now=now)
    return FitResult(
        fitted=True,
        reviews=len(rows),
        items=len(items),
        parameters=tuple(parameters),
        before=before,
        found=found_evaluation,
        kept=kept,
        rescheduled=rescheduled,
    )
