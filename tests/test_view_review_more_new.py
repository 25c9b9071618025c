"""'Learn N more new cards today' on the review's end screen (Anki's custom study)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Card, LearnerSettings
from quizzes.services import reviews
from tests.studyhelpers import question_image_missing, remember, review_count_shown

pytestmark = pytest.mark.django_db

URL = reverse("review_more_new")
T0 = "2025-03-05 12:00:00Z"


@pytest.fixture
def done_for_today(alice, deck):
    """alice has studied her 3 new cards of the day; 9 of the 12 are left."""
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=3, day_start_hour=4, time_zone="UTC"
    )
    with time_machine.travel(T0, tick=False):
        for item in reviews.review_queue(user=alice, now=timezone.now(), limit=10):
            reviews.review_record(
                user=alice, card=item.card, rating=3, now=timezone.now(), elapsed_seconds=3
            )
    return alice


def test_the_end_screen_offers_more_new_cards(client, done_for_today):
    client.force_login(done_for_today)
    with time_machine.travel(T0, tick=False):
        response = client.get(reverse("review"))
    assert "Done for now" in response.text
    assert "9 new cards ready to learn" in response.text
    assert f'action="{URL}"' in response.text
    assert response.context["more_form"]["count"].value() == 3


def unstudied_cards(user):
    return Card.objects.exclude(memories__user=user).order_by("number")


def test_the_end_screen_says_how_many_new_cards_wait_for_a_picture(client, done_for_today):
    for card in unstudied_cards(done_for_today)[:2]:
        question_image_missing(card)
    client.force_login(done_for_today)
    with time_machine.travel(T0, tick=False):
        response = client.get(reverse("review"))
    assert (
        "7 new cards ready to learn. 2 new cards wait: their question needs a picture "
        "this site does not have yet." in response.text
    )
    assert response.context["more_form"]["count"].value() == 3


def test_the_end_screen_offers_no_more_when_every_new_card_waits_for_a_picture(
    client, done_for_today
):
    for card in unstudied_cards(done_for_today):
        question_image_missing(card)
    client.force_login(done_for_today)
    with time_machine.travel(T0, tick=False):
        response = client.get(reverse("review"))
    assert "more_form" not in response.context
    assert f'action="{URL}"' not in response.text
    assert "9 new cards wait: their question needs a picture" in response.text


def test_it_adds_new_cards_for_today_and_goes_back_to_the_review(client, done_for_today):
    client.force_login(done_for_today)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"count": "4"})
        assert response.status_code == 302
        assert response.url == reverse("review")
        page = client.get(response.url)
    assert page.context["item"].is_new
    assert page.context["counts"].new == 4
    settings = LearnerSettings.objects.get(user=done_for_today)
    assert (settings.extra_new_cards, str(settings.extra_new_cards_day)) == (4, "2025-03-05")


def test_the_extra_cards_are_for_today_only(client, done_for_today):
    client.force_login(done_for_today)
    with time_machine.travel(T0, tick=False) as traveller:
        client.post(URL, {"count": "4"})
        traveller.shift(timedelta(days=1))
        assert client.get(reverse("review")).context["counts"].new == 3


def test_htmx_gets_the_stage_with_a_new_card(client, done_for_today):
    client.force_login(done_for_today)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"count": "2"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "New · Card 4 of Synthetic synthetic" in response.text


@pytest.mark.parametrize("count", ["0", "-3", "1001", "many", "", str(2**70)])
def test_bad_input_is_a_400_with_a_message_and_changes_nothing(client, done_for_today, count):
    client.force_login(done_for_today)
    response = client.post(URL, {"count": count})
    assert response.status_code == 400
    assert "How many more new cards?" in response.text
    assert LearnerSettings.objects.get(user=done_for_today).extra_new_cards == 0


def test_htmx_gets_the_message_in_the_error_slot(client, done_for_today):
    client.force_login(done_for_today)
    response = client.post(URL, {"count": "0"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#quiz-error"


def test_it_changes_only_the_learners_own_allowance(client, alice, bob, done_for_today):
    client.force_login(bob)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"count": "5"})
    assert LearnerSettings.objects.get(user=alice).extra_new_cards == 0
    assert LearnerSettings.objects.get(user=bob).extra_new_cards == 5


def test_a_guest_is_sent_to_log_in(client, deck):
    response = client.post(URL, {"count": "5"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not LearnerSettings.objects.exists()


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_the_navigation_counts_the_extra_cards_at_once(client, done_for_today):
    client.force_login(done_for_today)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 0
        client.post(URL, {"count": "4"})
        assert review_count_shown(client) == 4


def test_cards_met_in_quizzes_past_the_days_setting_do_not_eat_the_cards_asked_for(
    client, done_for_today, deck
):
    """Three new cards a day, five more met in a quiz: "Learn 4 more" gives four, not
    4 + 3 - 8 = none."""
    with time_machine.travel(T0, tick=False):
        for card in unstudied_cards(done_for_today)[:5]:
            reviews.review_record(
                user=done_for_today,
                card=card,
                rating=3,
                now=timezone.now(),
                elapsed_seconds=3,
                source=reviews.Source.QUIZ,
            )
        client.force_login(done_for_today)
        assert client.get(reverse("review")).context["counts"].new == 0

        client.post(URL, {"count": "4"})

        assert client.get(reverse("review")).context["counts"].new == 4
        assert review_count_shown(client) == 4


def end_screen_with_reviews_held_back(client, learner, *, ignore: bool):
    """Eight reviews due at five a day, the day's queue studied: the end screen."""
    reviews.settings_update(
        user=learner,
        desired_retention=0.9,
        new_cards_per_day=3,
        day_start_hour=4,
        time_zone="UTC",
        max_reviews_per_day=5,
        new_cards_ignore_review_limit=ignore,
    )
    with time_machine.travel(T0, tick=False):
        now = timezone.now()
        remember(learner, Card.objects.order_by("number")[:8], now=now)
        for item in reviews.review_queue(user=learner, now=now, limit=20):
            reviews.review_record(
                user=learner, card=item.card, rating=3, now=now, elapsed_seconds=3
            )
        client.force_login(learner)
        response = client.get(reverse("review"))
    assert "Done for now" in response.text
    return response


def test_with_reviews_held_back_new_cards_are_offered_after_them(client, alice, deck):
    """ "Learn N more new cards" beside "Review N more" brought the overdue reviews, not the
    new cards asked for."""
    response = end_screen_with_reviews_held_back(client, alice, ignore=False)

    assert f'action="{URL}"' not in response.text
    assert f'action="{reverse("review_more_reviews")}"' in response.text
    assert "4 new cards ready to learn come after the reviews your maximum holds back" in (
        response.text
    )


def test_new_cards_ignoring_the_maximum_are_offered_beside_reviews_held_back(client, alice, deck):
    response = end_screen_with_reviews_held_back(client, alice, ignore=True)

    assert f'action="{URL}"' in response.text


def test_more_new_cards_in_a_deck_studied_are_that_decks(client, done_for_today, make_deck):
    other = make_deck(5, slug="other")
    client.force_login(done_for_today)
    with time_machine.travel(T0, tick=False):
        end = client.get(reverse("review"), {"deck": "other"})
        response = client.post(f"{URL}?deck=other", {"count": "2"})
        page = client.get(response.url)
    # The day's 3 new cards were met in the first deck: none left for this one either.
    assert "5 new cards ready to learn" in end.text
    assert f'action="{URL}?deck=other"' in end.text
    assert response.url == f"{reverse('review')}?deck=other"
    assert page.context["item"].card.deck == other
    assert page.context["counts"].new == 2
