import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.models import (
    Attempt,
    AttemptQuestion,
    Card,
    CardStatisticsRollUp,
    CardStatisticsWaiting,
)
from quizzes.services.accounts import account_delete
from quizzes.services.card_statistics import (
    SETTLING,
    WAITED_FOR,
    card_statistics_roll_up,
    cards_for_admin_list,
    cards_with_statistics,
)
from quizzes.services.housekeeping import guest_attempts_purge
from tests.editing_helpers import record_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def deck(make_deck):
    return make_deck(4)


@pytest.fixture
def card(deck):
    return deck.cards.get(number=1)


def statistics(card):
    return cards_with_statistics(Card.objects.filter(pk=card.pk)).get()


def test_a_card_nobody_answered_has_no_percentage(card):
    stats = statistics(card)

    assert stats.times_answered == 0
    assert stats.percent_correct is None
    assert stats.average_elapsed is None
    assert stats.most_picked_wrong_id is None


def test_it_counts_answers_and_the_share_correct(card):
    record_answer(card, "correct", seconds=2)
    record_answer(card, "knew", seconds=4)
    record_answer(card, "wrong", seconds=6)
    record_answer(card, "timed_out")

    stats = statistics(card)

    assert stats.times_answered == 4
    assert stats.percent_correct == 50.0
    assert stats.average_elapsed == timedelta(seconds=4)


def test_missed_and_unanswered_questions_do_not_count(card):
    record_answer(card, "correct")
    record_answer(card, "missed")
    record_answer(card, "")

    assert statistics(card).times_answered == 1


def test_it_finds_the_most_picked_wrong_answer(deck, card):
    two, three = deck.cards.get(number=2), deck.cards.get(number=3)
    record_answer(card, "wrong", chosen_card=two)
    record_answer(card, "wrong", chosen_card=three)
    record_answer(card, "wrong", chosen_card=three)
    record_answer(card, "correct", chosen_card=card)

    stats = statistics(card)

    assert (stats.most_picked_wrong_id, stats.most_picked_wrong_number) == (three.pk, 3)
    assert stats.most_picked_wrong_count == 2


def test_answers_to_other_cards_do_not_count(deck, card):
    record_answer(deck.cards.get(number=2), "wrong")

    assert statistics(card).times_answered == 0


def test_the_admin_list_is_one_query_whatever_the_answers(deck, django_assert_num_queries):
    for card in deck.cards.all():
        record_answer(card, "correct", seconds=1)
        record_answer(card, "wrong", chosen_card=card)

    card_statistics_roll_up(now=timezone.now())

    with django_assert_num_queries(2):  # the cards, then their tags
        cards = list(cards_for_admin_list(Card.objects.all()))

    assert [card.stats_answered for card in cards] == [2, 2, 2, 2]


# --- the statistics rolled up for the admin's list ---


def rolled_up(card):
    card.refresh_from_db()
    return card.stats_answered, card.stats_percent_correct, card.stats_average_elapsed


def test_the_roll_up_counts_as_the_answers_do(card):
    record_answer(card, "correct", seconds=2)
    record_answer(card, "knew", seconds=4)
    record_answer(card, "wrong", seconds=6)
    record_answer(card, "timed_out")
    record_answer(card, "missed")

    card_statistics_roll_up(now=timezone.now())

    assert rolled_up(card) == (4, 50.0, timedelta(seconds=4))


def started_quiz(card, *, started_at, questions=1, deadline_at=None):
    """A quiz on `card` started at `started_at`, its questions not answered yet."""
    attempt = Attempt.objects.create(
        deck=card.deck,
        mode=Attempt.Mode.MULTIPLE_CHOICE,
        question_count=questions,
        time_limit_kind=Attempt.TimeLimitKind.NONE,
        seed=1,
        started_at=started_at,
        deadline_at=deadline_at,
    )
    return [
        AttemptQuestion.objects.create(attempt=attempt, position=position, card=card)
        for position in range(1, questions + 1)
    ]


