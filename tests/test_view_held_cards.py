"""The list of a learner's suspended cards (leeches among them) and cards buried today."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes.models import Card, CardHold
from tests.studyhelpers import remember

pytestmark = pytest.mark.django_db

URL = reverse("held_cards")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def cards(deck):
    return list(Card.objects.filter(deck=deck).order_by("number")[:4])


def hold(user, card, **fields):
    action = "suspend" if fields.get("suspended") else "bury"
    return CardHold.objects.create(user=user, card=card, last_action=action, held_at=T0, **fields)


def test_it_lists_suspended_buried_and_leeches_in_deck_order(client, alice, cards):
    remember(alice, [cards[0]], now=T0)
    cards[0].memories.update(suspended=True)  # a leech
    hold(alice, cards[3], suspended=True)
    hold(alice, cards[1], buried_until=T0 + timedelta(hours=16))
    hold(alice, cards[2], buried_until=T0 - timedelta(hours=1))  # unburied already
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.get(URL)
    assert response.status_code == 200
    held = response.context["held"]
    assert [(one.card.number, one.suspended, one.leech) for one in held] == [
        (1, True, True),
        (2, False, False),
        (4, True, False),
    ]
    assert "Leech, suspended" in response.text
    assert "Buried until tomorrow" in response.text
    assert response.text.count(f'action="{reverse("card_unsuspend")}"') == 3


def test_each_card_is_named_by_its_deck_and_the_start_of_its_question(client, alice, cards):
    # "Languages::French::Verbs #1" alone did not say which card a learner suspended.
    hold(alice, cards[0], suspended=True)
    client.force_login(alice)
    page = BeautifulSoup(client.get(URL).text, "html.parser")
    link = page.select_one("[data-held-card] a")
    assert link.get_text() == cards[0].named
    assert "(“Question 1 about tensor1?”)" in cards[0].named


def test_two_decks_named_alike_are_named_apart_by_their_slugs(
    client, alice, make_deck, django_assert_num_queries
):
    # "Biology #1" twice did not say which deck's card was suspended.
    for slug, name in (("bio-a", "Biology"), ("bio-b", "biology")):
        hold(alice, make_deck(1, slug=slug, name=name).cards.get(), suspended=True)
    client.force_login(alice)
    client.get(URL)
    # As many as for one deck: the decks' tree is kept, not read again for each card.
    with django_assert_num_queries(3):
        page = BeautifulSoup(client.get(URL).text, "html.parser")
    assert [link.get_text() for link in page.select("[data-held-card] a")] == [
        "Card 1 of Biology (bio-a) (“Question 1 about tensor1?”)",
        "Card 1 of biology (bio-b) (“Question 1 about tensor1?”)",
    ]
    assert (
        "Unsuspend card 1 of biology (bio-b)"
        in page.select("[data-held-card] button")[1].get_text()
    )


def test_with_nothing_held_it_says_so(client, alice, cards):
    client.force_login(alice)
    response = client.get(URL)
    assert "No card is suspended or buried" in response.text


def test_htmx_gets_the_list_alone(client, alice, cards):
    hold(alice, cards[0], suspended=True)
    client.force_login(alice)
    response = client.get(URL, headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert 'id="held-cards"' in response.text


def test_another_learners_cards_are_not_listed(client, alice, bob, cards):
    hold(bob, cards[0], suspended=True)
    client.force_login(alice)
    assert client.get(URL).context["held"] == []


def test_a_guest_is_sent_to_log_in(client):
    assert client.get(URL).url.startswith(reverse("login"))


def test_it_rejects_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405


def test_it_takes_two_queries_of_its_own_for_many_cards(
    client, alice, make_deck, django_assert_num_queries
):
    deck = make_deck(50, slug="fifty")
    for card in Card.objects.filter(deck=deck):
        hold(alice, card, suspended=True)
    client.force_login(alice)
    client.get(URL)
    # The session's user (the navigation's counts are kept), the holds and the leeches.
    with django_assert_num_queries(3) as captured:
        response = client.get(URL)
    assert len(response.context["held"]) == 50
    assert "quizzes_cardhold" in captured.captured_queries[1]["sql"]
