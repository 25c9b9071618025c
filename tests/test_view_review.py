from datetime import datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from quizzes import scheduling
from quizzes.models import Card
from quizzes.services import card_holds, reviews
from quizzes.services import decks as deck_services
from tests.studyhelpers import (
    anki_decks,
    first_cards,
    question_image_missing,
    remember,
    review_count_shown,
)

pytestmark = pytest.mark.django_db

URL = reverse("review")
T0 = "2025-03-05 12:00:00Z"


def test_it_shows_the_first_new_card_with_the_answer_folded_and_four_grades(client, alice, deck):
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    first = Card.objects.get(deck=deck, number=1)
    assert response.context["item"].card == first
    assert "Question 1 about" in response.text
    assert '<details class="review-answer"' in response.text
    for grade in ("Again", "Hard", "Good", "Easy"):
        assert f'<span class="grade-name">{grade}</span>' in response.text
    # No learning steps by default: FSRS's first intervals, Again a day, Good two.
    labels = [option.interval_label for option in response.context["options"]]
    assert labels[:3] == ["1 d", "1 d", "2 d"]
    assert "<strong>12</strong> new" in response.text


@pytest.mark.parametrize("who", ["editor", "alice"])
def test_staff_who_edit_cards_are_offered_to_edit_the_card_and_come_back_to_it(
    client, deck, editor, alice, who
):
    """Anki's E in the reviewer; learners are not offered it (nor asked their permissions)."""
    client.force_login(editor if who == "editor" else alice)

    page = BeautifulSoup(client.get(URL).text, "html.parser")

    edit = page.select_one("[data-review-card-actions] a[data-edit-key]")
    if who == "alice":
        assert edit is None
        return
    first = Card.objects.get(deck=deck, number=1)
    back = f"{URL}?card={first.pk}".replace("/", "%2F").replace("?", "%3F").replace("=", "%3D")
    assert edit["href"] == f"{reverse('admin:quizzes_card_change', args=[first.pk])}?next={back}"
    assert edit.get_text() == "Edit card 1"


def test_due_cards_come_before_new_ones(client, alice, deck):
    with time_machine.travel(T0, tick=False):
        remember(alice, first_cards(deck, 3), now=timezone.now())
        client.force_login(alice)
        response = client.get(URL)
    assert response.context["item"].memory is not None
    assert "<strong>3</strong> to review" in response.text


def test_a_due_card_whose_question_image_is_missing_says_its_picture_is_missing(
    client, alice, deck
):
    card = first_cards(deck, 1)[0]
    with time_machine.travel(T0, tick=False):
        remember(alice, [card], now=timezone.now())
        question_image_missing(card)
        client.force_login(alice)
        response = client.get(URL)
    assert response.context["item"].card == card
    assert "This question needs a picture this site does not have yet." in response.text
    assert 'Image not cached (Screenshot: <span class="image-missing-words">card' in response.text


def test_a_card_whose_question_shows_whole_says_nothing_of_a_picture(client, alice, deck):
    client.force_login(alice)
    response = client.get(URL)
    assert "data-question-image-missing" not in response.text


def test_a_new_card_whose_question_image_is_missing_is_not_shown(client, alice, deck):
    first, second = first_cards(deck, 2)
    question_image_missing(first)
    client.force_login(alice)
    response = client.get(URL)
    assert response.context["item"].card == second
    assert "<strong>11</strong> new" in response.text


