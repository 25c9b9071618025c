from datetime import timedelta

import pytest

from quizzes.models import Card
from quizzes.services.card_statistics import cards_for_admin_list, cards_with_statistics
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

    with django_assert_num_queries(2):  # the cards, then their tags
        cards = list(cards_for_admin_list(Card.objects.all()))

    assert [card.times_answered for card in cards] == [2, 2, 2, 2]
