from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from quizzes.models import CardMemory
from quizzes.services import reviews
from tests.studyhelpers import first_cards, remember

pytestmark = pytest.mark.django_db

URL = reverse("study_progress")
T0 = "2025-03-05 12:00:00Z"


def test_it_draws_four_charts_each_with_a_table(client, alice, deck):
    with time_machine.travel(T0, tick=False):
        remember(alice, first_cards(deck, 4), now=timezone.now(), due_in=timedelta(days=2))
        client.force_login(alice)
        response = client.get(URL)
    assert response.status_code == 200
    assert response.text.count('role="img"') == 4
    assert response.text.count("<desc id=") == 4
    assert response.text.count('class="data-table') == 4
    figures = response.context["figures"]
    assert figures.forecast[2] == ("+2", 4)
    assert figures.states == [
        ("New", 8),
        ("Learning", 0),
        ("Review", 4),
        ("Relearning", 0),
        ("Suspended", 0),
        ("Buried", 0),
    ]
    assert "4 reviews in the last year" in response.text


def test_a_suspended_leech_is_not_forecast(client, alice, deck):
    with time_machine.travel(T0, tick=False):
        cards = first_cards(deck, 4)
        remember(alice, cards, now=timezone.now(), due_in=timedelta(days=2))
        CardMemory.objects.filter(user=alice, card=cards[0]).update(suspended=True)
        client.force_login(alice)
        figures = client.get(URL).context["figures"]
    assert figures.forecast[2] == ("+2", 3)


def test_a_card_suspended_or_buried_by_hand_is_not_forecast(client, alice, deck):
    with time_machine.travel(T0, tick=False):
        cards = first_cards(deck, 4)
        remember(alice, cards, now=timezone.now(), due_in=timedelta(days=2))
        client.force_login(alice)
        client.post(reverse("review_suspend"), {"card": cards[0].pk})
        client.post(reverse("review_bury"), {"card": cards[1].pk})
        figures = client.get(URL).context["figures"]
    assert figures.forecast[2] == ("+2", 2)


def test_held_cards_are_counted_apart_from_their_state(client, alice, deck):
    """As Anki's card counts: a suspended or buried card, new or studied, is counted as
    such and not among the new or review cards (a leech among the suspended)."""
    with time_machine.travel(T0, tick=False):
        cards = first_cards(deck, 8)
        remember(alice, cards[:4], now=timezone.now(), due_in=timedelta(days=2))
        CardMemory.objects.filter(user=alice, card=cards[0]).update(suspended=True)
        client.force_login(alice)
        client.post(reverse("review_suspend"), {"card": cards[1].pk})
        client.post(reverse("review_bury"), {"card": cards[2].pk})
        client.post(reverse("review_suspend"), {"card": cards[4].pk})
        client.post(reverse("review_bury"), {"card": cards[5].pk})
        client.post(reverse("review_bury"), {"card": cards[6].pk})
        client.post(reverse("review_suspend"), {"card": cards[6].pk})  # buried and suspended
        response = client.get(URL)
    assert response.context["figures"].states == [
        ("New", 5),
        ("Learning", 0),
        ("Review", 1),
        ("Relearning", 0),
        ("Suspended", 4),
        ("Buried", 2),
    ]
    assert "Suspended: 4, Buried: 2." in response.text
    with time_machine.travel("2025-03-06 04:00:00Z", tick=False):
        states = client.get(URL).context["figures"].states
    assert states[0] == ("New", 6) and states[2] == ("Review", 2)  # unburied at the day's start
    assert states[4:] == [("Suspended", 4), ("Buried", 0)]


def test_a_forget_is_not_counted_as_a_review(client, alice, deck):
    with time_machine.travel(T0, tick=False):
        cards = first_cards(deck, 2)
        remember(alice, cards, now=timezone.now(), reviews=1)
        client.force_login(alice)
        client.post(reverse("review_forget"), {"card": cards[0].pk})
        response = client.get(URL)
    figures = response.context["figures"]
    assert figures.review_total == 2
    assert figures.days_studied == 1
    assert figures.states[0] == ("New", 11)


