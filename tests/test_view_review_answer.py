from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from quizzes.forms_study import shown_token
from quizzes.models import Card, CardHold, CardMemory, ReviewLog
from quizzes.services import card_holds, reviews
from tests.concurrency import postgresql_only, statuses_sent_at_once
from tests.studyhelpers import (
    anki_decks,
    one_note_of_three,
    remember,
    review_count_shown,
    synthetic_named,
)

pytestmark = pytest.mark.django_db

URL = reverse("review_answer")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def answer(client, card, grade, *, shown_at=T0, htmx=False, **extra):
    data = {"card": card.pk, "grade": grade, "shown": shown_token(card_id=card.pk, now=shown_at)}
    data.update(extra)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(URL, data, headers=headers)


def test_a_grade_updates_memory_and_logs_the_time_the_server_measured(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=7), tick=False):
        response = answer(client, card, 3)

    assert response.status_code == 302
    assert response.url == reverse("review")
    memory = CardMemory.objects.get(user=alice, card=card)
    assert memory.due == T0 + timedelta(days=2, seconds=7)  # Good on a new card: 2 d
    assert memory.reps == 1
    log = ReviewLog.objects.get(user=alice, card=card)
    assert (log.rating, log.source, log.elapsed_seconds) == (3, "review", 7.0)
    assert log.memory_before is None


def test_a_grade_posted_twice_from_one_page_counts_once(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=4), tick=False):
        answer(client, card, 3)
        response = answer(client, card, 1)
    assert response.status_code == 302
    assert list(ReviewLog.objects.values_list("rating", flat=True)) == [3]
    assert CardMemory.objects.get(user=alice).reps == 1


@pytest.mark.parametrize("due", [10, 300])
def test_an_answer_runs_the_same_queries_for_10_or_300_cards_due(
    client, alice, make_deck, django_assert_num_queries, due
):
    """Load balancing counts the cards due on the days of the answer's fuzz range, and on
    those of the next card's grade buttons: one query each, whatever the cards due."""
    cards = list(make_deck(due + 5, slug=f"d{due}").cards.order_by("number")[:due])
    with time_machine.travel(T0, tick=False):
        remember(alice, cards, now=timezone.now(), reviews=2)
        client.force_login(alice)
        client.get(reverse("review"))  # the user, the learner's settings and the counts kept
        shown = client.get(reverse("review")).context["item"].card
    # 21: 19 before load balancing (the grade's write, the counts and the next card with its
    # buttons), and its two counts.
    with (
        time_machine.travel(T0 + timedelta(seconds=7), tick=False),
        django_assert_num_queries(21),
    ):
        response = answer(client, shown, 3, htmx=True)
    assert response.status_code == 200
    assert ReviewLog.objects.filter(card=shown, rating=3).exists()


# On SQLite the database file takes one writer at a time, which the lock on the memory's
# row stands for on PostgreSQL.
@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reviewed_before", [False, True])
def test_a_grade_posted_several_times_at_once_counts_once(alice, card, reviewed_before):
    if reviewed_before:
        reviews.review_record(
            user=alice,
            card=card,
            rating=3,
            now=timezone.now() - timedelta(days=3),
            elapsed_seconds=4,
        )
    shown_at = timezone.now() - timedelta(seconds=5)

    statuses = statuses_sent_at_once(
        alice, lambda client: answer(client, card, 3, shown_at=shown_at), times=4
    )

    assert statuses == [302] * 4
    assert ReviewLog.objects.filter(user=alice, card=card).count() == 1 + reviewed_before
    assert CardMemory.objects.get(user=alice, card=card).reps == 1 + reviewed_before


