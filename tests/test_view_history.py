from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes import engine
from quizzes.services import progress
from tests.queryplans import query_plan
from tests.quizplay import finish, start, start_quick

pytestmark = pytest.mark.django_db

URL = reverse("history")


def test_it_lists_the_users_attempts_with_score_accuracy_and_time(client, alice, bob, deck):
    done = finish(start(alice, deck, count=4), right={1, 2, 3})
    ongoing = start(alice, deck)
    bobs = finish(start(bob, deck, count=2))
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert "3 / 4 (75%)" in response.text
    assert reverse("attempt_result", args=[done.pk]) in response.text
    assert reverse("attempt_play", args=[ongoing.pk]) in response.text
    assert "In progress" in response.text
    assert str(bobs.pk) not in response.text


def test_a_quick_quiz_too_fast_to_read_is_marked_not_ranked(client, alice, deck):
    rushed = finish(start_quick(alice, deck), right=range(1, 11), after=timedelta(seconds=1))
    finish(start_quick(alice, deck), right=range(1, 11))
    client.force_login(alice)

    soup = BeautifulSoup(client.get(URL).text, "html.parser")

    marked = [row for row in soup.select("tbody tr") if row.select_one(".not-ranked")]
    assert len(marked) == 1
    assert marked[0].select_one("a")["href"] == rushed.get_absolute_url()
    # Why, in words a screen reader reads and a phone shows, not in a title to hover on.
    mode = marked[0].select("td")[1]
    assert " ".join(mode.get_text().split()) == (
        "Multiple choice (quick) not ranked (answered faster than anyone reads)"
    )
    assert mode.select("[title]") == []


def test_an_empty_history_invites_a_quiz(client, alice):
    client.force_login(alice)
    assert "No quiz yet" in client.get(URL).text


def test_a_guest_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_rejects_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405


def test_it_answers_head_as_get(client, alice):
    # A link checker or a chat app's preview asks with HEAD: it got a 405.
    client.force_login(alice)
    response = client.head(URL)
    assert response.status_code == 200
    assert response.content == b""


def test_it_runs_the_same_queries_for_any_number_of_attempts(
    client, alice, deck, django_assert_num_queries
):
    finish(start(alice, deck, count=2))
    client.force_login(alice)
    client.get(URL)  # the user and "Review (N due)" are read once, then kept
    # The session and the attempts.
    with django_assert_num_queries(2):
        client.get(URL)
    for _ in range(5):
        finish(start(alice, deck, count=2))
    client.get(URL)  # "Review (N due)" counted again: those answers changed it
    with django_assert_num_queries(2):
        client.get(URL)


def test_a_long_history_comes_a_page_at_a_time_latest_first(client, alice, deck, monkeypatch):
    monkeypatch.setattr(progress, "HISTORY_PAGE", 2)
    with time_machine.travel("2025-03-05 12:00Z", tick=False) as traveller:
        attempts = []
        for _ in range(5):
            attempts.append(start(alice, deck))
            traveller.shift(60)
    client.force_login(alice)

    pages, url = [], URL
    while True:
        soup = BeautifulSoup(client.get(url).text, "html.parser")
        pages.append([link["href"] for link in soup.select(".history-table td:first-child a")])
        older = soup.find("a", string="Older quizzes")
        if older is None:
            break
        url = older["href"]

    expected = [reverse("attempt_play", args=[a.pk]) for a in reversed(attempts)]
    assert pages == [expected[:2], expected[2:4], expected[4:]]


@pytest.mark.parametrize("before", ["nope", "", "00000000-0000-0000-0000-000000000000", "%00"])
def test_a_bad_or_unknown_page_start_gives_the_latest_quizzes(client, alice, deck, before):
    attempt = start(alice, deck)
    client.force_login(alice)

    response = client.get(URL, {"before": before})

    assert response.status_code == 200
    assert reverse("attempt_play", args=[attempt.pk]) in response.text


def test_a_page_older_than_the_oldest_quiz_leads_to_the_latest(client, alice, deck):
    # It read "No quiz yet. Take a quiz to start your history."
    with time_machine.travel("2025-03-05 12:00Z", tick=False) as traveller:
        oldest = start(alice, deck)
        traveller.shift(60)
        latest = start(alice, deck)
    client.force_login(alice)

    response = client.get(URL, {"before": str(oldest.pk)})

    assert (response.status_code, response["Location"]) == (302, URL)
    assert reverse("attempt_play", args=[latest.pk]) in client.get(URL).text


def test_another_learners_attempt_is_no_page_start(client, alice, bob, deck):
    mine = start(alice, deck)
    bobs = start(bob, deck)
    client.force_login(alice)

    response = client.get(URL, {"before": str(bobs.pk)})

    assert reverse("attempt_play", args=[mine.pk]) in response.text


def test_a_history_page_reads_the_learners_index_in_order(alice, deck):
    from quizzes.models import Attempt

    start(alice, deck)
    plan = query_plan(Attempt.objects.owned_by(user=alice).order_by("-started_at", "-pk")[:51])

    assert "quizzes_att_user_id" in plan  # Attempt's (user, -started_at) index
    assert "TEMP B-TREE FOR ORDER BY" not in plan


def test_a_quiz_whose_whole_quiz_minutes_ran_out_unseen_says_so_and_links_its_result(
    client, alice, deck
):
    """Left in the middle, a quiz with minutes for the whole of it is over once they have
    run out, though nothing was asked since to close it: "In progress: continue" said
    otherwise, days later."""
    whole_minute = engine.TimeLimit(kind=engine.TimeLimitKind.WHOLE_QUIZ, seconds=60)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        left = start(alice, deck, limit=whole_minute)
        going_on = start(alice, deck, limit=whole_minute)
    client.force_login(alice)

    with time_machine.travel("2025-03-05 12:00:50Z", tick=False):
        assert client.get(URL).text.count("In progress") == 2
    with time_machine.travel("2025-03-07 09:00:00Z", tick=False):
        going_on.deadline_at += timedelta(days=2)
        going_on.save(update_fields=["deadline_at"])
        soup = BeautifulSoup(client.get(URL).text, "html.parser")
        rows = {row.select_one("a")["href"]: row for row in soup.select("tbody tr")}
        over = rows[left.get_absolute_url()].get_text(" ", strip=True)
        result = reverse("attempt_result", args=[left.pk])
        assert "Time ran out: see the result" in over
        assert rows[left.get_absolute_url()].select("a")[-1]["href"] == result
        assert "In progress" in rows[going_on.get_absolute_url()].get_text()
        assert client.get(result).status_code == 200