def test_reviews_of_a_card_deleted_since_are_still_counted(client, alice, deck):
    """As Anki keeps its review log when a card is deleted: the learner's days studied,
    streak and true retention keep the answers they gave."""
    with time_machine.travel(T0, tick=False):
        cards = list(first_cards(deck, 2))
        remember(alice, cards, now=timezone.now(), reviews=3)
        cards[0].delete()  # by staff, in the admin
        client.force_login(alice)
        response = client.get(URL)
    figures = response.context["figures"]
    assert figures.review_total == 6
    assert figures.days_studied == 3
    assert sum(week.reviews for week in figures.retention_weeks) == 4
    assert figures.states[2] == ("Review", 1)  # its memory went with it


def test_true_retention_counts_only_reviews_of_learned_cards(client, alice, deck):
    card = first_cards(deck, 1)[0]
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=20,
        day_start_hour=4,
        time_zone="UTC",
        learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
    )
    with time_machine.travel(T0, tick=False) as traveller:
        now = timezone.now()
        reviews.review_record(user=alice, card=card, rating=3, now=now, elapsed_seconds=4)
        later = now + timedelta(minutes=10)
        reviews.review_record(user=alice, card=card, rating=3, now=later, elapsed_seconds=4)
        due = reviews.memory_state(user=alice, card=card, now=later).due
        reviews.review_record(user=alice, card=card, rating=1, now=due, elapsed_seconds=4)
        traveller.move_to(due + timedelta(hours=1))
        client.force_login(alice)
        figures = client.get(URL).context["figures"]
    learned = [week for week in figures.retention_weeks if week.reviews]
    assert [(week.reviews, week.passed) for week in learned] == [(1, 0)]
    assert figures.overall_retention == 0


def test_reviews_are_counted_on_the_learners_study_day(client, alice, deck):
    card = first_cards(deck, 1)[0]
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=20,
        day_start_hour=4,
        time_zone="America/New_York",
    )
    # 02:30 in New York on 6 March: before 4 am, so it counts for 5 March.
    with time_machine.travel("2025-03-06 07:30:00Z", tick=False):
        reviews.review_record(
            user=alice, card=card, rating=3, now=timezone.now(), elapsed_seconds=4
        )
        client.force_login(alice)
        figures = client.get(URL).context["figures"]
    assert list(figures.reviews_per_day.items()) == [(figures.today, 1)]
    assert str(figures.today) == "2025-03-05"


def test_it_shows_only_the_learners_own_figures(client, alice, bob, deck):
    with time_machine.travel(T0, tick=False):
        remember(bob, first_cards(deck, 4), now=timezone.now())
        client.force_login(alice)
        response = client.get(URL)
    assert response.context["figures"].review_total == 0
    assert "No reviews yet." in response.text
    assert "No learned card reviewed yet." in response.text


@pytest.mark.parametrize("reviewed", [10, 1000])
def test_it_runs_the_same_queries_for_10_or_1000_reviewed_cards(
    client, alice, make_deck, django_assert_num_queries, reviewed
):
    deck = make_deck(reviewed, slug=f"d{reviewed}")
    with time_machine.travel(T0, tick=False):
        remember(alice, first_cards(deck, reviewed), now=timezone.now(), reviews=3)
        client.force_login(alice)
        # The decks' card count once, then cached; the learner's settings from the cache;
        # the held new cards, which have no memory to count them by; the navigation's
        # counts with the day's review-page answers in one query (d1c9f6b).
        with django_assert_num_queries(9):
            response = client.get(URL)
    assert response.context["figures"].review_total == 3 * reviewed


def test_a_guest_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_it_rejects_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405


def test_after_midnight_before_the_day_starts_the_forecast_says_until_when_not_today(
    client, alice, deck
):
    # At 2 am on Wednesday the study day under way is still Tuesday's: "Today 0" above
    # "Wed 5 Mar 4" read as two names for one day.
    with time_machine.travel("2025-03-05 02:00:00Z", tick=False):
        remember(alice, first_cards(deck, 4), now=timezone.now(), due_in=timedelta(hours=3))
        client.force_login(alice)
        late = client.get(URL)
    with time_machine.travel(T0, tick=False):
        midday = client.get(URL)

    assert late.context["figures"].forecast[:2] == [("Until 4:00", 0), ("+1", 4)]
    assert '<time datetime="2025-03-04">Until 4:00</time>' in late.text
    assert '<time datetime="2025-03-05">Wed 5 Mar</time>' in late.text
    assert '<time datetime="2025-03-05">Today</time>' in midday.text


