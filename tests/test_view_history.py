import pytest
from django.urls import reverse

from tests.quizplay import finish, start

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


def test_it_runs_the_same_queries_for_any_number_of_attempts(
    client, alice, deck, django_assert_num_queries
):
    finish(start(alice, deck, count=2))
    client.force_login(alice)
    with django_assert_num_queries(6) as few:  # 3 for the navigation's "Review (N due)"
        client.get(URL)
    for _ in range(5):
        finish(start(alice, deck, count=2))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)
