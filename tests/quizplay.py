"""Helpers for the quiz view tests: start attempts for users or guests, read choices."""

from datetime import timedelta

from django.db.models import F
from django.urls import URLResolver
from django.utils import timezone

from quizzes import engine
from quizzes.models import Attempt, AttemptQuestion
from quizzes.services import attempts as services

PER_QUESTION_20 = engine.TimeLimit(kind=engine.TimeLimitKind.PER_QUESTION, seconds=20)
# How long `finish` takes over each answer: time enough to read a synthetic card's question
# and choices, so a finished quiz is not "too fast to read" for the leaderboard.
READ = timedelta(seconds=8)
# When the `attempt` fixture (conftest.py) shows its first question: tests travel from here.
T0 = "2025-03-05 12:00:00Z"


def start_quick(user, deck) -> Attempt:
    return services.attempt_start_quick(user=user, session_key="", deck=deck, now=timezone.now())


def start(user, deck, *, count=3, mode="multiple_choice", limit=PER_QUESTION_20) -> Attempt:
    config = services.QuizConfig(
        deck=deck, question_count=count, mode=engine.QuizMode(mode), time_limit=limit
    )
    return services.attempt_start(user=user, session_key="", config=config, now=timezone.now())


def start_as_guest(client, deck, **kwargs) -> Attempt:
    """An attempt owned by the guest session of `client`: started under its key."""
    session = client.session
    session.save()  # the test client's session has no key until saved
    attempt = start(None, deck, **kwargs)
    attempt.session_key = session.session_key
    attempt.save(update_fields=["session_key"])
    return attempt


def show(attempt):
    """Start the clock of the current question, as the play page does."""
    return services.question_current(attempt=attempt, now=timezone.now())


def wrong_choice(question) -> str:
    return next(c["id"] for c in question.choices if c["id"] != question.correct_choice_id)


def finish(attempt, *, right=(), after=READ) -> Attempt:
    """Answer every question, right at the positions in `right`, wrong elsewhere, each
    `after` it is shown."""
    while (question := show(attempt)) is not None:
        choice = (
            question.correct_choice_id if question.position in right else wrong_choice(question)
        )
        services.answer_submit(
            attempt=attempt, question=question, choice_id=choice, now=question.started_at + after
        )
    attempt.refresh_from_db()
    return attempt


def self_grade(attempt, *, knew: bool, after=READ) -> Attempt:
    """Answer every flashcard of `attempt` "I knew it" (or "I didn't"), each `after` it is
    shown."""
    while (question := show(attempt)) is not None:
        services.answer_submit(
            attempt=attempt, question=question, knew=knew, now=question.started_at + after
        )
    attempt.refresh_from_db()
    return attempt


def time_passes(attempt, seconds: float):
    """`seconds` pass for `attempt` on the server's clock: each of its moments, and its
    questions', moves that much earlier. A browser test's live server answers from another
    thread, whose clock time-machine cannot move safely; the browser's own clock moves with
    Playwright's `page.clock` (tests/test_browser_quiz.py, `quiz_time_passes`)."""
    earlier = timedelta(seconds=seconds)
    Attempt.objects.filter(pk=attempt.pk).update(
        **{name: F(name) - earlier for name in ("started_at", "deadline_at", "finished_at")}
    )
    AttemptQuestion.objects.filter(attempt=attempt).update(
        **{name: F(name) - earlier for name in ("started_at", "deadline_at", "answered_at")}
    )


def reversals_counted(monkeypatch) -> list[str]:
    """The names reversed from now on (the list fills as the test goes)."""
    reversed_names = []
    reverse_with_prefix = URLResolver._reverse_with_prefix

    def counting(resolver, lookup_view, *args, **kwargs):
        reversed_names.append(lookup_view)
        return reverse_with_prefix(resolver, lookup_view, *args, **kwargs)

    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counting)
    return reversed_names


def calls_counted(monkeypatch, owner: type, name: str) -> list:
    """The instances whose method `owner.name` is called from now on (the list fills as the
    test goes): a template's nodes rendered, say."""
    called = []
    method = getattr(owner, name)

    def counting(instance, *args, **kwargs):
        called.append(instance)
        return method(instance, *args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return called


def candidate_statements(monkeypatch) -> list:
    """The statements the wrong-answer lookups run from now on (the list fills as the test
    goes): a multiple-choice start runs one, and one more when it needs its spare cards
    (engine.plan_quiz: the first cards' choices repeated an answer)."""
    return calls_counted(monkeypatch, services._CandidateLookups, "options")