def test_htmx_gets_only_the_stage(client, alice, deck):
    client.force_login(alice)
    response = client.get(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "data-review-card" in response.text
    assert "<title>Review (12) · quizsite</title>" in response.text


def test_when_nothing_is_left_it_says_when_the_next_card_is_due(client, alice, deck):
    with time_machine.travel(T0, tick=False):
        remember(
            alice, Card.objects.filter(deck=deck), now=timezone.now(), due_in=timedelta(days=3)
        )
        client.force_login(alice)
        response = client.get(URL)
    assert "Done for now" in response.text
    assert "The next card is due" in response.text
    assert response.context["item"] is None


@pytest.mark.parametrize(
    ("now", "said"),
    [
        ("2025-03-05 21:00:00Z", "The next card is due tomorrow."),
        # Five minutes before the study day starts, "tomorrow" would read as after a night.
        ("2025-03-06 03:55:00Z", "The next card is due when your next study day starts, in 5"),
    ],
)
def test_the_end_screen_says_when_a_study_day_starting_soon_starts(client, alice, deck, now, said):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    # Due on the study day of 6 March, from 4 am on.
    due = datetime.fromisoformat("2025-03-06 10:00:00Z")
    remember(alice, Card.objects.filter(deck=deck), now=due, due_in=timedelta(0))
    client.force_login(alice)
    with time_machine.travel(now, tick=False):
        response = client.get(URL)
    assert response.context["item"] is None
    done = BeautifulSoup(response.text, "html.parser").select_one("[data-review-done]")
    assert said in " ".join(done.get_text().split())


@pytest.mark.parametrize(
    ("grade", "said"),
    [
        (scheduling.Grade.AGAIN, "The next card is due tomorrow."),  # 1 d
        (scheduling.Grade.GOOD, "The next card is due in 2 days, on Friday 7 March."),  # 2 d
    ],
)
def test_the_end_screen_counts_the_days_to_the_next_card_as_its_grade_did(
    client, alice, deck, grade, said
):
    """Due "2 d" from 1 pm, the card is there from 4 am two days on: not "1 day, 23 hours
    from now" (the page is read a little after the grade)."""
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=1, day_start_hour=4, time_zone="UTC"
    )
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        card = client.get(URL).context["item"].card
        reviews.review_record(
            user=alice, card=card, rating=grade, now=timezone.now(), elapsed_seconds=3
        )
        traveller.shift(timedelta(minutes=1))
        response = client.get(URL)
    done = BeautifulSoup(response.text, "html.parser").select_one("[data-review-done]")
    assert said in " ".join(done.get_text().split())


