"""Suspending a card (Anki's "@"): out of the review, its counts, the progress page's
forecast and Smart quizzes until the learner unsuspends it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes.models import Card, CardHold
from quizzes.services import reviews, study_progress
from tests.studyhelpers import first_cards, remember, review_count_shown, synthetic_named

pytestmark = pytest.mark.django_db

URL = reverse("review_suspend")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
MUCH_LATER = T0 + timedelta(days=40)


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def test_a_suspended_new_card_stays_out_until_unsuspended(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"card": card.pk})
        assert response.url == reverse("review")
        page = client.get(response.url)
        assert f"{synthetic_named(1)} is suspended" in page.text
        assert page.context["item"].card.number == 2
    with time_machine.travel(MUCH_LATER, tick=False):
        assert review_count_shown(client) == 11
        queue = reviews.review_queue(user=alice, now=MUCH_LATER, limit=20)
        assert card not in [item.card for item in queue]
        assert reviews.new_cards_unstudied(user=alice, now=MUCH_LATER).ready == 11
    assert CardHold.objects.get(user=alice, card=card).suspended


def test_its_notice_names_the_deck_apart_from_another_of_its_name(client, alice, make_deck):
    # "Biology #1 is suspended" did not say which of the learner's two Biology decks.
    make_deck(1, slug="bio-a", name="Biology")
    card = make_deck(1, slug="bio-b", name="biology").cards.get()
    client.force_login(alice)
    response = client.post(URL, {"card": card.pk}, follow=True)
    assert "Card 1 of biology (bio-b) (“Question 1 about tensor1?”) is suspended" in response.text


def test_a_suspended_studied_card_leaves_the_counts_forecast_and_smart_quizzes(client, alice, deck):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    due, later = first_cards(deck, 2)
    remember(alice, [due], now=T0)
    remember(alice, [later], now=T0, due_in=timedelta(days=3))
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 1
        client.post(URL, {"card": due.pk})
        client.post(URL, {"card": later.pk})
        assert review_count_shown(client) == 0
        done = client.get(reverse("review"))
    assert done.context["item"] is None
    assert "2 cards you suspended are out of your reviews" in done.text
    assert reviews.next_due(user=alice, now=T0) is None
    figures = study_progress.progress_figures(user=alice, now=T0)
    assert figures.due_next_30_days == 0
    order = reviews.smart_quiz_card_ids(user=alice, deck_id=deck.pk, now=T0)
    assert due.pk not in order and later.pk not in order
    assert len(order) == 10


def test_a_leech_stays_among_a_smart_quizs_weakest_cards_but_a_suspended_card_does_not(alice, deck):
    leech, suspended, new_suspended = first_cards(deck, 3)
    remember(alice, [leech, suspended], now=T0, due_in=timedelta(days=3))
    leech.memories.update(suspended=True)
    for card in (suspended, new_suspended):
        CardHold.objects.create(
            user=alice, card=card, suspended=True, last_action="suspend", held_at=T0
        )
    order = reviews.smart_quiz_card_ids(user=alice, deck_id=deck.pk, now=T0)
    assert leech.pk in order
    assert suspended.pk not in order
    assert new_suspended.pk not in order
    assert len(order) == 10


def test_htmx_gets_the_next_card_and_an_undo(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"card": card.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Card 2 of Synthetic synthetic" in response.text
    assert "Undo Suspend of card 1 of Synthetic synthetic" in response.text


def test_from_the_card_page_the_box_offers_unsuspend(client, alice, card):
    client.force_login(alice)
    response = client.post(URL, {"card": card.pk, "back": "card"}, headers={"HX-Request": "true"})
    assert "Suspended: out of your reviews until you unsuspend it." in response.text
    assert "Unsuspend" in response.text


def test_another_learners_cards_stay(client, alice, bob, card):
    client.force_login(bob)
    client.post(URL, {"card": card.pk})
    client.force_login(alice)
    assert review_count_shown(client) == 12


def test_an_unknown_card_is_gone(client, alice):
    client.force_login(alice)
    assert client.post(URL, {"card": 999_999}).status_code == 410
    assert not CardHold.objects.exists()


def test_a_malformed_post_is_refused(client, alice):
    client.force_login(alice)
    assert client.post(URL, {"card": "x"}).status_code == 400


def test_a_guest_is_sent_to_log_in(client, card):
    response = client.post(URL, {"card": card.pk})
    assert response.url.startswith(reverse("login"))
    assert not CardHold.objects.exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405
