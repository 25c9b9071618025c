from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes import engine
from tests.quizplay import finish, start, start_as_guest

pytestmark = pytest.mark.django_db


def url(attempt):
    return reverse("attempt_play", args=[attempt.pk])


@time_machine.travel("2025-03-05 12:00:00Z", tick=False)
def test_it_shows_the_first_question_with_its_choices(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)

    response = client.get(url(attempt))

    assert response.status_code == 200
    question = attempt.questions.get(position=1)
    assert question.card.question_html in response.text
    for choice in question.choices:
        assert f'value="{choice["id"]}"' in response.text
    assert "Question 1 / 3" in response.text
    assert 'data-remaining-ms="20000"' in response.text
    assert 'aria-live="polite"' in response.text
    assert "quiz.js" in response.text


def test_the_page_does_not_say_which_choice_is_right(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    response = client.get(url(attempt))
    question = attempt.questions.get(position=1)
    assert response.text.count(question.correct_choice_id) == 1  # just its button's value
    assert "correct" not in response.text.lower()


def test_a_reload_shows_the_same_question_and_keeps_the_clock(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        first = client.get(url(attempt))
    with time_machine.travel("2025-03-05 12:00:08Z", tick=False):
        again = client.get(url(attempt))
    assert 'data-remaining-ms="20000"' in first.text
    assert 'data-remaining-ms="12000"' in again.text
    choices = attempt.questions.get(position=1).choices
    assert [c["id"] in again.text for c in choices] == [True] * len(choices)


def test_an_htmx_request_gets_the_fragment(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    response = client.get(url(attempt), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "data-quiz-question" in response.text
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_the_countdown_asks_for_the_feedback_once_time_and_grace_are_over(client, alice, attempt):
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:08Z", tick=False):
        response = client.get(url(attempt), headers={"HX-Request": "true"})

    soup = BeautifulSoup(response.text, "html.parser")
    countdown = soup.select_one("[role=timer]")
    assert countdown["hx-get"] == reverse("attempt_feedback", args=[attempt.pk, 1])
    assert countdown["hx-trigger"] == "load delay:13300ms"  # 12 s left, 1 s grace, 0.3 s margin
    assert countdown["hx-target"] == "#quiz-stage"


def test_an_untimed_question_has_no_countdown_to_ask(client, alice, deck):
    attempt = start(alice, deck, limit=engine.TimeLimit(kind="none"))
    client.force_login(alice)
    response = client.get(url(attempt), headers={"HX-Request": "true"})
    assert 'role="timer"' not in response.text
    assert "hx-trigger" not in response.text


def test_htmx_focuses_the_heading_of_a_swapped_question_but_not_of_a_page(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)

    fragment = BeautifulSoup(
        client.get(url(attempt), headers={"HX-Request": "true"}).text, "html.parser"
    )
    page = BeautifulSoup(client.get(url(attempt)).text, "html.parser")

    assert fragment.select_one("h1").has_attr("autofocus")
    assert not page.select_one("h1").has_attr("autofocus")
    assert fragment.select_one("#quiz-error") is not None  # where a refused answer's message goes


def test_a_question_left_too_long_times_out_and_the_next_one_starts(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        client.get(url(attempt))
    with time_machine.travel("2025-03-05 12:05:00Z", tick=False):
        response = client.get(url(attempt))
    assert "Question 2 / 3" in response.text
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
    assert client.get(url(attempt)).status_code == 200


def test_another_user_gets_404(client, alice, bob, deck):
    attempt = start(alice, deck)
    client.force_login(bob)
    assert client.get(url(attempt)).status_code == 404
    assert attempt.questions.get(position=1).started_at is None


def test_a_guest_gets_404_for_a_users_attempt(client, alice, deck):
    attempt = start(alice, deck)
    assert client.get(url(attempt)).status_code == 404


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


def test_flashcards_show_the_answer_behind_a_button_and_two_grades(client, alice, deck):
    attempt = start(alice, deck, mode="flashcard")
    client.force_login(alice)
    response = client.get(url(attempt))
    assert "Show answer" in response.text
    assert 'name="grade" value="knew"' in response.text
    assert 'name="grade" value="didnt_know"' in response.text


def test_the_question_page_runs_a_bounded_number_of_queries(
    client, alice, make_deck, django_assert_max_num_queries
):
    attempt = start(alice, make_deck(40, slug="bigger"), count=20)
    client.force_login(alice)
    client.get(url(attempt))
    with django_assert_max_num_queries(12):
        client.get(url(attempt))
    attempt.questions.filter(position=1).update(
        started_at=attempt.started_at - timedelta(minutes=5),
        deadline_at=attempt.started_at - timedelta(minutes=4),
    )
    with django_assert_max_num_queries(14):
        client.get(url(attempt))


def test_a_quiz_past_its_overall_deadline_is_finished_on_the_next_request(client, alice, deck):
    limit = engine.TimeLimit(kind="whole_quiz", seconds=60)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        attempt = start(alice, deck, limit=limit)
        client.force_login(alice)
        first = client.get(url(attempt))
    assert 'data-remaining-ms="60000"' in first.text
    assert "data-whole-quiz" in first.text

    with time_machine.travel("2025-03-05 12:02:00Z", tick=False):
        response = client.get(url(attempt))

    assert response["Location"] == reverse("attempt_result", args=[attempt.pk])
    outcomes = list(attempt.questions.order_by("position").values_list("outcome", flat=True))
    assert outcomes == ["timed_out", "missed", "missed"]


def test_an_htmx_fragment_brings_the_page_title_along(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)

    fragment = client.get(url(attempt), headers={"HX-Request": "true"})
    page = client.get(url(attempt))

    assert fragment.text.lstrip().startswith("<title>Question 1 of 3 · quizsite</title>")
    assert page.text.count("<title>") == 1


def test_a_shown_flashcard_answer_is_labelled(client, alice, deck):
    attempt = start(alice, deck, mode="flashcard")
    client.force_login(alice)

    response = client.get(url(attempt))

    question = attempt.questions.get(position=1)
    details = response.text.split("data-flashcard", 1)[1]
    label = details.index('<p class="answer-label">Answer</p>')
    assert label < details.index(question.card.answer_html) < details.index("Did you know it?")