def test_a_learning_step_on_the_end_screen_is_due_in_minutes_and_shows_by_itself(
    client, alice, deck
):
    """As Anki's end screen: a card whose step comes up while it shows is shown then,
    without a reload. The screen asks for the review again 40 minutes and a second later
    (the step's hour, 20 minutes ahead, as the queue takes it), and by then the answer is
    the card."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=1,
        day_start_hour=4,
        time_zone="UTC",
        learning_steps=(timedelta(hours=1),),
    )
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        card = client.get(URL).context["item"].card
        reviews.review_record(
            user=alice, card=card, rating=1, now=timezone.now(), elapsed_seconds=3
        )
        response = client.get(URL)
        done = BeautifulSoup(response.text, "html.parser").select_one("[data-review-done]")
        assert "The next card is due in 40\xa0minutes." in done.get_text()
        again = done.select_one("[data-review-comes-back]")
        assert again["hx-get"] == URL
        assert again["hx-trigger"] == "load delay:2401s"
        assert again["hx-target"] == "#review-stage"
        traveller.shift(timedelta(minutes=40, seconds=1))
        response = client.get(URL, headers={"HX-Request": "true"})
    assert f"Learning · Card {card.number} of {card.deck.name}" in response.text
    assert "data-review-comes-back" not in response.text


def test_the_end_screen_does_not_ask_again_for_a_card_due_another_day(client, alice, deck):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=1, day_start_hour=4, time_zone="UTC"
    )
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        card = client.get(URL).context["item"].card
        reviews.review_record(
            user=alice, card=card, rating=1, now=timezone.now(), elapsed_seconds=3
        )
        response = client.get(URL)
    assert response.context["next_due"].days == 1
    assert "data-review-comes-back" not in response.text


def test_a_card_asked_for_by_id_is_shown_out_of_order(client, alice, deck):
    card = Card.objects.get(deck=deck, number=7)
    client.force_login(alice)
    response = client.get(URL, {"card": card.pk})
    assert response.context["item"].card == card


# More than 4,300 digits: Python's int() refuses them (it was a 500).
@pytest.mark.parametrize("value", ["0", "999999", "x", "-1", str(2**70), "²", "9" * 5_000])
def test_an_unknown_card_id_is_not_found(client, alice, deck, value):
    client.force_login(alice)
    assert client.get(URL, {"card": value}).status_code == 404


def test_a_guest_is_sent_to_log_in(client, deck):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_rejects_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405


def test_another_learners_memory_does_not_show(client, alice, bob, deck):
    with time_machine.travel(T0, tick=False):
        remember(bob, first_cards(deck, 5), now=timezone.now())
        client.force_login(alice)
        response = client.get(URL)
    assert "<strong>0</strong> to review" in response.text
    assert response.context["item"].memory is None


@pytest.mark.parametrize("reviewed", [10, 1000])
def test_the_page_runs_the_same_queries_for_10_or_1000_reviewed_cards(
    client, alice, make_deck, django_assert_num_queries, reviewed
):
    deck = make_deck(reviewed + 5, slug=f"d{reviewed}")
    with time_machine.travel(T0, tick=False):
        remember(alice, first_cards(deck, reviewed), now=timezone.now(), reviews=2)
        client.force_login(alice)
        client.get(URL)  # the user, the learner's settings and the counts are kept after this
        # 10: the learner's latest bury or suspend, for Undo, is one of them, their flag on
        # the card another, and the cards due on the days its grade buttons' ranges cover
        # (the load balancer's count) another.
        with django_assert_num_queries(10):
            response = client.get(URL)
    assert response.context["counts"].due == min(reviewed, 200)  # 200 reviews a day at most


def test_the_navigation_counts_what_is_due(client, alice, deck):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert "Review (12)<" in response.text
    assert '<span class="visually-hidden">: 0 due, 12 new</span>' in response.text
    counts = reviews.review_counts(user=alice, now=timezone.now())
    assert counts.total == 12


def test_the_navigation_leaves_out_new_cards_waiting_for_an_image(client, alice, deck):
    question_image_missing(first_cards(deck, 1)[0])
    client.force_login(alice)
    assert review_count_shown(client) == 11


def test_the_new_card_allowance_returns_when_the_learners_day_starts(client, alice, deck):
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=2,
        day_start_hour=4,
        time_zone="Australia/Sydney",
    )
    client.force_login(alice)
    # 22:00 in Sydney (UTC+11): two new cards, both answered Easy.
    with time_machine.travel("2025-03-05 11:00:00Z", tick=False) as traveller:
        for _ in range(2):
            card = client.get(URL).context["item"].card
            reviews.review_record(
                user=alice, card=card, rating=4, now=timezone.now(), elapsed_seconds=3
            )
        assert "Review (0)<" in client.get(reverse("home")).text
        traveller.move_to("2025-03-05 16:59:00Z")  # 03:59 in Sydney: still the same day
        assert "Review (0)<" in client.get(reverse("home")).text
        traveller.move_to("2025-03-05 17:00:00Z")  # 04:00: a new study day
        assert "Review (2)<" in client.get(reverse("home")).text


def test_a_study_day_starting_in_an_hour_the_clocks_skip_counts_from_when_they_skip_it(
    client, alice, deck
):
    """Troll's clocks go from 01:00 (UTC) to 03:00 (UTC+2) on 30 March 2025: a study day
    starting at 2 am starts then, and the new cards studied in its first hour count for it."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=2,
        day_start_hour=2,
        time_zone="Antarctica/Troll",
    )
    client.force_login(alice)
    # 03:00 in Troll, the clocks just gone forward: the study day of the 30th.
    with time_machine.travel("2025-03-30 01:00:00Z", tick=False) as traveller:
        for _ in range(2):
            card = client.get(URL).context["item"].card
            reviews.review_record(
                user=alice, card=card, rating=4, now=timezone.now(), elapsed_seconds=3
            )
        traveller.move_to("2025-03-30 01:59:00Z")  # 03:59: the same day
        assert "Review (0)<" in client.get(reverse("home")).text
        traveller.move_to("2025-03-31 00:00:00Z")  # 02:00 on the 31st: the next
        assert "Review (2)<" in client.get(reverse("home")).text


