import pytest
import time_machine
from django.urls import reverse

from tests.quizplay import show, start_as_guest

pytestmark = pytest.mark.django_db


def url(attempt, position=1):
    return reverse("attempt_feedback", args=[attempt.pk, position])


def get(client, path, *, at, **kwargs):
    with time_machine.travel(at, tick=False):
        return client.get(path, **kwargs)


def test_when_time_is_up_it_records_the_timeout_and_shows_the_answer(client, alice, attempt):
    client.force_login(alice)

    response = get(
        client, url(attempt), at="2025-03-05 12:00:21.5Z", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "Time's up" in response.text
    question = attempt.questions.get(position=1)
    assert question.outcome == "timed_out"
    assert question.correct_text in response.text
    assert "Next question" in response.text


def test_asked_too_early_it_keeps_the_question_open(client, alice, attempt):
    client.force_login(alice)

    fragment = get(
        client, url(attempt), at="2025-03-05 12:00:20.5Z", headers={"HX-Request": "true"}
    )
    page = get(client, url(attempt), at="2025-03-05 12:00:20.5Z")

    assert "data-quiz-question" in fragment.text
    assert 'data-remaining-ms="0"' in fragment.text
    assert page.status_code == 302
    assert page["Location"] == reverse("attempt_play", args=[attempt.pk])
    assert attempt.questions.get(position=1).outcome == ""


def test_the_full_page_shows_an_answered_question(client, alice, attempt):
    question = attempt.questions.get(position=1)
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:03Z", tick=False):
        client.post(
            reverse("attempt_answer", args=[attempt.pk]),
            {"position": 1, "choice": question.correct_choice_id},
        )
    response = get(client, url(attempt), at="2025-03-05 12:00:04Z")
    assert response.status_code == 200
    assert "<html" in response.text
    assert "Right!" in response.text
    assert "+925 points" in response.text


def test_a_guest_sees_their_own_feedback(client, deck):
    attempt = start_as_guest(client, deck)
    show(attempt)
    assert client.get(url(attempt)).status_code == 302


def test_another_user_gets_404(client, bob, attempt):
    client.force_login(bob)
    assert get(client, url(attempt), at="2025-03-05 12:05:00Z").status_code == 404
    assert attempt.questions.get(position=1).outcome == ""


@pytest.mark.parametrize("position", [0, 4, 10**30])
def test_a_question_the_quiz_does_not_have_is_404(client, alice, attempt, position):
    client.force_login(alice)
    assert client.get(url(attempt, position)).status_code == 404


def test_it_rejects_post(client, alice, attempt):
    client.force_login(alice)
    assert client.post(url(attempt)).status_code == 405


def test_the_page_title_says_how_the_question_went(client, alice, attempt):
    client.force_login(alice)

    fragment = get(
        client, url(attempt), at="2025-03-05 12:00:21.5Z", headers={"HX-Request": "true"}
    )
    page = get(client, url(attempt), at="2025-03-05 12:00:22Z")

    title = "<title>Time's up · Question 1 of 3 · quizsite</title>"
    assert fragment.text.lstrip().startswith(title)
    assert title in page.text
    assert page.text.count("<title>") == 1
