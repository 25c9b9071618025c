from datetime import datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django import forms
from django.db import connection
from django.template.defaulttags import ForNode
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import caching
from quizzes.models import Card, CardMemory
from quizzes.services import attempts as services
from quizzes.services import reviews
from quizzes.views import play
from tests.factories import give_typed_answers, give_wrong_answers
from tests.quizplay import T0, calls_counted, show, start, start_as_guest, wrong_choice
from tests.studyhelpers import forgotten_seven_times, remember, review_count_shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(attempt):
    return attempt.questions.get(position=1)


def url(attempt):
    return reverse("attempt_answer", args=[attempt.pk])


def post(client, attempt, data, *, at="2025-03-05 12:00:05Z", **kwargs):
    with time_machine.travel(at, tick=False):
        return client.post(url(attempt), data, **kwargs)


def test_a_right_answer_is_recorded_and_redirects_to_the_feedback(client, alice, attempt, question):
    client.force_login(alice)

    response = post(client, attempt, {"position": 1, "choice": question.correct_choice_id})

    assert response.status_code == 302
    assert response["Location"] == reverse("attempt_question", args=[attempt.pk, 1])
    question.refresh_from_db()
    assert (question.outcome, question.points) == ("correct", 875)


def test_htmx_gets_the_feedback_fragment(client, alice, attempt, question):
    client.force_login(alice)

    response = post(
        client,
        attempt,
        {"position": 1, "choice": wrong_choice(question)},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Not quite" in response.text
    assert question.card.answer_rendered in response.text
    assert question.card.get_absolute_url() in response.text
    assert reverse("attempt_question", args=[attempt.pk, 2]) in response.text


@pytest.mark.parametrize("pick", ["right", "wrong"])
def test_the_feedback_shows_every_choice_the_right_one_and_the_learners(
    client, alice, attempt, question, pick
):
    client.force_login(alice)
    chosen = question.correct_choice_id if pick == "right" else wrong_choice(question)

    response = post(
        client, attempt, {"position": 1, "choice": chosen}, headers={"HX-Request": "true"}
    )

    soup = BeautifulSoup(response.text, "html.parser")
    shown = soup.select(".feedback-choices > li")
    # The learner's and the right one first, where a phone shows them without scrolling;
    # then the others as they were offered.
    first = [chosen, question.correct_choice_id] if pick == "wrong" else [chosen]
    in_order = [c for c in question.choices if c["id"] in first]
    in_order.sort(key=lambda choice: first.index(choice["id"]))
    in_order += [c for c in question.choices if c["id"] not in first]
    assert [li.select_one(".choice-text").decode_contents() for li in shown] == [
        choice["html"] for choice in in_order
    ]
    marks = [li.select_one(".choice-mark") for li in shown]
    question.refresh_from_db()
    by_id = dict(zip([c["id"] for c in question.feedback_choices], marks, strict=True))
    if pick == "right":
        assert by_id[chosen].get_text(" ", strip=True) == "✓ Your answer, right"
        assert sum(mark is not None for mark in marks) == 1
    else:
        assert by_id[chosen].get_text(" ", strip=True) == "✗ Your answer"
        assert "The right answer" in by_id[question.correct_choice_id].get_text()
        assert sum(mark is not None for mark in marks) == 2
    # The card's whole answer, open only when the learner missed it.
    details = soup.select_one("details.correct-answer")
    assert question.card.answer_rendered in details.decode_contents()
    assert details.has_attr("open") == (pick == "wrong")


def test_the_feedbacks_choices_are_built_without_a_template_loop(
    client, alice, attempt, question, monkeypatch
):
    # A loop of tags over the choices was a quarter of the time the feedback's fragment took
    # to render, in the request every answer of every quiz gets.
    client.force_login(alice)
    loops = calls_counted(monkeypatch, ForNode, "render")

    response = post(
        client,
        attempt,
        {"position": 1, "choice": wrong_choice(question)},
        headers={"HX-Request": "true"},
    )

    assert loops == []
    # Each choice, the learner's and the right one first (the marks: the tests around this one).
    items = BeautifulSoup(response.text, "html.parser").select(".feedback-choices > li")
    question.refresh_from_db()
    assert [li.select_one(".choice-text").decode_contents() for li in items] == [
        choice["html"] for choice in question.feedback_choices
    ]


def test_a_late_answer_times_out_whatever_it_says(client, alice, attempt, question):
    client.force_login(alice)

    post(
        client,
        attempt,
        {"position": 1, "choice": question.correct_choice_id},
        at="2025-03-05 12:00:25Z",
    )

    question.refresh_from_db()
    assert (question.outcome, question.points) == ("timed_out", 0)


@pytest.mark.parametrize("pick", ["right", "wrong"])
def test_a_late_answers_feedback_says_it_came_too_late(client, alice, attempt, question, pick):
    """Under "Time's up", a late right answer is not told "Your answer, right" as if it
    counted."""
    client.force_login(alice)
    chosen = question.correct_choice_id if pick == "right" else wrong_choice(question)

    response = post(
        client,
        attempt,
        {"position": 1, "choice": chosen},
        at="2025-03-05 12:00:25Z",
        headers={"HX-Request": "true"},
    )

    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one(".quiz-heading").get_text(" ", strip=True) == "Time's up +0 points"
    marks = [li.select_one(".choice-mark") for li in soup.select(".feedback-choices > li")]
    question.refresh_from_db()
    by_id = dict(zip([c["id"] for c in question.feedback_choices], marks, strict=True))
    expected = "✓ Your answer, right but too late" if pick == "right" else "✗ Your answer, too late"
    assert by_id[chosen].get_text(" ", strip=True) == expected


@pytest.mark.parametrize("htmx", [True, False])
def test_an_answer_the_clock_beat_is_told_so_not_that_another_tab_answered(
    client, alice, attempt, question, htmx
):
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:40Z", tick=False):  # the countdown asks
        client.get(reverse("attempt_play", args=[attempt.pk]), headers={"HX-Request": "true"})
    question.refresh_from_db()
    assert question.outcome == "timed_out" and question.closed_by_clock

    headers = {"HX-Request": "true"} if htmx else {}
    response = post(
        client,
        attempt,
        {"position": 1, "choice": question.correct_choice_id},
        at="2025-03-05 12:00:41Z",
        headers=headers,
    )
    page = response if htmx else client.get(response["Location"])

    assert "Time ran out for this question before your answer arrived" in page.text
    assert "already been answered" not in page.text
    question.refresh_from_db()
    assert question.outcome == "timed_out" and not question.chosen_choice_id


def test_a_replayed_answer_changes_nothing(client, alice, attempt, question):
    client.force_login(alice)
    post(client, attempt, {"position": 1, "choice": question.correct_choice_id})

    replay = post(client, attempt, {"position": 1, "choice": wrong_choice(question)})

    assert replay.status_code == 302
    question.refresh_from_db()
    assert (question.outcome, question.points) == ("correct", 875)


def test_two_tabs_answering_count_once(client, alice, attempt, question):
    client.force_login(alice)
    other_tab = Client()
    other_tab.force_login(alice)

    post(other_tab, attempt, {"position": 1, "choice": wrong_choice(question)})
    post(client, attempt, {"position": 1, "choice": question.correct_choice_id})

    question.refresh_from_db()
    assert question.outcome == "wrong"
    assert attempt.questions.exclude(outcome="").count() == 1


def test_the_last_answer_finishes_the_attempt(client, alice, deck):
    attempt = start(alice, deck, count=1)
    question = show(attempt)
    client.force_login(alice)

    response = client.post(
        url(attempt),
        {"position": 1, "choice": question.correct_choice_id},
        headers={"HX-Request": "true"},
    )

    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.correct_count == 1
    assert reverse("attempt_result", args=[attempt.pk]) in response.text


def test_a_flashcard_grade_is_recorded(client, alice, deck):
    attempt = start(alice, deck, mode="flashcard")
    show(attempt)
    client.force_login(alice)

    client.post(url(attempt), {"position": 1, "grade": "knew"})

    assert attempt.questions.get(position=1).outcome == "knew"


def test_a_guest_answers_their_own_attempt(client, deck):
    attempt = start_as_guest(client, deck)
    question = show(attempt)
    response = client.post(url(attempt), {"position": 1, "choice": question.correct_choice_id})
    assert response.status_code == 302
    assert attempt.questions.get(position=1).outcome == "correct"


def test_another_user_gets_404_and_changes_nothing(client, bob, attempt, question):
    client.force_login(bob)
    response = post(client, attempt, {"position": 1, "choice": question.correct_choice_id})
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.outcome == ""


@pytest.mark.parametrize("htmx", [False, True])
def test_an_answer_after_the_learners_session_ended_asks_them_to_log_in(
    client, alice, attempt, question, htmx
):
    # Logged out in another tab, or after a while away: "No such quiz" said their quiz was
    # gone. Now the login page, then back to where the quiz stands.
    headers = {"HX-Request": "true"} if htmx else {}
    response = post(
        client, attempt, {"position": 1, "choice": question.correct_choice_id}, headers=headers
    )

    login = "/accounts/login/?next=" + reverse("attempt_play", args=[attempt.pk])
    assert response.status_code == (200 if htmx else 302)
    assert response["HX-Redirect" if htmx else "Location"] == login
    said = client.get(login).text
    assert "You were logged out (in another tab, or after a while away), so that was not saved" in (
        said
    )
    question.refresh_from_db()
    assert question.outcome == ""


def test_a_guest_still_gets_404_for_another_guests_attempt(client, deck):
    attempt = start_as_guest(Client(), deck)
    question = show(attempt)

    response = client.post(url(attempt), {"position": 1, "choice": question.correct_choice_id})

    assert response.status_code == 404
    assert "No such quiz." in response.text
    assert attempt.questions.get(position=1).outcome == ""


def test_it_rejects_get(client, alice, attempt):
    client.force_login(alice)
    assert client.get(url(attempt)).status_code == 405


def test_it_needs_the_csrf_token(alice, attempt, question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = post(client, attempt, {"position": 1, "choice": question.correct_choice_id})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"position": 1},
        {"choice": "abc"},
        {"position": "one", "choice": "abc"},
        {"position": "", "choice": "abc"},
        {"position": 1.5, "choice": "abc"},
        {"position": -1, "choice": "abc"},
        {"position": 0, "choice": "abc"},
        {"position": 10**30, "choice": "abc"},
        {"position": 1, "choice": "x" * 10_000},
        {"position": 1, "choice": "not-a-choice"},
        {"position": 1, "grade": "maybe"},
        {"position": [1, 2], "choice": ["a", "b"]},
        {"position": 99, "choice": "abc"},  # no such question
    ],
)
def test_bad_input_is_a_400_with_a_message(client, alice, attempt, data):
    client.force_login(alice)

    response = post(client, attempt, data)

    assert response.status_code == 400
    assert "quiz-error" in response.text
    assert attempt.questions.exclude(outcome="").count() == 0


