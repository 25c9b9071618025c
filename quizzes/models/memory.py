"""The study loop's rows: each learner's memory of each card (FSRS), every review that
changed it, and the learner's study settings.

The rules live in quizzes/scheduling.py; quizzes/services/reviews.py writes these rows.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from quizzes import scheduling
from quizzes.models.deck import Card


class LearnerSettings(models.Model):
    """A learner's study settings, and the FSRS parameters fitted to their reviews. A learner
    without a row studies with the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="learner_settings",
    )
    desired_retention = models.FloatField(
        default=scheduling.DEFAULT_DESIRED_RETENTION,
        validators=[
            MinValueValidator(scheduling.MIN_DESIRED_RETENTION),
            MaxValueValidator(scheduling.MAX_DESIRED_RETENTION),
        ],
        help_text="The share of reviews you want to get right; higher means more reviews.",
    )
    # Anki's "Reschedule cards on change", off by default as there: a new desired retention,
    # or new parameters, move the review cards' due dates to those they now give, instead of
    # showing only as each card is next answered (reviews.review_cards_reschedule).
    reschedule_on_change = models.BooleanField(default=False)
    maximum_interval = models.PositiveIntegerField(
        default=scheduling.MAX_INTERVAL_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(scheduling.MAX_INTERVAL_DAYS)],
    )
    new_cards_per_day = models.PositiveSmallIntegerField(
        default=scheduling.DEFAULT_NEW_CARDS_PER_DAY,
        validators=[MaxValueValidator(scheduling.MAX_NEW_CARDS_PER_DAY)],
    )
    max_reviews_per_day = models.PositiveSmallIntegerField(
        default=scheduling.DEFAULT_MAX_REVIEWS_PER_DAY,
        validators=[MaxValueValidator(scheduling.MAX_MAX_REVIEWS_PER_DAY)],
    )
    # (Re)learning steps in seconds; empty: none, FSRS schedules every review.
    learning_steps = models.JSONField(default=list, blank=True)
    relearning_steps = models.JSONField(default=list, blank=True)
    # Anki's "Bury new siblings" and "Bury review siblings": off, as Anki's default.
    bury_siblings = models.BooleanField(default=False)
    # Anki's "New/review order": the day's new cards after the reviews, before or mixed in.
    new_review_order = models.CharField(
        max_length=6,
        choices=[(order.value, order.label) for order in scheduling.NewReviewOrder],
        default=scheduling.DEFAULT_NEW_REVIEW_ORDER.value,
    )
    # Anki's "New cards ignore review limit": off, as Anki's default, so that new cards
    # count towards the day's maximum of reviews and stop when it is reached.
    new_cards_ignore_review_limit = models.BooleanField(default=False)
    # Anki's "Easy days": each weekday's share of the reviews (scheduling.EasyDay values,
    # Monday first), which the load balancer keeps to; empty: every day Normal.
    easy_days = models.JSONField(default=list, blank=True)
    # "Learn more new cards today": extra new cards for one study day only.
    extra_new_cards = models.PositiveSmallIntegerField(default=0)
    extra_new_cards_day = models.DateField(null=True, blank=True)
    # "Review more today": review cards past the daily maximum, for one study day only.
    extra_reviews = models.PositiveSmallIntegerField(default=0)
    extra_reviews_day = models.DateField(null=True, blank=True)
    day_start_hour = models.PositiveSmallIntegerField(
        default=scheduling.DEFAULT_DAY_START_HOUR,
        validators=[MaxValueValidator(23)],
        help_text="The hour your study day starts, in your time zone (Anki's default: 4 am).",
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    # 21 FSRS-6 weights fitted by `manage.py fsrs_optimize`; empty: FSRS's defaults.
    fsrs_parameters = models.JSONField(default=list, blank=True)
    parameters_fitted_at = models.DateTimeField(null=True, blank=True)
    parameters_review_count = models.PositiveIntegerField(default=0)
    # How well the parameters in use predicted the learner's reviews at the last fit (Anki's
    # Evaluate: log loss, and the RMSE of the predicted recall by bins, 0.039 for 3.9 %).
    parameters_log_loss = models.FloatField(null=True, blank=True)
    parameters_rmse = models.FloatField(null=True, blank=True)
    # Whether the last fit kept the parameters it found in use: the new ones predicted the
    # reviews no better (Anki keeps its current parameters then too).
    parameters_kept = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "learner settings"

    def __str__(self):
        return f"Study settings of {self.user}"

    @classmethod
    def from_db(cls, db, field_names, values):
        """A stored zone that cannot be loaded (the tz database dropped it, or the row was
        written by hand) reads as UTC, so that the learner's pages still work."""
        instance = super().from_db(db, field_names, values)
        if "time_zone" in instance.__dict__:
            instance.time_zone = scheduling.usable_time_zone(instance.time_zone)
        return instance

    @property
    def parameters(self) -> tuple[float, ...]:
        return tuple(self.fsrs_parameters) or scheduling.DEFAULT_PARAMETERS

    @property
    def desired_retention_percent(self) -> int:
        return round(self.desired_retention * 100)

    @property
    def learning_step_durations(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(seconds=seconds) for seconds in self.learning_steps)

    @property
    def relearning_step_durations(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(seconds=seconds) for seconds in self.relearning_steps)

    @property
    def easy_day_settings(self) -> tuple[scheduling.EasyDay, ...]:
        """The seven easy days, Monday first; every day Normal for a row that has none (or
        a list written by hand that is not seven of them)."""
        values = {day.value for day in scheduling.EasyDay}
        days = self.easy_days
        if not (isinstance(days, list) and len(days) == 7):
            return scheduling.NORMAL_WEEK
        if not all(isinstance(day, str) and day in values for day in days):
            return scheduling.NORMAL_WEEK
        return tuple(scheduling.EasyDay(day) for day in days)

    def extra_new_cards_on(self, day: date) -> int:
        return self.extra_new_cards if self.extra_new_cards_day == day else 0

    def extra_reviews_on(self, day: date) -> int:
        return self.extra_reviews if self.extra_reviews_day == day else 0


class CardMemory(models.Model):
    """One learner's memory of one card. A card without a row is new to the learner."""

    class State(models.IntegerChoices):
        LEARNING = scheduling.MemoryState.LEARNING, "Learning"
        REVIEW = scheduling.MemoryState.REVIEW, "Review"
        RELEARNING = scheduling.MemoryState.RELEARNING, "Relearning"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_memories"
    )
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="memories")
    state = models.PositiveSmallIntegerField(choices=State.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField()
    difficulty = models.FloatField()
    due = models.DateTimeField()
    last_review = models.DateTimeField()
    first_review = models.DateTimeField(help_text="When the card stopped being new.")
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    # A leech (scheduling.LEECH_THRESHOLD lapses) leaves the review queue until the learner
    # brings it back; answers in quizzes still update its memory.
    suspended = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="card_memory_unique_per_user")
        ]
        indexes = [
            models.Index(fields=["user", "due"], name="card_memory_user_due"),
            models.Index(fields=["user", "first_review"], name="card_memory_user_first"),
        ]

    def __str__(self):
        return f"{self.user} remembers {self.card}"

    def as_memory(self) -> scheduling.Memory:
        return scheduling.Memory(
            state=scheduling.MemoryState(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
            reps=self.reps,
            lapses=self.lapses,
        )

    def take(self, memory: scheduling.Memory) -> None:
        """Copy `memory`'s fields onto this row (not saved)."""
        self.state = int(memory.state)
        self.step = memory.step
        self.stability = memory.stability
        self.difficulty = memory.difficulty
        self.due = memory.due
        self.last_review = memory.last_review
        self.reps = memory.reps
        self.lapses = memory.lapses


# An Undo button names this many decks of a Set due date's cards, and counts the rest.
UNDO_DECKS_NAMED = 3


class ReviewLog(models.Model):
    """One answer that changed a learner's memory of a card, from any activity. A card
    deleted since leaves its reviews in the learner's history without it (card None), as
    Anki keeps its review log: they still count in the day's allowances and the progress
    page."""

    class Source(models.TextChoices):
        REVIEW = "review", "Review"
        QUIZ = "quiz", "Multiple-choice quiz"
        FLASHCARD = "flashcard", "Flashcard quiz"
        # The learner's Forget: the card back to new. Not an answer: it marks where the card's
        # history starts again, for a fit of the parameters (Anki's "Manual" entry).
        RESET = "reset", "Forget (reset to new)"
        # The learner's Set due date (Anki's "Manual" entry too): not an answer either, and
        # no new start; a fit of the parameters reads past it.
        RESCHEDULE = "reschedule", "Set due date"
        # A due date moved by "Reschedule cards on change" (Anki's "Rescheduled" entry):
        # no answer either, and a fit of the parameters reads past it.
        RESCHEDULED = "rescheduled", "Rescheduled"

    # Every entry that is not an answer: what the learner did to a card by hand (Anki's
    # "Manual" entries) and the due dates moved on a change of settings. The day's counts,
    # the progress page's reviews and the study statistics leave them out.
    NOT_ANSWERS = (Source.RESET, Source.RESCHEDULE, Source.RESCHEDULED)

    class Rating(models.IntegerChoices):
        # Anki's word for a Forget or a Set due date (and a reschedule's, "Rescheduled")
        RESET = scheduling.RESET_RATING, "Manual"
        AGAIN = scheduling.Grade.AGAIN, "Again"
        HARD = scheduling.Grade.HARD, "Hard"
        GOOD = scheduling.Grade.GOOD, "Good"
        EASY = scheduling.Grade.EASY, "Easy"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_logs"
    )
    card = models.ForeignKey(
        Card, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_logs"
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    elapsed_seconds = models.FloatField(help_text="Time taken to answer, capped at a minute.")
    source = models.CharField(max_length=20, choices=Source.choices)
    # The quiz question the answer came from: recorded once, however often it is replayed.
    attempt_question = models.OneToOneField(
        "quizzes.AttemptQuestion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_log",
    )
    # The memory before this review, to undo it (a reset's keeps first_review too) and to
    # tell reviews of learned cards apart (true retention); state 0 (new) when the card had
    # no memory yet.
    state_before = models.PositiveSmallIntegerField()
    memory_before = models.JSONField(null=True, blank=True)
    due_after = models.DateTimeField()
    stability_after = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["user", "reviewed_at"], name="review_log_user_time"),
            models.Index(fields=["user", "card", "reviewed_at"], name="review_log_user_card"),
            # The few reviews of deleted cards: the day's new cards count them.
            models.Index(
                fields=["user", "reviewed_at"],
                condition=models.Q(card__isnull=True),
                name="review_log_user_cardless",
            ),
        ]

    def __str__(self):
        card = self.card or "a card deleted since"
        return f"{self.user} rated {card} {self.get_rating_display()}"

    @property
    def kind_label(self) -> str:
        """What an undo of it says it took back: a Forget, a Set due date, or a grade."""
        return {self.Source.RESET: "Forget", self.Source.RESCHEDULE: "Set due date"}.get(
            self.source, "Grade"
        )

    @property
    def undo_label(self) -> str:
        """What the review's Undo button names: a grade in quotes, or Forget."""
        if self.source == self.Source.RESET:
            return "Forget"
        if self.source == self.Source.RESCHEDULE:
            return "Set due date"
        return f"“{self.get_rating_display()}”"

    @property
    def undo_size(self) -> int:
        """The cards an undo of it takes back: one, or for a Set due date on several at once
        as many as `operation_cards` says, where the undo's query counted them."""
        return getattr(self, "operation_cards", None) or 1

    @property
    def undo_cards(self) -> str:
        """Those cards as an Undo of several names them: "12 cards" (one card, the review
        page names it by its deck too)."""
        return f"{self.undo_size} card{'s' if self.undo_size > 1 else ''}"

    @property
    def undo_decks(self) -> str:
        """The decks of a Set due date's cards, as its Undo button says them before taking
        them all back (`operation_decks`, reviews.set_due_decks, where read): "in
        Languages::Spanish::Verbs", "5 in Spanish, 4 in French and 3 in 2 other decks"."""
        decks = getattr(self, "operation_decks", None) or []
        if len(decks) == 1:
            return f"in {decks[0].label}"
        shown = decks if len(decks) <= UNDO_DECKS_NAMED else decks[: UNDO_DECKS_NAMED - 1]
        named = [f"{deck.cards} in {deck.label}" for deck in shown]
        if rest := decks[len(shown) :]:
            named.append(f"{sum(deck.cards for deck in rest)} in {len(rest)} other decks")
        return ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else "".join(named)


