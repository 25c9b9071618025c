"""Burying a note (Anki's "="): the card and its siblings, the other cards of its Anki note (a
reversed card, the other clozes), out of the review until the next study day; one Undo
brings them all back."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from quizzes.models import Card, CardHold
from quizzes.services import card_holds
from tests.studyhelpers import review_count_shown, synthetic_named

pytestmark = pytest.mark.django_db

URL = reverse("review_bury_note")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # Wednesday noon; the study day starts at 4 am
NEXT_DAY = datetime(2025, 3, 6, 4, 0, tzinfo=UTC)


@pytest.fixture
def note(deck):
    """Cards 1, 5 and 9 make one note (a cloze note's three cards); the others stand alone."""
    cards = [Card.objects.get(deck=deck, number=number) for number in (1, 5, 9)]
    for card_ord, card in enumerate(cards):
        card.guid, card.card_ord = "note-one", card_ord
    Card.objects.bulk_update(cards, ["guid", "card_ord"])
    return cards


def test_the_card_and_its_siblings_leave_the_review_until_tomorrow(client, alice, note):
    first = note[0]
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 12
        response = client.post(URL, {"card": first.pk})
        assert response.url == reverse("review")
        page = client.get(response.url)
        assert (
            f"{synthetic_named(1)} and its 2 siblings (cards 5, 9) are buried: they come back "
            "tomorrow." in (page.text)
        )
        assert review_count_shown(client) == 9
        assert "Undo Bury note of card 1 of Synthetic synthetic" in page.text
    holds = CardHold.objects.filter(user=alice).order_by("card__number")
    assert [hold.card for hold in holds] == note
    assert {hold.buried_until for hold in holds} == {NEXT_DAY}
    with time_machine.travel(NEXT_DAY, tick=False):
        assert review_count_shown(client) == 12


def test_one_undo_brings_the_whole_note_back(client, alice, note):
    first, *_siblings = note
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"card": first.pk})
        response = client.post(
            reverse("review_hold_undo"),
            {"card": first.pk, "action": "bury"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert (
            f"Bury undone: {synthetic_named(1)} and its 2 siblings (cards 5, 9) are back, as they "
            "were before." in response.text
        )
        assert "New · Card 1 of Synthetic synthetic" in response.text
        assert review_count_shown(client) == 12
    assert not CardHold.objects.exists()


def test_undo_leaves_a_sibling_buried_before_as_it_was(client, alice, note):
    first, second, third = note
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(reverse("review_bury"), {"card": third.pk})
        client.post(reverse("review_suspend"), {"card": second.pk})
    with time_machine.travel(T0.replace(minute=5), tick=False):
        page = client.get(reverse("review"))
        response = client.post(URL, {"card": first.pk}, headers={"HX-Request": "true"})
        assert f"{synthetic_named(1)} is buried: it comes back tomorrow." in response.text
        client.post(reverse("review_hold_undo"), {"card": first.pk, "action": "bury"})
        page = client.get(reverse("review"))
        assert review_count_shown(client) == 10
    assert "Undo Suspend of card 5 of Synthetic synthetic" in page.text
    assert set(CardHold.objects.values_list("card__number", flat=True)) == {5, 9}


def test_a_card_without_siblings_is_buried_alone(client, alice, deck, note):
    alone = Card.objects.get(deck=deck, number=2)
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"card": alone.pk})
        page = client.get(reverse("review"))
        assert f"{synthetic_named(2)} is buried: it comes back tomorrow." in page.text
        assert "Undo Bury of card 2 of Synthetic synthetic" in page.text
    assert list(CardHold.objects.values_list("card__number", flat=True)) == [2]


def test_the_same_guid_in_another_deck_is_not_a_sibling(client, alice, make_deck, note):
    other = make_deck(3, slug="other").cards.get(number=1)
    other.guid = "note-one"
    other.save()
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"card": note[0].pk})
    assert not CardHold.objects.filter(card=other).exists()


def test_the_review_offers_it_only_for_a_card_with_siblings(client, alice, deck, note):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        page = client.get(reverse("review"))
        assert page.context["item"].card == note[0]
        assert f'hx-post="{URL}"' in page.text
        assert "data-bury-note-key" in page.text and "(=)" in page.text
        assert "data-suspend-note-key" in page.text and "(!)" in page.text
        assert "card 1 and its 2 siblings until tomorrow" in page.text
        client.post(reverse("review_bury"), {"card": note[0].pk})
        page = client.get(reverse("review"))
    assert page.context["item"].card.number == 2
    assert "data-bury-note-key" not in page.text


def test_from_the_card_page_it_goes_back_to_the_cards_study_box(client, alice, note):
    client.force_login(alice)
    study = reverse("card_study", args=[note[0].deck.slug, 1])
    assert "data-bury-note-key" in client.get(study).text
    with time_machine.travel(T0, tick=False):
        box = client.post(URL, {"card": note[0].pk, "back": "card"}, headers={"HX-Request": "true"})
    assert 'id="card-study"' in box.text
    assert "are buried: they come back tomorrow." in box.text
    assert "Unbury" in box.text


def test_another_learner_keeps_the_note(client, alice, bob, note):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"card": note[0].pk})
        client.force_login(bob)
        assert review_count_shown(client) == 12


def test_an_unknown_card_is_gone_and_nothing_is_held(client, alice, note):
    client.force_login(alice)
    response = client.post(URL, {"card": 999_999})
    assert response.status_code == 410
    assert not CardHold.objects.exists()


@pytest.mark.parametrize("data", [{}, {"card": "one"}, {"card": 1, "back": "x"}])
def test_a_malformed_post_is_refused(client, alice, note, data):
    client.force_login(alice)
    response = client.post(URL, data, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "Which card?" in response.text
    assert not CardHold.objects.exists()


def test_a_guest_is_sent_to_log_in(client, note):
    response = client.post(URL, {"card": note[0].pk})
    assert response.url.startswith(reverse("login"))
    assert not CardHold.objects.exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_the_service_returns_the_siblings_it_buried(alice, note):
    assert card_holds.note_bury(user=alice, card=note[1], now=T0) == [note[0], note[2]]
    assert card_holds.note_bury(user=alice, card=note[1], now=T0) == []
