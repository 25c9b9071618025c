"""Bringing suspended leeches back into the review, from its end screen."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes.models import CardMemory
from quizzes.services import reviews
from tests.studyhelpers import first_cards, review_count_shown

pytestmark = pytest.mark.django_db

URL = reverse("review_leeches_unsuspend")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
AFTER = T0 + timedelta(days=10)


def make_leech(user, card):
    """Nine daily Agains: the first meets the card, the next eight are lapses."""
    for day in range(9):
        reviews.review_record(
            user=user, card=card, rating=1, now=T0 + timedelta(days=day), elapsed_seconds=2
        )


@pytest.fixture
def leech(alice, deck):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    card = first_cards(deck, 1)[0]
    make_leech(alice, card)
    return card


def test_the_end_screen_offers_the_leeches_back(client, alice, leech):
    client.force_login(alice)
    with time_machine.travel(AFTER, tick=False):
        response = client.get(reverse("review"))
    assert "Done for now" in response.text
    assert "1 leech (cards you forgot 8 times) is out of your reviews." in response.text
    assert f'action="{URL}"' in response.text


def test_it_brings_them_back_into_the_queue(client, alice, leech):
    client.force_login(alice)
    with time_machine.travel(AFTER, tick=False):
        response = client.post(URL)
        assert response.status_code == 302
        assert response.url == reverse("review")
        page = client.get(response.url)
    assert page.context["item"].card == leech
    assert "1 leech back in your reviews." in page.text
    assert not CardMemory.objects.get(user=alice, card=leech).suspended


def test_htmx_gets_the_stage_with_the_leech(client, alice, leech):
    client.force_login(alice)
    with time_machine.travel(AFTER, tick=False):
        response = client.post(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "1 leech back in your reviews." in response.text
    assert "Review · Card 1 of Synthetic synthetic" in response.text


def test_another_learners_leeches_stay_suspended(client, bob, alice, leech):
    make_leech(bob, leech)
    client.force_login(alice)
    client.post(URL)
    assert CardMemory.objects.get(user=bob, card=leech).suspended


def test_with_no_leech_it_says_none_came_back(client, alice, deck):
    client.force_login(alice)
    response = client.post(URL, follow=True)
    assert "0 leeches back in your reviews." in response.text


def test_a_guest_is_sent_to_log_in(client, alice, leech):
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert CardMemory.objects.get(user=alice, card=leech).suspended


def test_it_rejects_get(client, alice, leech):
    client.force_login(alice)
    assert client.get(URL).status_code == 405
    assert CardMemory.objects.get(user=alice, card=leech).suspended


def test_the_navigation_counts_the_leech_back_at_once(client, alice, leech):
    client.force_login(alice)
    with time_machine.travel(AFTER, tick=False):
        assert review_count_shown(client) == 0
        client.post(URL)
        assert review_count_shown(client) == 1


def test_a_deck_studied_brings_back_its_own_leeches_only(client, alice, leech, make_deck):
    other = make_deck(3, slug="other")
    other_leech = first_cards(other, 1)[0]
    make_leech(alice, other_leech)
    client.force_login(alice)
    with time_machine.travel(AFTER, tick=False):
        end = client.get(reverse("review"), {"deck": "other"})
        response = client.post(f"{URL}?deck=other")
    assert "1 leech (cards you forgot 8 times) is out of your reviews." in end.text
    assert response.url == f"{reverse('review')}?deck=other"
    suspended = CardMemory.objects.filter(user=alice, suspended=True)
    assert list(suspended.values_list("card", flat=True)) == [leech.pk]
