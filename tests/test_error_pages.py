"""Errors keep the site's look and say what happened; none shows Django's bare pages."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gives_the_sites_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "There is nothing at this address." in response.text
    assert 'class="site-nav"' in response.text


def test_a_missing_card_leads_back_to_its_deck(client, fastai_deck):
    response = client.get("/decks/fastai/cards/999/")
    assert response.status_code == 404
    assert f"{fastai_deck.name} has no card with this number." in response.text
    assert f'href="/decks/fastai/">Back to {fastai_deck.name}</a>' in response.text


def test_a_404_keeps_the_reason_the_view_gave(client):
    response = client.get("/decks/no-such-deck/cards/1/")
    assert response.status_code == 404
    assert "There is no such deck." in response.text
    assert "Back to the home page" in response.text


def test_a_post_without_its_csrf_token_explains_the_form_expired(fastai_deck):
    response = Client(enforce_csrf_checks=True).post("/quiz/quick/", {"deck": "fastai"})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert 'class="site-nav"' in response.text


def test_a_request_for_an_unknown_host_gives_the_sites_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "That request could not be understood" in response.text


def test_the_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
