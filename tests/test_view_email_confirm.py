"""The link sent to confirm a new email (views.accounts.email_confirm): a page that asks the
account's owner, signed in, then keeps the address; a stranger holding the link, or a link
that is old, altered or overtaken, changes nothing and is told why."""

import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.services import accounts as account_services


def link_for(user, email: str) -> str:
    """The link the site emails when `user` asks to keep `email` (the worker runs in place)."""
    account_services.email_confirmation_ask(
        user=user, email=email, domain="testserver", use_https=False, now=timezone.now()
    )
    return re.search(r"http://testserver(/accounts/email/\S+/)", mail.outbox[-1].body).group(1)


def email_of(user) -> str:
    return get_user_model().objects.get(pk=user.pk).email


@pytest.fixture
def alices_browser(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    return browser


def confirm(browser, link: str):
    """Open the link and press its button, as a learner does."""
    page = browser.get(link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(link, {"csrfmiddlewaretoken": token})


def test_opening_the_link_asks_and_changes_nothing(alices_browser, alice):
    # Mail scanners open links: only the button keeps the address.
    response = alices_browser.get(link_for(alice, "new@example.org"))

    assert response.status_code == 200
    assert "Keep <strong>new@example.org</strong> as your account" in response.text
    assert email_of(alice) == "alice@example.com"


def test_the_owner_signed_in_keeps_it_with_the_button(alices_browser, alice):
    response = confirm(alices_browser, link_for(alice, "new@example.org"))

    assert response.status_code == 200
    assert "Email confirmed" in response.text
    assert email_of(alice) == "new@example.org"


def test_a_stranger_holding_the_link_cannot_keep_it(alice):
    # Whoever holds a mistyped address gets the link too: it asks them to log in.
    link = link_for(alice, "alice@exmaple.com")
    stranger = Client(enforce_csrf_checks=True)

    page = stranger.get(link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    pressed = Client().post(link)

    assert "Log in to confirm" in page.text
    assert token is None  # no button to press
    assert pressed.status_code == 403
    assert email_of(alice) == "alice@example.com"


def test_another_account_signed_in_cannot_keep_it(alice, bob):
    browser = Client()
    browser.force_login(bob)

    response = browser.post(link_for(alice, "bob@example.org"))

    assert response.status_code == 403
    assert "This link is for another account than <strong>bob</strong>" in response.text
    assert email_of(alice) == "alice@example.com"
    assert email_of(bob) == "bob@example.com"


def test_the_button_needs_the_pages_csrf_token(alices_browser, alice):
    response = alices_browser.post(link_for(alice, "new@example.org"))

    assert response.status_code == 403
    assert email_of(alice) == "alice@example.com"


def test_opened_again_it_says_it_is_done(alices_browser, alice):
    link = link_for(alice, "new@example.org")
    confirm(alices_browser, link)

    response = alices_browser.get(link)

    assert response.status_code == 200
    assert "Email confirmed" in response.text


def test_a_link_older_than_a_day_changes_nothing(alice):
    browser = Client()
    browser.force_login(alice)
    with time_machine.travel("2026-01-01 12:00Z"):
        link = link_for(alice, "new@example.org")
    with time_machine.travel("2026-01-02 12:01Z"):
        response = browser.post(link)

    assert response.status_code == 400
    assert "This link has expired" in response.text
    assert email_of(alice) == "alice@example.com"


def test_an_altered_link_changes_nothing(alices_browser, alice):
    token = link_for(alice, "new@example.org").rstrip("/").rsplit("/", 1)[1]
    altered = token[:-3] + ("aaa" if token[-3:] != "aaa" else "bbb")

    response = alices_browser.get(reverse("email_confirm", args=[altered]))

    assert response.status_code == 400
    assert "not one the site sent" in response.text
    assert email_of(alice) == "alice@example.com"


def test_the_link_does_not_tell_the_new_address_the_old_one(alice):
    token = link_for(alice, "new@example.org").rstrip("/").rsplit("/", 1)[1]
    payload = account_services.signing.loads(token, salt=account_services.EMAIL_CONFIRMATION_SALT)

    assert "alice@example.com" not in str(payload)


def test_a_link_overtaken_by_another_change_changes_nothing(alices_browser, alice):
    mistyped = link_for(alice, "alice@exmaple.com")
    confirm(alices_browser, link_for(alice, "alice@example.org"))

    response = alices_browser.get(mistyped)

    assert response.status_code == 400
    assert "email changed after this link was sent" in response.text
    assert email_of(alice) == "alice@example.org"


def test_a_link_for_an_account_deleted_or_deactivated_changes_nothing(alice, bob):
    alices, bobs = link_for(alice, "new@example.org"), link_for(bob, "new@example.org")
    alice.delete()
    bob.is_active = False
    bob.save()

    for link in (alices, bobs):
        response = Client().post(link)
        assert response.status_code == 400
        assert "The account this link was sent for is gone." in response.text
    assert email_of(bob) == "bob@example.com"


def test_it_refuses_other_methods(client, alice):
    assert client.put(link_for(alice, "new@example.org")).status_code == 405


def test_a_link_overtaken_by_a_later_one_changes_nothing(alices_browser, alice):
    mistyped = link_for(alice, "alice@exmaple.com")
    link_for(alice, "alice@example.org")

    response = alices_browser.get(mistyped)

    assert response.status_code == 400
    assert "A later link was asked for after this one" in response.text
    assert email_of(alice) == "alice@example.com"


def test_a_link_does_not_come_back_when_the_email_changes_back(alices_browser, alice):
    # A -> B -> A: the link sent while the email was A must not work again.
    mistyped = link_for(alice, "alice@exmaple.com")
    confirm(alices_browser, link_for(alice, "alice@example.org"))
    confirm(alices_browser, link_for(alice, "alice@example.com"))

    response = confirm(alices_browser, mistyped)

    assert response.status_code == 400
    assert email_of(alice) == "alice@example.com"


def test_a_link_sent_before_links_named_their_request_says_to_ask_for_a_new_one(
    alices_browser, alice
):
    """Links sent before migration 0016 carry no nonce: not "a later link was asked for"."""
    payload = {
        "user": alice.pk,
        "email": "new@example.org",
        "was": account_services._email_digest(alice.email),
    }
    token = account_services.signing.dumps(
        payload, salt=account_services.EMAIL_CONFIRMATION_SALT, compress=True
    )
    link = reverse("email_confirm", args=[token])

    response = alices_browser.get(link)

    assert response.status_code == 400
    assert "sent before the site changed how confirmation links work" in response.text
    assert "ask for a new one on your account page" in response.text
    assert "A later link" not in response.text
    assert email_of(alice) == "alice@example.com"


def test_asking_again_for_the_same_address_keeps_the_first_link_working(alices_browser, alice):
    # The learner may open whichever email arrives first.
    first = link_for(alice, "new@example.org")
    link_for(alice, "new@example.org")

    confirm(alices_browser, first)

    assert email_of(alice) == "new@example.org"
