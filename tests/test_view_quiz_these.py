import pytest
from django.urls import reverse

from quizzes.models import Attempt, Card

pytestmark = pytest.mark.django_db

URL = reverse("quiz_these")


def test_it_starts_a_quiz_on_exactly_those_cards(client, alice, deck):
    cards = list(Card.objects.filter(deck=deck, number__in=[2, 5, 9]))
    client.force_login(alice)

    response = client.post(URL, {"cards": [card.pk for card in cards]})

    attempt = Attempt.objects.get(user=alice)
    assert response.status_code == 302
    assert response.url == reverse("attempt_play", args=[attempt.pk])
    assert {q.card_id for q in attempt.questions.all()} == {card.pk for card in cards}
    assert attempt.mode == "multiple_choice" and not attempt.is_quick


def test_htmx_is_redirected_by_header(client, alice, deck):
    card = Card.objects.get(deck=deck, number=1)
    client.force_login(alice)
    response = client.post(URL, {"cards": [card.pk]}, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/quiz/")


def test_cards_that_do_not_exist_send_the_learner_back(client, alice, deck):
    client.force_login(alice)
    response = client.post(URL, {"cards": [999999]})
    assert response.status_code == 302
    assert response.url == reverse("my_cards")
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("cards", [[], ["x"], ["0"], [str(2**70)], [str(n) for n in range(1, 102)]])
def test_bad_input_is_a_400(client, alice, deck, cards):
    client.force_login(alice)
    assert client.post(URL, {"cards": cards}).status_code == 400
    assert not Attempt.objects.exists()


def test_a_guest_is_sent_to_log_in(client, deck):
    card = Card.objects.get(deck=deck, number=1)
    assert client.post(URL, {"cards": [card.pk]}).status_code == 302
    assert not Attempt.objects.exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_my_cards_offers_it_for_the_weakest_and_for_all(client, alice, deck):
    from tests.quizplay import finish, start

    finish(start(alice, deck, count=3), right={1})
    client.force_login(alice)
    response = client.get(reverse("my_cards"))
    assert response.text.count(f'action="{URL}"') == 2
    assert "Quiz me on these" in response.text