def test_a_learning_card_the_page_shows_ahead_of_its_minute_is_counted(client, alice, deck):
    """As Anki's learn-ahead limit: once nothing else is left, a learning step due within 20
    minutes is shown, and "Review (N)" and the page's count say so instead of 0."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=1,
        day_start_hour=4,
        time_zone="UTC",
        learning_steps=(timedelta(minutes=30),),
    )
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        card = client.get(URL).context["item"].card
        reviews.review_record(
            user=alice, card=card, rating=1, now=timezone.now(), elapsed_seconds=3
        )
        assert review_count_shown(client) == 0  # due in 30 minutes: not yet
        assert client.get(URL).context["item"] is None
        traveller.shift(timedelta(minutes=11))  # due in 19 minutes: shown, and counted
        response = client.get(URL)
        assert response.context["item"].card == card
        assert response.context["counts"].due == 1
        assert review_count_shown(client) == 1


def test_the_end_screen_says_the_time_studied_today_as_ankis_does(client, alice, deck):
    """Anki's "Studied 2 cards in 1.5 minutes today (45s/card)": each answer's time as the
    server measured it, capped at a minute, quiz answers too."""
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=2, day_start_hour=4, time_zone="UTC"
    )
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        for seconds in (30, 75):  # the second is counted as a minute
            response = client.get(URL)
            traveller.shift(timedelta(seconds=seconds))
            client.post(
                reverse("review_answer"),
                {
                    "card": response.context["item"].card.pk,
                    "grade": 3,
                    "shown": response.context["shown"],
                },
            )
        response = client.get(URL)

    done = BeautifulSoup(response.text, "html.parser").select_one("[data-review-done] h1 + p")
    assert " ".join(done.get_text().split()).startswith(
        "You answered 2 cards today in 1.5 minutes (45 s a card)."
    )


def test_the_counts_are_ankis_three_new_learning_and_review(client, alice, deck):
    """As Anki's reviewer counts them: new, then the cards in learning (a lapse in its
    relearning step), then the reviews due; the learning one was counted among the
    reviews."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=5,
        day_start_hour=4,
        time_zone="UTC",
        relearning_steps=(timedelta(minutes=10),),
    )
    with time_machine.travel(T0, tick=False) as traveller:
        lapsed, *_due = first_cards(deck, 3)
        remember(alice, first_cards(deck, 3), now=timezone.now())
        reviews.review_record(
            user=alice, card=lapsed, rating=1, now=timezone.now(), elapsed_seconds=3
        )
        traveller.shift(timedelta(minutes=10))
        client.force_login(alice)
        response = client.get(URL)

    counts = response.context["counts"]
    assert (counts.new, counts.learning, counts.reviews, counts.total) == (5, 1, 2, 8)
    shown = BeautifulSoup(response.text, "html.parser").select_one("[data-review-counts]")
    assert " ".join(shown.get_text(" ").split()) == "5 new 1 learning 2 to review"
    assert [span["class"] for span in shown.select("span")] == [
        ["count-new"],
        ["count-learning"],
        ["count-due"],
    ]


def test_review_cards_past_the_days_maximum_wait_for_the_next_day(client, alice, deck):
    """Anki's "Maximum reviews/day": the most overdue first, the rest tomorrow; the
    navigation counts what the page will show and the end screen says how many wait."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="UTC",
        max_reviews_per_day=2,
    )
    a, b, c = first_cards(deck, 3)
    with time_machine.travel(T0, tick=False) as traveller:
        remember(alice, [a], now=timezone.now(), due_in=timedelta(days=-3))
        remember(alice, [b], now=timezone.now(), due_in=timedelta(days=-2))
        remember(alice, [c], now=timezone.now(), due_in=timedelta(days=-1))
        client.force_login(alice)
        assert review_count_shown(client) == 2
        shown = []
        for _ in range(2):
            response = client.get(URL)
            shown.append(response.context["item"].card)
            client.post(
                reverse("review_answer"),
                {"card": shown[-1].pk, "grade": 3, "shown": response.context["shown"]},
            )
        assert shown == [a, b]
        response = client.get(URL)
        assert response.context["item"] is None
        done = BeautifulSoup(response.text, "html.parser").select_one("[data-review-done]")
        assert " ".join(done.select_one("h1 + p").get_text().split()) == (
            "You answered 2 cards today in less than a minute (0 s a card). The next card is"
            " due tomorrow."
        )
        assert " ".join(done.select_one("[data-review-over-limit]").get_text().split()) == (
            "1 more card due today waits for tomorrow: that is your maximum of 2 reviews a day"
            " (settings)."
        )
        assert review_count_shown(client) == 0
        traveller.move_to("2025-03-06 04:00:00Z")
        assert client.get(URL).context["item"].card == c
        assert review_count_shown(client) == 1


def test_new_cards_held_back_by_the_days_maximum_are_said_and_can_be_reviewed(client, alice, deck):
    """Anki's v3 scheduler: new cards count towards the maximum of reviews. The end screen
    says how many wait, and "Review N more today" brings them."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=3,
        day_start_hour=4,
        time_zone="UTC",
        max_reviews_per_day=1,
    )
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 1
        shown = client.get(URL).context
        client.post(
            reverse("review_answer"),
            {"card": shown["item"].card.pk, "grade": 3, "shown": shown["shown"]},
        )
        response = client.get(URL)
        assert response.context["item"] is None
        done = BeautifulSoup(response.text, "html.parser").select_one("[data-review-done]")
        assert done.select_one("[data-review-over-limit]") is None
        assert " ".join(done.select_one("[data-review-new-over-limit]").get_text().split()) == (
            "2 new cards left for today wait: new cards count towards your maximum of 1"
            " review a day, as in Anki (settings)."
        )
        assert done.select_one("#more-reviews-count")["value"] == "2"
        client.post(reverse("review_more_reviews"), {"count": 2})
        assert review_count_shown(client) == 2
        assert client.get(URL).context["item"].is_new


