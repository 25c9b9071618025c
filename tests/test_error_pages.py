"""Errors keep the site's look and say what happened; none shows Django's bare pages."""

import io
import logging
import sqlite3
import sys

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from quizsite.logs import RefusalsInOneLine
from quizzes.models import Attempt
from quizzes.views.errors import server_error

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


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one writer at a time")
def test_a_database_kept_busy_by_a_long_write_is_a_503_that_asks_to_try_again(make_deck):
    make_deck(12)
    # Another connection holds the write lock, as a large import's one transaction does.
    other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE quizzes_deck SET name = name")
    try:
        response = Client(raise_request_exception=False).post("/quiz/quick/", {"deck": "synthetic"})
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "The site is busy for a moment" in response.text
    assert Attempt.objects.count() == 0
    # Once the write is done, the same request goes through.
    assert Client().post("/quiz/quick/", {"deck": "synthetic"}).status_code == 302
    assert Attempt.objects.count() == 1


def test_a_missing_cards_deck_is_named_apart_from_another_of_its_name(client, make_deck):
    make_deck(1, slug="bio-a", name="Biology")
    make_deck(1, slug="bio-b", name="biology")
    response = client.get("/decks/bio-b/cards/999/")
    assert response.status_code == 404
    assert "biology (bio-b) has no card with this number." in response.text
    assert 'href="/decks/bio-b/">Back to biology (bio-b)</a>' in response.text


@pytest.fixture
def console_log():
    """What the site's console handler (settings.LOGGING) writes, as text."""
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(kind, RefusalsInOneLine) for kind in handler.filters)
    )
    written = io.StringIO()
    kept = console.setStream(written)
    yield written
    console.setStream(kept)


def test_a_form_of_more_fields_than_django_takes_is_one_line_in_the_log(client, console_log):
    fields = "&".join(f"field{number}=1" for number in range(1_001))

    response = client.post(
        "/accounts/login/", fields, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert 'class="site-nav"' in response.text
    assert console_log.getvalue() == (
        "The number of GET/POST parameters exceeded "
        "settings.DATA_UPLOAD_MAX_NUMBER_FIELDS: /accounts/login/\n"
    )


def test_a_server_error_keeps_its_traceback_in_the_log():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /", (),
            sys.exc_info(),
        )  # fmt: skip
    record.status_code = 500

    assert RefusalsInOneLine().filter(record)
    assert record.exc_info is not None