def test_extra_fields_are_ignored(client, alice, attempt, question):
    client.force_login(alice)
    data = {"position": 1, "choice": question.correct_choice_id, "points": 99999, "outcome": "x"}
    assert post(client, attempt, data).status_code == 302
    question.refresh_from_db()
    assert question.points == 875


def test_a_choice_of_another_question_is_rejected(client, alice, attempt, question):
    client.force_login(alice)
    other = attempt.questions.get(position=2)

    response = post(client, attempt, {"position": 1, "choice": other.choices[0]["id"]})

    assert response.status_code == 400
    question.refresh_from_db()
    assert question.outcome == ""


def test_a_question_not_asked_yet_is_rejected(client, alice, attempt):
    client.force_login(alice)
    later = attempt.questions.get(position=2)
    response = post(client, attempt, {"position": 2, "choice": later.correct_choice_id})
    assert response.status_code == 400
    assert "not been asked" in response.text
    later.refresh_from_db()
    assert later.outcome == ""


def test_a_choice_of_another_attempt_is_rejected(client, alice, deck, attempt, question):
    other = start(alice, deck)
    other_question = show(other)
    client.force_login(alice)
    response = post(client, attempt, {"position": 1, "choice": other_question.correct_choice_id})
    assert response.status_code == 400


def test_htmx_bad_input_gets_the_message_fragment_for_the_error_slot(client, alice, attempt):
    client.force_login(alice)
    response = post(client, attempt, {"position": 1}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "<html" not in response.text
    assert 'id="quiz-error" class="quiz-error" role="alert"' in response.text
    assert "choose one of the answers" in response.text
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#quiz-error", "outerHTML")


def test_an_answer_runs_a_bounded_number_of_queries(
    client, alice, make_deck, django_assert_num_queries
):
    attempt = start(alice, make_deck(40, slug="bigger"), count=20)
    question = show(attempt)
    client.force_login(alice)
    # The session, the user, the question with its quiz and the learner's memory of the
    # card; the learner's settings (read once, then kept in the cache); then in the
    # transaction the answer, the memory and the review's log; nothing for the clock: with
    # nineteen questions to come, none shown, and time left, the quiz is not over. The card
    # was new, so "Review (N)" moves: the learner's memories counted (and the decks' cards,
    # here not kept yet), which the next question's page then finds kept.
    with django_assert_num_queries(11):
        client.post(
            url(attempt),
            {"position": 1, "choice": question.correct_choice_id},
            headers={"HX-Request": "true"},
        )


def test_an_answer_copies_none_of_its_forms_fields(client, alice, attempt, question, monkeypatch):
    # Django deep-copies a form's fields for each instance: a third of a millisecond of
    # every answer, for a form that is only read.
    copied = []
    copy_field = forms.Field.__deepcopy__
    monkeypatch.setattr(
        forms.Field,
        "__deepcopy__",
        lambda field, memo: copied.append(field) or copy_field(field, memo),
    )
    client.force_login(alice)

    response = post(
        client, attempt, {"position": 1, "choice": "not a choice"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    response = post(client, attempt, {"position": "one"}, headers={"HX-Request": "true"})
    assert b"could not be read" in response.content
    post(client, attempt, {"position": 1, "choice": question.correct_choice_id})

    assert copied == []
    question.refresh_from_db()
    assert question.outcome == "correct"


def test_a_signed_in_answer_writes_the_shared_cache_only_outside_its_transaction(
    client, alice, attempt, question, monkeypatch, django_capture_on_commit_callbacks
):
    # Inside it, on SQLite, every other writer would wait for the cache's file write too.
    moves = []
    moved_on = caching._bump
    monkeypatch.setattr(
        caching,
        "_bump",
        lambda key, *rest: (
            moves.append((key, len(connection.atomic_blocks))) or moved_on(key, *rest)
        ),
    )
    client.force_login(alice)
    outside = len(connection.atomic_blocks)  # the test's own transaction
    memory_version = caching._versions((caching._learner_memory_key(alice.pk), None))

    with django_capture_on_commit_callbacks(execute=True):
        post(client, attempt, {"position": 1, "choice": question.correct_choice_id})

    memory_moves = [depth for key, depth in moves if key == caching._learner_memory_key(alice.pk)]
    # Once, when it committed: nothing in it reads what is kept under the number after
    # the write, and other readers see the new rows only from the commit on.
    assert memory_moves == [outside]
    assert caching._versions((caching._learner_memory_key(alice.pk), None)) != memory_version


def test_a_guests_answer_with_the_quiz_going_on_is_one_write_and_no_transaction(
    client, make_deck, django_assert_num_queries
):
    attempt = start_as_guest(client, make_deck(40, slug="bigger"))
    question = show(attempt)
    # The session, the question with its quiz, then the answer: one UPDATE, atomic by
    # itself, so no transaction (here a savepoint inside the test's) is opened around it.
    with django_assert_num_queries(3) as captured:
        client.post(
            url(attempt),
            {"position": 1, "choice": question.correct_choice_id},
            headers={"HX-Request": "true"},
        )
    assert captured.captured_queries[-1]["sql"].startswith("UPDATE")
    assert attempt.questions.get(position=1).outcome == "correct"


def test_a_guests_last_answer_finishes_the_quiz(client, deck):
    attempt = start_as_guest(client, deck)
    for position in range(1, attempt.question_count + 1):
        question = show(attempt)
        assert question.position == position
        client.post(url(attempt), {"position": position, "choice": question.correct_choice_id})
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert attempt.correct_count == attempt.question_count


def test_the_feedback_fragment_brings_the_page_title_along(client, alice, attempt, question):
    client.force_login(alice)

    response = post(
        client,
        attempt,
        {"position": 1, "choice": wrong_choice(question)},
        headers={"HX-Request": "true"},
    )

    title = "<title>Not quite · Question 1 of 3 · quizsite</title>"
    assert response.text.lstrip().startswith(title)


@pytest.mark.parametrize("right", [True, False])
def test_the_navigation_counts_the_answer_at_once(
    client, alice, attempt, question, right, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        assert review_count_shown(client) == 12
        choice = question.correct_choice_id if right else wrong_choice(question)
        with django_capture_on_commit_callbacks(execute=True):  # as its commit would
            client.post(url(attempt), {"position": 1, "choice": choice})
        assert review_count_shown(client) == 11  # the card met, and not due yet


def test_a_guests_last_answer_reads_the_questions_once_whatever_the_quiz_length(
    client, make_deck, django_assert_num_queries
):
    attempt = start_as_guest(client, make_deck(40, slug="bigger"), count=20)
    for position in range(1, attempt.question_count):
        question = show(attempt)
        client.post(url(attempt), {"position": position, "choice": question.correct_choice_id})
    question = show(attempt)
    # The session, the question with its quiz; in the transaction (a savepoint here, inside
    # the test's) the answer, the clock's read, the questions for the score, once (it was
    # once more per question: 28 statements for this quiz of 20), and the quiz's finish.
    with django_assert_num_queries(8):
        client.post(
            url(attempt),
            {"position": attempt.question_count, "choice": question.correct_choice_id},
            headers={"HX-Request": "true"},
        )
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert attempt.correct_count == 20


def nav_review_swapped(response) -> str | None:
    """The navigation's "Review (N)" the feedback fragment swaps in out of band, if any."""
    nav = BeautifulSoup(response.text, "html.parser").select_one("#nav-review[hx-swap-oob]")
    return nav.get_text() if nav else None


# Committed for real: the count is read after the answer's commit moved the learner's
# memory version on (inside the test's transaction the move would wait for its end).
@pytest.mark.django_db(transaction=True)
def test_a_lapse_into_a_relearning_step_counts_the_card_due_in_the_navigation_at_once(
    client, alice, attempt, question
):
    """Forgotten, a card waiting a week is due again in ten minutes: the feedback brings the
    navigation's count along, as a full page would show it."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="UTC",
        relearning_steps=(timedelta(minutes=10),),
    )
    with time_machine.travel(T0, tick=False):
        remember(alice, [question.card], now=timezone.now(), due_in=timedelta(days=7))
        client.force_login(alice)
        assert review_count_shown(client) == 0
    response = post(
        client,
        attempt,
        {"position": 1, "choice": wrong_choice(question)},
        headers={"HX-Request": "true"},
    )
    assert nav_review_swapped(response).startswith("Review (1)")


def test_an_answer_that_leaves_the_count_as_it_was_does_not_count_again(
    client, alice, attempt, question, django_assert_num_queries
):
    """A card met before and not due, answered right, is not due after: the fragment brings
    no count, and the answer runs no more statements than before the count was brought."""
    with time_machine.travel(T0, tick=False):
        remember(alice, [question.card], now=timezone.now(), due_in=timedelta(days=7))
    client.force_login(alice)
    post(client, attempt, {"position": 1, "choice": question.correct_choice_id})  # warm caches
    second = attempt.questions.get(position=2)
    with time_machine.travel(T0, tick=False):
        remember(alice, [second.card], now=timezone.now(), due_in=timedelta(days=7))
    with time_machine.travel("2025-03-05 12:00:10Z", tick=False):
        show(attempt)
    # The session, the question with its quiz and the memory of the card, the cards due on
    # the days its new interval may fall on (the load balancer's count), then in a
    # transaction (a savepoint here) the answer, the memory and the review's log.
    with django_assert_num_queries(8):
        response = post(
            client,
            attempt,
            {"position": 2, "choice": second.correct_choice_id},
            at="2025-03-05 12:00:15Z",
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert nav_review_swapped(response) is None


@pytest.mark.django_db(transaction=True)
def test_a_new_cards_first_answer_brings_one_new_card_fewer(client, alice, attempt, question):
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        assert review_count_shown(client) == 12
    response = post(
        client,
        attempt,
        {"position": 1, "choice": question.correct_choice_id},
        headers={"HX-Request": "true"},
    )
    assert nav_review_swapped(response).startswith("Review (11)")


def test_a_guests_feedback_brings_no_count(client, deck):
    attempt = start_as_guest(client, deck)
    question = show(attempt)
    response = client.post(
        url(attempt),
        {"position": 1, "choice": question.correct_choice_id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert nav_review_swapped(response) is None


@pytest.mark.django_db(transaction=True)
def test_the_next_questions_page_finds_the_count_the_feedback_brought(
    client, alice, attempt, question, django_assert_num_queries
):
    """Counted once per answer either way: in the feedback now, no longer on the next page."""
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:04Z", tick=False):
        client.get(reverse("attempt_question", args=[attempt.pk, 1]))  # the decks' cards kept
    post(
        client,
        attempt,
        {"position": 1, "choice": question.correct_choice_id},
        headers={"HX-Request": "true"},
    )
    # The session and the questions the clock needs (showing the next starts its clock).
    with django_assert_num_queries(3), time_machine.travel("2025-03-05 12:00:06Z", tick=False):
        page = client.get(reverse("attempt_question", args=[attempt.pk, 2]))
    assert ">Review (11)<" in page.text


# --- "Type the answer": scored by the server ---


@pytest.fixture
def typed_attempt(alice, deck):
    give_typed_answers(deck, {number: answer for number, answer in TYPED.items()})
    with time_machine.travel(T0, tick=False):
        attempt = start(alice, deck, count=3, mode="typed")
        show(attempt)
    return attempt


TYPED = {1: "backpropagation", 2: "Reykjavík", 3: "ReLU"}


def typed_question(attempt):
    question = attempt.questions.select_related("card").get(position=1)
    return question, question.typed_expected


@pytest.mark.parametrize(
    ("typing", "outcome", "said"),
    [
        (lambda expected: expected, "correct", "You typed it exactly."),
        (lambda expected: f"  {expected.upper()} ", "correct", "Counted right: case forgiven."),
        (lambda expected: expected[:2], "wrong", "missing."),
        (lambda expected: "", "wrong", "You typed nothing."),
    ],
)
def test_the_server_scores_what_was_typed_and_shows_the_comparison(
    client, alice, typed_attempt, typing, outcome, said
):
    question, expected = typed_question(typed_attempt)
    client.force_login(alice)

    response = post(
        client,
        typed_attempt,
        {"position": 1, "typed": typing(expected)},
        headers={"HX-Request": "true"},
    )

    question.refresh_from_db()
    assert (question.outcome, question.typed) == (outcome, typing(expected).strip())
    assert (question.points > 0) == (outcome == "correct")
    assert said in response.text
    assert "data-typed-comparison" in response.text
    assert question.card.answer_rendered in response.text


def test_one_typo_in_a_long_word_is_forgiven_and_said(client, alice, deck):
    give_typed_answers(deck, {1: "backpropagation"})
    with time_machine.travel(T0, tick=False):
        attempt = start(alice, deck, count=1, mode="typed")
        show(attempt)
    client.force_login(alice)

    response = post(client, attempt, {"position": 1, "typed": "backpropogation"})

    assert attempt.questions.get().outcome == "correct"
    feedback = client.get(response["Location"])
    assert "Counted right: a typo in “backpropagation” forgiven." in feedback.text


def test_a_typed_quiz_answered_without_its_box_says_what_to_do(client, alice, typed_attempt):
    client.force_login(alice)

    response = post(client, typed_attempt, {"position": 1, "grade": "knew"})

    assert response.status_code == 400
    assert "Type your answer." in response.text
    assert typed_attempt.questions.get(position=1).outcome == ""


def test_a_typed_text_longer_than_the_box_is_refused(client, alice, typed_attempt):
    client.force_login(alice)

    response = post(client, typed_attempt, {"position": 1, "typed": "x" * 501})

    assert response.status_code == 400
    assert typed_attempt.questions.get(position=1).outcome == ""


def test_the_typed_question_page_holds_a_box_and_no_answer(client, alice, typed_attempt):
    client.force_login(alice)
    question, expected = typed_question(typed_attempt)

    with time_machine.travel("2025-03-05 12:00:02Z", tick=False):
        page = client.get(question.url)

    box = BeautifulSoup(page.text, "html.parser").select_one("form.typed-box input[name=typed]")
    assert box["autocapitalize"] == "off" and box.has_attr("autofocus")
    assert expected not in page.text and question.card.answer_rendered not in page.text


def _question_offering_hand_written_wrong_answers(attempt, card):
    """Answers `attempt` wrong until the question of `card` is asked; returns it."""
    while (current := show(attempt)).card_id != card.pk:
        services.answer_submit(
            attempt=attempt, question=current, choice_id=wrong_choice(current), now=timezone.now()
        )
    return current


# Committed as the site commits: a foreign key is checked at the commit (or the write).
@pytest.mark.django_db(transaction=True)
def test_a_hand_written_wrong_answer_deleted_since_the_quiz_began_can_still_be_picked(
    client, alice, make_deck
):
    """An editor's wrong answers replaced in the admin (or by `sync_decks`) while a quiz
    offering them goes on, or before a challenge of an older quiz is taken: the pick still
    counts, without the row it came from (it was a 500)."""
    deck = make_deck(4)
    card = deck.cards.get(number=1)
    give_wrong_answers(card)
    attempt = start(alice, deck, count=4)
    question = _question_offering_hand_written_wrong_answers(attempt, card)
    picked = next(choice for choice in question.choices if choice["distractor_id"])
    card.distractors.all().delete()
    client.force_login(alice)

    response = client.post(url(attempt), {"position": question.position, "choice": picked["id"]})

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.outcome, question.chosen_choice_id) == ("wrong", picked["id"])
    assert (question.chosen_card_id, question.chosen_distractor_id) == (card.pk, None)


# Committed as the site commits: a foreign key is checked at the commit (or the write).
@pytest.mark.django_db(transaction=True)
def test_a_wrong_answer_whose_card_was_deleted_since_the_quiz_began_can_still_be_picked(
    client, deck
):
    """The same for a guest (whose answer is one write, outside any transaction) picking
    another card's answer, that card deleted since (never asked, nothing protects it)."""
    attempt = start_as_guest(client, deck)
    question = show(attempt)
    asked = set(attempt.questions.values_list("card_id", flat=True))
    picked = next(
        choice
        for choice in question.choices
        if choice["id"] != question.correct_choice_id and choice["card_id"] not in asked
    )
    Card.objects.filter(pk=picked["card_id"]).delete()

    response = client.post(
        url(attempt), {"position": 1, "choice": picked["id"]}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "Not quite" in response.text
    question.refresh_from_db()
    assert (question.outcome, question.chosen_choice_id) == ("wrong", picked["id"])
    assert question.chosen_card_id is None


def test_the_answer_that_makes_a_leech_says_so_and_where_it_went(client, alice, attempt, question):
    """The leech rule counts a quiz's lapses as the review's: the card leaves the reviews,
    and the feedback says so, as the review page does, linking to the suspended cards."""
    forgotten_seven_times(alice, question.card, before=datetime.fromisoformat(T0))
    client.force_login(alice)
    response = post(
        client,
        attempt,
        {"position": 1, "choice": wrong_choice(question)},
        headers={"HX-Request": "true"},
    )
    assert CardMemory.objects.get(user=alice, card=question.card).suspended
    feedback = BeautifulSoup(response.text, "html.parser")
    notice = feedback.find(id="leech-notice")
    assert "leaves your reviews" in notice.get_text()
    assert notice.find("a")["href"] == reverse("held_cards")
    # The heading htmx focuses (autofocus) carries the notice above it to a screen reader.
    assert feedback.select_one("h1[autofocus]")["aria-describedby"].split() == ["leech-notice"]
    # Without javascript, the notice follows the redirect to the feedback.
    second = attempt.questions.get(position=2)
    forgotten_seven_times(alice, second.card, before=datetime.fromisoformat(T0))
    with time_machine.travel("2025-03-05 12:00:10Z", tick=False):
        show(attempt)
    response = post(
        client, attempt, {"position": 2, "choice": wrong_choice(second)}, at="2025-03-05 12:00:15Z"
    )
    page = client.get(response.url)
    assert play.LEECH_SUSPENDED in page.text


def test_a_lapse_short_of_a_leech_says_nothing_of_it(client, alice, attempt, question):
    forgotten_seven_times(alice, question.card, before=datetime.fromisoformat(T0))
    client.force_login(alice)
    post(client, attempt, {"position": 1, "choice": question.correct_choice_id})  # no lapse
    second = attempt.questions.get(position=2)
    with time_machine.travel("2025-03-05 12:00:10Z", tick=False):
        show(attempt)
    response = post(
        client,
        attempt,
        {"position": 2, "choice": wrong_choice(second)},  # its first lapse
        at="2025-03-05 12:00:15Z",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="leech-notice"' not in response.text
    assert not CardMemory.objects.filter(user=alice, suspended=True).exists()