def test_a_card_on_a_relearning_step_says_so_in_its_heading(client, alice, deck):
    """As Anki tells a card forgotten (relearning) from a review, not "Review" for both."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="UTC",
        relearning_steps=(timedelta(minutes=10),),
    )
    card = first_cards(deck, 1)[0]
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        remember(alice, [card], now=timezone.now())
        assert "Review · Card 1 of Synthetic synthetic" in client.get(URL).text
        reviews.review_record(
            user=alice, card=card, rating=1, now=timezone.now(), elapsed_seconds=3
        )
        traveller.shift(timedelta(minutes=10))
        assert "Relearning · Card 1 of Synthetic synthetic" in client.get(URL).text


# --- One deck, or a branch of decks (Anki's deck list, a deck clicked) ----------------------


def _medicine_and_languages(*, two_due_of_each_for=None):
    """Cardiology under Medicine, Drugs under it, Languages apart; no deck named Medicine.
    With a learner, two cards of each deck due for them (at the time it is then)."""
    decks = anki_decks(
        {"Medicine::Cardiology": 3, "Medicine::Cardiology::Drugs": 2, "Languages": 4}
    )
    if two_due_of_each_for is not None:
        for deck in decks.values():
            remember(two_due_of_each_for, first_cards(deck, 2), now=timezone.now())
    return decks


def test_studying_a_deck_shows_its_cards_and_its_subdecks_only(client, alice):
    with time_machine.travel(T0, tick=False):
        _medicine_and_languages(two_due_of_each_for=alice)
        client.force_login(alice)
        shown = set()
        response = client.get(URL, {"deck": "medicine-cardiology"})
        for _ in range(6):
            item = response.context["item"]
            if item is None:
                break
            shown.add(item.card.deck.name)
            reviews.review_record(
                user=alice, card=item.card, rating=3, now=timezone.now(), elapsed_seconds=3
            )
            response = client.get(URL, {"deck": "medicine-cardiology"})
    assert shown == {"Medicine::Cardiology", "Medicine::Cardiology::Drugs"}
    # Its new cards came after its reviews: 3 + 2 cards in all, Languages' none.
    assert response.context["item"] is None


def test_a_deck_studied_counts_its_own_cards_and_the_navigation_every_decks(client, alice):
    with time_machine.travel(T0, tick=False):
        _medicine_and_languages(two_due_of_each_for=alice)
        client.force_login(alice)
        response = client.get(URL, {"deck": "medicine-cardiology-drugs"})
    counts = response.context["counts"]
    assert (counts.new, counts.learning, counts.reviews) == (0, 0, 2)
    assert "<strong>2</strong> to review" in response.text
    assert "Review (9)<" in response.text  # 6 due and 3 new, in every deck
    scope = BeautifulSoup(response.text, "html.parser").select_one("[data-review-scope]")
    assert scope.strong.get_text() == "Medicine::Cardiology::Drugs"
    assert scope.a["href"] == URL
    assert "<title>Review Medicine::Cardiology::Drugs (2)" in response.text


def test_a_decks_own_cards_are_studied_without_its_subdecks(client, alice):
    with time_machine.travel(T0, tick=False):
        decks = _medicine_and_languages(two_due_of_each_for=alice)
        client.force_login(alice)
        response = client.get(URL, {"own": "medicine-cardiology"})
        counts = response.context["counts"]
        # Cardiology's 2 due and 1 new; Drugs' 2 due stay out.
        assert (counts.new, counts.learning, counts.reviews) == (1, 0, 2)
        scope = BeautifulSoup(response.text, "html.parser").select_one("[data-review-scope]")
        assert scope.strong.get_text() == "Medicine::Cardiology (its own cards)"
        # Its forms come back to the deck's own cards.
        grade = BeautifulSoup(response.text, "html.parser").select_one("form.grade-form")
        assert grade["action"] == reverse("review_answer") + "?own=medicine-cardiology"
        for _ in range(3):
            item = response.context["item"]
            assert item.card.deck == decks["Medicine::Cardiology"]
            reviews.review_record(
                user=alice, card=item.card, rating=3, now=timezone.now(), elapsed_seconds=3
            )
            response = client.get(URL, {"own": "medicine-cardiology"})
    assert response.context["item"] is None
    heading = BeautifulSoup(response.text, "html.parser").select_one("[data-review-done] h1")
    assert heading.get_text() == "Medicine::Cardiology (its own cards): done for now"
    assert response.context["other_decks_total"] == 6  # Drugs' 2 and Languages' 4


def test_a_branch_with_no_deck_of_its_own_is_studied_by_its_path(client, alice):
    decks = _medicine_and_languages()
    client.force_login(alice)

    response = client.get(URL, {"branch": "Medicine"})

    assert response.status_code == 200
    assert response.context["item"].card.deck == decks["Medicine::Cardiology"]
    assert response.context["counts"].new == 5
    # Parts trimmed as the tree trims them.
    assert client.get(URL, {"branch": " Medicine :: Cardiology "}).context["counts"].new == 5
    # Whatever their case, as Anki reads a deck's name.
    assert client.get(URL, {"branch": "medicine::CARDIOLOGY"}).context["counts"].new == 5


def test_branches_kept_by_the_release_before_do_not_hide_a_branchs_study(client, alice):
    """The release before kept the tree's branches by their names as written, "Medicine";
    read back after a deploy, a branch looked for by its name's key found none."""
    from django.core.cache import cache

    from quizzes import caching

    decks = _medicine_and_languages()
    former = deck_services.TreeScopes(
        of_deck={}, of_branch={("Medicine",): frozenset(deck.pk for deck in decks.values())}
    )
    cache.set(caching._deck_key("home:tree-scopes"), former)
    cache.set("deck-pages:latest:home:tree-scopes", former)
    client.force_login(alice)

    assert client.get(URL, {"branch": "Medicine"}).status_code == 200


