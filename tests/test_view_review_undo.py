from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes.models import Card, CardHold, CardMemory, ReviewLog
from quizzes.services import card_holds, reviews
from tests.concurrency import postgresql_only, statuses_sent_at_once
from tests.studyhelpers import one_note_of_three, review_count_shown, synthetic_named

pytestmark = pytest.mark.django_db

URL = reverse("review_undo")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def grade(user, card, rating, *, at, source=reviews.Source.REVIEW):
    reviews.review_record(
        user=user, card=card, rating=rating, now=at, elapsed_seconds=5, source=source
    )
    return ReviewLog.objects.filter(user=user, card=card).latest("reviewed_at")


def test_undoing_the_first_grade_makes_the_card_new_again(client, alice, card):
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)

    response = client.post(URL, {"review": review.pk})

    assert response.status_code == 302
    assert response.url == f"{reverse('review')}?card={card.pk}"
    assert not CardMemory.objects.filter(user=alice).exists()
    assert not ReviewLog.objects.exists()


# On SQLite the database file takes one writer at a time: the second undo finds the review
# gone.
@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_grade", [True, False])
def test_an_undo_posted_several_times_at_once_undoes_once(alice, card, first_grade):
    if not first_grade:
        grade(alice, card, 3, at=T0)
    review = grade(alice, card, 1, at=T0 + timedelta(days=3))

    statuses = statuses_sent_at_once(
        alice, lambda client: client.post(URL, {"review": review.pk}), times=4
    )

    assert sorted(statuses) == [302] + [404] * 3
    assert ReviewLog.objects.filter(user=alice).count() == (0 if first_grade else 1)
    assert CardMemory.objects.filter(user=alice).count() == (0 if first_grade else 1)


@pytest.mark.parametrize("htmx", [True, False])
def test_the_learner_is_told_the_grade_was_undone(client, alice, card, htmx):
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)

    response = client.post(
        URL, {"review": review.pk}, headers={"HX-Request": "true"} if htmx else {}, follow=True
    )

    notice = f"Grade undone: {synthetic_named(1)} is back, as it was before."
    assert notice in response.text
    assert 'role="status"' in response.text


def test_undoing_a_later_grade_restores_the_memory_before_it(client, alice, card):
    grade(alice, card, 3, at=T0)
    grade(alice, card, 3, at=T0 + timedelta(minutes=10))
    before = CardMemory.objects.get(user=alice, card=card)
    last = grade(alice, card, 1, at=T0 + timedelta(days=2))
    client.force_login(alice)

    client.post(URL, {"review": last.pk})

    after = CardMemory.objects.get(user=alice, card=card)
    fields = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert ReviewLog.objects.filter(user=alice).count() == 2


