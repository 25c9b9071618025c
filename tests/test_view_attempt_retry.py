import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.services import attempts as services
from tests.quizplay import finish, show, start, start_as_guest, wrong_choice

pytestmark = pytest.mark.django_db


def url(attempt):
    return reverse("attempt_retry", args=[attempt.pk])


def test_it_starts_a_quiz_of_the_missed_cards(client, alice, deck):
    attempt = finish(start(alice, deck, count=3), right={2})
    client.force_login(alice)

    response = client.post(url(attempt))

    retry = Attempt.objects.get(retry_of=attempt)
    assert response["Location"] == reverse("attempt_play", args=[retry.pk])
    assert set(retry.questions.values_list("card_id", flat=True)) == set(
        attempt.questions.exclude(position=2).values_list("card_id", flat=True)
    )
    assert retry.user == alice


def test_a_perfect_quiz_has_nothing_to_retry(client, alice, deck):
    attempt = finish(start(alice, deck, count=2), right={1, 2})
    client.force_login(alice)
    response = client.post(url(attempt), follow=True)
    assert "nothing to retry" in response.text
    assert not Attempt.objects.filter(retry_of=attempt).exists()


def test_an_unfinished_quiz_cannot_be_retried(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    assert client.post(url(attempt)).status_code == 400


def test_a_guest_retries_and_owns_the_retry(client, deck):
    attempt = finish(start_as_guest(client, deck, count=2))
    response = client.post(url(attempt))
    retry = Attempt.objects.get(retry_of=attempt)
    assert client.get(response["Location"], follow=True).status_code == 200
    assert retry.user is None


def test_another_user_gets_404(client, alice, bob, deck):
    attempt = finish(start(alice, deck, count=2))
    client.force_login(bob)
    assert client.post(url(attempt)).status_code == 404


def test_it_rejects_get(client, alice, deck):
    attempt = finish(start(alice, deck, count=2))
    client.force_login(alice)
    assert client.get(url(attempt)).status_code == 405


def test_pressing_retry_twice_starts_one_quiz(client, alice, deck):
    attempt = finish(start(alice, deck, count=3), right={2})
    client.force_login(alice)

    first = client.post(url(attempt))
    second = client.post(url(attempt))

    retry = Attempt.objects.get(retry_of=attempt)  # one, not two
    assert first["Location"] == second["Location"] == reverse("attempt_play", args=[retry.pk])


def test_retry_starts_afresh_once_the_first_retry_is_answered(client, alice, deck):
    attempt = finish(start(alice, deck, count=3), right={2})
    client.force_login(alice)
    client.post(url(attempt))
    first = Attempt.objects.get(retry_of=attempt)
    question = show(first)
    services.answer_submit(
        attempt=first, question=question, choice_id=wrong_choice(question), now=timezone.now()
    )

    client.post(url(attempt))

    assert Attempt.objects.filter(retry_of=attempt).count() == 2
