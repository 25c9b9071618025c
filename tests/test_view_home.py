import pytest
from django.urls import reverse

from quizzes.services import attempts as services

pytestmark = pytest.mark.django_db


def test_it_names_the_deck_and_counts_its_cards(client, fastai_deck):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert fastai_deck.name in response.text
    assert "79 cards" in response.text
    assert fastai_deck.description in response.text


def test_it_links_to_the_cards_and_a_random_card(client, fastai_deck):
    response = client.get(reverse("home"))
    assert 'href="/decks/fastai/">Browse the cards' in response.text
    assert 'href="/decks/fastai/random/">Random card' in response.text


def test_it_offers_a_quick_quiz_in_the_decks_real_numbers(client, fastai_deck, monkeypatch):
    monkeypatch.setattr(services, "QUICK_QUIZ_QUESTIONS", 12)

    response = client.get(reverse("home"))

    # 79 cards, of which 24 have a question image not cached and 2 an answer that needs one.
    assert "12 multiple-choice questions, drawn from the 53 cards" in response.text
    assert "time for its length, and faster right answers score more" in response.text
    # The rule spelled out, under the button.
    assert "each question 8\N{NO-BREAK SPACE}s plus the time to read" in response.text
    assert 'name="deck" value="fastai"' in response.text


def test_a_small_deck_offers_as_many_questions_as_it_has(client, make_deck):
    make_deck(3)
    assert "3 multiple-choice questions, drawn from the 3 cards" in client.get("/").text


def test_a_deck_of_cloze_cards_offers_no_quick_quiz(client, make_deck):
    from quizzes.services.anki_io import anki_import_apply

    deck = make_deck(0, slug="cloze")
    anki_import_apply(deck=deck, data="#notetype:Cloze\n{{c1::a}} {{c2::b}}\t\n", source="c.txt")

    response = client.get(reverse("home"))

    assert "Quick quiz:</strong> none, as no card of this deck" in response.text
    assert 'name="deck" value="cloze"' not in response.text
    assert "/quiz/?deck=cloze" in response.text


def test_it_says_how_to_load_a_deck_when_there_is_none(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No deck is loaded yet" in response.text


def test_it_runs_the_same_queries_for_any_deck_size(client, make_deck, django_assert_num_queries):
    make_deck(3, slug="small")
    make_deck(60, slug="large")
    with django_assert_num_queries(1):
        client.get(reverse("home"))
