"""Flagging a card (Anki's coloured flags): the learner's own mark, set and cleared from the
review or from the card's own study box, kept through reviews, their undo and a Forget."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Card, CardFlag, ReviewLog
from quizzes.services import accounts, card_flags, reviews

pytestmark = pytest.mark.django_db

URL = reverse("review_flag")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
RED, BLUE = CardFlag.Colour.RED, CardFlag.Colour.BLUE


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def flag_of(user, card):
    return card_flags.card_flag(user=user, card=card)


def test_the_review_shows_the_flag_control_under_the_card(client, alice, card):
    client.force_login(alice)
    page = client.get(reverse("review"))
    assert page.context["item"].card == card
    assert "data-card-flag" in page.text
    assert "<summary>Flag<span" in page.text
    for name in ("Red", "Orange", "Green", "Blue", "Pink", "Turquoise", "Purple"):
        assert f"</span>{name}</button>" in page.text


def test_a_flag_set_without_javascript_comes_back_to_the_same_card(client, alice, card):
    client.force_login(alice)
    response = client.post(URL, {"card": card.pk, "flag": "1"})
    assert response.status_code == 302
    assert response.url == reverse("review") + f"?card={card.pk}"
    assert flag_of(alice, card) == RED
    page = client.get(response.url)
    assert page.context["item"].card == card
    assert 'flag-1" aria-hidden="true"></span>Red flag' in page.text
    assert 'value="0" aria-pressed="true"' in page.text  # red again clears it


def test_htmx_swaps_the_control_alone(client, alice, card):
    client.force_login(alice)
    response = client.post(URL, {"card": card.pk, "flag": "4"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<details class="card-flag"')
    assert "Blue flag" in response.text
    assert "<html" not in response.text
    assert flag_of(alice, card) == BLUE


def test_another_colour_replaces_the_flag_and_zero_clears_it(client, alice, card):
    client.force_login(alice)
    client.post(URL, {"card": card.pk, "flag": "1"})
    client.post(URL, {"card": card.pk, "flag": "4"})
    assert CardFlag.objects.get(user=alice, card=card).flag == BLUE
    client.post(URL, {"card": card.pk, "flag": "0"})
    assert not CardFlag.objects.filter(user=alice).exists()
    client.post(URL, {"card": card.pk, "flag": "0"})  # clearing no flag is no error
    assert not CardFlag.objects.exists()


def test_a_flag_is_the_learners_own(client, alice, bob, card):
    client.force_login(alice)
    client.post(URL, {"card": card.pk, "flag": "1"})
    client.force_login(bob)
    client.post(URL, {"card": card.pk, "flag": "4"})
    assert flag_of(alice, card) == RED
    assert flag_of(bob, card) == BLUE
    page = client.get(reverse("review"))
    assert "Blue flag" in page.text and "Red flag" not in page.text


def test_the_cards_study_box_sets_it_and_comes_back_there(client, alice, card):
    client.force_login(alice)
    study = reverse("card_study", args=[card.deck.slug, card.number])
    assert "data-card-flag" in client.get(study).text
    response = client.post(URL, {"card": card.pk, "flag": "3", "back": "card"})
    assert response.url == study
    assert "Green flag" in client.get(study).text


def test_a_flag_outlasts_reviews_their_undo_and_a_forget(client, alice, card):
    card_flags.card_flag_set(user=alice, card=card, flag=RED, now=T0)
    for day in (0, 1, 4):
        reviews.review_record(
            user=alice, card=card, rating=3, now=T0 + timedelta(days=day), elapsed_seconds=4
        )
    latest = ReviewLog.objects.filter(user=alice).latest("reviewed_at")
    reviews.review_undo(user=alice, review_id=latest.pk)
    reviews.card_forget(user=alice, card=card, now=T0 + timedelta(days=30))
    assert flag_of(alice, card) == RED


def test_deleting_the_account_deletes_its_flags(alice, bob, card):
    card_flags.card_flag_set(user=alice, card=card, flag=RED, now=T0)
    card_flags.card_flag_set(user=bob, card=card, flag=BLUE, now=T0)
    accounts.account_delete(user=alice)
    assert list(CardFlag.objects.values_list("flag", flat=True)) == [BLUE]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"card": "1", "flag": "8"}, "Which flag?"),
        ({"card": "1", "flag": "red"}, "Which flag?"),
        ({"card": "1"}, "Which flag?"),
        ({"card": "x", "flag": "1"}, "Which flag?"),
        ({"card": "1", "flag": "1", "back": "elsewhere"}, "Which flag?"),
    ],
)
def test_a_bad_flag_is_refused_with_its_reason(client, alice, card, data, reason):
    client.force_login(alice)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert reason in response.text
    assert not CardFlag.objects.exists()


def test_a_removed_card_is_gone(client, alice):
    client.force_login(alice)
    response = client.post(URL, {"card": "999999", "flag": "1"})
    assert response.status_code == 410
    assert not CardFlag.objects.exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_a_guest_is_sent_to_sign_in(client, card):
    response = client.post(URL, {"card": card.pk, "flag": "1"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not CardFlag.objects.exists()


def test_a_flagged_card_costs_the_review_page_no_more_queries(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.get(reverse("review"))  # settings made, caches filled
        unflagged = _review_queries(client)
        card_flags.card_flag_set(user=alice, card=card, flag=RED, now=T0)
        assert _review_queries(client) == unflagged


def _review_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert "data-card-flag" in client.get(reverse("review")).text
    return len(queries)


def test_a_flag_set_in_a_deck_studied_comes_back_to_the_card_in_that_deck(client, alice, card):
    client.force_login(alice)
    scoped = f"{URL}?deck={card.deck.slug}"
    response = client.post(scoped, {"card": card.pk, "flag": "1"})
    control = client.post(scoped, {"card": card.pk, "flag": "2"}, headers={"HX-Request": "true"})
    assert response.url == reverse("review") + f"?card={card.pk}&deck={card.deck.slug}"
    assert f'hx-post="{scoped}"' in control.text  # the control swapped in keeps the deck
