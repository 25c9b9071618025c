"""Burying a card (Anki's "-"): out of the review until the next study day, from the review
or from the card's own study box."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes.models import Card, CardHold
from quizzes.services import reviews
from tests.factories import give_typed_answers
from tests.studyhelpers import (
    anki_decks,
    first_cards,
    remember,
    review_count_shown,
    synthetic_named,
)

pytestmark = pytest.mark.django_db

URL = reverse("review_bury")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # Wednesday noon; the study day starts at 4 am
NEXT_DAY = datetime(2025, 3, 6, 4, 0, tzinfo=UTC)


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def test_a_buried_new_card_leaves_the_review_and_its_counts_until_tomorrow(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 12
        response = client.post(URL, {"card": card.pk})
        assert response.status_code == 302
        assert response.url == reverse("review")
        page = client.get(response.url)
        assert f"{synthetic_named(1)} is buried: it comes back tomorrow." in page.text
        assert page.context["item"].card.number == 2
        assert review_count_shown(client) == 11
    assert CardHold.objects.get(user=alice, card=card).buried_until == NEXT_DAY
    with time_machine.travel(NEXT_DAY, tick=False):
        assert review_count_shown(client) == 12
        assert client.get(reverse("review")).context["item"].card == card


def test_a_buried_due_card_comes_back_tomorrow_still_due(client, alice, deck):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    due, _other = first_cards(deck, 2)
    remember(alice, [due], now=T0)
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 1
        client.post(URL, {"card": due.pk})
        page = client.get(reverse("review"))
        assert page.context["item"] is None
        assert "1 buried card comes back tomorrow." in page.text
        assert review_count_shown(client) == 0
    with time_machine.travel(NEXT_DAY + timedelta(hours=1), tick=False):
        assert client.get(reverse("review")).context["item"].card == due


def test_htmx_gets_the_next_card_and_an_undo(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"card": card.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f"{synthetic_named(1)} is buried" in response.text
    assert "Card 2 of Synthetic synthetic" in response.text
    assert "Undo Bury of card 1 of Synthetic synthetic" in response.text
    assert 'id="nav-review"' in response.text  # the navigation's count, out of band


def test_what_takes_the_focus_after_it_carries_its_notice(client, alice, deck, card):
    """A status region swapped in with its words goes unannounced: the heading review.js
    focuses next describes itself by the notice, or the answer box for a card typed."""
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"card": card.pk}, headers={"HX-Request": "true"})
        give_typed_answers(deck, {3: "relu"})
        typed = client.post(
            URL, {"card": deck.cards.get(number=2).pk}, headers={"HX-Request": "true"}
        )
    for stage, focused in [(response, "h1[data-focus]"), (typed, "input[data-focus]")]:
        page = BeautifulSoup(stage.text, "html.parser")
        notice = page.select_one(focused)["aria-describedby"].split()[0]
        assert "is buried" in page.find(id=notice).get_text()


def test_from_the_card_page_it_goes_back_to_the_cards_study_box(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"card": card.pk, "back": "card"})
        assert response.url == reverse("card_study", args=[card.deck.slug, 1])
        box = client.post(URL, {"card": card.pk, "back": "card"}, headers={"HX-Request": "true"})
    assert "<html" not in box.text
    assert 'id="card-study"' in box.text
    assert "Buried: back in your reviews tomorrow." in box.text
    assert "Unbury" in box.text


def test_another_learner_still_has_the_card(client, alice, bob, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"card": card.pk})
        client.force_login(bob)
        assert review_count_shown(client) == 12


def test_an_unknown_card_is_gone_and_nothing_is_held(client, alice, card):
    client.force_login(alice)
    response = client.post(URL, {"card": 999_999})
    assert response.status_code == 410
    assert "There is no such card" in response.text
    assert not CardHold.objects.exists()


@pytest.mark.parametrize("data", [{}, {"card": "one"}, {"card": "²"}, {"card": 1, "back": "x"}])
def test_a_malformed_post_is_refused(client, alice, card, data):
    client.force_login(alice)
    response = client.post(URL, data, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "Which card?" in response.text
    assert not CardHold.objects.exists()


def test_a_guest_is_sent_to_log_in(client, card):
    response = client.post(URL, {"card": card.pk})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not CardHold.objects.exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_the_review_offers_bury_and_suspend_with_their_keys(client, alice, card):
    client.force_login(alice)
    page = client.get(reverse("review"))
    assert f'hx-post="{URL}"' in page.text
    assert "data-bury-key" in page.text and "(-)" in page.text
    assert "data-suspend-key" in page.text and "(@)" in page.text
    assert "data-forget" not in page.text  # a new card has nothing to forget


def test_a_bury_in_a_branch_studied_goes_on_with_that_branch(client, alice):
    decks = anki_decks({"Medicine::Cardiology": 2, "Languages": 2})
    card = first_cards(decks["Medicine::Cardiology"], 1)[0]
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(f"{URL}?branch=Medicine", {"card": card.pk})
        fragment = client.post(
            f"{URL}?branch=Medicine",
            {"card": card.pk + 1},
            headers={"HX-Request": "true"},
        )
    assert response.url == f"{reverse('review')}?branch=Medicine"
    assert "Medicine: done for now" in fragment.text  # Languages' cards not offered
    assert "2 buried cards come back tomorrow." in fragment.text


def test_its_notice_names_the_card_by_its_deck_and_question_escaped(client, alice):
    # Studying every deck, "#1" alone could be any of them: the notice says which.
    decks = anki_decks({"Languages::Spanish::Verbs": 2, "Languages::French::Verbs": 2})
    card = Card.objects.get(deck=decks["Languages::French::Verbs"], number=1)
    card.question_text = "Is <b>été</b> a verb?"
    card.save()
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"card": card.pk}, headers={"HX-Request": "true"})
    assert (
        "Card 1 of Languages::French::Verbs (“Is &lt;b&gt;été&lt;/b&gt; a verb?”) is buried: "
        "it comes back tomorrow." in response.text
    )
