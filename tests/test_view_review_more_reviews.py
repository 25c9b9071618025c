"""'Review N more today' on the review's end screen when the day's maximum of reviews holds
cards back (Anki's custom study "Increase today's review limit")."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from quizzes.models import LearnerSettings
from quizzes.services import reviews
from tests.studyhelpers import first_cards, remember, review_count_shown

pytestmark = pytest.mark.django_db

URL = reverse("review_more_reviews")
T0 = "2025-03-05 12:00:00Z"


@pytest.fixture
def held_back(alice, deck):
    """alice has answered her maximum of 2 reviews today; 3 more cards due wait."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="UTC",
        max_reviews_per_day=2,
    )
    cards = first_cards(deck, 5)
    with time_machine.travel(T0, tick=False):
        now = timezone.now()
        for days, card in enumerate(cards, start=1):
            remember(alice, [card], now=now, due_in=timedelta(days=-days))
        for item in reviews.review_queue(user=alice, now=now, limit=10):
            reviews.review_record(user=alice, card=item.card, rating=3, now=now, elapsed_seconds=3)
    return alice


def test_the_end_screen_offers_the_cards_held_back(client, held_back):
    client.force_login(held_back)
    with time_machine.travel(T0, tick=False):
        response = client.get(reverse("review"))
    assert "3 more cards due today wait for tomorrow" in response.text
    assert f'action="{URL}"' in response.text
    assert response.context["more_reviews_form"]["count"].value() == 3
    # Two forms on one screen, one id each.
    assert 'id="more-reviews-count"' in response.text


def test_nothing_held_back_offers_no_more_reviews(client, alice, deck):
    client.force_login(alice)
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    with time_machine.travel(T0, tick=False):
        response = client.get(reverse("review"))
    assert "more_reviews_form" not in response.context
    assert f'action="{URL}"' not in response.text


def test_it_lets_more_reviews_through_today_and_goes_back_to_the_review(client, held_back):
    client.force_login(held_back)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 0
        response = client.post(URL, {"count": "2"})
        assert response.status_code == 302
        assert response.url == reverse("review")
        page = client.get(response.url)
        assert review_count_shown(client) == 2
    assert page.context["item"] is not None
    assert (page.context["counts"].due, page.context["counts"].over_limit) == (2, 1)
    settings = LearnerSettings.objects.get(user=held_back)
    assert (settings.extra_reviews, str(settings.extra_reviews_day)) == (2, "2025-03-05")


def test_the_extra_reviews_are_for_today_only(client, held_back):
    client.force_login(held_back)
    with time_machine.travel(T0, tick=False) as traveller:
        client.post(URL, {"count": "3"})
        traveller.move_to("2025-03-06 04:00:00Z")
        # Tomorrow the 3 held back and due are two again, the daily maximum.
        counts = client.get(reverse("review")).context["counts"]
    assert (counts.due, counts.over_limit) == (2, 1)


def test_htmx_gets_the_stage_with_a_review_card(client, held_back):
    client.force_login(held_back)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"count": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "data-review-card" in response.text
    assert 'id="nav-review"' in response.text  # the navigation's count, out of band


@pytest.mark.parametrize("count", ["0", "-3", "10000", "many", "", str(2**70)])
def test_bad_input_is_a_400_with_a_message_and_changes_nothing(client, held_back, count):
    client.force_login(held_back)
    response = client.post(URL, {"count": count})
    assert response.status_code == 400
    assert "How many more reviews?" in response.text
    assert LearnerSettings.objects.get(user=held_back).extra_reviews == 0


def test_htmx_gets_the_message_in_the_error_slot(client, held_back):
    client.force_login(held_back)
    response = client.post(URL, {"count": "0"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#quiz-error"


def test_it_changes_only_the_learners_own_limit(client, bob, held_back):
    client.force_login(bob)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"count": "3"})
    assert LearnerSettings.objects.get(user=held_back).extra_reviews == 0
    assert LearnerSettings.objects.get(user=bob).extra_reviews == 3


def test_it_rejects_get(client, held_back):
    client.force_login(held_back)
    assert client.get(URL).status_code == 405


def test_a_guest_is_sent_to_log_in(client):
    response = client.post(URL, {"count": "3"})
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
