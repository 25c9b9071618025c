"""Quiz attempts: what a learner was asked, when, what they answered and what it scored.

An attempt stores its questions and their choices when it starts, so a reload, a retry of
the page in another tab or a challenge replays exactly the same quiz. The rules (deadlines,
grading, scoring) live in quizzes/engine.py; quizzes/services/attempts.py writes the rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from quizzes import engine, typed_answers
from quizzes.addresses import remembered_reverse
from quizzes.models.deck import Card, Deck, Distractor, Tag


class AttemptQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(finished_at__isnull=False)

    def unfinished(self):
        return self.filter(finished_at__isnull=True)

    def owned_by(self, *, user=None, guest_session_key: str | None = None):
        """The attempts of a signed-in `user`, or for a guest (user None or anonymous) the
        unclaimed attempts started under their session's key (none without one)."""
        if user is not None and user.is_authenticated:
            return self.filter(user=user)
        if not guest_session_key:
            return self.none()
        return self.filter(user__isnull=True, session_key=guest_session_key)


# The attempts a leaderboard ranks: finished Quick quizzes of signed-in learners, read at a
# human pace, among the first they started that day.
LEADERBOARD_RANKED = models.Q(
    is_quick=True,
    finished_at__isnull=False,
    user__isnull=False,
    implausibly_fast=False,
    past_ranked_per_day=False,
    played_as_guest=False,
)


class Attempt(models.Model):
    # The stored values are the engine's values, labelled for people.
    class Mode(models.TextChoices):
        MULTIPLE_CHOICE = engine.QuizMode.MULTIPLE_CHOICE.value, "Multiple choice"
        FLASHCARD = engine.QuizMode.FLASHCARD.value, "Flashcard"
        TYPED = engine.QuizMode.TYPED.value, "Type the answer"

    class TimeLimitKind(models.TextChoices):
        NONE = engine.TimeLimitKind.NONE.value, "No time limit"
        PER_QUESTION = engine.TimeLimitKind.PER_QUESTION.value, "Seconds per question"
        FOR_LENGTH = engine.TimeLimitKind.FOR_LENGTH.value, "Time for length"
        WHOLE_QUIZ = engine.TimeLimitKind.WHOLE_QUIZ.value, "Minutes for the whole quiz"

    # A random id: attempt URLs cannot be guessed or counted.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Null for a guest, whose attempts are those started under their session's key
    # (`session_key`) until they sign up or log in.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attempts",
    )
    session_key = models.CharField(max_length=40, blank=True)
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="attempts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    mode = models.CharField(max_length=20, choices=Mode.choices)
    question_count = models.PositiveSmallIntegerField()
    time_limit_kind = models.CharField(max_length=20, choices=TimeLimitKind.choices)
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    # The seed of engine.plan_quiz: secret, since it determines the choice ids.
    seed = models.BigIntegerField()
    # The Quick quiz configuration, which the leaderboard ranks (never a retry or challenge).
    is_quick = models.BooleanField(default=False)
    challenge_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="challenges"
    )
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    started_at = models.DateTimeField()
    deadline_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Filled from engine.summarize when the attempt finishes.
    score = models.PositiveIntegerField(default=0)
    correct_count = models.PositiveSmallIntegerField(default=0)
    total_time = models.DurationField(null=True, blank=True)
    # Right answers faster than anyone reads (engine.is_implausibly_fast): kept in the
    # history, left off the leaderboard.
    implausibly_fast = models.BooleanField(default=False)
    # Started after the Quick quizzes of the day that can rank on the deck
    # (engine.RANKED_QUICK_QUIZZES_PER_DAY): kept in the history, left off the leaderboard.
    past_ranked_per_day = models.BooleanField(default=False)
    # Played as a guest and claimed at sign-up or log-in (engine.PLAYED_AS_GUEST_RULE): kept
    # in the history and fed to the learner's memory, left off the leaderboard.
    played_as_guest = models.BooleanField(default=False)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"]),
            # A guest's attempts (owned_by): the last played, and those claimed at log-in.
            models.Index(
                fields=["session_key", "-started_at"],
                condition=models.Q(user__isnull=True),
                name="attempt_guest",
            ),
            models.Index(fields=["is_quick", "finished_at"]),
            # The quizzes of the same questions: an original and its challenges, which keep
            # its seed (services.play_sql.finished_challenges).
            models.Index(fields=["seed"], name="attempt_seed"),
            # The leaderboards (services.leaderboard.RANKED): ranked attempts, best first,
            # all time and from a week's start.
            models.Index(
                fields=["deck", "-score", "total_time", "finished_at", "id"],
                condition=LEADERBOARD_RANKED,
                name="attempt_leaderboard",
            ),
            models.Index(
                fields=["deck", "started_at"],
                condition=LEADERBOARD_RANKED,
                name="attempt_leaderboard_week",
            ),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} quiz {self.pk}"

    def get_absolute_url(self):
        if self.finished_at:
            return reverse("attempt_result", args=[self.pk])
        return reverse("attempt_play", args=[self.pk])

    def question_url(self, position: int) -> str:
        """Each question's own address: the question while it is asked, then its feedback."""
        return remembered_reverse("attempt_question", self.pk, position)

    @cached_property
    def answer_url(self) -> str:
        """Where its answers are posted: each question's form says it twice (without htmx,
        and with it)."""
        return remembered_reverse("attempt_answer", self.pk)

    @property
    def time_limit(self) -> engine.TimeLimit:
        return engine.TimeLimit(kind=self.time_limit_kind, seconds=self.time_limit_seconds)

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def time_ran_out_unseen(self) -> bool:
        """Not finished only because nothing was asked of it since its minutes for the whole
        quiz ran out (the clock closes it at the next look): over, for the learner."""
        return (
            self.finished_at is None
            and self.deadline_at is not None
            and self.deadline_at <= timezone.now()
        )

    @property
    def is_self_graded(self) -> bool:
        """Flashcards: each answer is the learner's own "I knew it", so its points compare
        learners' honesty as much as their knowledge, and name no winner."""
        return self.mode == engine.QuizMode.FLASHCARD

    @property
    def accuracy(self) -> float:
        return self.correct_count / self.question_count if self.question_count else 0.0

    @property
    def time_limit_label(self) -> str:
        """The limit in words: "no time limit", "20 s per question", "5 min for the whole quiz"."""
        if self.time_limit_kind == self.TimeLimitKind.PER_QUESTION:
            return f"{self.time_limit_seconds} s per question"
        if self.time_limit_kind == self.TimeLimitKind.WHOLE_QUIZ:
            minutes, seconds = divmod(self.time_limit_seconds, 60)
            span = f"{minutes} min {seconds:02d} s" if seconds else f"{minutes} min"
            return f"{span} for the whole quiz"
        if self.time_limit_kind == self.TimeLimitKind.FOR_LENGTH:
            return "time for length"
        return "no time limit"