def test_a_deck_renamed_is_still_studied_by_its_former_address(client, alice):
    deck = _medicine_and_languages()["Languages"]
    deck.slug = "tongues"
    deck.save()
    deck_services.deck_slug_changed(deck=deck, old_slug="languages")
    client.force_login(alice)

    response = client.get(URL, {"deck": "languages"})

    assert response.status_code == 200
    assert response.context["item"].card.deck == deck


@pytest.mark.parametrize(
    ("first", "second"),
    [("Biology", "Biology"), ("Biology::Cell", "Biology :: Cell")],
)
def test_studying_one_of_two_decks_of_the_same_name_takes_that_decks_cards_only(
    client, alice, make_deck, first, second
):
    one, other = make_deck(2, slug="bio-one"), make_deck(2, slug="bio-other")
    one.name, other.name = first, second
    one.save()
    other.save()
    with time_machine.travel(T0, tick=False):
        remember(alice, Card.objects.filter(deck=other), now=timezone.now())
        client.force_login(alice)
        one_studied = client.get(URL, {"deck": "bio-one"})
        other_studied = client.get(URL, {"deck": "bio-other"})
    counts = one_studied.context["counts"]
    assert (counts.new, counts.learning, counts.reviews) == (2, 0, 0)
    assert one_studied.context["item"].card.deck == one
    counts = other_studied.context["counts"]
    assert (counts.new, counts.learning, counts.reviews) == (0, 0, 2)
    assert other_studied.context["item"].card.deck == other


def test_one_of_two_decks_of_the_same_name_is_headed_with_its_slug(client, alice, make_deck):
    one, other = make_deck(2, slug="bio-one"), make_deck(2, slug="bio-other")
    one.name = other.name = "Biology"
    one.save()
    other.save()
    client.force_login(alice)
    page = BeautifulSoup(client.get(URL, {"deck": "bio-other"}).text, "html.parser")
    assert page.select_one("[data-review-scope] strong").get_text() == "Biology (bio-other)"
    assert page.title.get_text().startswith("Review Biology (bio-other) (2)")
    # So is the card, on the review of every deck too.
    page = BeautifulSoup(client.get(URL).text, "html.parser")
    heading = page.select_one("#review-card-title").get_text(" ", strip=True)
    assert heading == "New · Card 1 of Biology (bio-one)"
    one.name = "Botany"
    one.save()
    page = BeautifulSoup(client.get(URL, {"deck": "bio-other"}).text, "html.parser")
    assert page.select_one("[data-review-scope] strong").get_text() == "Biology"


