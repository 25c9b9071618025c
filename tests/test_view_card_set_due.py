"""Anki's Set Due Date from a card's study box: due a number of days from today, a new card
made a review card, logged as a "Manual" entry that no count takes for an answer; a bad
number of days refused with its reason and nothing written."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes import scheduling
from quizzes.models import Card, CardMemory, ReviewLog
from quizzes.services import reviews, study_progress
from tests.concurrency import errors_of_two_writes_at_once, postgresql_only
from tests.studyhelpers import review_count_shown, synthetic_named

pytestmark = pytest.mark.django_db

URL = reverse("card_set_due")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def card(deck):
    return Card.objects.get(deck=deck, number=1)


def study_url(card):
    return reverse("card_study", args=[card.deck.slug, card.number])


def _study_day(moment):
    return scheduling.study_day(moment, time_zone="UTC", day_start_hour=4)


def test_the_study_box_offers_it(client, alice, card):
    client.force_login(alice)
    box = client.get(study_url(card), headers={"HX-Request": "true"}).text
    assert f'hx-post="{URL}"' in box
    assert f'action="{URL}"' in box  # a plain form without JavaScript
    assert 'name="days"' in box


def test_a_new_card_set_due_becomes_a_review_card_without_javascript(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(URL, {"card": card.pk, "back": "card", "days": " 10 "})
        assert response.status_code == 302
        assert response.url == study_url(card)
        page = client.get(response.url).text
    assert f"{synthetic_named(1)} is set due in 10 days." in page
    assert "<strong>Not answered yet.</strong>" in page
    assert "Next review: in 10 days (" in page
    memory = CardMemory.objects.get(user=alice, card=card)
    assert memory.state == scheduling.MemoryState.REVIEW
    assert memory.stability == 10.0
    assert _study_day(memory.due) == date(2025, 3, 15)
    assert memory.reps == 0
    log = ReviewLog.objects.get(user=alice, card=card)
    assert (log.source, log.rating, log.state_before) == (ReviewLog.Source.RESCHEDULE, 0, 0)
    assert log.memory_before is None
    assert log.get_rating_display() == "Manual"


def test_a_new_card_set_due_today_moves_the_review_count_but_not_todays_new_cards(
    client, alice, card
):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=5, day_start_hour=4, time_zone="UTC"
    )
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(client) == 5  # 5 new today
        response = client.post(
            URL, {"card": card.pk, "back": "card", "days": "0"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert "<html" not in response.text
        assert 'id="card-study"' in response.text
        assert f"{synthetic_named(1)} is set due today." in response.text
        assert 'hx-swap-oob="true"' in response.text  # the navigation's count, out of band
        counts = reviews.review_counts(user=alice, now=T0)
        # Due now as a review card; a card set due was not studied, so it takes nothing of
        # the day's 5 new cards (Anki counts only those answered).
        assert (counts.due, counts.new) == (1, 5)
        assert review_count_shown(client) == 6
        assert reviews.studied_since(user=alice, start=T0 - timedelta(hours=1)).cards == 0


def test_a_review_card_keeps_its_stability_unless_the_days_end_with_a_bang(client, alice, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    before = CardMemory.objects.get(user=alice, card=card)
    client.force_login(alice)
    later = T0 + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        client.post(URL, {"card": card.pk, "back": "card", "days": "30"})
        moved = CardMemory.objects.get(user=alice, card=card)
        assert (moved.stability, moved.last_review, moved.reps) == (
            before.stability,
            before.last_review,
            before.reps,
        )
        assert _study_day(moved.due) == date(2025, 4, 5)
        client.post(URL, {"card": card.pk, "back": "card", "days": "20!"})
    reset = CardMemory.objects.get(user=alice, card=card)
    assert reset.stability == 20.0
    assert reset.difficulty == before.difficulty
    logs = ReviewLog.objects.filter(user=alice, source=ReviewLog.Source.RESCHEDULE)
    assert logs.count() == 2
    assert logs.order_by("pk").first().memory_before["stability"] == before.stability


@pytest.mark.parametrize(
    ("days", "reason"),
    [
        ("", "Write how many days from today."),
        ("-5", "is not a due date"),
        ("7-3", "smaller number first"),
        ("soon", "is not a due date"),
        ("40000", "At most 36,500 days"),
        ("9" * 39, "At most 36,500 days"),
        ("9" * 5000, "That is not a due date."),
    ],
)
def test_a_bad_number_of_days_is_refused_with_its_reason_and_nothing_written(
    client, alice, card, days, reason
):
    client.force_login(alice)
    response = client.post(URL, {"card": card.pk, "back": "card", "days": days})
    assert response.status_code == 400
    assert reason in response.text
    htmx = client.post(
        URL, {"card": card.pk, "back": "card", "days": days}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 200  # the box again, which htmx swaps in place
    assert 'id="card-study"' in htmx.text
    assert reason in htmx.text
    assert not CardMemory.objects.exists()
    assert not ReviewLog.objects.exists()


def test_a_bad_number_of_days_is_tied_to_its_field_which_keeps_what_was_written(
    client, alice, card
):
    client.force_login(alice)
    box = client.post(
        URL, {"card": card.pk, "back": "card", "days": "soon"}, headers={"HX-Request": "true"}
    ).text
    assert '<details class="set-due" data-set-due open>' in box
    assert '<p id="set-due-error" class="quiz-error" role="alert">' in box
    field = box[box.index('<input id="set-due-days"') :].split(">", 1)[0]
    assert 'aria-describedby="set-due-error set-due-help"' in field
    assert 'aria-invalid="true"' in field
    assert "autofocus" in field  # htmx focuses the field, its reason read with it
    assert 'value="soon"' in field
    # Before any error, the field is neither invalid nor tied to an error there is not.
    fresh = client.get(study_url(card), headers={"HX-Request": "true"}).text
    field = fresh[fresh.index('<input id="set-due-days"') :].split(">", 1)[0]
    assert 'aria-describedby="set-due-help"' in field
    assert "aria-invalid" not in field
    assert "set-due-error" not in fresh
    assert '<details class="set-due" data-set-due>' in fresh


def test_a_bad_number_of_days_for_a_card_removed_since_is_still_a_readable_400(client, alice, card):
    client.force_login(alice)
    card_id = card.pk
    card.delete()
    htmx = client.post(
        URL, {"card": card_id, "back": "card", "days": "soon"}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 400
    assert "is not a due date" in htmx.text
    assert htmx.headers["HX-Retarget"] == "#quiz-error"


def test_a_card_removed_since_is_a_410(client, alice, card):
    client.force_login(alice)
    card_id = card.pk
    card.delete()
    response = client.post(URL, {"card": card_id, "back": "card", "days": "3"})
    assert response.status_code == 410
    assert not ReviewLog.objects.exists()


def test_it_needs_a_post_and_a_learner(client, alice, card):
    assert client.post(URL, {"card": card.pk, "days": "3"}).status_code == 302  # to log in
    client.force_login(alice)
    assert client.get(URL).status_code == 405
    assert not CardMemory.objects.exists()


def test_another_learners_memory_is_untouched(client, alice, bob, card):
    reviews.review_record(user=bob, card=card, rating=3, now=T0, elapsed_seconds=3)
    before = CardMemory.objects.get(user=bob, card=card)
    client.force_login(alice)
    client.post(URL, {"card": card.pk, "back": "card", "days": "9!"})
    after = CardMemory.objects.get(user=bob, card=card)
    assert (after.due, after.stability) == (before.due, before.stability)
    assert CardMemory.objects.get(user=alice, card=card).stability == 9.0


def test_the_progress_page_and_the_days_figures_do_not_count_it_as_a_review(client, alice, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    client.force_login(alice)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        client.post(URL, {"card": card.pk, "back": "card", "days": "4"})
        figures = study_progress.progress_figures(user=alice, now=T0 + timedelta(hours=1))
        studied = reviews.studied_since(user=alice, start=T0 - timedelta(hours=1))
    assert figures.reviews_per_day == {date(2025, 3, 5): 1}  # the answer, not the due date
    assert studied.cards == 1


def test_undo_on_the_review_page_takes_it_back(client, alice, deck, card):
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    before = CardMemory.objects.get(user=alice, card=card)
    new_card = Card.objects.get(deck=deck, number=2)
    client.force_login(alice)
    later = T0 + timedelta(days=1)
    with time_machine.travel(later, tick=False) as traveller:
        client.post(URL, {"card": new_card.pk, "back": "card", "days": "5"})
        traveller.shift(1)  # two Set due dates: each is taken back alone
        client.post(URL, {"card": card.pk, "back": "card", "days": "0!"})
        page = client.get(reverse("review")).text
        assert "Undo Set due date on card 1 of Synthetic synthetic" in page
        log = ReviewLog.objects.get(card=card, source=ReviewLog.Source.RESCHEDULE)
        undone = client.post(
            reverse("review_undo"), {"review": log.pk, "card": card.pk}, follow=True
        )
        assert (
            f"Set due date undone: {synthetic_named(1)} is back, as it was before." in undone.text
        )
        after = CardMemory.objects.get(user=alice, card=card)
        fields = ["state", "stability", "difficulty", "due", "last_review", "reps"]
        assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
        # Then the one before it: the new card is new again.
        assert (
            "Undo Set due date on card 2 of Synthetic synthetic"
            in client.get(reverse("review")).text
        )
        log = ReviewLog.objects.get(card=new_card, source=ReviewLog.Source.RESCHEDULE)
        client.post(reverse("review_undo"), {"review": log.pk, "card": new_card.pk})
    assert not CardMemory.objects.filter(user=alice, card=new_card).exists()
    assert not ReviewLog.objects.filter(source=ReviewLog.Source.RESCHEDULE).exists()


def test_a_set_due_date_ends_the_undo_of_the_grade_before_it(client, alice, card):
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
        graded = ReviewLog.objects.get(user=alice)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        client.post(URL, {"card": card.pk, "back": "card", "days": "4"})
        response = client.post(reverse("review_undo"), {"review": graded.pk, "card": card.pk})
    assert response.status_code == 400
    assert "answered again since" in response.text


def _set_due(user, card, days, *, at):
    spec = scheduling.parse_due_date(days)
    cards = Card.objects.filter(pk=card.pk)
    reviews.cards_set_due(user=user, cards=cards, spec=spec, now=at, rng=random.Random(1))


# A form sent twice without JavaScript, or a grade in another tab, while the card is new to
# the learner: there is no memory yet to lock, and the second write waits on the first's
# new row. (The suite's in-memory SQLite locks whole tables between connections.)
@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("graded_first", [False, True])
def test_a_new_card_set_due_twice_at_once_or_graded_meanwhile_keeps_both(alice, card, graded_first):
    def first():
        if graded_first:
            reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
        else:
            _set_due(alice, card, "5", at=T0)

    errors = errors_of_two_writes_at_once(
        first, lambda: _set_due(alice, card, "7", at=T0 + timedelta(seconds=1))
    )

    assert errors == []
    memory = CardMemory.objects.get(user=alice, card=card)
    assert _study_day(memory.due) == date(2025, 3, 12)  # the second's 7 days
    logs = ReviewLog.objects.filter(user=alice, card=card).order_by("reviewed_at")
    assert [log.source for log in logs] == [
        ReviewLog.Source.REVIEW if graded_first else ReviewLog.Source.RESCHEDULE,
        ReviewLog.Source.RESCHEDULE,
    ]
    assert logs[1].memory_before is not None  # it set the due date of what the first made
