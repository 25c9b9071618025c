"""Bringing one suspended or buried card, or a leech, back into the review: from the list of
held cards or the card's study box."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes.models import Card, CardHold, CardMemory
from tests.studyhelpers import remember, review_count_shown, synthetic_named

pytestmark = pytest.mark.django_db

URL = reverse("card_unsuspend")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


@pytest.fixture
def suspended(alice, card):
    CardHold.objects.create(
        user=alice, card=card, suspended=True, last_action="suspend", held_at=T0
    )
    return card


def test_it_brings_a_suspended_card_back_into_the_counts(client, alice, suspended):
    client.force_login(alice)
    assert review_count_shown(client) == 11
    response = client.post(URL, {"card": suspended.pk, "back": "held"})
    assert response.url == reverse("held_cards")
    page = client.get(response.url)
    assert f"{synthetic_named(1)} is back in your reviews." in page.text
    assert review_count_shown(client) == 12
    assert not CardHold.objects.exists()


def test_it_brings_a_leech_and_a_buried_card_back(client, alice, card, deck):
    other = Card.objects.get(deck=deck, number=2)
    remember(alice, [card], now=T0)
    card.memories.update(suspended=True)
    CardHold.objects.create(
        user=alice,
        card=other,
        buried_until=T0 + timedelta(hours=16),
        last_action="bury",
        held_at=T0,
    )
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"card": card.pk, "back": "held"})
        client.post(URL, {"card": other.pk, "back": "held"})
    assert not CardMemory.objects.get(user=alice, card=card).suspended
    assert not CardHold.objects.exists()


def test_htmx_from_the_list_gets_the_list_again(client, alice, suspended):
    client.force_login(alice)
    response = client.post(
        URL, {"card": suspended.pk, "back": "held"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in response.text
    assert 'id="held-cards"' in response.text
    assert "No card is suspended or buried" in response.text


def test_htmx_from_the_cards_box_gets_the_box(client, alice, suspended):
    client.force_login(alice)
    response = client.post(
        URL, {"card": suspended.pk, "back": "card"}, headers={"HX-Request": "true"}
    )
    assert 'id="card-study"' in response.text
    assert f"{synthetic_named(1)} is back in your reviews." in response.text


def test_a_card_not_held_says_so(client, alice, card):
    client.force_login(alice)
    response = client.post(URL, {"card": card.pk, "back": "held"}, follow=True)
    assert f"{synthetic_named(1)} was in your reviews already." in response.text


def test_another_learners_hold_stays(client, bob, suspended):
    client.force_login(bob)
    client.post(URL, {"card": suspended.pk})
    assert CardHold.objects.filter(card=suspended).exists()


def test_an_unknown_card_is_gone(client, alice, suspended):
    client.force_login(alice)
    assert client.post(URL, {"card": 999_999}).status_code == 410


def test_a_malformed_post_is_refused(client, alice, suspended):
    client.force_login(alice)
    assert client.post(URL, {"card": "-1"}).status_code == 400
    assert CardHold.objects.exists()


def test_a_guest_is_sent_to_log_in(client, suspended):
    assert client.post(URL, {"card": suspended.pk}).url.startswith(reverse("login"))
    assert CardHold.objects.exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405