def test_a_subdeck_of_a_name_two_decks_bear_is_studied_with_the_one_the_tree_puts_it_under(
    client, alice, make_deck
):
    # The home page's tree shows Cell under the first Biology (the deck made first).
    first, second, cell = (make_deck(2, slug=slug) for slug in ("bio-1", "bio-2", "cell"))
    for deck, name in ((first, "Biology"), (second, "Biology"), (cell, "Biology::Cell")):
        deck.name = name
        deck.save()
    client.force_login(alice)

    assert client.get(URL, {"deck": "bio-1"}).context["scope"].deck_ids == {first.pk, cell.pk}
    assert client.get(URL, {"deck": "bio-2"}).context["scope"].deck_ids == {second.pk}
    # The branch, which has no other name than its path, is every deck along it.
    branch = client.get(URL, {"branch": "Biology"}).context["scope"]
    assert branch.deck_ids == {first.pk, second.pk, cell.pk}


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"deck": "cardiology"}, 404, "There is no deck “cardiology”."),
        ({"deck": "bad slug\x00;"}, 404, "There is no deck “bad slug\ufffd;”."),
        ({"branch": "Surgery"}, 404, "No deck is in the branch “Surgery”."),
        ({"branch": "Medicine::Drugs"}, 404, "No deck is in the branch “Medicine::Drugs”."),
        ({"deck": "languages", "branch": "Medicine"}, 400, "one of them only"),
        ({"deck": "languages", "own": "languages"}, 400, "one of them only"),
        ({"own": "cardiology"}, 404, "There is no deck “cardiology”."),
        ({"own": "y" * 1001}, 400, "too long"),
        ({"deck": "x" * 1001}, 400, "too long"),
    ],
)
def test_a_deck_or_branch_there_is_not_is_refused_in_words(client, alice, query, status, message):
    _medicine_and_languages()
    client.force_login(alice)

    response = client.get(URL, query)
    fragment = client.get(URL, query, headers={"HX-Request": "true"})

    assert response.status_code == status
    assert message in response.text
    assert fragment.status_code == status
    assert message in fragment.text


def test_every_form_of_a_deck_studied_posts_back_to_that_deck(client, alice, editor):
    decks = _medicine_and_languages()
    with time_machine.travel(T0, tick=False):
        remember(editor, first_cards(decks["Medicine::Cardiology"], 2), now=timezone.now())
        client.force_login(editor)
        card = client.get(URL, {"branch": "Medicine"}).context["item"].card
        reviews.review_record(
            user=editor, card=card, rating=3, now=timezone.now(), elapsed_seconds=3
        )
        page = BeautifulSoup(client.get(URL, {"branch": "Medicine"}).text, "html.parser")
    stage = page.select_one("#review-stage")
    addresses = [form["action"] for form in stage.select("form[method=post]")]
    addresses += [tag["hx-post"] for tag in stage.select("[hx-post]")]
    addresses += [tag["formaction"] for tag in stage.select("[formaction]")]
    assert len(addresses) >= 10  # undo, grades, bury, suspend, forget, flag
    assert all(address.endswith("?branch=Medicine") for address in addresses), addresses
    edit = stage.select_one("a[data-edit-key]")["href"]
    assert edit.endswith("%26branch%3DMedicine")


def test_a_typed_card_of_a_deck_studied_carries_the_deck_to_its_answer(client, alice):
    deck = _medicine_and_languages()["Languages"]
    Card.objects.filter(deck=deck).update(typed_answer="tensor", quiz_typed_answer="tensor")
    client.force_login(alice)

    page = BeautifulSoup(client.get(URL, {"deck": "languages"}).text, "html.parser")

    typed = page.select_one("form.typed-box")
    assert typed.select_one("input[name=deck]")["value"] == "languages"


def test_a_deck_done_says_so_and_offers_every_deck_when_others_have_cards(client, alice):
    decks = _medicine_and_languages()
    with time_machine.travel(T0, tick=False):
        remember(
            alice,
            Card.objects.filter(deck=decks["Medicine::Cardiology::Drugs"]),
            now=timezone.now(),
            due_in=timedelta(days=3),
        )
        tomorrow = timedelta(days=1)
        remember(alice, first_cards(decks["Languages"], 1), now=timezone.now(), due_in=tomorrow)
        client.force_login(alice)
        response = client.get(URL, {"deck": "medicine-cardiology-drugs"})
    assert response.context["item"] is None
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1.get_text() == "Medicine::Cardiology::Drugs: done for now"
    # Broken after a "::" on a phone, not in a word.
    assert str(page.h1).count("::<wbr/>") == 2
    assert "You have finished this deck for now." in response.text
    assert "Your other decks have 6 cards to study today." in response.text
    assert page.select_one("a[data-review-all]")["href"] == URL
    # Anki's deck list, to choose the next deck to study (its counts beside each).
    assert page.select_one("a[data-review-decks]")["href"] == reverse("home")
    done = " ".join(page.select_one("[data-review-done]").get_text().split())
    assert "The next card is due in 3 days" in done  # of this deck's