class CardHoldQuerySet(models.QuerySet):
    def active(self, now: datetime) -> "CardHoldQuerySet":
        """The holds that keep their card out of the review now."""
        return self.filter(models.Q(suspended=True) | models.Q(buried_until__gt=now))


class CardHold(models.Model):
    """A learner's hold on one card, new or studied: buried (Anki's "Bury": out of the
    review until the next study day starts) or suspended (Anki's "Suspend": out until the
    learner brings it back). Apart from CardMemory since a new card has no memory yet, and a
    hold outlasts a Forget. A leech is suspended on its memory instead (CardMemory.suspended):
    the rule suspends it, and Smart quizzes still ask it among the weakest cards."""

    class Action(models.TextChoices):
        BURY = "bury", "Bury"
        SUSPEND = "suspend", "Suspend"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_holds"
    )
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="holds")
    suspended = models.BooleanField(default=False)
    buried_until = models.DateTimeField(null=True, blank=True)
    # The latest bury or suspend, and when: what Undo takes back.
    last_action = models.CharField(max_length=10, choices=Action.choices)
    held_at = models.DateTimeField()

    objects = CardHoldQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="card_hold_unique_per_user")
        ]
        indexes = [models.Index(fields=["user", "held_at"], name="card_hold_user_time")]

    def __str__(self):
        return f"{self.user} holds {self.card}"

    def is_buried(self, now: datetime) -> bool:
        return self.buried_until is not None and self.buried_until > now

    def is_held(self, now: datetime) -> bool:
        """Whether it keeps the card out of the review now (as CardHold.objects.active)."""
        return self.suspended or self.is_buried(now)


class CardFlag(models.Model):
    """A learner's coloured flag on one card, as Anki's (Ctrl+1..7 in its reviewer): a mark
    of their own, never shared, that outlasts the card's reviews, their undo and a Forget.
    No row: no flag."""

    class Colour(models.IntegerChoices):
        RED = 1, "Red"
        ORANGE = 2, "Orange"
        GREEN = 3, "Green"
        BLUE = 4, "Blue"
        PINK = 5, "Pink"
        TURQUOISE = 6, "Turquoise"
        PURPLE = 7, "Purple"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_flags"
    )
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="flags")
    flag = models.PositiveSmallIntegerField(choices=Colour.choices)
    flagged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="card_flag_unique_per_user"),
            models.CheckConstraint(
                condition=models.Q(flag__gte=1, flag__lte=7), name="card_flag_colour"
            ),
        ]
        # "My cards" filtered by one colour.
        indexes = [models.Index(fields=["user", "flag"], name="card_flag_user_colour")]

    def __str__(self):
        return f"{self.user} flags {self.card} {self.get_flag_display().lower()}"
