"""Undo (U, Ctrl+Z) of a bury or a suspend, as Anki's undo takes them back: the review's Undo
names whichever came last, a grade, a Forget, a bury or a suspend."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Card, CardHold
from quizzes.services import card_holds, reviews
from tests.studyhelpers import review_count_shown, synthetic_named

pytestmark = pytest.mark.django_db

URL = reverse("review_hold_undo")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def test_undoing_a_bury_brings_the_card_back_at_once(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(reverse("review_bury"), {"card": card.pk})
        assert review_count_shown(client) == 11
        response = client.post(URL, {"card": card.pk, "action": "bury"})
        assert response.url == f"{reverse('review')}?card={card.pk}"
        page = client.get(response.url)
        assert f"Bury undone: {synthetic_named(1)} is back, as it was before." in page.text
        assert page.context["item"].card == card
        assert review_count_shown(client) == 12
    assert not CardHold.objects.exists()


def test_undoing_a_suspend_keeps_an_earlier_bury(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(reverse("review_bury"), {"card": card.pk})
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        client.post(reverse("review_suspend"), {"card": card.pk})
        response = client.post(
            URL, {"card": card.pk, "action": "suspend"}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f"Suspend undone: {synthetic_named(1)} is back" in response.text
    hold = CardHold.objects.get(user=alice, card=card)
    assert (hold.suspended, hold.buried_until is not None) == (False, True)


@pytest.mark.parametrize(("first", "then"), [("bury", "suspend"), ("suspend", "bury")])
def test_a_second_undo_takes_back_the_hold_before(client, alice, card, first, then):
    # The hold kept the undone action's name, so Undo offered it again and again, doing
    # nothing, and the first hold could never be undone.
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(reverse(f"review_{first}"), {"card": card.pk})
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        client.post(reverse(f"review_{then}"), {"card": card.pk})
        client.post(URL, {"card": card.pk, "action": then})
        page = client.get(reverse("review"))
        assert f"Undo {first.capitalize()} of card 1 of Synthetic synthetic" in page.text
        assert client.post(URL, {"card": card.pk, "action": then}).status_code == 404
        client.post(URL, {"card": card.pk, "action": first})
    assert not CardHold.objects.exists()


def test_the_undo_button_names_the_latest_of_a_grade_and_a_bury(client, alice, deck, card):
    second = Card.objects.get(deck=deck, number=2)
    client.force_login(alice)
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        page = client.get(reverse("review"))
        assert "Undo “Good” on card 1 of Synthetic synthetic" in page.text
        client.post(reverse("review_bury"), {"card": second.pk})
        page = client.get(reverse("review"))
        assert "Undo Bury of card 2 of Synthetic synthetic" in page.text
        assert f'action="{URL}"' in page.text
    latest = card_holds.latest_undoable(user=alice, now=T0 + timedelta(minutes=1))
    assert latest == CardHold.objects.get(card=second)
    reviews.review_record(
        user=alice, card=card, rating=3, now=T0 + timedelta(days=5), elapsed_seconds=3
    )
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        assert "Undo “Good” on card 1 of Synthetic synthetic" in client.get(reverse("review")).text


def test_an_undo_done_already_is_not_there(client, alice, card):
    client.force_login(alice)
    client.post(reverse("review_suspend"), {"card": card.pk})
    client.post(URL, {"card": card.pk, "action": "suspend"})
    response = client.post(URL, {"card": card.pk, "action": "suspend"})
    assert response.status_code == 404
    assert "That is not there to undo" in response.text


def test_another_learners_hold_cannot_be_undone(client, alice, bob, card):
    client.force_login(bob)
    client.post(reverse("review_suspend"), {"card": card.pk})
    client.force_login(alice)
    assert client.post(URL, {"card": card.pk, "action": "suspend"}).status_code == 404
    assert CardHold.objects.get(user=bob).suspended


@pytest.mark.parametrize("data", [{}, {"card": 1}, {"card": 1, "action": "forget"}])
def test_a_malformed_post_is_refused(client, alice, card, data):
    client.force_login(alice)
    assert client.post(URL, data).status_code == 400


def test_a_guest_is_sent_to_log_in(client, card):
    assert client.post(URL, {"card": card.pk, "action": "bury"}).url.startswith(reverse("login"))


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


@pytest.mark.parametrize("htmx", [True, False])
def test_an_undo_in_a_deck_studied_of_another_decks_bury_is_refused(
    client, alice, card, make_deck, htmx
):
    """An Undo button of another tab (every deck's review) posted in this deck's study: the
    card would come back where it cannot show, so nothing is undone."""
    make_deck(3, slug="other")
    client.force_login(alice)
    client.post(reverse("review_bury"), {"card": card.pk})

    response = client.post(
        f"{URL}?deck=other",
        {"card": card.pk, "action": "bury"},
        headers={"HX-Request": "true"} if htmx else {},
    )

    assert response.status_code == 409
    assert "is of a card of another deck than those you are studying here" in response.text
    assert "nothing was undone" in response.text
    assert CardHold.objects.get(user=alice, card=card).is_buried(timezone.now())
