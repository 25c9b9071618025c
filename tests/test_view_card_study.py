"""A card's own study box: the learner's memory of it, and bury, suspend, unsuspend and
forget. The card's page, one page for every learner, loads it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes.models import Card, CardHold, ReviewLog
from quizzes.services import card_standing, reviews

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def url(card):
    return reverse("card_study", args=[card.deck.slug, card.number])


def one_ten_minute_step(user, *, time_zone: str) -> None:
    """A missed card comes back in 10 minutes; study days start at 4 in `time_zone`."""
    reviews.settings_update(
        user=user,
        desired_retention=0.9,
        new_cards_per_day=20,
        day_start_hour=4,
        time_zone=time_zone,
        learning_steps=(timedelta(minutes=10),),
    )


def test_the_cards_page_loads_the_box_for_a_learner_only(client, alice, card):
    assert url(card) not in client.get(card.get_absolute_url()).text
    client.force_login(alice)
    page = client.get(card.get_absolute_url())
    assert f'hx-get="{url(card)}"' in page.text
    assert f'href="{url(card)}"' in page.text  # without JavaScript, a link to its own page


def test_a_new_card_can_be_buried_or_suspended(client, alice, card):
    client.force_login(alice)
    response = client.get(url(card))
    assert response.status_code == 200
    assert "<html" in response.text
    assert "New to you: not studied yet." in response.text
    assert f'action="{reverse("review_bury")}"' in response.text
    assert reverse("review_suspend") in response.text
    assert reverse("review_forget") not in response.text


def test_its_own_page_has_one_heading_naming_the_card_and_the_box_none(client, alice, card):
    # axe's page-has-heading-one: the page had only the box's h2.
    client.force_login(alice)
    page = client.get(url(card)).text
    box = client.get(url(card), headers={"HX-Request": "true"}).text
    assert page.count("<h1") == 1
    assert f"<h1>Card 1 of {card.deck.name}</h1>" in page
    assert "<h1" not in box  # swapped into the card's page, under its own h1


def test_its_own_pages_breadcrumb_ends_on_it_as_the_report_pages_does(client, alice, card):
    client.force_login(alice)
    page = BeautifulSoup(client.get(url(card)).text, "html.parser")
    trail = page.select_one("nav.breadcrumbs")
    assert [link["href"] for link in trail.select("a")][-1] == card.get_absolute_url()
    assert trail.select_one("[aria-current=page]").get_text() == "Your study"


def test_its_own_page_names_a_deck_of_a_name_another_bears_with_its_slug(
    client, alice, card, make_deck
):
    namesake = make_deck(1, slug="namesake")
    namesake.name = card.deck.name.upper()
    namesake.save()
    client.force_login(alice)
    page = client.get(url(card)).text
    assert f"<h1>Card 1 of {card.deck.name} ({card.deck.slug})</h1>" in page


def test_a_studied_card_shows_its_memory_and_can_be_forgotten(client, alice, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        response = client.get(url(card), headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert 'id="card-study"' in response.text
    assert "Learned.</strong>" in response.text
    assert "Next review: tomorrow (" in response.text
    assert "Recall now" in response.text
    assert reverse("review_forget") in response.text


def test_when_it_is_due_is_said_on_the_learners_clock_a_review_card_by_its_day(
    client, alice, deck, card
):
    """Not "due 7 Mar 2025, 01:00" in UTC for a learner in Tokyo: a review card is due all
    its study day (the review shows it from the day's start), a learning step at its
    minute, on the learner's clock."""
    one_ten_minute_step(alice, time_zone="Asia/Tokyo")
    stepping = Card.objects.get(deck=deck, number=2)
    reviews.review_record(user=alice, card=card, rating=4, now=T0, elapsed_seconds=3)
    reviews.review_record(user=alice, card=stepping, rating=1, now=T0, elapsed_seconds=3)
    due = alice.card_memories.get(card=card).due.astimezone(ZoneInfo("Asia/Tokyo"))
    client.force_login(alice)

    with time_machine.travel(T0, tick=False):
        review = client.get(url(card), headers={"HX-Request": "true"}).text
        step = client.get(url(stepping), headers={"HX-Request": "true"}).text

    study_day = (due - timedelta(hours=4)).date()
    assert f'(<time datetime="{study_day:%Y-%m-%d}">{study_day:%a %-d %b %Y}</time>)' in review
    assert ">5 Mar 2025, 21:10</time>" in step  # 12:10 UTC


def test_a_suspended_card_offers_unsuspend(client, alice, card):
    CardHold.objects.create(
        user=alice, card=card, suspended=True, last_action="suspend", held_at=T0
    )
    client.force_login(alice)
    response = client.get(url(card))
    assert "Suspended: out of your reviews until you unsuspend it." in response.text
    assert f'action="{reverse("card_unsuspend")}"' in response.text


def test_a_change_in_the_box_brings_the_navigations_count_along(client, alice, card):
    client.force_login(alice)
    response = client.post(
        reverse("review_suspend"), {"card": card.pk, "back": "card"}, headers={"HX-Request": "true"}
    )
    assert 'id="nav-review"' in response.text
    assert 'hx-swap-oob="true">Review (11)' in response.text
    assert "data-bury-key" not in response.text  # held: Unsuspend instead


def test_another_learners_hold_is_not_shown(client, alice, bob, card):
    CardHold.objects.create(user=bob, card=card, suspended=True, last_action="suspend", held_at=T0)
    client.force_login(alice)
    assert "Suspended" not in client.get(url(card)).text


def test_an_unknown_card_is_404(client, alice, card):
    client.force_login(alice)
    assert client.get(reverse("card_study", args=[card.deck.slug, 999])).status_code == 404


def test_a_guest_is_sent_to_log_in(client, card):
    assert client.get(url(card)).url.startswith(reverse("login"))


def test_it_rejects_post(client, alice, card):
    client.force_login(alice)
    assert client.post(url(card)).status_code == 405


def standing(client, card) -> str:
    """The box's words as a learner reads them, spaces collapsed, tags left out."""
    import re

    box = client.get(url(card), headers={"HX-Request": "true"}).text
    return " ".join(re.sub(r"<[^>]+>", "", box).split())


def test_a_card_never_met_says_so_without_figures(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        text = standing(client, card)
    assert "New to you: not studied yet." in text
    assert "You've answered" not in text
    assert "Details" not in text
    assert "stability" not in text.lower()


def test_a_card_met_once_in_a_quiz_says_when_it_comes_back_in_plain_words(client, alice, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3, source="quiz")
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        text = standing(client, card)
    assert "Learned. Next review: in 2 days (Fri 7 Mar 2025)." in text
    assert "You've answered it 1 time, right 1." in text
    # The scheduler's figures, folded away and each explained.
    assert "Details" in text
    assert "days: how long until your chance of recalling it falls to 90%." in text
    assert " of 10: how hard it is for you" in text
    assert "%: your chance of remembering it now (retrievability)." in text


def test_a_card_missed_in_a_quiz_comes_back_in_minutes(client, alice, card):
    one_ten_minute_step(alice, time_zone="UTC")
    reviews.review_record(user=alice, card=card, rating=1, now=T0, elapsed_seconds=3, source="quiz")
    due = alice.card_memories.get(card=card).due
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        text = standing(client, card)
    minutes = round((due - T0).total_seconds() / 60)
    assert f"Learning. Next review: in {minutes} minute{'s' if minutes > 1 else ''} (" in text
    assert "You've answered it 1 time, right 0." in text


def test_a_studied_card_counts_its_answers_and_says_its_day(client, alice, card):
    for day, rating in enumerate([1, 3, 3, 3]):
        reviews.review_record(
            user=alice, card=card, rating=rating, now=T0 + timedelta(days=day), elapsed_seconds=3
        )
    due_day = alice.card_memories.get(card=card).due.date()
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        text = standing(client, card)
    days = (due_day - (T0 + timedelta(days=3)).date()).days
    assert days > 1
    assert f"Learned. Next review: in {days} days ({due_day:%a %-d %b %Y})." in text
    assert "You've answered it 4 times, right 3." in text


def test_a_forgotten_card_counts_no_answers_of_before(client, alice, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    reviews.card_forget(user=alice, card=card, now=T0 + timedelta(minutes=1))
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        text = standing(client, card)
    assert "New to you: not studied yet." in text
    assert "You've answered" not in text


@pytest.mark.parametrize(
    ("suspended", "said"),
    [
        (True, "Suspended: out of your reviews until you unsuspend it."),
        (False, "Buried: back in your reviews tomorrow."),
    ],
)
def test_a_held_card_says_why_not_when_it_is_due(client, alice, card, suspended, said):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    CardHold.objects.create(
        user=alice,
        card=card,
        suspended=suspended,
        buried_until=None if suspended else T0 + timedelta(hours=12),
        last_action="suspend" if suspended else "bury",
        held_at=T0,
    )
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        text = standing(client, card)
    assert f"Learned. {said}" in text
    assert "Next review" not in text
    assert "You've answered it 1 time, right 1." in text


def test_a_card_only_ever_missed_is_not_called_learned(client, alice, card):
    # With no learning steps (the default), FSRS puts a missed new card in review.
    reviews.review_record(user=alice, card=card, rating=1, now=T0, elapsed_seconds=3)
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        text = standing(client, card)
    assert "Learning. Next review: tomorrow (" in text
    assert "You've answered it 1 time, right 0." in text


NOTHING = "\N{EN DASH}"  # an empty cell of the history: a Forget has no grade


def history_rows(client, card) -> list[list[str]]:
    box = BeautifulSoup(client.get(url(card), headers={"HX-Request": "true"}).text, "html.parser")
    table = box.select_one("[data-card-history] table")
    if table is None:
        return []
    return [
        [" ".join(cell.get_text().split()) for cell in row.find_all("td")]
        for row in table.select("tbody tr")
    ]


def test_its_reviews_are_listed_newest_first_on_the_learners_clock(client, alice, bob, card):
    """Anki's card info: each answer from any activity, what it was (learn, review,
    relearn), its grade, when the card was due after it, and the time it took; a Forget
    too. Another learner's reviews are not this learner's."""
    one_ten_minute_step(alice, time_zone="Europe/Paris")
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=4.4)
    reviews.review_record(
        user=alice,
        card=card,
        rating=3,
        now=T0 + timedelta(minutes=10),
        elapsed_seconds=7,
        source=ReviewLog.Source.QUIZ,
    )
    reviews.review_record(
        user=alice, card=card, rating=1, now=T0 + timedelta(days=3), elapsed_seconds=12
    )
    reviews.card_forget(user=alice, card=card, now=T0 + timedelta(days=3, minutes=1))
    reviews.review_record(user=bob, card=card, rating=4, now=T0, elapsed_seconds=2)
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(days=3, minutes=2), tick=False):
        rows = history_rows(client, card)
    assert rows == [
        ["8 Mar 2025, 13:01", "Forget", *[NOTHING] * 3],
        # No relearning steps: a lapse is due the next day.
        ["8 Mar 2025, 13:00", "Review", "Again", "1 d", "12 s"],
        # Days, fuzzed by the learner's and the card's ids.
        ["5 Mar 2025, 13:10", "Review (in a quiz)", "Good", rows[2][3], "7 s"],
        # A new card's first Good past its one step: graduated.
        ["5 Mar 2025, 13:00", "Learn", "Good", "2 d", "4 s"],
    ]
    assert rows[2][3] in ("3 d", "4 d", "5 d")


def test_the_history_table_is_named_for_screen_readers(client, alice, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=4)
    client.force_login(alice)
    box = BeautifulSoup(client.get(url(card), headers={"HX-Request": "true"}).text, "html.parser")
    table = box.select_one("[data-card-history] table")
    assert table.caption.get_text() == "Your reviews of card 1, newest first"
    scroller = table.find_parent(role="region")
    assert box.find(id=scroller["aria-labelledby"]) is table.caption


def test_a_long_history_lists_the_newest_and_counts_the_rest(
    client, alice, card, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(card_standing, "HISTORY_ROWS", 3)
    for day in range(5):
        reviews.review_record(
            user=alice, card=card, rating=3, now=T0 + timedelta(days=day), elapsed_seconds=3
        )
    with django_assert_num_queries(2):  # the rows, and the count past a full list
        assert card_standing.card_review_history(user=alice, card=card).older == 2
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        rows = history_rows(client, card)
        text = standing(client, card)
    assert [row[0] for row in rows] == [
        "9 Mar 2025, 12:00",
        "8 Mar 2025, 12:00",
        "7 Mar 2025, 12:00",
    ]
    assert "Your reviews of it (5)" in text
    assert "And 2 older reviews, not listed." in text


def test_a_card_never_met_lists_no_reviews(client, alice, card, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert card_standing.card_review_history(user=alice, card=card).reviews == []
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert history_rows(client, card) == []
        assert "Your reviews of it" not in standing(client, card)
