"""/review/typed/: a type-in card's answer beside what the learner typed, compared on the
server; the review page holds no answer before it, and the learner still grades."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes.forms_study import shown_token
from quizzes.models import Card, ReviewLog

pytestmark = pytest.mark.django_db

URL = reverse("review_typed")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}
# The card's flag among them, and the cards due on the days its grade buttons' intervals
# may fall on (the load balancer's count).
COMPARED_QUERIES = 8


@pytest.fixture
def card(deck):
    card = Card.objects.get(deck=deck, number=1)
    card.typed_answer = "Reykjavík"
    card.save(update_fields=["typed_answer"])
    return card


def reveal(client, card, typed, *, shown_at=T0, headers=None, changes=None):
    data = {"card": card.pk, "shown": shown_token(card_id=card.pk, now=shown_at), "typed": typed}
    return client.get(URL, data | (changes or {}), headers=headers or {})


def test_the_review_asks_a_type_in_card_typed_with_no_answer_in_the_page(client, alice, card):
    client.force_login(alice)

    page = client.get(reverse("review"))

    assert page.context["item"].card == card
    assert 'name="typed"' in page.text
    for attribute in ('autocapitalize="off"', 'autocorrect="off"', 'spellcheck="false"'):
        assert attribute in page.text
    assert "enterkeyhint=" in page.text
    assert "Reykjav" not in page.text  # neither the answer nor the typed answer
    assert "data-review-answer" not in page.text


def test_htmx_gets_the_stage_with_the_comparison_and_the_grades(client, alice, card):
    client.force_login(alice)

    response = reveal(client, card, "Reykjavik", headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]
    assert "Not quite: 1 character wrong, 1 missing." in response.text
    assert "<del>" in response.text and "<ins>" in response.text
    assert '<details class="review-answer" data-review-answer open>' in response.text
    assert card.answer_rendered in response.text
    assert response.text.count('name="grade"') == 4


def test_without_javascript_it_is_the_whole_review_page(client, alice, card):
    client.force_login(alice)

    response = reveal(client, card, "Reykjavík")

    assert "<html" in response.text
    assert "You typed it exactly." in response.text


def test_nothing_typed_shows_what_was_to_be_typed(client, alice, card):
    client.force_login(alice)

    response = reveal(client, card, "   ")

    assert "You typed nothing." in response.text


def test_the_grade_after_it_counts_the_time_from_when_the_card_was_shown(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=9), tick=False):
        page = reveal(client, card, "Reykjavik")
        shown = page.context["shown"]
        client.post(reverse("review_answer"), {"card": card.pk, "grade": 3, "shown": shown})

    assert ReviewLog.objects.get(user=alice).elapsed_seconds == 9.0


def test_it_needs_a_login(client, card):
    response = reveal(client, card, "x")

    assert response.status_code == 302
    assert reverse("login") in response.url


def test_it_refuses_a_post(client, alice, card):
    client.force_login(alice)

    assert client.post(URL, {"card": card.pk}).status_code == 405


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shown": "forged"}, "This page is out of date: reload it."),
        ({"card": "abc"}, "That answer could not be read"),
        ({"typed": "x" * 501}, "That answer could not be read"),
    ],
)
def test_a_bad_request_says_why_and_shows_no_answer(client, alice, card, change, message):
    client.force_login(alice)

    response = reveal(client, card, "x", changes=change)

    assert response.status_code == 400
    assert message in response.text
    assert "Reykjav" not in response.text and card.answer_rendered not in response.text


def test_a_token_for_another_card_shows_no_answer(client, alice, card, deck):
    other = Card.objects.get(deck=deck, number=2)
    client.force_login(alice)
    token = shown_token(card_id=other.pk, now=T0)

    response = client.get(URL, {"card": card.pk, "shown": token, "typed": "x"})

    assert response.status_code == 400
    assert "This answer is for another card than the one shown." in response.text


def test_a_card_deleted_since_it_was_shown_says_so(client, alice, card):
    client.force_login(alice)
    token = shown_token(card_id=card.pk, now=T0)
    card_id = card.pk
    card.delete()

    response = client.get(URL, {"card": card_id, "shown": token, "typed": "x"}, headers=HTMX)

    assert response.status_code == 410
    assert "removed from the deck" in response.text


@pytest.mark.parametrize("size", [10, 500])
def test_it_runs_the_same_queries_for_any_deck_size(
    client, alice, make_deck, django_assert_num_queries, size
):
    card = make_deck(size, slug=f"d{size}").cards.get(number=3)
    Card.objects.filter(pk=card.pk).update(typed_answer="Answer 3")
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        reveal(client, card, "Answer", headers=HTMX)  # the learner's settings, the counts
        # As many for 10 cards as for 500: the same for any deck.
        with django_assert_num_queries(COMPARED_QUERIES):
            reveal(client, card, "Answer", headers=HTMX)
