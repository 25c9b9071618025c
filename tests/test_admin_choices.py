"""Editors curate a card's multiple choice in the card admin: a short answer, their own wrong
answers, and how often each wrong answer fooled learners."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes.models import Distractor
from tests.editing_helpers import admin_form_data, record_answer

pytestmark = pytest.mark.django_db


def change_url(card):
    return reverse("admin:quizzes_card_change", args=[card.pk])


@pytest.fixture
def card(make_deck):
    return make_deck(5).cards.get(number=1)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def save(client, card, **changes):
    return client.post(change_url(card), admin_form_data(client.get(change_url(card)), **changes))


def test_a_short_answer_is_sanitized_and_becomes_the_choice(staff_client, card):
    response = save(
        staff_client,
        card,
        short_answer_html='<b onclick="x()">Layer 1</b><script>alert(1)</script>',
    )

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.short_answer_html == "<b>Layer 1</b>"
    assert (card.choice_html, card.choice_text) == ("<b>Layer 1</b>", "Layer 1")
    assert card.answer_html == "<p>Answer 1: it depends on layer 1.</p>"  # the feedback's


def test_the_choices_stored_words_follow_an_edit(staff_client, card):
    save(staff_client, card, short_answer_html="Residual layers, stacked")
    card.refresh_from_db()

    assert (card.choice_words, card.choice_stems) == (
        "layers residual stacked",
        "layer residual stack",
    )


def test_clearing_the_short_answer_offers_the_answer_again(staff_client, card):
    save(staff_client, card, short_answer_html="Layer 1")
    save(staff_client, card, short_answer_html="  ")
    card.refresh_from_db()
    assert card.choice_text == "Answer 1: it depends on layer 1."


def test_the_change_page_shows_the_answer_as_a_choice_offers_it(staff_client, card):
    page = BeautifulSoup(staff_client.get(change_url(card)).text, "html.parser")
    assert page.select_one(".card-choice").get_text() == "Answer 1: it depends on layer 1."


def test_hand_written_distractors_are_added_sanitized_and_rendered(staff_client, card):
    typed = '<ul><li>one <code>x</code></li><li>two</li></ul><img src=x onerror="y()">'
    response = save(staff_client, card, **{"distractors-0-html": typed})

    assert response.status_code == 302
    distractor = Distractor.objects.get(card=card)
    assert "onerror" not in distractor.html and "<li>" in distractor.html
    assert distractor.text == "one x\ntwo"
    assert 'class="choice-item"' in distractor.choice_html
    assert (distractor.words, distractor.stems) == ("x", "")  # "one", "two": stop words


def test_a_blank_distractor_is_refused(staff_client, card):
    form = admin_form_data(staff_client.get(change_url(card)))
    form["distractors-0-html"] = "<p> </p><script>x</script>"
    form["distractors-0-id"] = ""
    form["distractors-TOTAL_FORMS"] = "1"
    response = staff_client.post(change_url(card), form)

    assert response.status_code == 200
    assert "A wrong answer needs some text" in response.text
    assert not Distractor.objects.exists()


def test_a_distractor_nested_too_deep_is_refused_with_a_reason(staff_client, card):
    form = admin_form_data(staff_client.get(change_url(card)))
    form["distractors-0-html"] = "<b><i>" * 500 + "deep"
    form["distractors-0-id"] = ""
    form["distractors-TOTAL_FORMS"] = "1"
    response = staff_client.post(change_url(card), form)

    assert response.status_code == 200
    assert "This wrong answer cannot be saved: HTML elements nested more than 500 deep." in (
        response.text
    )
    assert not Distractor.objects.exists()


def test_the_card_shows_how_often_each_wrong_answer_was_picked(staff_client, card):
    fooled = Distractor.objects.create(card=card, html="Layer 2", text="Layer 2", times_offered=4)
    Distractor.objects.create(card=card, html="Layer 3", text="Layer 3", times_offered=4)
    other = card.deck.cards.get(number=2)
    record_answer(card, "wrong").__class__.objects.filter(card=card).update(
        chosen_card=card, chosen_distractor=fooled
    )
    record_answer(card, "wrong", chosen_card=other)
    record_answer(card, "correct", chosen_card=card)

    page = BeautifulSoup(staff_client.get(change_url(card)).text, "html.parser")

    inline = {
        row.select_one("td.field-html textarea").get_text().strip(): row.select_one(
            "td.field-picked"
        ).get_text(strip=True)
        for row in page.select("#distractors-group tr.form-row.has_original")
    }
    assert inline == {"Layer 2": "1 (25 %)", "Layer 3": "0 (0 %)"}
    statistics = page.select_one(".field-statistics").get_text(" ", strip=True)
    assert "Written: Layer 2 picked 1 of 4 offered (25 %)" in statistics
    assert "Written: Layer 3 picked 0 of 4 offered (0 %)" in statistics
    assert "Card 2: Answer 2: it depends on layer 2. picked 1" in statistics
    # A pick of a hand-written distractor is not reported as the card's own answer.
    assert "Most-picked wrong answer Answer 2" in statistics


def test_each_wrong_answers_delete_box_is_named(staff_client, card):
    Distractor.objects.create(card=card, html="Layer 2", text="Layer 2")
    page = BeautifulSoup(staff_client.get(change_url(card)).text, "html.parser")
    boxes = page.select("#distractors-group input[name$='-DELETE']")
    assert [box.get("aria-label") for box in boxes] == ["Delete this wrong answer"]


def test_an_answer_that_needs_a_missing_image_says_it_stays_in_flashcards(staff_client, card):
    save(
        staff_client,
        card,
        answer_html='<p>Instead we can do this:</p><img src="https://aiquizzes.com/x.png">',
    )
    page = staff_client.get(change_url(card)).text
    assert "Not offered: the answer needs an image that is not cached" in page


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_an_editor_writes_and_removes_the_hand_written_wrong_answers(editor_client, card):
    page = BeautifulSoup(editor_client.get(change_url(card)).text, "html.parser")
    assert page.select_one("#distractors-group textarea") is not None

    response = save(editor_client, card, **{"distractors-0-html": "<b>Layer 9</b>"})

    assert response.status_code == 302
    written = Distractor.objects.get(card=card)
    assert written.html == "<b>Layer 9</b>"
    response = save(editor_client, card, **{"distractors-0-DELETE": "on"})
    assert response.status_code == 302
    assert not Distractor.objects.exists()
