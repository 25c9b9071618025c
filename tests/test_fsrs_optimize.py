from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from quizzes import scheduling
from quizzes.models import Card, CardMemory, LearnerSettings, ReviewLog
from quizzes.services import fsrs_fitting, reviews
from tests.studyhelpers import STUDY_START, study

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("fsrs_optimize", *args, stdout=out)
    return out.getvalue()


def test_it_says_when_there_are_too_few_reviews(alice, deck):
    study(alice, Card.objects.filter(deck=deck)[:3])
    output = run("--user", "alice")
    assert "alice: too few reviews: 15 reviews give 12 training items" in output
    assert "needs 64" in output
    assert "fitted for 0 of 1" in output
    assert not LearnerSettings.objects.filter(user=alice).exclude(fsrs_parameters=[]).exists()


def test_it_fits_stores_and_then_schedules_with_the_learners_parameters(alice, make_deck):
    deck = make_deck(40, slug="forty")
    study(alice, Card.objects.filter(deck=deck))

    output = run("--user", "alice")

    assert "alice: fitted to 200 reviews (160 training items): log loss" in output
    settings = LearnerSettings.objects.get(user=alice)
    # Kept for Anki's Evaluate on the settings page: better than the defaults did.
    defaults = fsrs_fitting._evaluation(scheduling.DEFAULT_PARAMETERS, training_items(alice))
    assert 0 < settings.parameters_log_loss < defaults.log_loss
    assert 0 < settings.parameters_rmse < 1 and not settings.parameters_kept
    assert len(settings.fsrs_parameters) == 21
    assert settings.parameters_review_count == 200
    assert settings.parameters_fitted_at is not None
    assert tuple(settings.fsrs_parameters) != scheduling.DEFAULT_PARAMETERS
    # From now on the learner's scheduler is built from them.
    scheduler = reviews._scheduler(settings)
    assert scheduler.parameters == tuple(settings.fsrs_parameters)


def test_a_fit_works_each_cards_memory_out_again_with_the_new_parameters(alice, bob, make_deck):
    """As Anki recomputes memory states when its parameters change: alice's stabilities and
    difficulties become those of a learner who had the fitted parameters from the start
    (bob), while her due dates stay. Before, they stayed those the default parameters gave,
    and the fitted curve was applied to them."""
    deck = make_deck(40, slug="forty")
    cards = Card.objects.filter(deck=deck)
    study(alice, cards)
    due_before = dict(CardMemory.objects.filter(user=alice).values_list("card_id", "due"))

    run("--user", "alice")

    fitted = LearnerSettings.objects.get(user=alice).fsrs_parameters
    LearnerSettings.objects.create(user=bob, fsrs_parameters=fitted)
    study(bob, cards)
    had_them_all_along = {
        row.card_id: (row.stability, row.difficulty) for row in CardMemory.objects.filter(user=bob)
    }
    alice_rows = CardMemory.objects.filter(user=alice)
    assert {row.card_id: row.due for row in alice_rows} == due_before
    for row in alice_rows:
        stability, difficulty = had_them_all_along[row.card_id]
        assert row.stability == pytest.approx(stability)
        assert row.difficulty == pytest.approx(difficulty)


def test_a_fit_reschedules_the_review_cards_of_a_learner_who_asked(alice, make_deck):
    """Anki's "Reschedule cards on change" on new parameters: the review cards are due when
    their memories, worked out again, now say, whole study days after their last review."""
    LearnerSettings.objects.create(user=alice, reschedule_on_change=True)
    deck = make_deck(40, slug="forty")
    study(alice, Card.objects.filter(deck=deck))
    due_before = dict(CardMemory.objects.filter(user=alice).values_list("card_id", "due"))

    result = fsrs_fitting.parameters_fit(user=alice, now=STUDY_START + timedelta(days=21))

    rows = CardMemory.objects.filter(user=alice, state=scheduling.MemoryState.REVIEW)
    moved = [row for row in rows if row.due != due_before[row.card_id]]
    assert not result.kept
    assert result.rescheduled == len(moved) > 20
    assert f"{len(moved)} review cards rescheduled" in result.summary
    for row in moved:
        assert (row.due - row.last_review) % timedelta(days=1) == timedelta(0)


def test_without_a_user_it_fits_every_learner_with_reviews(alice, bob, deck):
    study(alice, Card.objects.filter(deck=deck)[:2])
    output = run()
    assert output.startswith("alice: too few reviews")
    assert "bob" not in output


def test_an_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        run("--user", "nobody")


def test_training_items_count_days_in_the_learners_study_days():
    one = datetime(2025, 3, 5, 20, 0, tzinfo=UTC)  # 21:00 in Berlin
    rows = [
        (1, one, 3),
        (1, one + timedelta(hours=5), 3),  # 02:00 next night: the same study day
        (1, one + timedelta(hours=8), 3),  # 05:00: the next study day
    ]
    items = scheduling.training_items(rows, time_zone="Europe/Berlin", day_start_hour=4)
    assert len(items) == 1
    # FSRSReview shows its fields only in its repr.
    assert (
        "delta_t: 0 }, FSRSReview { rating: 3, delta_t: 0 }, FSRSReview { rating: 3, delta_t: 1 }"
        in repr(items[0])
    )
    assert fsrs_fitting.MIN_TRAINING_ITEMS == 64


