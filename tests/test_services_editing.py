from datetime import timedelta

import pytest

from quizzes.models import CachedImage, Card
from quizzes.services.editing import (
    CardHtmlError,
    card_guid,
    card_html_normalize,
    card_preview_html,
    card_save_from_admin,
    cards_for_admin_list,
    cards_with_statistics,
)
from tests.editing_helpers import record_answer

pytestmark = pytest.mark.django_db

IMAGE = "https://aiquizzes.com/gcp_images/a.png"
OTHER_IMAGE = "https://aiquizzes.com/gcp_images/b.png"


@pytest.fixture
def deck(make_deck):
    return make_deck(4)


@pytest.fixture
def card(deck):
    return deck.cards.get(number=1)


def statistics(card):
    return cards_with_statistics(Card.objects.filter(pk=card.pk)).get()


# --- saving ---


def test_normalising_sanitises_and_trims():
    question, answer = card_html_normalize(
        question_html="<p>Q</p><script>x()</script><br><br>",
        answer_html='\r\n<a href="javascript:alert(1)">A</a>\r\n',
    )

    assert question == "<p>Q</p>"
    assert answer == '<a rel="noopener noreferrer nofollow">A</a>'


def test_normalising_keeps_a_link_that_ends_the_answer():
    _, answer = card_html_normalize(
        question_html="Q",
        answer_html="See <a href='https://aiquizzes.com/questions/5'>view answer on aiquizzes</a>",
    )

    assert "questions/5" in answer


def test_normalising_refuses_an_empty_side():
    with pytest.raises(CardHtmlError, match="empty answer"):
        card_html_normalize(question_html="Q", answer_html="<p> </p>")


def test_normalising_is_idempotent():
    once = card_html_normalize(question_html="<p>a<p>b", answer_html="<ul><li>x</ul>tail")

    assert card_html_normalize(question_html=once[0], answer_html=once[1]) == once


def test_saving_recomputes_text_and_images(card):
    card.question_html = f'<p>Look:</p><img src="{IMAGE}"><img src="{OTHER_IMAGE}">'
    card.answer_html = f'<p>It is <img src="{IMAGE}"></p>'

    card_save_from_admin(card=card)

    card.refresh_from_db()
    assert card.question_text == "Look:"
    places = list(card.card_images.values_list("side", "position", "image__url"))
    assert places == [("answer", 0, IMAGE), ("question", 0, IMAGE), ("question", 1, OTHER_IMAGE)]
    assert CachedImage.objects.count() == 2


def test_saving_again_keeps_rows_whose_image_did_not_move(card):
    card.question_html = f'<img src="{IMAGE}"><img src="{OTHER_IMAGE}">'
    card_save_from_admin(card=card)
    first = card.card_images.get(position=0).pk

    card.question_html = f'<img src="{IMAGE}">'
    card_save_from_admin(card=card)

    assert list(card.card_images.values_list("pk", flat=True)) == [first]


def test_saving_keeps_an_existing_image_cached(card):
    CachedImage.objects.create(url=IMAGE, status="cached")
    card.question_html = f'<img src="{IMAGE}">'

    card_save_from_admin(card=card)

    assert CachedImage.objects.get(url=IMAGE).status == "cached"


def test_a_card_without_source_gets_a_stable_guid(card):
    card_save_from_admin(card=card)
    guid = card.guid

    card.answer_html = "<p>Changed.</p>"
    card_save_from_admin(card=card)

    assert guid
    assert card.guid == guid
    assert card_guid(card) == guid


def test_a_card_with_a_source_link_needs_no_stored_guid(card):
    card.source_url = "https://aiquizzes.com/questions/1"

    card_save_from_admin(card=card)

    assert card.guid == ""
    assert len(card_guid(card)) == 16


def test_the_preview_falls_back_to_sanitising_an_empty_side():
    question, answer = card_preview_html(question_html="", answer_html="<script>x</script>A")

    assert (question, answer) == ("", "A")


# --- statistics ---


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


def test_an_image_url_too_long_to_store_is_refused():
    long_url = "https://aiquizzes.com/" + "a" * 500 + ".png"

    with pytest.raises(CardHtmlError, match="longer than 500 characters"):
        card_html_normalize(question_html=f'<img src="{long_url}">', answer_html="A")