def test_an_answer_left_open_for_an_hour_counts_a_minute(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        answer(client, card, 1)
    assert ReviewLog.objects.get(user=alice).elapsed_seconds == 60.0


def test_htmx_gets_the_next_card(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        response = answer(client, card, 4, htmx=True)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "New · Card 2 of Synthetic synthetic" in response.text
    assert "Undo “Easy” on card 1 of Synthetic synthetic" in response.text


def test_it_rejects_a_token_made_for_another_card(client, alice, card, deck):
    other = Card.objects.get(deck=deck, number=2)
    client.force_login(alice)
    data = {"card": card.pk, "grade": 3, "shown": shown_token(card_id=other.pk, now=T0)}
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "another card" in response.text
    assert not ReviewLog.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"grade": "5"},
        {"grade": "0"},
        {"grade": "good"},
        {"grade": ""},
        {"shown": "forged"},
        {"shown": ""},
        {"card": "x"},
        {"card": str(2**70)},
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(client, alice, card, changes):
    client.force_login(alice)
    data = {"card": card.pk, "grade": 3, "shown": shown_token(card_id=card.pk, now=T0)}
    data.update(changes)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert not ReviewLog.objects.exists()
    assert not CardMemory.objects.exists()


def test_a_card_that_no_longer_exists_is_a_410(client, alice, card):
    client.force_login(alice)
    token = shown_token(card_id=999999, now=T0)
    response = client.post(URL, {"card": 999999, "grade": 3, "shown": token})
    assert response.status_code == 410
    assert "no such card" in response.text


@pytest.mark.parametrize("htmx", [True, False])
def test_a_card_staff_deleted_while_it_was_shown_says_so(client, alice, card, htmx):
    client.force_login(alice)
    shown = {"card": card.pk, "shown": shown_token(card_id=card.pk, now=T0)}
    card.delete()  # by staff, in the admin, while the review showed it

    with time_machine.travel(T0 + timedelta(seconds=4), tick=False):
        response = client.post(
            URL, {**shown, "grade": 3}, headers={"HX-Request": "true"} if htmx else {}
        )

    assert response.status_code == 410
    assert "removed from the deck since this page showed it" in response.text
    if htmx:
        assert response["HX-Retarget"] == "#quiz-error"


def test_a_grade_from_a_second_tab_after_the_first_graded_the_card_says_it_was_not_recorded(
    client, alice, card
):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=9), tick=False):
        answer(client, card, 3, shown_at=T0 + timedelta(seconds=5))  # the first tab
        response = answer(client, card, 1, shown_at=T0, htmx=True)  # the second, shown before

    assert response.status_code == 200
    assert "had been graded since this page showed it" in response.text
    assert list(ReviewLog.objects.values_list("rating", flat=True)) == [3]


def test_without_javascript_the_not_recorded_notice_follows_the_redirect(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=9), tick=False):
        answer(client, card, 3)
        answer(client, card, 1)
        page = client.get(reverse("review"))

    assert "the first grade stays, and this one was not recorded" in page.text


def test_htmx_gets_the_message_as_a_fragment(client, alice, card):
    client.force_login(alice)
    response = client.post(URL, {"card": card.pk, "grade": 9}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#quiz-error"
    assert "quiz-error" in response.text and "<html" not in response.text


def test_a_guest_is_sent_to_log_in(client, card):
    response = answer(client, card, 3)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not ReviewLog.objects.exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_each_learner_has_their_own_memory(client, alice, bob, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        answer(client, card, 3)
    client.force_login(bob)
    with time_machine.travel(T0, tick=False):
        answer(client, card, 1)
    assert CardMemory.objects.get(user=alice).due - T0 == timedelta(days=2)
    assert CardMemory.objects.get(user=bob).due - T0 == timedelta(days=1)


def test_the_grade_that_makes_a_leech_says_so(client, alice, card):
    for day in range(8):  # met, then seven lapses
        reviews.review_record(
            user=alice, card=card, rating=1, now=T0 + timedelta(days=day), elapsed_seconds=2
        )
    client.force_login(alice)
    eighth_lapse = T0 + timedelta(days=8)
    with time_machine.travel(eighth_lapse + timedelta(seconds=5), tick=False):
        response = answer(client, card, 1, shown_at=eighth_lapse, htmx=True)
    assert f"{synthetic_named(1)} is a leech" in response.text
    assert CardMemory.objects.get(user=alice, card=card).suspended
    # The heading review.js focuses after the swap carries the notice to a screen reader.
    page = BeautifulSoup(response.text, "html.parser")
    focused = page.select_one("[data-focus]")
    assert "is a leech" in page.find(id=focused["aria-describedby"]).get_text()


def test_without_javascript_the_leech_notice_follows_the_redirect(client, alice, card):
    for day in range(8):
        reviews.review_record(
            user=alice, card=card, rating=1, now=T0 + timedelta(days=day), elapsed_seconds=2
        )
    client.force_login(alice)
    eighth_lapse = T0 + timedelta(days=8)
    with time_machine.travel(eighth_lapse + timedelta(seconds=5), tick=False):
        response = answer(client, card, 1, shown_at=eighth_lapse)
        page = client.get(response.url)
    assert f"{synthetic_named(1)} is a leech" in page.text


def test_the_navigation_counts_the_answer_at_once(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        assert review_count_shown(client) == 12
        answer(client, card, 3)
        assert review_count_shown(client) == 11  # the card is due in two days


# --- Anki's "Bury siblings" ------------------------------------------------------------------


def test_with_bury_siblings_a_grade_buries_the_notes_new_and_due_siblings_until_tomorrow(
    client, alice, deck
):
    """Anki's "Bury new siblings" and "Bury review siblings": once one card of a note is
    answered, its new sibling waits for the next study day (and one due in five days is left
    alone); Undo stays the grade's."""
    first, reversed_card, later = one_note_of_three(alice, deck, bury_siblings=True)
    remember(alice, [later], now=T0, due_in=timedelta(days=5))
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=6), tick=False):
        answer(client, first, 3)
        queue = [item.card for item in reviews.review_queue(user=alice, now=T0, limit=20)]
        undo = card_holds.latest_undoable(user=alice, now=T0 + timedelta(seconds=6))

    assert reversed_card not in queue
    assert list(CardHold.objects.values_list("card", "buried_until")) == [
        (reversed_card.pk, datetime(2025, 3, 6, 4, 0, tzinfo=UTC))
    ]
    assert isinstance(undo, ReviewLog) and undo.card == first
    tomorrow = datetime(2025, 3, 6, 4, 0, tzinfo=UTC)
    assert reversed_card in [
        item.card for item in reviews.review_queue(user=alice, now=tomorrow, limit=20)
    ]


def test_siblings_are_not_buried_by_default_as_in_anki(client, alice, deck):
    first, _reversed, _later = one_note_of_three(alice, deck, bury_siblings=False)
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=6), tick=False):
        answer(client, first, 3)
    assert not CardHold.objects.exists()