def test_htmx_shows_the_card_again(client, alice, card):
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)
    response = client.post(URL, {"review": review.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "New · Card 1 of Synthetic synthetic" in response.text
    assert "<html" not in response.text


def test_another_learners_review_is_not_found(client, alice, bob, card):
    review = grade(bob, card, 3, at=T0)
    client.force_login(alice)
    assert client.post(URL, {"review": review.pk}).status_code == 404
    assert ReviewLog.objects.filter(pk=review.pk).exists()


def test_a_grade_undone_in_another_tab_is_said_in_place_of_the_card(client, alice, card):
    """The other tab's Undo button still offers it: htmx gets the message for the slot
    above the card, not a 404 page in place of the review."""
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)
    client.post(URL, {"review": review.pk}, headers={"HX-Request": "true"})
    response = client.post(URL, {"review": review.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "undone already, perhaps in another tab" in response.text
    assert 'id="quiz-error"' in response.text
    assert response["HX-Retarget"] == "#quiz-error"
    assert "<html" not in response.text


@pytest.mark.parametrize("htmx", [True, False])
def test_an_undo_of_a_card_staff_deleted_says_the_card_was_removed(client, alice, card, htmx):
    """The Undo button still offering a grade of a card deleted since is not told it was
    "undone already, perhaps in another tab"."""
    with time_machine.travel(T0, tick=False):
        grade(alice, card, 3, at=T0)
        client.force_login(alice)
        page = BeautifulSoup(client.get(reverse("review")).text, "html.parser")
        undo = {field["name"]: field["value"] for field in page.select(".review-undo input")}
        card.delete()  # by staff, in the admin

        response = client.post(URL, undo, headers={"HX-Request": "true"} if htmx else {})

    assert response.status_code == 410
    assert "its card was removed from the deck" in response.text
    assert "undone already" not in response.text
    if htmx:
        assert response["HX-Retarget"] == "#quiz-error"
    assert ReviewLog.objects.filter(user=alice, card=None).count() == 1  # kept


def test_the_review_page_offers_no_undo_of_a_grade_whose_card_staff_deleted(client, alice, deck):
    first, second = deck.cards.order_by("number")[:2]
    with time_machine.travel(T0, tick=False):
        grade(alice, first, 3, at=T0 - timedelta(minutes=2))
        grade(alice, second, 3, at=T0 - timedelta(minutes=1))
        second.delete()  # by staff: its grade, the latest, stays in the history
        client.force_login(alice)

        page = BeautifulSoup(client.get(reverse("review")).text, "html.parser")

    undo = page.select_one(".review-undo button")
    named = f"card {first.number} of Synthetic synthetic"
    assert undo is not None and undo.get_text(strip=True) == f"Undo “Good” on {named}"


def test_an_undo_already_done_is_said_so_though_its_card_is_named(client, alice, card):
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)
    client.post(URL, {"review": review.pk, "card": card.pk})
    response = client.post(URL, {"review": review.pk, "card": card.pk})
    assert response.status_code == 404
    assert "undone already, perhaps in another tab" in response.text


def test_a_quiz_answer_cannot_be_undone(client, alice, card):
    review = grade(alice, card, 1, at=T0, source=reviews.Source.QUIZ)
    client.force_login(alice)
    response = client.post(URL, {"review": review.pk})
    assert response.status_code == 400
    assert "review page" in response.text
    assert ReviewLog.objects.filter(pk=review.pk).exists()


def test_a_grade_followed_by_another_of_the_same_card_stays(client, alice, card):
    first = grade(alice, card, 3, at=T0)
    grade(alice, card, 3, at=T0 + timedelta(minutes=10))
    client.force_login(alice)
    response = client.post(URL, {"review": first.pk})
    assert response.status_code == 400
    assert ReviewLog.objects.filter(user=alice).count() == 2


@pytest.mark.parametrize("value", ["", "x", "0", str(2**70)])
def test_bad_input_is_a_400(client, alice, value):
    client.force_login(alice)
    assert client.post(URL, {"review": value}).status_code == 400
    if value:  # the card it names, which the form may leave out
        assert client.post(URL, {"review": 1, "card": value}).status_code == 400


def test_a_guest_is_sent_to_log_in(client, alice, card):
    review = grade(alice, card, 3, at=T0)
    response = client.post(URL, {"review": review.pk})
    assert response.status_code == 302
    assert ReviewLog.objects.filter(pk=review.pk).exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_the_review_page_offers_to_undo_the_last_grade(client, alice, card):
    with time_machine.travel(T0, tick=False):
        review = grade(alice, card, 2, at=T0)
        client.force_login(alice)
        response = client.get(reverse("review"))
    assert f'name="review" value="{review.pk}"' in response.text
    assert f'name="card" value="{card.pk}"' in response.text
    assert "Undo “Hard” on card 1 of Synthetic synthetic" in response.text


def test_the_next_study_day_offers_no_undo_of_the_day_befores_last_grade(client, alice, deck):
    """As Anki's undo ends with its session: the morning's first card offered to take back
    last night's grade, which U took back, making the card new again."""
    first, second = deck.cards.order_by("number")[:2]
    evening = T0.replace(hour=21)
    grade(alice, first, 3, at=evening - timedelta(minutes=1))
    client.force_login(alice)
    with time_machine.travel(evening, tick=False):
        client.post(reverse("review_suspend"), {"card": second.pk})
        assert "Undo Suspend of card 2 of Synthetic synthetic" in client.get(reverse("review")).text

    for moment in (T0.replace(hour=3) + timedelta(days=1), T0 + timedelta(days=1)):
        with time_machine.travel(moment, tick=False):
            page = BeautifulSoup(client.get(reverse("review")).text, "html.parser")
        # Before 4 am it is still the day of the grade and the suspend; after, neither.
        assert bool(page.select(".review-undo")) == (moment.hour < 4)


def test_the_navigation_counts_the_card_again_at_once(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        review = grade(alice, card, 3, at=T0)
        assert review_count_shown(client) == 11
        client.post(URL, {"review": review.pk})
        assert review_count_shown(client) == 12


@pytest.mark.parametrize("htmx", [True, False])
def test_an_old_undo_button_naming_no_card_is_not_told_undone_already_when_its_card_went(
    client, alice, card, htmx
):
    """A page rendered before Undo buttons named their card posts the review alone: with
    its card deleted before reviews were kept (migration 0030), the review is gone as an
    undone one is, and the message says both."""
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)
    card.delete()  # by staff, in the admin
    ReviewLog.objects.filter(pk=review.pk).delete()  # as deleting the card did then

    response = client.post(
        URL, {"review": review.pk}, headers={"HX-Request": "true"} if htmx else {}
    )

    assert response.status_code == 404
    assert "or its card was removed from the deck since" in response.text
    assert "undone already, perhaps in another tab" not in response.text


def test_an_undo_button_that_names_no_card_is_told_undone_already_when_it_was(client, alice, card):
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)
    client.post(URL, {"review": review.pk})
    card.delete()  # the undo is remembered: the card going since changes nothing

    response = client.post(URL, {"review": review.pk}, headers={"HX-Request": "true"})

    assert response.status_code == 404
    assert "undone already, perhaps in another tab" in response.text


def test_undoing_a_grade_brings_back_the_siblings_it_buried_not_those_buried_before(
    client, alice, deck
):
    """With Anki's "Bury siblings", Undo takes the grade back with what it buried, as Anki's
    undo does; a sibling the learner had buried by hand before stays buried."""
    first, reversed_card, buried_by_hand = one_note_of_three(alice, deck, bury_siblings=True)
    card_holds.card_bury(user=alice, card=buried_by_hand, now=T0 - timedelta(minutes=5))
    reviews.review_grade(user=alice, card=first, rating=3, shown_at=T0, now=T0)
    assert set(CardHold.objects.values_list("card", flat=True)) == {
        reversed_card.pk,
        buried_by_hand.pk,
    }
    client.force_login(alice)

    with time_machine.travel(T0 + timedelta(seconds=9), tick=False):
        response = client.post(URL, {"review": ReviewLog.objects.get().pk, "card": first.pk})

    assert response.status_code == 302
    assert list(CardHold.objects.values_list("card", flat=True)) == [buried_by_hand.pk]
    assert not CardMemory.objects.filter(user=alice, card=first).exists()


def test_an_undo_in_a_deck_studied_shows_the_card_again_in_that_deck(client, alice, card):
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)

    response = client.post(f"{URL}?deck={card.deck.slug}", {"review": review.pk})

    assert response.status_code == 302
    assert response.url == f"{reverse('review')}?card={card.pk}&deck={card.deck.slug}"
    assert client.get(response.url).context["scope"].deck_ids == {card.deck_id}


@pytest.mark.parametrize("htmx", [True, False])
def test_an_undo_in_a_deck_studied_of_another_decks_grade_is_refused(
    client, alice, card, make_deck, htmx
):
    """An Undo button of another tab (every deck's review) posted in this deck's study: the
    card would come back where it cannot show, so nothing is undone."""
    make_deck(3, slug="other")
    review = grade(alice, card, 3, at=T0)
    client.force_login(alice)

    response = client.post(
        f"{URL}?deck=other",
        {"review": review.pk, "card": card.pk},
        headers={"HX-Request": "true"} if htmx else {},
    )

    assert response.status_code == 409
    assert "is of a card of another deck than those you are studying here" in response.text
    assert "nothing was undone" in response.text
    assert ReviewLog.objects.filter(pk=review.pk).exists()
    assert CardMemory.objects.filter(user=alice, card=card).exists()
