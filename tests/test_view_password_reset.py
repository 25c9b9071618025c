"""Forgot your password? The reset by email: Django's views behind a limit, and only where
the site can send email."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

URL = reverse("password_reset")
NEW_PASSWORD = "a brand new passphrase"

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_with_email(alice):
    alice.email = "alice@example.org"
    alice.save()
    return alice


def _logs_in(*, password: str) -> bool:
    login = Client().post(reverse("login"), {"username": "alice", "password": password})
    return login.status_code == 302


def _link(mail) -> str:
    return re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.body).group(1)


def test_the_login_page_offers_it(client):
    assert URL in client.get(reverse("login")).text


def test_a_link_is_sent_to_the_accounts_email(client, alice_with_email, mailoutbox):
    response = client.post(URL, {"email": "Alice@Example.org"})

    assert response["Location"] == reverse("password_reset_done")
    [mail] = mailoutbox
    assert mail.to == ["alice@example.org"]
    assert '"alice"' in mail.body
    assert _link(mail).startswith("/accounts/password/reset/")


def test_the_link_sets_a_new_password_and_signs_the_other_sessions_out(
    client, alice_with_email, mailoutbox, password
):
    elsewhere = Client()
    elsewhere.force_login(alice_with_email)
    client.post(URL, {"email": "alice@example.org"})

    form_page = client.get(_link(mailoutbox[0]), follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done["Location"] == reverse("password_reset_complete")
    assert _logs_in(password=NEW_PASSWORD)
    assert not _logs_in(password=password)
    assert elsewhere.get(reverse("history"))["Location"].startswith(reverse("login"))


def test_the_link_works_once(client, alice_with_email, mailoutbox):
    client.post(URL, {"email": "alice@example.org"})
    link = _link(mailoutbox[0])
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = Client().get(link, follow=True)

    assert "This link does not work any more" in again.text


def test_a_reset_lifts_the_lock_of_wrong_passwords(client, alice_with_email, mailoutbox):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    client.post(URL, {"email": "alice@example.org"})
    form_page = client.get(_link(mailoutbox[0]), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    response = client.post(reverse("login"), {"username": "alice", "password": NEW_PASSWORD})

    assert response.status_code == 302


def test_an_unknown_address_is_told_the_same_and_gets_nothing(client, alice, mailoutbox):
    response = client.post(URL, {"email": "nobody@example.org"})

    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_links_asked_for_one_address_are_limited(client, alice_with_email, mailoutbox, settings):
    for _ in range(settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES):
        Client().post(URL, {"email": "alice@example.org"})

    refused = client.post(URL, {"email": "ALICE@example.org"})

    assert refused.status_code == 200
    assert "try again in a quarter of an hour" in refused.text
    assert len(mailoutbox) == settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES


def test_a_weak_new_password_is_refused(client, alice_with_email, mailoutbox):
    client.post(URL, {"email": "alice@example.org"})
    form_page = client.get(_link(mailoutbox[0]), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "        ", "new_password2": "        "}
    )

    assert response.status_code == 200
    assert get_user_model().objects.get(username="alice").check_password("        ") is False


def test_without_email_the_site_offers_no_reset(client, alice_with_email, mailoutbox, settings):
    settings.QUIZSITE_PASSWORD_RESET = False

    response = client.post(URL, {"email": "alice@example.org"})

    assert response.status_code == 404
    assert "Ask its staff to set a new password for you" in response.text
    assert mailoutbox == []