def test_a_grade_of_a_deck_studied_goes_on_with_that_deck(client, alice):
    decks = anki_decks({"Languages::Spanish": 2, "Medicine": 3})
    spanish = Card.objects.get(deck=decks["Languages::Spanish"], number=1)
    client.force_login(alice)
    data = {"card": spanish.pk, "grade": 3, "shown": shown_token(card_id=spanish.pk, now=T0)}
    scoped = f"{URL}?branch=Languages"

    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        response = client.post(scoped, data)
        second = Card.objects.get(deck=decks["Languages::Spanish"], number=2)
        fragment = client.post(
            scoped,
            {"card": second.pk, "grade": 3, "shown": shown_token(card_id=second.pk, now=T0)},
            headers={"HX-Request": "true"},
        )

    assert response.status_code == 302
    assert response.url == f"{reverse('review')}?branch=Languages"
    assert fragment.status_code == 200
    # Spanish's two cards answered, Medicine's new cards are not shown.
    assert "data-review-done" in fragment.text
    assert "Languages: done for now" in fragment.text


def test_a_grade_for_a_deck_removed_since_is_refused_and_not_recorded(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        response = client.post(
            f"{URL}?deck=removed",
            {"card": card.pk, "grade": 3, "shown": shown_token(card_id=card.pk, now=T0)},
        )
    assert response.status_code == 404
    assert "There is no deck “removed”" in response.text
    assert not ReviewLog.objects.exists()


def test_a_grade_after_the_session_ended_logs_in_back_to_the_review_it_was_given_on(
    client, alice, card
):
    # Django's login_required led back to this address, which takes a post only: a 405 page
    # after logging in. htmx followed the redirect and put the login page in the card's place.
    page = "http://testserver/review/?deck=synthetic"

    plain = client.post(URL, {"card": card.pk, "grade": 3}, headers={"Referer": page})
    htmx = client.post(
        URL, {"card": card.pk, "grade": 3}, headers={"HX-Request": "true", "HX-Current-URL": page}
    )
    elsewhere = client.post(URL, {"card": card.pk}, headers={"Referer": "https://evil.example/"})
    hidden = client.post(URL, {"card": card.pk}, headers={"Referer": "http://testserver//evil/"})

    login = "/accounts/login/?next=/review/%3Fdeck%3Dsynthetic"
    assert (plain.status_code, plain["Location"]) == (302, login)
    assert (htmx.status_code, htmx["HX-Redirect"]) == (200, login)
    assert elsewhere["Location"] == hidden["Location"] == "/accounts/login/"
    said = client.get(login).text
    assert "You were logged out (in another tab, or after a while away), so that was not saved" in (
        said
    )
    assert not ReviewLog.objects.exists()
