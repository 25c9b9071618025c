"""Anki's Set Due Date for several cards from "Your cards": the cards ticked, or every card
its filter shows, in a fixed number of queries however many; a bad number of days refused
with its reason and nothing written."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import scheduling
from quizzes.models import Card, CardFlag, CardMemory, ReviewLog
from quizzes.services import card_flags, fsrs_fitting, reviews
from quizzes.services import cards as card_services
from tests.concurrency import errors_of_two_writes_at_once, postgresql_only
from tests.quizplay import finish, start
from tests.studyhelpers import anki_decks, review_count_shown

pytestmark = pytest.mark.django_db

URL = reverse("my_cards_set_due")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
Colour = CardFlag.Colour


def _study_day(moment):
    return scheduling.study_day(moment, time_zone="UTC", day_start_hour=4)


def _flag_all(user, cards, colour=Colour.BLUE):
    CardFlag.objects.bulk_create(
        CardFlag(user=user, card=card, flag=colour, flagged_at=T0) for card in cards
    )


def test_the_page_has_the_control_and_a_box_to_tick_per_card(client, alice, deck):
    finish(start(alice, deck, count=3))
    client.force_login(alice)
    soup = BeautifulSoup(client.get(reverse("my_cards")).text, "html.parser")
    form = soup.select_one("form#set-due-form")
    assert form["action"] == URL and form["hx-post"] == URL
    ticks = soup.select('input.tick[form="set-due-form"][name="card"]')
    assert len(ticks) == 3
    buttons = [button.get_text(" ", strip=True) for button in form.select("button")]
    assert buttons == ["Set for the ticked cards", "Set for all 3 cards you were asked"]


def test_the_button_for_a_filter_showing_one_card_names_it_in_the_singular(client, alice, deck):
    _flag_all(alice, deck.cards.order_by("number")[:1])
    client.force_login(alice)
    response = client.get(reverse("my_cards"), {"flag": Colour.BLUE.value})
    soup = BeautifulSoup(response.text, "html.parser")
    buttons = [b.get_text(" ", strip=True) for b in soup.select("form#set-due-form button")]
    assert buttons == ["Set for the ticked cards", "Set for the 1 card flagged blue"]


def test_the_ticked_cards_are_set_due_without_javascript(client, alice, deck):
    cards = list(deck.cards.order_by("number")[:3])
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            URL, {"card": [cards[0].pk, cards[2].pk], "days": "5", "scope": "ticked"}
        )
        assert response.status_code == 302
        assert response.url == reverse("my_cards")
        page = client.get(response.url).text
    assert "2 cards set due in 5 days." in page
    memories = CardMemory.objects.filter(user=alice)
    assert sorted(memory.card_id for memory in memories) == [cards[0].pk, cards[2].pk]
    assert {_study_day(memory.due) for memory in memories} == {date(2025, 3, 10)}
    assert ReviewLog.objects.filter(source=ReviewLog.Source.RESCHEDULE).count() == 2


def test_a_range_spreads_the_cards_over_its_days(client, alice, make_deck):
    deck = make_deck(60, slug="sixty")
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(
            URL, {"card": [card.pk for card in deck.cards.all()], "days": "3-7", "scope": "ticked"}
        )
    days = {(_study_day(memory.due) - date(2025, 3, 5)).days for memory in CardMemory.objects.all()}
    assert days == {3, 4, 5, 6, 7}


def test_the_service_draws_from_the_random_source_it_is_given(alice, make_deck):
    deck = make_deck(20, slug="twenty")
    spec = scheduling.parse_due_date("10-40!")
    dues = []
    for _ in range(2):
        CardMemory.objects.all().delete()
        reviews.cards_set_due(
            user=alice, cards=deck.cards.all(), spec=spec, now=T0, rng=random.Random(7)
        )
        dues.append(list(CardMemory.objects.order_by("card_id").values_list("due", "stability")))
    assert dues[0] == dues[1]
    assert all(stability == (due - T0).days for due, stability in dues[0])


# A first review of one of the cards at the same moment (in a quiz, in another tab) creates
# its memory while the Set due date waits on its row; the Set due date is made again from
# the memories as they are then. (The suite's in-memory SQLite locks whole tables between
# connections.)
@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_first_review_of_one_of_the_cards_meanwhile_is_kept_and_set_due_too(alice, make_deck):
    cards = list(make_deck(8, slug="eight").cards.order_by("pk"))
    graded = cards[3]
    spec = scheduling.parse_due_date("3-30")

    errors = errors_of_two_writes_at_once(
        lambda: reviews.review_record(user=alice, card=graded, rating=3, now=T0, elapsed_seconds=3),
        lambda: reviews.cards_set_due(
            user=alice,
            cards=Card.objects.filter(deck=graded.deck),
            spec=spec,
            now=T0 + timedelta(seconds=1),
            rng=random.Random(7),
        ),
    )

    assert errors == []
    drawn = random.Random(7)  # the days of a Set due date that had to wait for nothing
    expected = [date(2025, 3, 5) + timedelta(days=spec.draw(drawn)) for _ in cards]
    memories = CardMemory.objects.filter(user=alice).order_by("card_id")
    assert [_study_day(memory.due) for memory in memories] == expected
    logs = ReviewLog.objects.filter(user=alice, source=ReviewLog.Source.RESCHEDULE)
    assert logs.count() == len(cards)
    assert logs.get(card=graded).memory_before is not None
    assert ReviewLog.objects.filter(user=alice, source=ReviewLog.Source.REVIEW).count() == 1


def test_every_card_the_flag_filter_shows_htmx_swaps_the_control_alone(client, alice, deck):
    blue = list(deck.cards.filter(number__lte=4))
    _flag_all(alice, blue)
    card_flags.card_flag_set(user=alice, card=deck.cards.get(number=9), flag=Colour.RED, now=T0)
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 12
        response = client.post(
            URL, {"days": "0", "scope": "all", "flag": "4"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert "<html" not in response.text
        soup = BeautifulSoup(response.text, "html.parser")
        assert soup.select_one("form#set-due-form")
        assert "4 cards set due today." in response.text
        assert soup.select_one('input[name="flag"]')["value"] == "4"  # the filter stays
        assert 'hx-swap-oob="true"' in response.text  # "Review (N)", out of band
        counts = reviews.review_counts(user=alice, now=T0)
    assert (counts.due, counts.new) == (4, 8)
    assert set(CardMemory.objects.values_list("card_id", flat=True)) == {c.pk for c in blue}


def test_every_card_asked_without_a_flag(client, alice, bob, deck):
    attempt = finish(start(alice, deck, count=3))
    finish(start(bob, deck, count=5))
    client.force_login(alice)
    response = client.post(URL, {"days": "2!", "scope": "all"}, follow=True)
    assert "3 cards set due in 2 days. Their interval is now the days until then." in (
        response.text
    )
    asked = set(attempt.questions.values_list("card_id", flat=True))
    # The quiz's answers made memories of the 3 cards; the set due date moved them on.
    memories = CardMemory.objects.filter(user=alice)
    assert set(memories.values_list("card_id", flat=True)) == asked
    assert {memory.stability for memory in memories} == {2.0}
    assert not ReviewLog.objects.filter(user=bob, source=ReviewLog.Source.RESCHEDULE).exists()


def _set_due_queries(client, user, cards) -> int:
    """The queries of a Set due date of `cards` (all flagged blue, a third studied already:
    both the update and the insert of memories happen) by `user`, with htmx."""
    _flag_all(user, cards)
    for card in cards[::3]:
        reviews.review_record(user=user, card=card, rating=3, now=T0, elapsed_seconds=3)
    client.force_login(user)
    with (
        time_machine.travel(T0 + timedelta(days=1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(
            URL, {"days": "3-7", "scope": "all", "flag": "4"}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    logged = ReviewLog.objects.filter(user=user, source=ReviewLog.Source.RESCHEDULE)
    assert logged.count() == len(cards)
    assert CardMemory.objects.filter(user=user).count() == len(cards)
    return len(queries)


# Session, user, savepoints (the transaction's, and the Set due date's own, for a concurrent
# first review of a card to make it try again), the cards' ids, their memories (locked), the
# memories inserted, those updated, the log entries, the navigation's count, the filter's
# count.
QUERIES = 14


@pytest.mark.parametrize("size", [3, 300])
def test_a_fixed_number_of_queries_however_many_cards(client, alice, make_deck, size):
    cards = list(make_deck(size, slug=f"d{size}").cards.order_by("number"))
    queries = _set_due_queries(client, alice, cards)
    if size == 3 or connection.vendor == "postgresql":
        assert queries == QUERIES
    else:
        # Each write goes in batches: of 500 rows on PostgreSQL; on SQLite of as many as
        # 999 parameters hold (Django's cap: 90 log entries), so a few more there for 300
        # cards, never one a card.
        assert QUERIES < queries <= QUERIES + size // 60


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"days": "", "scope": "all"}, "Write how many days from today."),
        ({"days": "-1", "scope": "all"}, "is not a due date"),
        ({"days": "9-2", "scope": "all"}, "smaller number first"),
        ({"days": "x!", "scope": "all"}, "is not a due date"),
        ({"days": "99999999999999999999", "scope": "all"}, "At most 36,500 days"),
        ({"days": "3", "scope": "ticked"}, "Tick the cards to set due first"),
        ({"days": "3", "card": "abc"}, "That is not a card."),
        ({"days": "3", "card": "9" * 30}, "That is not a card."),
        ({"days": "3", "scope": "everything"}, "Select a valid choice"),
        ({"days": "3", "scope": "all", "flag": "8"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_nothing_written(
    client, alice, deck, data, reason
):
    finish(start(alice, deck, count=3))
    before = ReviewLog.objects.count(), list(CardMemory.objects.values_list("due", flat=True))
    client.force_login(alice)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert reason in response.text
    htmx = client.post(URL, data, headers={"HX-Request": "true"})
    assert htmx.status_code == 200  # the control again, with the reason (htmx swaps a 200)
    soup = BeautifulSoup(htmx.text, "html.parser")
    assert reason in soup.select_one("form#set-due-form [role=alert]").get_text()
    assert soup.select_one("#due-days")["aria-invalid"] == "true"
    after = ReviewLog.objects.count(), list(CardMemory.objects.values_list("due", flat=True))
    assert after == before


def test_too_many_ticked_cards_are_refused(client, alice):
    client.force_login(alice)
    response = client.post(URL, {"days": "3", "card": [str(n) for n in range(1, 502)]})
    assert response.status_code == 400
    assert "Tick at most 500 cards" in response.text


def test_cards_that_do_not_exist_are_passed_over(client, alice, deck):
    card = deck.cards.get(number=1)
    client.force_login(alice)
    response = client.post(URL, {"days": "3", "card": [card.pk, 999_999]}, follow=True)
    assert "1 card set due in 3 days." in response.text


def test_it_needs_a_post_and_a_learner(client, alice):
    assert client.post(URL, {"days": "3", "scope": "all"}).status_code == 302
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_a_fit_of_the_parameters_reads_past_a_set_due_date(alice, deck):
    """Anki's optimizer skips its "Manual" entries: a Set due date is no answer, nor a new
    start (a Forget is)."""
    card = deck.cards.get(number=1)
    for day in (0, 2, 7):
        reviews.review_record(
            user=alice, card=card, rating=3, now=T0 + timedelta(days=day), elapsed_seconds=3
        )
    reviews.cards_set_due(
        user=alice,
        cards=Card.objects.filter(pk=card.pk),
        spec=scheduling.parse_due_date("30!"),
        now=T0 + timedelta(days=8),
        rng=random.Random(1),
    )
    reviews.review_record(
        user=alice, card=card, rating=3, now=T0 + timedelta(days=30), elapsed_seconds=3
    )
    rows = fsrs_fitting._review_rows(alice)
    assert [rating for _card, _when, rating in rows] == [3, 3, 3, 3]
    assert fsrs_fitting.fit_readiness(user=alice).reviews == 4


@pytest.mark.parametrize("size", [3, 300])
def test_one_undo_takes_the_whole_set_due_date_back_in_a_fixed_number_of_queries(
    client, alice, make_deck, size
):
    cards = list(make_deck(size, slug=f"u{size}").cards.order_by("number"))
    _flag_all(alice, cards)
    for card in cards[::3]:
        reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    before = sorted(CardMemory.objects.values_list("card_id", "due", "stability"))
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        client.post(URL, {"days": "3-7!", "scope": "all", "flag": "4"})
        assert CardMemory.objects.count() == size
        undo = reviews.undoable_review(user=alice, since=T0)
        assert undo.source == ReviewLog.Source.RESCHEDULE
        # The decks' tree that names its decks is kept, as the Undo button's page left it.
        card_services.tree_scopes_kept()
        with CaptureQueriesContext(connection) as queries:
            reviews.review_undo(user=alice, review_id=undo.pk, card_id=undo.card_id)
    assert sorted(CardMemory.objects.values_list("card_id", "due", "stability")) == before
    assert not ReviewLog.objects.filter(source=ReviewLog.Source.RESCHEDULE).exists()
    # Savepoint, the review, its memory (locked), the review again, the later ones, the
    # operation's memories before, its decks (for the notice), their rows (locked), a
    # delete, an update, a delete, savepoint: 100 rows of an update fit one query on SQLite
    # too.
    assert len(queries) == 12


@pytest.mark.parametrize("graded_before", [True, False])
def test_a_set_due_date_whose_card_was_answered_since_is_passed_over_by_undo(
    client, alice, deck, graded_before
):
    """Its undo takes back every card it changed, and one of them has moved on since (a
    quiz answer, which has no undo): the review page offers the undo before it, if any,
    never one that can only fail."""
    graded, x, y = deck.cards.order_by("number")[:3]
    client.force_login(alice)
    if graded_before:
        reviews.review_record(user=alice, card=graded, rating=2, now=T0, elapsed_seconds=3)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        client.post(URL, {"days": "5", "scope": "ticked", "card": [x.pk, y.pk]})
    reviews.review_record(
        user=alice,
        card=y,
        rating=3,
        now=T0 + timedelta(minutes=2),
        elapsed_seconds=3,
        source=ReviewLog.Source.QUIZ,
    )
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        page = BeautifulSoup(client.get(reverse("review")).text, "html.parser")
        undo = page.select_one("form.review-undo")
        if not graded_before:
            assert undo is None
            return
        assert undo.button.get_text() == "Undo “Hard” on card 1 of Synthetic synthetic"
        response = client.post(
            reverse("review_undo"),
            {"review": undo.select_one('[name="review"]')["value"], "card": graded.pk},
        )
    assert response.status_code == 302
    assert not CardMemory.objects.filter(user=alice, card=graded).exists()
    assert ReviewLog.objects.filter(user=alice, source=ReviewLog.Source.RESCHEDULE).count() == 2


@pytest.mark.parametrize("ticked", [1, 2, 3])
def test_the_undo_of_a_set_due_date_on_several_cards_names_how_many_it_takes_back(
    client, alice, deck, ticked
):
    cards = list(deck.cards.order_by("number")[:ticked])
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"days": "5", "scope": "ticked", "card": [c.pk for c in cards]})
        page = BeautifulSoup(client.get(reverse("review")).text, "html.parser")
        undo = page.select_one("form.review-undo")
        shown = CardMemory.objects.get(card=undo.select_one('[name="card"]')["value"])
        named = {1: f"card {shown.card.number} of Synthetic synthetic", 2: "2 cards", 3: "3 cards"}[
            ticked
        ]
        decks = "" if ticked == 1 else " in Synthetic synthetic"
        assert undo.button.get_text() == f"Undo Set due date on {named}{decks}"
        response = client.post(
            reverse("review_undo"),
            {"review": undo.select_one('[name="review"]')["value"], "card": shown.card_id},
            headers={"HX-Request": "true"},
        )
    assert not CardMemory.objects.filter(user=alice).exists()
    if ticked == 1:
        assert f"Set due date undone: {shown.card.named} is back" in response.text
    else:
        assert (
            f"Set due date undone: {named} are back, as they were before (in Synthetic "
            "synthetic)." in response.text
        )


def test_the_undo_of_a_set_due_date_across_decks_says_them_all_on_one_decks_study(client, alice):
    """As Anki's, an Undo takes a whole operation back, wherever it is asked: from one
    deck's study, that of a Set due date made on Your cards across decks takes back the
    other decks' cards too, so its button says so before, and the page stays on the deck."""
    decks = anki_decks({"Spanish": 3, "French": 2, "German": 1, "Latin": 1, "Greek": 1})
    cards = [card for deck in decks.values() for card in deck.cards.order_by("number")]
    client.force_login(alice)
    studied = {"deck": "spanish"}
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"days": "5", "scope": "ticked", "card": [c.pk for c in cards]})
        page = BeautifulSoup(client.get(reverse("review"), studied).text, "html.parser")
        undo = page.select_one("form.review-undo")
        assert undo.button.get_text() == (
            "Undo Set due date on 8 cards: 3 in Spanish, 2 in French and 3 in 3 other decks"
        )
        response = client.post(
            f"{reverse('review_undo')}?deck=spanish",
            {"review": undo.select_one('[name="review"]')["value"]},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert not CardMemory.objects.filter(user=alice).exists()
    assert (
        "Set due date undone: 8 cards are back, as they were before (3 in Spanish, 2 in "
        "French and 3 in 3 other decks)." in response.text
    )
    # The card shown after it is one of Spanish's, whichever card the undo was named by.
    heading = BeautifulSoup(response.text, "html.parser").select_one("#review-card-title")
    assert heading.get_text().split() == ["New", "·", "Card", "1", "of", "Spanish"]


def test_the_undo_names_two_decks_of_the_same_name_apart_as_the_tree_does(client, alice, make_deck):
    biology, other_biology = make_deck(3, slug="bio-a"), make_deck(2, slug="bio-b")
    for deck in (biology, other_biology):
        deck.name = "Biology"
        deck.save()
    cards = [*biology.cards.all(), *other_biology.cards.all()]
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"days": "5", "scope": "ticked", "card": [c.pk for c in cards]})
        page = BeautifulSoup(client.get(reverse("review"), {"deck": "bio-a"}).text, "html.parser")
    undo = page.select_one("form.review-undo")
    assert undo.button.get_text() == (
        "Undo Set due date on 5 cards: 3 in Biology (bio-a) and 2 in Biology (bio-b)"
    )


def test_a_set_due_date_of_other_decks_cards_alone_has_no_undo_on_a_decks_study(client, alice):
    decks = anki_decks({"Spanish": 2, "French": 2, "German": 1})
    others = [*decks["French"].cards.all(), *decks["German"].cards.all()]
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        client.post(URL, {"days": "5", "scope": "ticked", "card": [c.pk for c in others]})
        page = client.get(reverse("review"), {"deck": "spanish"})
        assert page.context["undo"] is None
        review = ReviewLog.objects.filter(user=alice).first()
        refused = client.post(f"{reverse('review_undo')}?deck=spanish", {"review": review.pk})
    assert refused.status_code == 409
    assert CardMemory.objects.filter(user=alice).count() == 3
