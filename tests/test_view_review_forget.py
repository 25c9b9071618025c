"""Forgetting a card (Anki's Forget): it is new again, from the review or the card's own
study box; U takes it back."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes.models import Card, CardMemory, ReviewLog
from quizzes.services import reviews
from tests.studyhelpers import review_count_shown, synthetic_named

pytestmark = pytest.mark.django_db

URL = reverse("review_forget")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=365)  # the card is due


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


@pytest.fixture
def studied(alice, card):
    for day in (0, 1, 4):
        reviews.review_record(
            user=alice, card=card, rating=3, now=T0 + timedelta(days=day), elapsed_seconds=4
        )
    return card


def test_a_forgotten_card_is_new_again_and_undo_brings_its_memory_back(client, alice, studied):
    before = CardMemory.objects.get(user=alice, card=studied)
    client.force_login(alice)
    with time_machine.travel(LATER, tick=False):
        response = client.post(URL, {"card": studied.pk})
        assert response.url == reverse("review")
        page = client.get(response.url)
        assert f"{synthetic_named(1)} is forgotten: it is a new card again." in page.text
        assert page.context["item"].card == studied
        assert page.context["item"].is_new
        assert "Undo Forget on card 1 of Synthetic synthetic" in page.text
        reset = ReviewLog.objects.get(user=alice, source=ReviewLog.Source.RESET)
        undone = client.post(
            reverse("review_undo"), {"review": reset.pk, "card": studied.pk}, follow=True
        )
    assert f"Forget undone: {synthetic_named(1)} is back, as it was before." in undone.text
    after = CardMemory.objects.get(user=alice, card=studied)
    fields = ["state", "stability", "difficulty", "due", "last_review", "first_review", "reps"]
    assert [getattr(after, name) for name in fields] == [getattr(before, name) for name in fields]
    assert not ReviewLog.objects.filter(source=ReviewLog.Source.RESET).exists()


def test_the_reset_is_logged_but_not_counted_as_an_answer(client, alice, studied):
    client.force_login(alice)
    with time_machine.travel(LATER, tick=False):
        client.post(URL, {"card": studied.pk})
        reviews.settings_update(
            user=alice,
            desired_retention=0.9,
            new_cards_per_day=0,
            day_start_hour=4,
            time_zone="UTC",
        )
        done = client.get(reverse("review"))
    assert not CardMemory.objects.filter(user=alice).exists()
    assert ReviewLog.objects.filter(user=alice).count() == 4
    assert "You answered" not in done.text


def test_htmx_gets_the_card_as_new(client, alice, studied):
    client.force_login(alice)
    with time_machine.travel(LATER, tick=False):
        assert review_count_shown(client) == 12  # 1 due, 11 new
        response = client.post(URL, {"card": studied.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "New · Card 1 of Synthetic synthetic" in response.text
    with time_machine.travel(LATER, tick=False):
        assert review_count_shown(client) == 12  # 12 new


def test_from_the_card_page_the_box_says_new(client, alice, studied):
    client.force_login(alice)
    response = client.post(
        URL, {"card": studied.pk, "back": "card"}, headers={"HX-Request": "true"}
    )
    assert "New to you: not studied yet." in response.text
    assert "data-forget" not in response.text


def test_a_new_card_has_nothing_to_forget(client, alice, card):
    client.force_login(alice)
    response = client.post(URL, {"card": card.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert f"{synthetic_named(1)} is new to you already." in response.text
    assert not ReviewLog.objects.exists()


def test_another_learners_memory_stays(client, bob, studied):
    client.force_login(bob)
    assert client.post(URL, {"card": studied.pk}).status_code == 409
    assert CardMemory.objects.filter(card=studied).count() == 1


def test_an_unknown_card_is_gone(client, alice, studied):
    client.force_login(alice)
    assert client.post(URL, {"card": 999_999}).status_code == 410
    assert CardMemory.objects.filter(user=alice).exists()


def test_a_malformed_post_is_refused(client, alice, studied):
    client.force_login(alice)
    assert client.post(URL, {"card": ""}).status_code == 400
    assert CardMemory.objects.filter(user=alice).exists()


def test_a_guest_is_sent_to_log_in(client, studied):
    response = client.post(URL, {"card": studied.pk})
    assert response.url.startswith(reverse("login"))


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_the_review_offers_forget_for_a_studied_card(client, alice, studied):
    client.force_login(alice)
    with time_machine.travel(LATER, tick=False):
        page = client.get(reverse("review"))
    assert page.context["item"].card == studied
    assert f'formaction="{URL}"' in page.text
