"""A question's own address: the question while it is asked, its feedback once answered."""

from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.template.base import Node
from django.template.defaulttags import ForNode
from django.urls import reverse, set_script_prefix

from quizzes import engine
from tests.quizplay import (
    calls_counted,
    reversals_counted,
    show,
    start,
    start_as_guest,
    wrong_choice,
)

pytestmark = pytest.mark.django_db


def url(attempt, position=1):
    return reverse("attempt_question", args=[attempt.pk, position])


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
    assert question.card.answer_rendered in response.text
    assert "Next question" in response.text


def test_asked_too_early_it_keeps_the_question_open(client, alice, attempt):
    client.force_login(alice)

    fragment = get(
        client, url(attempt), at="2025-03-05 12:00:20.5Z", headers={"HX-Request": "true"}
    )
    page = get(client, url(attempt), at="2025-03-05 12:00:20.5Z")

    assert "data-quiz-question" in fragment.text
    assert 'data-remaining-ms="0"' in fragment.text
    assert page.status_code == 200 and "data-quiz-question" in page.text
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


def test_a_guest_sees_their_own_question(client, deck):
    attempt = start_as_guest(client, deck)
    show(attempt)
    assert client.get(url(attempt)).status_code == 200


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
    assert (
        '<span class="quiz-count-word">Question </span><span class="nowrap">1 / 3</span>'
        in response.text
    )
    assert 'data-remaining-ms="20000"' in response.text
    assert 'aria-live="polite"' in response.text
    assert "quiz.js" in response.text


@time_machine.travel("2025-03-05 12:00:00Z", tick=False)
def test_each_choice_is_a_numbered_button_built_without_a_template_loop(client, deck, monkeypatch):
    # A loop of tags over the choices was a sixth of the time the question's fragment took
    # to render, in the request every question of every quiz is shown by.
    attempt = start_as_guest(client, deck)
    loops = calls_counted(monkeypatch, ForNode, "render")

    response = client.get(url(attempt), headers={"HX-Request": "true"})

    assert loops == []
    choices = attempt.questions.get(position=1).choices
    buttons = BeautifulSoup(response.text, "html.parser").select("ol.choice-list > li > button")
    assert [(b["value"], b["data-key"], b.kbd.text) for b in buttons] == [
        (choice["id"], str(key), str(key)) for key, choice in enumerate(choices, start=1)
    ]
    assert [b.select_one("span.choice-text").decode_contents() for b in buttons] == [
        choice["html"] for choice in choices
    ]


@time_machine.travel("2025-03-05 12:00:00Z", tick=False)
def test_the_title_progress_and_countdown_are_built_without_template_nodes(
    client, deck, monkeypatch
):
    # The title's and the progress's partials, ~20 nodes, were a third of a question's
    # render; every question shown and every answer's feedback has them.
    attempt = start_as_guest(client, deck)
    rendered = calls_counted(monkeypatch, Node, "render_annotated")

    response = client.get(url(attempt), headers={"HX-Request": "true"})

    assert len(rendered) == 19  # 38 with the partials
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.title.get_text() == "Question 1 of 3 · quizsite"
    assert soup.select_one(".quiz-count").get_text() == "Question 1 / 3"
    assert (soup.progress["max"], soup.progress["value"]) == ("3", "0")
    countdown = soup.select_one(".countdown")
    assert countdown["data-remaining-ms"] == "20000"
    assert countdown["hx-get"] == url(attempt)
    assert countdown.get_text(strip=True) == "0:20"