def test_a_forgotten_cards_reviews_before_its_reset_are_not_fitted(alice, deck):
    """As Anki's optimizer reads a card's log from its last reset on: the card's history
    before the learner chose to forget it is not what its memory since was built on."""
    cards = list(Card.objects.filter(deck=deck).order_by("number")[:3])
    study(alice, cards)
    reviews.card_forget(user=alice, card=cards[0], now=STUDY_START + timedelta(days=30))
    output = run("--user", "alice")
    assert "alice: too few reviews: 10 reviews give 8 training items" in output


def test_the_reviews_of_a_card_deleted_since_are_kept_but_not_fitted(alice, deck):
    """Without its card a review cannot be put in its card's history (Anki's optimizer
    too reads the reviews of the cards there are): the others are fitted as before."""
    cards = list(Card.objects.filter(deck=deck).order_by("number")[:3])
    study(alice, cards)
    cards[0].delete()  # by staff, in the admin

    assert ReviewLog.objects.filter(user=alice, card=None).count() == 5
    output = run("--user", "alice")
    assert "alice: too few reviews: 10 reviews give 8 training items" in output


def test_a_fit_works_a_forgotten_cards_memory_out_from_its_reviews_since(alice, bob, make_deck):
    deck = make_deck(40, slug="forty")
    cards = list(Card.objects.filter(deck=deck).order_by("number"))
    study(alice, cards)
    forgotten = cards[0]
    reset_at = STUDY_START + timedelta(days=30)
    reviews.card_forget(user=alice, card=forgotten, now=reset_at)
    since = [reset_at + timedelta(days=1), reset_at + timedelta(days=4)]
    for moment in since:
        reviews.review_record(user=alice, card=forgotten, rating=3, now=moment, elapsed_seconds=5)

    assert fsrs_fitting.parameters_fit(user=alice, now=reset_at + timedelta(days=5)).fitted

    fitted = LearnerSettings.objects.get(user=alice).fsrs_parameters
    LearnerSettings.objects.create(user=bob, fsrs_parameters=fitted)
    for moment in since:
        reviews.review_record(user=bob, card=forgotten, rating=3, now=moment, elapsed_seconds=5)
    mine = CardMemory.objects.get(user=alice, card=forgotten)
    fresh = CardMemory.objects.get(user=bob, card=forgotten)
    assert mine.stability == pytest.approx(fresh.stability)
    assert mine.difficulty == pytest.approx(fresh.difficulty)


def training_items(user):
    settings = reviews.learner_settings(user=user)
    return fsrs_fitting._training_items(fsrs_fitting._review_rows(user), settings)


def test_a_fit_that_finds_nothing_better_keeps_the_parameters_in_use(alice, make_deck):
    """As Anki: fitted again on the same reviews, the optimizer finds what it found before,
    which predicts them no better; the parameters stay, and so do the memories."""
    deck = make_deck(40, slug="forty")
    study(alice, Card.objects.filter(deck=deck))
    first = fsrs_fitting.parameters_fit(user=alice, now=STUDY_START)
    memories = set(CardMemory.objects.filter(user=alice).values_list("card_id", "stability"))

    again = fsrs_fitting.parameters_fit(user=alice, now=STUDY_START + timedelta(days=1))

    assert again.kept and not first.kept
    assert "predict them as well or better" in again.summary and "kept" in again.summary
    settings = LearnerSettings.objects.get(user=alice)
    assert tuple(settings.fsrs_parameters) == first.parameters
    assert settings.parameters_kept and settings.parameters_log_loss == again.before.log_loss
    assert (
        set(CardMemory.objects.filter(user=alice).values_list("card_id", "stability")) == memories
    )


def test_worse_parameters_found_leave_the_defaults_unwritten(alice, make_deck, monkeypatch):
    """A fit on a few noisy weeks can do worse than FSRS's defaults: kept, they stay the
    library's (not written down, so a newer library's defaults are taken)."""
    deck = make_deck(40, slug="forty")
    study(alice, Card.objects.filter(deck=deck))
    worse = list(scheduling.DEFAULT_PARAMETERS)
    worse[:4] = [0.01, 0.01, 0.01, 0.01]  # every first memory lasting minutes
    monkeypatch.setattr(
        fsrs_fitting.fsrs_rs_python.FSRS, "compute_parameters", lambda self, items: worse
    )

    result = fsrs_fitting.parameters_fit(user=alice, now=STUDY_START)

    assert result.kept and result.found.log_loss > result.before.log_loss
    settings = LearnerSettings.objects.get(user=alice)
    assert settings.fsrs_parameters == [] and settings.parameters_kept