class AttemptQuestionQuerySet(models.QuerySet):
    def unanswered(self):
        return self.filter(outcome="")

    def answered(self):
        return self.exclude(outcome="")

    def attempted(self):
        """Answered by the learner, timing out included; not the questions "missed" because
        the quiz ended first, maybe before they were shown."""
        return self.answered().exclude(outcome=engine.Outcome.MISSED)

    def correct(self):
        return self.filter(AttemptQuestion.CORRECT)

    def not_correct(self):
        """Wrong, timed out, missed, or not answered yet."""
        return self.exclude(AttemptQuestion.CORRECT)


class AttemptQuestion(models.Model):
    # Right, or "knew it": also for counting within an aggregate, Count(..., filter=CORRECT).
    CORRECT = models.Q(outcome__in=engine.Outcome.correct_values())

    # The engine decides outcomes; the stored values are its values, labelled for people.
    class Outcome(models.TextChoices):
        CORRECT = engine.Outcome.CORRECT.value, "Correct"
        WRONG = engine.Outcome.WRONG.value, "Wrong"
        TIMED_OUT = engine.Outcome.TIMED_OUT.value, "Timed out"
        MISSED = engine.Outcome.MISSED.value, "Missed"
        KNEW = engine.Outcome.KNEW.value, "Knew it"
        DIDNT_KNOW = engine.Outcome.DIDNT_KNOW.value, "Didn't know"

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(help_text="1 for the first question.")
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="attempt_questions")
    # [{"id": opaque token, "text": answer text, "card_id": card}], in the order shown;
    # empty in flashcard mode.
    choices = models.JSONField(default=list, blank=True)
    correct_choice_id = models.CharField(max_length=32, blank=True)
    chosen_choice_id = models.CharField(max_length=32, blank=True)
    # The card whose answer was picked: this card when right, a distractor's card when wrong.
    chosen_card = models.ForeignKey(
        Card, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The editor's hand-written distractor picked, if that was the wrong answer chosen.
    chosen_distractor = models.ForeignKey(
        Distractor, on_delete=models.SET_NULL, null=True, blank=True, related_name="picks"
    )
    # In a "Type the answer" quiz: what the learner typed, and what was to be typed then
    # (the card's quiz_typed_answer, which an edit may change later).
    typed = models.TextField(blank=True)
    typed_expected = models.TextField(blank=True)
    # Words of the question and its choices (or answer), counted when the quiz starts: what
    # time for length allows (`seconds_allowed`).
    reading_words = models.PositiveIntegerField(default=0)
    # Words of the question and its right answer: the least anyone reads to answer it
    # knowingly, so what "too fast to read" means (engine.too_fast_to_read).
    skim_words = models.PositiveIntegerField(default=0)
    # The T of the speed rule (engine.seconds_allowed_each): the question's own clock, or
    # with a limit for the whole quiz its share of the quiz's seconds (no clock of its own).
    seconds_allowed = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    points = models.PositiveIntegerField(default=0)
    # Set when the question is first shown: its clock starts then, and reloads keep it.
    started_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    elapsed = models.DurationField(null=True, blank=True)

    objects = AttemptQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="attempt_question_position_unique"
            )
        ]
        indexes = [models.Index(fields=["card", "outcome"])]

    def __str__(self):
        return f"Question {self.position} of {self.attempt_id}"

    @property
    def is_answered(self) -> bool:
        return bool(self.outcome)

    def get_outcome_display(self) -> str:
        """The outcome's label, as Django's own method gives it, which builds a dict of every
        choice at each call: 85 Python calls a label, ten on a result page."""
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def closed_by_clock(self) -> bool:
        """Closed with no answer: its time, or the quiz's, ran out first."""
        return self.is_answered and self.answered_at is None

    @property
    def counts_as_correct(self) -> bool:
        return bool(self.outcome) and engine.Outcome(self.outcome).counts_as_correct

    @cached_property
    def url(self) -> str:
        """Its own address (Attempt.question_url): a question's page asks for it twice (the
        countdown, and the address htmx pushes), and the countdown's ask shows it again."""
        return remembered_reverse("attempt_question", self.attempt_id, self.position)

    @property
    def next_url(self) -> str:
        return remembered_reverse("attempt_question", self.attempt_id, self.position + 1)

    def _choice(self, choice_id: str) -> dict:
        return next((choice for choice in self.choices if choice["id"] == choice_id), {})

    @property
    def feedback_choices(self) -> list[dict]:
        """The choices as the feedback lists them: the learner's, then the right one, then
        the others as they were offered. In the order offered, a right answer offered last
        among long choices was below the fold of a phone, under two wrong ones."""
        marked = [self.chosen_choice_id, self.correct_choice_id]
        return sorted(
            self.choices,
            key=lambda choice: marked.index(choice["id"]) if choice["id"] in marked else 2,
        )

    @property
    def chosen_html(self) -> str:
        """The choice picked, as it was shown (stored sanitized HTML)."""
        return self._choice(self.chosen_choice_id).get("html", "")

    @property
    def chosen_text(self) -> str:
        return self._choice(self.chosen_choice_id).get("text", "")

    @property
    def typed_comparison(self) -> typed_answers.Comparison:
        """What was typed beside what was to be typed, as the feedback shows it."""
        return typed_answers.compare_typed(
            self.typed_expected,
            self.typed,
            ignore_accents=self.card.typed_answer_ignores_accents,
        )

    @property
    def typed_forgiven(self) -> str:
        """What a right typed answer was forgiven ("case", "a typo in …"); "" otherwise."""
        if not self.counts_as_correct:
            return ""
        return typed_answers.typed_verdict(
            self.typed_expected, self.typed, ignore_accents=self.card.typed_answer_ignores_accents
        ).forgiven


