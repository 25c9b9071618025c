"""/quiz/<id>/: where a quiz stands, the current question's address or the result."""

import pytest
import time_machine
from django.urls import reverse

from tests.quizplay import finish, reversals_counted, start, start_as_guest

pytestmark = pytest.mark.django_db


def url(attempt):
    return reverse("attempt_play", args=[attempt.pk])


def question_url(attempt, position):
    return reverse("attempt_question", args=[attempt.pk, position])


@time_machine.travel("2025-03-05 12:00:00Z", tick=False)
def test_it_sends_to_the_current_questions_address(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)

    response = client.get(url(attempt))
    htmx = client.get(url(attempt), headers={"HX-Request": "true"})

    assert response.status_code == 302
    assert response["Location"] == question_url(attempt, 1)
    # htmx gets the question in place, and its address for the address bar.
    assert htmx.status_code == 200 and "data-quiz-question" in htmx.text
    assert "<html" not in htmx.text
    assert htmx["HX-Push-Url"] == question_url(attempt, 1)
    assert attempt.questions.get(position=1).started_at is not None


@time_machine.travel("2025-03-05 12:00:00Z", tick=False)
def test_htmx_gets_the_question_with_two_addresses_reversed(client, deck, monkeypatch):
    # Each reversal is a twentieth of a millisecond on the machine the benches run on, in
    # the request every question of every quiz is shown by: the address the answer posts to
    # and the question's own (the countdown's and the one pushed), once each.
    attempt = start_as_guest(client, deck)
    play_url = url(attempt)
    reversed_names = reversals_counted(monkeypatch)

    response = client.get(play_url, headers={"HX-Request": "true"})

    assert sorted(reversed_names) == ["attempt_answer", "attempt_question"]
    assert response["HX-Push-Url"] == question_url(attempt, 1)
    answer_url = reverse("attempt_answer", args=[attempt.pk])
    assert response.text.count(f'action="{answer_url}"') == 1
    assert response.text.count(f'hx-post="{answer_url}"') == 1
    assert f'hx-get="{question_url(attempt, 1)}"' in response.text


def test_a_question_left_too_long_moves_the_quiz_on(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        client.get(url(attempt))
    with time_machine.travel("2025-03-05 12:05:00Z", tick=False):
        response = client.get(url(attempt))
    assert response["Location"] == question_url(attempt, 2)
    assert attempt.questions.get(position=1).outcome == "timed_out"


def test_a_finished_attempt_redirects_to_its_result(client, alice, deck):
    attempt = finish(start(alice, deck))
    client.force_login(alice)
    response = client.get(url(attempt))
    assert response.status_code == 302
    assert response["Location"] == reverse("attempt_result", args=[attempt.pk])
    htmx = client.get(url(attempt), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("attempt_result", args=[attempt.pk])


def test_a_guest_plays_their_own_attempt(client, deck):
    attempt = start_as_guest(client, deck)
    assert client.get(url(attempt)).status_code == 302
    assert client.get(url(attempt), follow=True).status_code == 200


def test_another_user_gets_404(client, alice, bob, deck):
    attempt = start(alice, deck)
    client.force_login(bob)
    assert client.get(url(attempt)).status_code == 404
    assert attempt.questions.get(position=1).started_at is None


def test_a_learners_quiz_asked_with_their_session_ended_asks_them_to_log_in(client, alice, deck):
    attempt = start(alice, deck)

    response = client.get(url(attempt))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url(attempt)}"
    assert attempt.questions.get(position=1).started_at is None


def test_another_guest_gets_404(client, deck):
    from django.test import Client

    attempt = start_as_guest(Client(), deck)
    assert client.get(url(attempt)).status_code == 404


def test_an_unknown_attempt_is_404(client, alice):
    client.force_login(alice)
    response = client.get("/quiz/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert client.get("/quiz/not-a-uuid/").status_code == 404


def test_it_rejects_post(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    assert client.post(url(attempt)).status_code == 405
