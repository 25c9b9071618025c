import pytest
from django.urls import reverse

from tests.quizplay import finish, start

pytestmark = pytest.mark.django_db

URL = reverse("my_cards")


def test_it_shows_figures_per_card_and_the_weakest(client, alice, deck):
    attempt = finish(start(alice, deck, count=3), right={1})
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert "Your weakest cards" in response.text
    for question in attempt.questions.all():
        assert question.card.get_absolute_url() in response.text
    assert "0 / 1 right" in response.text
    assert "100%" in response.text


def test_without_answers_it_invites_a_quiz(client, alice):
    client.force_login(alice)
    assert "No answers yet" in client.get(URL).text


def test_it_shows_only_the_users_own_figures(client, alice, bob, deck):
    finish(start(bob, deck, count=3))
    client.force_login(alice)
    assert "No answers yet" in client.get(URL).text


def test_a_guest_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_it_rejects_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405