OUTCOME_LABELS = dict(AttemptQuestion.Outcome.choices)


class ReadyQuiz(models.Model):
    """A Quick quiz planned ahead by the background worker, waiting for a learner to start
    it: its questions and their choices, drawn and weighed as a start would (the work that
    grows with the deck), so a start only claims one and stores it as an attempt. Planned
    under the decks' version (`caching.deck_pages_version`) it was drawn from; a change of the
    cards moves that on, and a plan from an older version is never started."""

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="+")
    decks_version = models.BigIntegerField()
    seed = models.BigIntegerField()
    # The planned questions as JSON text (card_id, choices, correct_choice_id, reading_words),
    # read back whole by one statement.
    questions = models.TextField()
    # Claimed, this plan asks the worker to top the deck's plans up again.
    refill_when_claimed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["deck", "decks_version", "id"])]
        # As the admin lists them among what deleting a deck deletes.
        verbose_name = "Quick quiz planned ahead"
        verbose_name_plural = "Quick quizzes planned ahead"

    def __str__(self) -> str:
        return f"Quick quiz planned ahead ({self.pk})"


class CardStatisticsRollUp(models.Model):
    """How far the cards' rolled-up statistics (Card.stats_*) have read learners' answers:
    one row. A question is written unanswered when its quiz starts and answered later, so
    the roll-up reads the questions written since `seen_up_to`, and those it saw unanswered
    (CardStatisticsWaiting) answered since."""

    seen_up_to = models.BigIntegerField(default=0)
    # Questions above `seen_up_to` (of quizzes started too recently to pass over) already
    # counted: read again, they are not counted twice.
    counted = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Card statistics read up to question {self.seen_up_to}"


class CardStatisticsWaiting(models.Model):
    """A question the roll-up saw unanswered, whose answer it looks for at each roll-up
    until `forget_after`: a day after its quiz started, or its quiz's time limit. A quiz
    left mid-way leaves its questions unanswered for ever; an answer given after that is
    counted when its card is next counted (card_statistics.cards_recount counts all of a
    card's answers)."""

    # Not a foreign key: deleting quizzes (a learner, guests' purge) would have to delete
    # these first; a question deleted is forgotten at `forget_after` like the others.
    question_id = models.BigIntegerField(primary_key=True)
    forget_after = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Question {self.question_id}, unanswered when last read"