def answered(question, outcome, seconds=1):
    AttemptQuestion.objects.filter(pk=question.pk).update(
        outcome=outcome, elapsed=timedelta(seconds=seconds)
    )


@pytest.mark.parametrize("started", [timedelta(hours=3), timedelta(0)])
def test_a_question_answered_after_a_roll_up_saw_it_is_counted_by_the_next(card, started):
    # Questions are written when the quiz starts and answered later: a roll-up that saw one
    # unanswered (in an old quiz, or one too recent to pass over) counts its answer later.
    now = timezone.now()
    first, second = started_quiz(card, started_at=now - started, questions=2)
    card_statistics_roll_up(now=now)
    assert rolled_up(card) == (0, None, None)

    answered(first, "wrong", seconds=3)
    card_statistics_roll_up(now=now)
    answered(second, "correct", seconds=5)
    card_statistics_roll_up(now=now + SETTLING * 2)

    assert rolled_up(card) == (2, 50.0, timedelta(seconds=4))


def test_a_roll_up_with_nothing_new_counts_no_card_again(deck, card):
    now = timezone.now()
    for each in deck.cards.all():
        record_answer(each, "correct")
    Attempt.objects.update(started_at=now - SETTLING * 2)
    [waiting] = started_quiz(card, started_at=now - SETTLING * 2)

    assert card_statistics_roll_up(now=now) == 4
    assert card_statistics_roll_up(now=now) == 0
    answered(waiting, "wrong")
    assert card_statistics_roll_up(now=now) == 1
    assert rolled_up(card)[:2] == (2, 50.0)


def test_quizzes_left_mid_way_are_looked_for_a_day_then_forgotten(card):
    # The questions a roll-up saw unanswered were kept for ever, as JSON on its row: a
    # term's abandoned quizzes piled up, and every load read them all again.
    now = timezone.now()
    for _ in range(60):
        first, *_ = started_quiz(card, started_at=now - SETTLING * 2, questions=5)
        answered(first, "correct")
    card_statistics_roll_up(now=now)
    assert CardStatisticsWaiting.objects.count() == 60 * 4

    card_statistics_roll_up(now=now + WAITED_FOR)
    assert CardStatisticsWaiting.objects.count() == 0
    for _ in range(60):
        started_quiz(card, started_at=now + WAITED_FOR - SETTLING * 2, questions=5)
    card_statistics_roll_up(now=now + WAITED_FOR)

    assert CardStatisticsWaiting.objects.count() == 60 * 5
    assert rolled_up(card)[:2] == (60, 100.0)


def test_a_quiz_past_its_time_limit_is_forgotten_once_the_clock_has_closed_it(card):
    now = timezone.now()
    started_quiz(card, started_at=now - SETTLING * 2, deadline_at=now + SETTLING, questions=3)
    card_statistics_roll_up(now=now)
    assert CardStatisticsWaiting.objects.count() == 3

    card_statistics_roll_up(now=now + SETTLING * 2)
    assert CardStatisticsWaiting.objects.count() == 3  # a late answer times out: counted
    card_statistics_roll_up(now=now + SETTLING * 3)
    assert CardStatisticsWaiting.objects.count() == 0


def test_an_answer_given_after_its_question_was_forgotten_counts_with_the_cards_next(card):
    now = timezone.now()
    [late] = started_quiz(card, started_at=now - WAITED_FOR * 2)
    card_statistics_roll_up(now=now)
    answered(late, "wrong")
    card_statistics_roll_up(now=now)
    assert rolled_up(card)[:2] == (0, None)

    record_answer(card, "correct")
    Attempt.objects.filter(questions__outcome="correct").update(started_at=now - SETTLING * 2)
    card_statistics_roll_up(now=now)

    assert rolled_up(card)[:2] == (2, 50.0)


def roll_up_statements(now) -> int:
    Attempt.objects.update(started_at=now - SETTLING * 2)
    with CaptureQueriesContext(connection) as queries:
        card_statistics_roll_up(now=now)
    return len(queries)