@pytest.mark.parametrize(
    ("reviewed_at", "study_day"),
    [
        # 04:30 on the Sunday the clocks go forward (2 am to 3 am): Sunday's study day, not
        # Saturday's, though 4 hours before it was Saturday 23:30.
        ("2025-03-30 02:30:00Z", "2025-03-30"),
        # 03:30 on the Sunday the clocks go back (3 am to 2 am): before 4 am, so Saturday's,
        # though 4 hours before it was Sunday 00:30.
        ("2025-10-26 02:30:00Z", "2025-10-25"),
    ],
)
def test_a_review_near_a_daylight_saving_change_counts_on_its_study_day(
    client, alice, deck, reviewed_at, study_day
):
    card = first_cards(deck, 1)[0]
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=20,
        day_start_hour=4,
        time_zone="Europe/Berlin",
    )
    with time_machine.travel(reviewed_at, tick=False):
        reviews.review_record(
            user=alice, card=card, rating=3, now=timezone.now(), elapsed_seconds=4
        )
        client.force_login(alice)
        figures = client.get(URL).context["figures"]
    assert str(figures.today) == study_day
    assert list(figures.reviews_per_day.items()) == [(figures.today, 1)]

    # Seen a week before, the card due then is forecast for that study day.
    CardMemory.objects.filter(user=alice, card=card).update(due=reviewed_at)
    with time_machine.travel(datetime.fromisoformat(reviewed_at) - timedelta(days=7)):
        forecast = client.get(URL).context["figures"].forecast_days
    assert [str(day) for day, n in forecast if n] == [study_day]


def _review_on(user, card, moment):
    reviews.review_record(user=user, card=card, rating=3, now=moment, elapsed_seconds=4)


def test_it_counts_the_days_studied_and_the_streak_in_study_days(client, alice, deck):
    """Anki's "days studied", and the streak its heatmap shows: study days in a row with a
    review, up to today, or up to yesterday while today has none yet. A review at 1 am
    counts for the evening before, so it keeps the streak."""
    cards = first_cards(deck, 5)
    noon = datetime.fromisoformat("2025-03-05 12:00:00+00:00")
    _review_on(alice, cards[0], noon - timedelta(days=6))  # Thursday: alone
    _review_on(alice, cards[1], noon - timedelta(days=3))  # Sunday
    _review_on(alice, cards[2], noon - timedelta(days=2) + timedelta(hours=13))  # Tue 1 am: Mon
    _review_on(alice, cards[3], noon - timedelta(days=1))  # Tuesday
    client.force_login(alice)
    with time_machine.travel(noon, tick=False):
        morning = client.get(URL)
        _review_on(alice, cards[4], noon)
        later = client.get(URL)

    assert (morning.context["figures"].days_studied, morning.context["figures"].streak) == (4, 3)
    assert (later.context["figures"].days_studied, later.context["figures"].streak) == (5, 4)
    assert "5 reviews in the last year on 5 days." in later.text
    assert "3 days in a row up to yesterday." in morning.text
    assert "4 days in a row up to today." in later.text


def test_a_second_answer_the_same_day_to_a_learned_card_counts_as_in_anki(client, alice, deck):
    """Anki counts a review before its due day (its log's kind "Filtered", the last
    interval a day or more: rslib/src/stats/graphs/retention.rs) as a review of a learned
    card: so does a quiz answer the day the review card was last reviewed."""
    card = first_cards(deck, 1)[0]
    with time_machine.travel(T0, tick=False) as traveller:
        now = timezone.now()
        reviews.review_record(user=alice, card=card, rating=3, now=now, elapsed_seconds=4)
        due = reviews.memory_state(user=alice, card=card, now=now).due
        reviews.review_record(user=alice, card=card, rating=3, now=due, elapsed_seconds=4)
        again = due + timedelta(hours=1)
        reviews.review_record(
            user=alice, card=card, rating=1, now=again, elapsed_seconds=4, source="quiz"
        )
        traveller.move_to(again + timedelta(hours=1))
        client.force_login(alice)
        figures = client.get(URL).context["figures"]
    assert sum(week.reviews for week in figures.retention_weeks) == 2
    assert sum(week.passed for week in figures.retention_weeks) == 1
