"""The leaderboard reads the best attempts from an index until it has enough learners."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.services import leaderboard as services
from tests.queryplans import query_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def learners(django_user_model):
    return [django_user_model.objects.create_user(f"learner{n}") for n in range(6)]


def finished(user, deck, score, *, seconds=60, days_ago=0, quick=True) -> Attempt:
    started = timezone.now() - timedelta(days=days_ago, minutes=5)
    return Attempt.objects.create(
        user=user,
        deck=deck,
        mode=Attempt.Mode.MULTIPLE_CHOICE,
        question_count=10,
        time_limit_kind=Attempt.TimeLimitKind.PER_QUESTION,
        time_limit_seconds=20,
        seed=1,
        is_quick=quick,
        started_at=started,
        finished_at=started + timedelta(seconds=seconds),
        score=score,
        total_time=timedelta(seconds=seconds),
    )


def test_each_learner_appears_once_with_their_best_quiz_best_first(deck, learners, monkeypatch):
    # Batches of two: the first learner's many better quizzes fill several batches.
    monkeypatch.setattr(services, "FIRST_BATCH", 2)
    first, second, third = learners[:3]
    for score in (900, 950, 990, 980, 970):
        finished(first, deck, score)
    best_of_second = finished(second, deck, 500, seconds=30)
    finished(second, deck, 500, seconds=90)
    best_of_third = finished(third, deck, 500, seconds=40)

    board = services.leaderboard(deck=deck, limit=3)

    assert [attempt.user for attempt in board] == [first, second, third]
    assert board[0].score == 990
    assert board[1:] == [best_of_second, best_of_third]


def test_unfinished_guest_and_other_quizzes_are_not_ranked(deck, learners):
    finished(learners[0], deck, 100)
    finished(learners[1], deck, 900, quick=False)
    finished(None, deck, 950)
    Attempt.objects.filter(user=learners[1]).update(finished_at=None, is_quick=True)

    assert [attempt.user for attempt in services.leaderboard(deck=deck)] == [learners[0]]


def test_a_week_board_ranks_only_that_weeks_quizzes(deck, learners):
    finished(learners[0], deck, 990, days_ago=9)
    finished(learners[0], deck, 300)
    finished(learners[1], deck, 500)

    board = services.leaderboard(deck=deck, since=timezone.now() - timedelta(days=2))

    assert [(attempt.user, attempt.score) for attempt in board] == [
        (learners[1], 500),
        (learners[0], 300),
    ]


@pytest.mark.parametrize("week", [False, True])
def test_a_board_reads_its_index_not_the_attempts(deck, learners, week):
    for user in learners:
        finished(user, deck, 100)
    since = timezone.now() - timedelta(days=2) if week else None
    attempts = Attempt.objects.filter(services.RANKED, deck=deck)
    if since:
        attempts = attempts.filter(started_at__gte=since)
    plan = query_plan(attempts.order_by(*services.BEST_FIRST).values_list("pk", "user_id")[:100])

    assert "attempt_leaderboard" in plan
