import pytest
from django.urls import reverse

from quizzes.models import Attempt
from tests.quizplay import finish, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(alice, deck):
    return finish(start(alice, deck, count=3), right={1})


def test_the_link_shows_who_challenges_and_their_score(client, bob, original):
    client.force_login(bob)
    response = client.get(reverse("challenge", args=[original.pk]))
    assert response.status_code == 200
    assert "alice challenges you" in response.text
    assert "3 questions, 20\N{NO-BREAK SPACE}s per question." in response.text
    assert f"{original.score} points" in response.text


def test_the_owner_sees_their_own_link(client, alice, original):
    client.force_login(alice)
    response = client.get(reverse("challenge", args=[original.pk]))
    assert "Your challenge link" in response.text


def test_accepting_starts_the_same_quiz(client, bob, original):
    client.force_login(bob)

    response = client.post(reverse("challenge_accept", args=[original.pk]))

    challenge = Attempt.objects.get(challenge_of=original)
    assert response["Location"] == reverse("attempt_play", args=[challenge.pk])
    assert challenge.user == bob
    texts = lambda a: [[c["text"] for c in q.choices] for q in a.questions.all()]  # noqa: E731
    assert texts(challenge) == texts(original)


def test_a_guest_can_take_a_challenge(client, original):
    response = client.post(reverse("challenge_accept", args=[original.pk]))
    challenge = Attempt.objects.get(challenge_of=original)
    assert client.get(response["Location"], follow=True).status_code == 200
    assert challenge.user is None


def test_an_unfinished_attempt_cannot_be_challenged(client, alice, bob, deck):
    attempt = start(alice, deck)
    client.force_login(bob)
    assert client.get(reverse("challenge", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("challenge_accept", args=[attempt.pk])).status_code == 404


def test_the_challenge_page_rejects_post_and_accept_rejects_get(client, bob, original):
    client.force_login(bob)
    assert client.post(reverse("challenge", args=[original.pk])).status_code == 405
    assert client.get(reverse("challenge_accept", args=[original.pk])).status_code == 405