@time_machine.travel("2025-03-05 12:00:00Z", tick=False)
def test_a_question_shown_again_reverses_no_address(client, alice, deck, monkeypatch):
    # A reversal is ~70 Python calls: every page's navigation has six to eight, a question
    # its answer's address and its own; each is kept per process (quizzes.addresses).
    attempt = start(alice, deck)
    client.force_login(alice)
    question_url = url(attempt)
    client.get(question_url)
    reversed_names = reversals_counted(monkeypatch)

    page = client.get(question_url)

    assert reversed_names == []
    nav = BeautifulSoup(page.text, "html.parser").select_one("header")
    links = {a["href"] for a in nav.select("a")} | {f["action"] for f in nav.select("form")}
    assert {reverse(name) for name in ("home", "quiz_setup", "review", "history")} <= links
    assert {reverse(name) for name in ("leaderboard", "my_cards", "logout")} <= links
    answer_url = reverse("attempt_answer", args=[attempt.pk])
    assert (
        page.text.count(f'action="{answer_url}"') == page.text.count(f'hx-post="{answer_url}"') == 1
    )
    assert f'hx-get="{reverse("attempt_question", args=[attempt.pk, 1])}"' in page.text


def test_the_navigation_s_addresses_follow_the_sites_script_prefix(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    client.get(url(attempt))
    set_script_prefix("/quizsite/")
    try:
        under_a_prefix = client.get(url(attempt), SCRIPT_NAME="/quizsite")
    finally:
        set_script_prefix("/")

    assert 'href="/quizsite/quiz/"' in under_a_prefix.text
    assert 'href="/quiz/"' in client.get(url(attempt)).text


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
    assert countdown["hx-get"] == reverse("attempt_question", args=[attempt.pk, 1])
    assert countdown["hx-trigger"] == "load delay:13300ms"  # 12 s left, 1 s grace, 0.3 s margin
    assert countdown["hx-target"] == "#quiz-stage"


def test_an_untimed_question_has_no_countdown_to_ask(client, alice, deck):
    attempt = start(alice, deck, limit=engine.TimeLimit(kind="none"))
    client.force_login(alice)
    response = client.get(url(attempt), headers={"HX-Request": "true"})
    assert 'role="timer"' not in response.text
    assert "hx-trigger" not in response.text


def test_the_question_heading_is_focused_swapped_or_loaded_as_a_page(client, alice, deck):
    # "Next question" loads a page: focus there too, not on <body>, so Tab reaches the
    # first choice rather than the site's menu.
    attempt = start(alice, deck)
    client.force_login(alice)

    fragment = BeautifulSoup(
        client.get(url(attempt), headers={"HX-Request": "true"}).text, "html.parser"
    )
    page = BeautifulSoup(client.get(url(attempt)).text, "html.parser")

    assert fragment.select_one("h1").has_attr("autofocus")
    assert page.select_one("h1").has_attr("autofocus")
    assert fragment.select_one("#quiz-error") is not None  # where a refused answer's message goes


def test_a_question_left_too_long_times_out_and_the_next_one_starts(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        client.get(url(attempt))
    with time_machine.travel("2025-03-05 12:05:00Z", tick=False):
        first = client.get(url(attempt))
        second = client.get(url(attempt, 2))
    assert "Time's up" in first.text
    assert (
        '<span class="quiz-count-word">Question </span><span class="nowrap">2 / 3</span>'
        in second.text
        and "data-quiz-question" in second.text
    )
    assert attempt.questions.get(position=1).outcome == "timed_out"


def test_flashcards_show_the_answer_behind_a_button_and_two_grades(client, alice, deck):
    attempt = start(alice, deck, mode="flashcard")
    client.force_login(alice)
    response = client.get(url(attempt))
    assert "Show answer" in response.text
    assert 'name="grade" value="knew"' in response.text
    assert 'name="grade" value="didnt_know"' in response.text


def test_the_question_page_runs_a_bounded_number_of_queries(
    client, alice, make_deck, django_assert_num_queries
):
    # At midday: run in the minutes after the study day's 4 am start, the timeout below
    # falls on the day before and the count runs one statement more (CI met it at 04:03).
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        attempt = start(alice, make_deck(40, slug="bigger"), count=20)
        client.force_login(alice)
        client.get(url(attempt))
        # The session and the questions the clock needs (with the card shown): the user and
        # the navigation's "Review (N due)" come from the cache.
        with django_assert_num_queries(2):
            client.get(url(attempt))
        attempt.questions.filter(position=1).update(
            started_at=attempt.started_at - timedelta(minutes=5),
            deadline_at=attempt.started_at - timedelta(minutes=4),
        )
        # The timeout is stored and fed to memory, in a transaction; the next question shown,
        # and "Review (N due)" counted again since that memory changed (its cards; no review
        # card is due, so not its reviews today against the day's maximum), and whether the
        # timeout made the card a leech (its feedback would say so).
        with django_assert_num_queries(13):
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
        response = client.get(reverse("attempt_play", args=[attempt.pk]))
        missed = client.get(url(attempt, 2))

    assert response["Location"] == reverse("attempt_result", args=[attempt.pk])
    assert "Missed: the quiz ran out of time" in missed.text
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


# --- Each question its own address ---


def answer(client, attempt, position, choice, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("attempt_answer", args=[attempt.pk]),
        {"position": position, "choice": choice},
        headers=headers,
    )


def test_back_from_the_next_question_shows_the_previous_feedback(client, alice, attempt):
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        first = attempt.questions.get(position=1)
        answer(client, attempt, 1, first.correct_choice_id, htmx=True)
        next_page = client.get(url(attempt, 2), headers={"HX-Request": "true"})
        back = client.get(url(attempt, 1))

    soup = BeautifulSoup(next_page.text, "html.parser")
    assert soup.select_one("[data-quiz-question]") is not None
    assert "Right!" in back.text and "data-quiz-feedback" in back.text
    assert 'name="choice"' not in back.text  # no second go at it
    assert attempt.questions.get(position=2).started_at is not None


def test_next_question_is_a_link_to_the_next_address(client, alice, attempt):
    client.force_login(alice)
    first = attempt.questions.get(position=1)
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        feedback = answer(client, attempt, 1, first.correct_choice_id, htmx=True)

    link = BeautifulSoup(feedback.text, "html.parser").select_one("[data-continue]")
    assert link["href"] == url(attempt, 2)
    assert link.select_one(".key-hint").get_text() == "(Enter)"  # its key in it
    # A page of its own, not a swap: the browser's history holds every question.
    assert not link.has_attr("hx-get")


def test_a_question_not_reached_yet_sends_to_where_the_quiz_stands(client, alice, attempt):
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        response = client.get(url(attempt, 3))
        play = client.get(reverse("attempt_play", args=[attempt.pk]))

    assert response["Location"] == url(attempt, 1)
    assert play["Location"] == url(attempt, 1)
    assert attempt.questions.get(position=3).started_at is None


def test_a_shared_or_reloaded_address_lands_where_the_quiz_stands(client, alice, attempt):
    client.force_login(alice)
    first = attempt.questions.get(position=1)
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        answer(client, attempt, 1, wrong_choice(first))
        reloaded = client.get(url(attempt, 1))
        current = client.get(reverse("attempt_play", args=[attempt.pk]))

    assert "Not quite" in reloaded.text
    assert current["Location"] == url(attempt, 2)


def test_a_second_tab_answering_is_told_what_was_recorded(client, alice, attempt):
    client.force_login(alice)
    first = attempt.questions.get(position=1)
    right = first.correct_choice_id
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        answer(client, attempt, 1, wrong_choice(first), htmx=True)
        second_tab = answer(client, attempt, 1, right, htmx=True)

    first.refresh_from_db()
    assert first.outcome == "wrong"
    assert "already been answered" in second_tab.text
    soup = BeautifulSoup(second_tab.text, "html.parser")
    recorded = soup.select_one(".your-answer").get_text(" ", strip=True)
    assert first.chosen_text in recorded
    assert "Not quite" in second_tab.text


def test_without_htmx_the_second_tab_gets_the_message_on_the_feedback_page(client, alice, attempt):
    client.force_login(alice)
    first = attempt.questions.get(position=1)
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        answer(client, attempt, 1, wrong_choice(first))
        response = answer(client, attempt, 1, first.correct_choice_id)
        page = client.get(response["Location"])

    assert response["Location"] == url(attempt, 1)
    assert "already been answered" in page.text
    assert "Not quite" in page.text


def test_the_whole_quiz_clock_stays_in_view_on_the_feedback(client, alice, deck):
    limit = engine.TimeLimit(kind="whole_quiz", seconds=60)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        attempt = start(alice, deck, limit=limit)
        client.force_login(alice)
        first = show(attempt)
    with time_machine.travel("2025-03-05 12:00:10Z", tick=False):
        feedback = answer(client, attempt, 1, first.correct_choice_id, htmx=True)

    timer = BeautifulSoup(feedback.text, "html.parser").select_one("[role=timer]")
    assert timer["data-remaining-ms"] == "50000"
    assert timer["hx-get"] == reverse("attempt_play", args=[attempt.pk])
    # Said on screen, not only to a screen reader: the quiz's clock, not the question's.
    assert timer.get_text(" ", strip=True) == "Quiz 0:50"


def test_time_for_length_shows_each_questions_own_time(client, alice, deck):
    attempt = start(alice, deck, limit=engine.TimeLimit(kind="for_length"))
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        response = client.get(url(attempt))

    question = attempt.questions.get(position=1)
    assert question.seconds_allowed == engine.reading_allowance(question.reading_words)
    assert f'data-remaining-ms="{question.seconds_allowed * 1000}"' in response.text
    assert "countdown-label" not in response.text  # a question's own clock


def test_choices_keep_their_structure(client, alice, make_deck):
    deck = make_deck(4)
    listed = (
        "<p>The two fixes are:</p><ul><li>greater <code>eps</code></li><li>running stats</li></ul>"
    )
    card = deck.cards.get(number=1)
    card.answer_html = listed
    card.answer_text = "The two fixes are:\ngreater eps\nrunning stats"
    from tests.factories import rendered

    rendered(card).save()
    attempt = start(alice, deck, count=4)
    question = attempt.questions.get(card=card)
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        while (current := show(attempt)).pk != question.pk:
            answer(client, attempt, current.position, current.correct_choice_id)
        response = client.get(url(attempt, question.position))

    soup = BeautifulSoup(response.text, "html.parser")
    right = soup.select_one(f'button[value="{question.correct_choice_id}"]')
    assert [item.get_text() for item in right.select(".choice-item")] == [
        "greater eps",
        "running stats",
    ]
    assert right.select_one("code").get_text() == "eps"
    assert "fixes are" not in right.get_text()  # the lead-in before the list is left out


def test_a_question_page_is_never_kept_in_a_cache(client, alice, attempt):
    client.force_login(alice)
    response = client.get(url(attempt))
    assert "no-store" in response["Cache-Control"]


def test_a_long_quiz_reads_only_the_questions_its_clock_needs(
    client, alice, make_deck, monkeypatch
):
    """The one shown and the one asked next, not the 58 still to come; past the quiz's own
    deadline, every one (each is missed)."""
    from quizzes.services import play_sql

    limit = engine.TimeLimit(kind="whole_quiz", seconds=600)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        attempt = start(alice, make_deck(70, slug="long"), count=60, limit=limit)
        show(attempt)
    client.force_login(alice)
    read = []
    real_fetch = play_sql._fetch
    monkeypatch.setattr(play_sql, "_fetch", lambda *a: read.append(real_fetch(*a)) or read[-1])

    get(client, url(attempt), at="2025-03-05 12:01:00Z", headers={"HX-Request": "true"})
    assert [len(rows) for rows in read] == [2]

    read.clear()
    response = get(client, reverse("attempt_play", args=[attempt.pk]), at="2025-03-05 12:11:00Z")
    assert response["Location"] == reverse("attempt_result", args=[attempt.pk])
    assert [len(rows) for rows in read][:2] == [2, 60]  # then the memory of the one shown
    assert not attempt.questions.filter(outcome="").exists()


RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def test_htmx_restoring_a_question_from_history_gets_the_whole_page(client, alice, attempt):
    """Back to a question whose address htmx pushed (the whole-quiz clock moving on), with
    its own copy of the page gone (its history cache holds ten, or the browser keeps none):
    htmx asks the server and puts what it gets in place of the whole body. A fragment there
    left a page with no header, no navigation and no title."""
    client.force_login(alice)
    with time_machine.travel("2025-03-05 12:00:05Z", tick=False):
        question = client.get(url(attempt), headers=RESTORE)
        first = attempt.questions.get(position=1)
        answer(client, attempt, 1, first.correct_choice_id, htmx=True)
        feedback = client.get(url(attempt), headers=RESTORE)
        current = client.get(reverse("attempt_play", args=[attempt.pk]), headers=RESTORE)

    for page in (question, feedback):
        assert page.status_code == 200
        assert "<html" in page.text and 'class="site-header"' in page.text
        assert page.text.count("<title>") == 1
    assert "data-quiz-question" in question.text
    assert "Right!" in feedback.text
    # Where the quiz stands is a plain redirect, which the browser follows with the same
    # headers, not htmx's HX-Redirect, which a history restore does not read.
    assert current.status_code == 302
    assert current["Location"] == url(attempt, 2)


# Committed for real: the count is read after the timeout's commit moved the learner's
# memory version on.
@pytest.mark.django_db(transaction=True)
def test_a_timeout_the_countdown_asks_about_brings_the_navigations_count_along(
    client, alice, attempt
):
    client.force_login(alice)
    assert ">Review (12)<" in get(client, url(attempt), at="2025-03-05 12:00:01Z").text

    response = get(
        client, url(attempt), at="2025-03-05 12:00:21.5Z", headers={"HX-Request": "true"}
    )

    nav = BeautifulSoup(response.text, "html.parser").select_one("#nav-review[hx-swap-oob]")
    assert nav.get_text().startswith("Review (11)")  # the card met, timed out: not new now


def test_each_choice_reads_in_its_own_texts_direction(client, alice, deck):
    # An Arabic choice in a left-to-right button showed its question mark on the wrong side.
    attempt = start(alice, deck)
    client.force_login(alice)

    soup = BeautifulSoup(client.get(url(attempt)).text, "html.parser")

    texts = soup.select("button.choice .choice-text")
    assert texts and all(text["dir"] == "auto" for text in texts)


def test_a_timeout_that_makes_a_leech_says_so_in_its_feedback(client, alice, attempt):
    """Time's up counts as Again: the eighth lapse makes the card a leech, as an answer's
    does, and the feedback the countdown asks for says so."""
    from datetime import datetime

    from tests.studyhelpers import forgotten_seven_times

    card = attempt.questions.get(position=1).card
    forgotten_seven_times(alice, card, before=datetime.fromisoformat("2025-03-05 12:00:00Z"))
    client.force_login(alice)

    response = get(
        client, url(attempt), at="2025-03-05 12:00:21.5Z", headers={"HX-Request": "true"}
    )

    assert "Time's up" in response.text
    assert 'id="leech-notice"' in response.text
    assert alice.card_memories.get(card=card).suspended
    # Another timeout, short of a leech, says nothing of it.
    second = get(client, url(attempt, 2), at="2025-03-05 12:00:22Z", headers={"HX-Request": "true"})
    assert "data-quiz-question" in second.text
    third = get(client, url(attempt, 2), at="2025-03-05 12:01:00Z", headers={"HX-Request": "true"})
    assert "Time's up" in third.text and 'id="leech-notice"' not in third.text