def test_the_whole_collection_done_offers_no_other_deck(client, alice):
    decks = anki_decks({"Languages": 2})
    with time_machine.travel(T0, tick=False):
        remember(
            alice,
            Card.objects.filter(deck=decks["Languages"]),
            now=timezone.now(),
            due_in=timedelta(days=3),
        )
        client.force_login(alice)
        response = client.get(URL, {"deck": "languages"})
    assert "You have finished this deck for now." in response.text
    assert "other decks" not in response.text
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("a[data-review-all]") is None
    assert page.select_one("a[data-review-decks]")["href"] == reverse("home")


@pytest.mark.parametrize("reviewed", [10, 1000])
def test_a_deck_studied_runs_as_many_queries_as_every_deck_for_any_number_of_cards(
    client, alice, make_deck, django_assert_num_queries, reviewed
):
    deck = make_deck(reviewed + 5, slug=f"d{reviewed}")
    make_deck(30, slug="other")
    with time_machine.travel(T0, tick=False):
        remember(alice, first_cards(deck, reviewed), now=timezone.now(), reviews=2)
        client.force_login(alice)
        client.get(URL, {"deck": deck.slug})  # what is kept is kept after this
        with django_assert_num_queries(10):  # as many as every deck's (above)
            response = client.get(URL, {"deck": deck.slug})
    assert response.context["counts"].due == min(reviewed, 200)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({}, "card 1 of Medicine::Cardiology::Drugs"),
        ({"branch": "Medicine"}, "card 1 of Cardiology::Drugs"),
        ({"deck": "medicine-cardiology"}, "card 1 of Drugs"),
        ({"deck": "medicine-cardiology-drugs"}, "card 1"),
    ],
)
def test_the_undo_button_names_its_card_by_its_deck_past_the_decks_studied(
    client, alice, query, named
):
    """The card shown is the next one: "card 1" alone said nothing of which card the Undo
    takes back, when the decks studied are more than one."""
    decks = _medicine_and_languages()
    drugs = first_cards(decks["Medicine::Cardiology::Drugs"], 1)[0]
    with time_machine.travel(T0, tick=False):
        reviews.review_record(
            user=alice, card=drugs, rating=3, now=timezone.now(), elapsed_seconds=3
        )
        client.force_login(alice)
        page = BeautifulSoup(client.get(URL, query).text, "html.parser")
        assert page.select_one("[data-undo-key]").get_text() == f"Undo “Good” on {named}"
        card_holds.card_bury(user=alice, card=drugs, now=timezone.now() + timedelta(seconds=1))
        page = BeautifulSoup(client.get(URL, query).text, "html.parser")
        assert page.select_one("[data-undo-key]").get_text() == f"Undo Bury of {named}"


def test_the_undo_button_names_a_card_of_one_of_two_decks_of_a_name_by_its_slug_too(
    client, alice, make_deck
):
    biology, namesake = make_deck(1, slug="bio-a"), make_deck(1, slug="bio-b")
    for deck in (biology, namesake):
        deck.name = "Biology"
        deck.save()
    card = namesake.cards.get()
    with time_machine.travel(T0, tick=False):
        reviews.review_record(
            user=alice, card=card, rating=3, now=timezone.now(), elapsed_seconds=3
        )
        client.force_login(alice)
        page = BeautifulSoup(client.get(URL).text, "html.parser")
    assert (
        page.select_one("[data-undo-key]").get_text() == "Undo “Good” on card 1 of Biology (bio-b)"
    )


def test_a_deck_studied_offers_no_undo_of_another_decks_card_nor_shows_one(client, alice):
    decks = _medicine_and_languages()
    spanish = first_cards(decks["Languages"], 1)[0]
    drugs = first_cards(decks["Medicine::Cardiology::Drugs"], 1)[0]
    with time_machine.travel(T0, tick=False):
        reviews.review_record(
            user=alice, card=spanish, rating=3, now=timezone.now(), elapsed_seconds=3
        )
        client.force_login(alice)
        languages = client.get(URL, {"deck": "languages"})
        medicine = client.get(URL, {"branch": "Medicine"})
        shown_elsewhere = client.get(URL, {"branch": "Medicine", "card": spanish.pk})
        shown_here = client.get(URL, {"branch": "Medicine", "card": drugs.pk})
    assert languages.context["undo"].card == spanish
    assert medicine.context["undo"] is None
    assert "data-undo-key" not in medicine.text
    assert shown_elsewhere.status_code == 404
    assert shown_here.context["item"].card == drugs
