"""Misuse in order rather than in form: a grade or an undo posted twice, holds and Forget
stacked and undone one by one, a hold on a card staff deleted, an unsuspend of a card not
held, another learner's ids, and a deck's old addresses. Each gets a 4xx that says why, or
does what it says once; nothing else changes."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import pytest
import time_machine
from django.urls import reverse

from quizzes.forms_study import shown_token
from quizzes.models import Card, CardHold, CardMemory, FormerDeckSlug, ReviewLog
from quizzes.services import reviews
from tests.studyhelpers import synthetic_named
from tests.test_hostile_sweep import ROUTES

# Sent once a CI run, on one database or the other (tests/conftest.py: one_pass).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.one_pass,
    pytest.mark.usefixtures("templates_rendered_unrecorded"),
]

T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def _rows(user) -> tuple:
    return (
        list(ReviewLog.objects.filter(user=user).values_list("pk", "rating", "source")),
        list(CardMemory.objects.filter(user=user).values_list("card", "due", "stability")),
        list(CardHold.objects.filter(user=user).values_list("card", "suspended", "buried_until")),
    )


def test_a_grade_posted_twice_is_recorded_once(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        form = {"card": card.pk, "grade": 3, "shown": shown_token(card_id=card.pk, now=T0)}
        client.post(reverse("review_answer"), form)
        again = client.post(reverse("review_answer"), form, headers=HTMX)
    assert again.status_code == 200
    assert "the first grade stays, and this one was not recorded" in again.text
    assert ReviewLog.objects.filter(user=alice).count() == 1


def test_an_undo_posted_twice_undoes_once(client, alice, deck, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=5)
    reviews.review_record(
        user=alice, card=card, rating=1, now=T0 + timedelta(days=3), elapsed_seconds=5
    )
    review = ReviewLog.objects.filter(user=alice).latest("reviewed_at")
    client.force_login(alice)
    assert client.post(reverse("review_undo"), {"review": review.pk}).status_code == 302
    after_one = _rows(alice)

    again = client.post(reverse("review_undo"), {"review": review.pk}, headers=HTMX)

    assert again.status_code == 404
    assert "it was undone already" in again.text
    assert _rows(alice) == after_one
    assert len(after_one[0]) == 1  # the first grade stays


def test_bury_forget_then_undo_takes_them_back_one_by_one(client, alice, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=5)
    before = _rows(alice)
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        client.post(reverse("review_bury"), {"card": card.pk})
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        client.post(reverse("review_forget"), {"card": card.pk})
        assert not CardMemory.objects.filter(user=alice).exists()
        forget = ReviewLog.objects.filter(user=alice).latest("reviewed_at")
        page = client.get(reverse("review"))
        assert "Undo Forget" in page.text or f'value="{forget.pk}"' in page.text

        undo_forget = client.post(reverse("review_undo"), {"review": forget.pk, "card": card.pk})
        assert "Forget undone" in client.get(undo_forget.url).text
        assert "Undo Bury of card 1 of Synthetic synthetic" in client.get(reverse("review")).text
        client.post(reverse("review_hold_undo"), {"card": card.pk, "action": "bury"})
        assert _rows(alice) == before

        # Nothing is left to undo: each says so and changes nothing.
        assert client.post(reverse("review_undo"), {"review": forget.pk}).status_code == 404
        hold_undo = {"card": card.pk, "action": "bury"}
        assert client.post(reverse("review_hold_undo"), hold_undo).status_code == 404
    assert _rows(alice) == before


@pytest.mark.parametrize("name", ["review_bury", "review_suspend", "review_forget"])
def test_a_hold_or_forget_of_a_card_staff_deleted_says_so(client, alice, card, name):
    client.force_login(alice)
    card_id = card.pk
    card.delete()

    response = client.post(reverse(name), {"card": card_id, "back": "card"}, headers=HTMX)

    assert response.status_code == 410
    assert "it was removed from the deck" in response.text
    assert _rows(alice) == ([], [], [])


def test_undoing_a_hold_whose_card_staff_deleted_says_so(client, alice, card):
    client.force_login(alice)
    client.post(reverse("review_suspend"), {"card": card.pk})
    card_id = card.pk
    card.delete()

    response = client.post(reverse("review_hold_undo"), {"card": card_id, "action": "suspend"})

    assert response.status_code == 404
    assert "That is not there to undo" in response.text


def test_unsuspending_a_card_not_held_says_so_and_changes_nothing(client, alice, card):
    client.force_login(alice)

    response = client.post(
        reverse("card_unsuspend"), {"card": card.pk, "back": "held"}, headers=HTMX
    )

    assert response.status_code == 200
    assert f"{synthetic_named(1)} was in your reviews already." in response.text
    assert _rows(alice) == ([], [], [])


def test_another_learners_review_and_holds_are_out_of_reach(client, alice, bob, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=5)
    client.force_login(alice)
    client.post(reverse("review_suspend"), {"card": card.pk})
    review = ReviewLog.objects.get(user=alice)
    before = _rows(alice)
    client.force_login(bob)

    assert client.post(reverse("review_undo"), {"review": review.pk}).status_code == 404
    hold_undo = {"card": card.pk, "action": "suspend"}
    assert client.post(reverse("review_hold_undo"), hold_undo).status_code == 404
    client.post(reverse("card_unsuspend"), {"card": card.pk})
    assert client.post(reverse("review_forget"), {"card": card.pk}).status_code == 409

    assert _rows(alice) == before


DECK_ROUTES = [name for name, route in ROUTES.items() if route.startswith("decks/<slug:slug>/")]


@pytest.mark.parametrize("name", DECK_ROUTES)
def test_a_decks_former_addresses_lead_to_it_in_one_step(client, alice, deck, name):
    # Renamed twice: both old slugs are remembered. A card missing there leads to the
    # deck's address once, whose 404 leads back to neither.
    FormerDeckSlug.objects.create(deck=deck, slug="first-name")
    FormerDeckSlug.objects.create(deck=deck, slug="second-name")
    client.force_login(alice)
    for number in (1, 999):
        kwargs = {"slug": deck.slug}
        if "<int:number>" in ROUTES[name]:
            kwargs["number"] = number
        current = reverse(name, kwargs=kwargs)
        for former in ("first-name", "second-name"):
            old = current.replace(f"/{deck.slug}/", f"/{former}/", 1)
            for method, expected in (("GET", 302), ("POST", 307)):
                response = client.generic(method, old + "?q=x")
                if response.status_code == 405:  # a page to visit: it takes no form anyway
                    continue
                assert (response.status_code, response["Location"]) == (
                    expected,
                    current + "?q=x",
                ), (method, old)
                followed = client.generic(method, response["Location"])
                assert "-name/" not in followed.get("Location", ""), (method, old)


OFF_SITE = (
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "\t//evil.example/",
    " //evil.example/",
    "javascript:alert(1)",
)


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_a_next_address_elsewhere_is_never_followed(client, alice, password, next_url):
    for name, data in (
        ("login", {"username": "alice", "password": password}),
        ("logout", {}),
        ("signup", {"password1": password, "password2": password}),
    ):
        for where in ("query", "form"):
            if name == "signup":
                data["username"] = f"erin{where}"
            if where == "query":
                response = client.post(reverse(name) + "?next=" + quote(next_url), data)
            else:
                response = client.post(reverse(name), {**data, "next": next_url})
            assert response.status_code == 302, (name, where)
            assert urlsplit(response.url).netloc == "" and response.url.startswith("/"), (
                name,
                where,
                response.url,
            )
            assert not response.url.startswith(("//", "/\\")), (name, where, response.url)
            client.logout()