def test_a_roll_up_reads_the_questions_left_open_in_as_many_statements_for_many_as_for_one(
    deck, card
):
    now = timezone.now()
    started_quiz(card, started_at=now - SETTLING * 2)
    card_statistics_roll_up(now=now)
    record_answer(card, "correct")
    for_one = roll_up_statements(now)
    for _ in range(120):
        started_quiz(card, started_at=now - SETTLING * 2, questions=10)
    card_statistics_roll_up(now=now)
    record_answer(card, "correct")

    assert roll_up_statements(now) == for_one


migration_0038 = importlib.import_module(
    "quizzes.migrations.0038_card_statistics_counted_at_migration"
)


def test_the_first_roll_up_after_migrating_reads_only_what_came_since_the_migration(deck, card):
    # Migration 0036 left every answer to the first load of the admin's card list.
    now = timezone.now()
    for each in deck.cards.all():
        record_answer(each, "correct", seconds=2)
        record_answer(each, "wrong", seconds=4)
    [left_open] = started_quiz(card, started_at=now)
    Attempt.objects.update(started_at=now - SETTLING * 2)
    recent = record_answer(card, "correct", seconds=6)
    CardStatisticsRollUp.objects.update_or_create(pk=1, defaults={"seen_up_to": 0, "counted": []})

    migration_0038.count_every_card(apps, None)

    assert rolled_up(card) == (3, 100 * 2 / 3, timedelta(seconds=4))
    assert CardStatisticsRollUp.objects.get().seen_up_to == recent.pk - 1
    with CaptureQueriesContext(connection) as queries:
        assert card_statistics_roll_up(now=now) == 0
    read = [q["sql"] for q in queries if 'FROM "quizzes_attemptquestion"' in q["sql"]]
    assert len(read) == 2 and f'"id" > {recent.pk - 1}' in read[0], read
    answered(left_open, "wrong", seconds=8)
    assert card_statistics_roll_up(now=now) == 1
    assert rolled_up(card) == (4, 50.0, timedelta(seconds=5))


def test_the_migration_leaves_a_roll_up_that_has_read_already_as_it_is(card):
    record_answer(card, "correct")
    Attempt.objects.update(started_at=timezone.now() - SETTLING * 2)
    card_statistics_roll_up(now=timezone.now())
    state = CardStatisticsRollUp.objects.values().get()

    migration_0038.count_every_card(apps, None)

    assert CardStatisticsRollUp.objects.values().get() == state


def test_saving_a_card_keeps_the_numbers_a_roll_up_wrote_since_it_was_read(card):
    stale = Card.objects.get(pk=card.pk)
    record_answer(card, "correct")
    card_statistics_roll_up(now=timezone.now())

    stale.question_html = "<p>Reworded?</p>"
    stale.save()

    assert rolled_up(card)[:2] == (1, 100.0)


def test_deleting_a_learner_counts_the_cards_they_answered_again(card, alice):
    record_answer(card, "correct", user=alice)
    record_answer(card, "wrong")
    card_statistics_roll_up(now=timezone.now())

    account_delete(user=alice)

    assert rolled_up(card)[:2] == (1, 0.0)


def test_purging_guests_abandoned_quizzes_counts_their_cards_again(card):
    now = timezone.now()
    first, _ = started_quiz(card, started_at=now - timedelta(days=3), questions=2)
    answered(first, "correct")
    record_answer(card, "wrong")
    card_statistics_roll_up(now=now)
    assert rolled_up(card)[:2] == (2, 50.0)

    guest_attempts_purge(started_before=now - timedelta(days=1))

    assert rolled_up(card)[:2] == (1, 0.0)


def test_a_card_copied_by_clearing_its_id_is_saved_as_a_new_card(card):
    # What keeps the statistics out of a save (update_fields) would refuse a save with no id.
    card.pk = None
    card.number = 99
    card.save()

    assert card.deck.cards.filter(number=99).exists()
