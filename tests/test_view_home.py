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


def test_it_offers_a_quick_quiz_in_the_numbers_it_is_played_with(client, fastai_deck, monkeypatch):
    monkeypatch.setattr(services, "QUICK_QUIZ_QUESTIONS", 12)
    monkeypatch.setattr(services, "QUICK_QUIZ_SECONDS", 15)

    response = client.get(reverse("home"))

    assert "12 multiple-choice questions, 15 seconds each" in response.text
    assert 'name="deck" value="fastai"' in response.text


def test_it_says_how_to_load_a_deck_when_there_is_none(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No deck is loaded yet" in response.text


def test_it_runs_the_same_queries_for_any_deck_size(client, make_deck, django_assert_num_queries):
    make_deck(3, slug="small")
    make_deck(60, slug="large")
    with django_assert_num_queries(1):
        client.get(reverse("home"))
