"""The learner's new, learning and review cards of each deck and branch of the home page's
tree (Anki's deck list), fetched by htmx once the page (every learner's, kept) loads."""

from datetime import UTC, datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Card
from quizzes.services import reviews
from tests.studyhelpers import anki_decks, first_cards, remember

pytestmark = pytest.mark.django_db

URL = reverse("deck_study_counts")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
# The home page asks for the counts through htmx.
HTMX = {"HX-Request": "true"}


def counts_shown(response) -> dict[str, tuple[int, int, int]]:
    """Each row's counts the fragment swaps in, by the id of its place in the page."""
    page = BeautifulSoup(response.text, "html.parser")
    return {
        span["id"]: tuple(
            int(part.contents[0]) for part in span.select(".count-new, .count-learning, .count-due")
        )
        for span in page.select("span.deck-study-counts[hx-swap-oob]")
    }


def rows_of(client, *, q=""):
    """The home page's count places, by the name of the row each is in."""
    page = BeautifulSoup(client.get(reverse("home"), {"q": q} if q else {}).text, "html.parser")
    rows = {}
    for place in page.select("span.deck-study-counts"):
        row = place.find_parent(["summary", "div", "section"])
        name = row.select_one(".deck-branch-name, .deck-row-name, h2")
        own = " (own)" if place["id"].startswith("deck-study-own-") else ""
        rows[name.contents[0].strip() + own] = place["id"]
    return rows


def test_it_counts_each_deck_and_each_branch_as_the_sum_of_its_decks(client, alice):
    decks = anki_decks(
        {
            "Medicine::Cardiology": 3,
            "Medicine::Cardiology::Drugs": 4,
            "Medicine::Neurology": 2,
            "Languages": 5,
        }
    )
    with time_machine.travel(T0, tick=False):
        remember(alice, first_cards(decks["Medicine::Cardiology::Drugs"], 3), now=timezone.now())
        remember(alice, first_cards(decks["Medicine::Neurology"], 1), now=timezone.now())
        client.force_login(alice)
        rows = rows_of(client)
        fragment = client.get(URL, headers=HTMX)
    shown = counts_shown(fragment)
    by_name = {name: shown[place] for name, place in rows.items()}
    # (new, learning, to review); Medicine has no deck of its own, Cardiology has 3 cards,
    # counted alone on the row of its own cards, above its Drugs.
    assert by_name == {
        "Medicine": (5, 0, 4),
        "Cardiology": (4, 0, 3),
        "Cardiology (own)": (3, 0, 0),
        "Drugs": (1, 0, 3),
        "Neurology": (1, 0, 1),
        "Languages": (5, 0, 0),
    }


def test_the_days_new_cards_cap_every_deck_and_branch(client, alice):
    anki_decks({"Medicine::Cardiology": 30, "Medicine::Neurology": 30})
    client.force_login(alice)
    shown = counts_shown(client.get(URL, headers=HTMX))
    assert sorted(shown.values()) == [(20, 0, 0)] * 3  # 20 new cards a day, over every deck


def test_a_filtered_tree_gets_the_counts_of_its_rows(client, alice):
    anki_decks({"Medicine::Cardiology": 3, "Medicine::Neurology": 2, "Languages": 5})
    client.force_login(alice)

    rows = rows_of(client, q="neuro")
    shown = counts_shown(client.get(URL, {"q": "neuro"}, headers=HTMX))

    # What Study on Medicine studies: all of it, its decks the filter hides too.
    assert {name: shown[place] for name, place in rows.items()} == {
        "Medicine": (5, 0, 0),
        "Neurology": (2, 0, 0),
    }


def test_two_decks_of_the_same_name_each_count_their_own_cards(client, alice, make_deck):
    # Cell is under the first Biology in the tree (the deck made first), and counts there.
    first, second, cell = (make_deck(2, slug=slug) for slug in ("bio-1", "bio-2", "cell"))
    for deck, name in ((first, "Biology"), (second, "Biology"), (cell, "Biology::Cell")):
        deck.name = name
        deck.save()
    with time_machine.travel(T0, tick=False):
        remember(alice, Card.objects.filter(deck=second), now=timezone.now())
        client.force_login(alice)
        page = BeautifulSoup(client.get(reverse("home")).text, "html.parser")
        shown = counts_shown(client.get(URL, headers=HTMX))

    studied = {
        row.select_one("a.deck-study")["href"]: shown[row.select_one(".deck-study-counts")["id"]]
        for row in page.select("p.deck-study-row")
    }
    assert studied == {
        "/review/?deck=bio-1": (4, 0, 0),
        "/review/?deck=bio-2": (0, 0, 2),
    }


def test_it_asks_a_visitor_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_refuses_a_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405


@pytest.mark.parametrize("deck_count", [2, 40])
@pytest.mark.parametrize("memories", [0, 300])
def test_it_runs_the_same_queries_for_any_number_of_decks_and_memories(
    client, alice, django_assert_num_queries, deck_count, memories
):
    decks = anki_decks(
        {
            f"Top {number % 4}::Deck {number}": memories // deck_count + 3
            for number in range(deck_count)
        }
    )
    with time_machine.travel(T0, tick=False):
        for deck in decks.values():
            remember(alice, first_cards(deck, memories // deck_count), now=timezone.now())
        client.force_login(alice)
        client.get(reverse("home"))  # the learner's counts over every deck, kept from here
        # The session; their memories grouped by deck; their holds of new cards grouped by
        # deck; each deck's cards (kept for every learner after this).
        with django_assert_num_queries(4):
            first = client.get(URL, headers=HTMX)
        # Kept until their memories change: the session alone.
        with django_assert_num_queries(1):
            again = client.get(URL, headers=HTMX)
    assert first.text == again.text
    assert len(counts_shown(first)) == deck_count + min(deck_count, 4)


def test_an_answer_shows_in_the_counts_at_once(client, alice):
    decks = anki_decks({"Languages": 3})
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        before = counts_shown(client.get(URL, headers=HTMX))
        reviews.review_record(
            user=alice,
            card=Card.objects.get(deck=decks["Languages"], number=1),
            rating=1,
            now=timezone.now(),
            elapsed_seconds=3,
        )
        after = counts_shown(client.get(URL, headers=HTMX))
    assert list(before.values()) == [(3, 0, 0)]
    assert list(after.values()) == [(2, 0, 0)]  # no learning steps: Again is due tomorrow


def test_each_learner_gets_their_own_counts(alice, bob):
    decks = anki_decks({"Languages": 3})
    with time_machine.travel(T0, tick=False):
        remember(bob, first_cards(decks["Languages"], 2), now=timezone.now())
        as_alice, as_bob = Client(), Client()
        as_alice.force_login(alice)
        as_bob.force_login(bob)
        assert list(counts_shown(as_alice.get(URL, headers=HTMX)).values()) == [(3, 0, 0)]
        assert list(counts_shown(as_bob.get(URL, headers=HTMX)).values()) == [(1, 0, 2)]


def test_asked_after_the_session_ended_it_sends_the_whole_page_to_log_in(client):
    # htmx followed login_required's redirect and put the login page in the deck rows.
    response = client.get(
        URL, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/?q=bio"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/%3Fq%3Dbio"
    assert not response.content


def test_opened_on_its_own_it_sends_to_the_home_page_that_shows_the_counts(client, alice):
    # It answered with the counts alone, a bare fragment without the site's look.
    client.force_login(alice)

    response = client.get(URL, {"q": "bio"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home") + "?q=bio"
