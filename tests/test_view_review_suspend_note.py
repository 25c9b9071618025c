"""Suspending a note (Anki's "!"): the card and its siblings out of the review until brought
back; one Undo brings them all back."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from quizzes.models import Card, CardHold, CardMemory
from quizzes.services import card_holds
from tests.studyhelpers import remember, review_count_shown, synthetic_named

pytestmark = pytest.mark.django_db

URL = reverse("review_suspend_note")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def note(deck):
    """Card 1 and its reversed card, 7."""
    cards = [Card.objects.get(deck=deck, number=number) for number in (1, 7)]
    for card_ord, card in enumerate(cards):
        card.guid, card.card_ord = "note-one", card_ord
    Card.objects.bulk_update(cards, ["guid", "card_ord"])
    return cards


def test_the_card_and_its_sibling_stay_out_until_unsuspended(client, alice, note):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"card": note[0].pk})
        page = client.get(response.url)
        assert (
            f"{synthetic_named(1)} and its sibling card 7 are suspended: they stay out of your "
            "reviews until you unsuspend them" in page.text
        )
        assert "Undo Suspend note of card 1 of Synthetic synthetic" in page.text
        assert review_count_shown(client) == 10
        held = client.get(reverse("held_cards"))
        assert [one.card for one in held.context["held"]] == note
    assert list(CardHold.objects.values_list("suspended", flat=True)) == [True, True]


def test_one_undo_brings_both_back(client, alice, note):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"card": note[1].pk})
        response = client.post(
            reverse("review_hold_undo"), {"card": note[1].pk, "action": "suspend"}
        )
        page = client.get(response.url)
        assert (
            f"Suspend undone: {synthetic_named(7)} and its sibling card 1 are back, as they were "
            "before." in (page.text)
        )
        assert review_count_shown(client) == 12
    assert not CardHold.objects.exists()


def test_a_sibling_suspended_as_a_leech_stays_a_leech(client, alice, note):
    remember(alice, [note[1]], now=T0)
    CardMemory.objects.filter(card=note[1]).update(suspended=True)
    assert card_holds.note_suspend(user=alice, card=note[0], now=T0) == []
    card_holds.hold_undo(user=alice, card_id=note[0].pk, action="suspend", now=T0)
    assert CardMemory.objects.get(card=note[1]).suspended
    assert not CardHold.objects.exists()


def test_a_buried_sibling_is_suspended_and_undo_leaves_it_buried(alice, note):
    card_holds.card_bury(user=alice, card=note[1], now=T0)
    later = T0.replace(minute=1)
    assert card_holds.note_suspend(user=alice, card=note[0], now=later) == [note[1]]
    undone = card_holds.hold_undo(user=alice, card_id=note[0].pk, action="suspend", now=later)
    assert undone == note
    hold = CardHold.objects.get(card=note[1])
    assert (hold.suspended, hold.is_buried(later)) == (False, True)


@pytest.mark.parametrize("data", [{}, {"card": "x"}, {"card": 1, "back": "nowhere"}])
def test_a_malformed_post_is_refused(client, alice, note, data):
    client.force_login(alice)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert not CardHold.objects.exists()


def test_a_guest_is_sent_to_log_in(client, note):
    response = client.post(URL, {"card": note[0].pk})
    assert response.url.startswith(reverse("login"))


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405
