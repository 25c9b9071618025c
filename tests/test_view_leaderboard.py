from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from quizzes.services import attempts as services
from tests.quizplay import finish

pytestmark = pytest.mark.django_db

URL = reverse("leaderboard")


def quick(user, deck, right):
    attempt = services.attempt_start_quick(user=user, session_key="", deck=deck, now=timezone.now())
    return finish(attempt, right=set(range(1, right + 1)))


def test_it_ranks_the_best_quick_quiz_of_each_learner(client, alice, bob, deck):
    quick(alice, deck, 4)
    quick(bob, deck, 7)

    response = client.get(URL)

    assert response.status_code == 200
    text = response.text
    assert text.index(">bob<") < text.index(">alice<")
    assert "7 / 10" in text and "4 / 10" in text


def test_it_states_the_quick_quiz_it_ranks(client, deck):
    response = client.get(URL)
    assert "(10 multiple-choice questions, 20 s each)" in response.text


def test_this_week_leaves_out_older_attempts(client, alice, bob, deck):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        quick(alice, deck, 9)
    quick(bob, deck, 2)

    response = client.get(URL)

    this_week, all_time = response.text.split("All time")
    assert ">bob<" in this_week and ">alice<" not in this_week
    assert ">bob<" in all_time and ">alice<" in all_time


def test_an_empty_board_invites_a_first_try(client, deck):
    assert "Nobody yet" in client.get(URL).text


def test_an_unknown_deck_is_404(client, deck):
    assert client.get(URL, {"deck": "nope"}).status_code == 404


def test_it_rejects_post(client):
    assert client.post(URL).status_code == 405


def test_it_runs_the_same_queries_for_any_number_of_learners(
    client, alice, bob, staff, deck, django_assert_num_queries
):
    quick(alice, deck, 1)
    with django_assert_num_queries(3) as few:
        client.get(URL)
    quick(bob, deck, 2)
    quick(staff, deck, 3)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)
