"""A learner's email, changed on their account page behind their password; a new address
is kept once its owner opens the link sent to it (tests/test_view_email_confirm.py)."""

import re

import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from quizzes import throttling
from quizzes.models import PendingEmail

URL = reverse("account_email")
ACCOUNT = reverse("account")


def confirmation_link(mail) -> str:
    return re.search(r"http://testserver(/accounts/email/\S+/)", mail.body).group(1)


def test_a_new_email_is_kept_once_the_link_sent_to_it_is_opened(
    client, alice, password, mailoutbox
):
    client.force_login(alice)

    response = client.post(
        URL, {"email-email": "new@example.org", "email-password": password}, follow=True
    )

    assert response.redirect_chain == [(reverse("account"), 302)]
    assert "We sent a link to new@example.org" in response.text
    # Not yet: a mistyped address would get the account's reset links.
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"
    [mail] = mailoutbox
    assert mail.to == ["new@example.org"]
    assert '"alice"' in mail.body

    # The account page says where the link went, until the address is kept.
    assert "A link went to <strong>new@example.org</strong>" in client.get(ACCOUNT).text

    client.post(confirmation_link(mail))

    assert get_user_model().objects.get(pk=alice.pk).email == "new@example.org"
    assert "A link went to" not in client.get(ACCOUNT).text


def test_the_same_email_again_sends_nothing(client, alice, password, mailoutbox):
    client.force_login(alice)

    response = client.post(
        URL, {"email-email": "alice@EXAMPLE.com", "email-password": password}, follow=True
    )

    assert "alice@example.com is your email already" in response.text
    assert mailoutbox == []


def test_links_sent_are_limited_per_account(client, alice, password, mailoutbox):
    client.force_login(alice)
    for number in range(throttling.EMAIL_CONFIRMATIONS_PER_HOUR):
        client.post(URL, {"email-email": f"n{number}@example.org", "email-password": password})

    response = client.post(URL, {"email-email": "x@example.org", "email-password": password})

    assert response.status_code == 429
    assert "Several confirmation links were sent lately" in response.text
    assert len(mailoutbox) == throttling.EMAIL_CONFIRMATIONS_PER_HOUR
    assert "x@example.org" not in {address for mail in mailoutbox for address in mail.to}


def test_a_site_that_sends_no_email_cannot_take_a_new_one(
    client, alice, password, mailoutbox, settings
):
    settings.QUIZSITE_PASSWORD_RESET = False
    client.force_login(alice)

    response = client.post(URL, {"email-email": "new@example.org", "email-password": password})

    assert response.status_code == 400
    assert "This site sends no email" in response.text
    assert mailoutbox == []
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_an_empty_email_removes_it(client, alice, password):
    client.force_login(alice)

    response = client.post(URL, {"email-email": "", "email-password": password}, follow=True)

    assert "Your email is removed" in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == ""


def test_a_wrong_password_changes_nothing(client, alice):
    client.force_login(alice)

    response = client.post(URL, {"email-email": "thief@example.org", "email-password": "not it"})

    assert response.status_code == 200
    assert "That is not your password." in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_a_malformed_email_is_refused(client, alice, password):
    client.force_login(alice)

    response = client.post(URL, {"email-email": "nope", "email-password": password})

    assert "Enter a valid email address." in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_its_tries_count_with_the_password_changes(client, alice, password):
    client.force_login(alice)
    for _ in range(5):
        client.post(URL, {"email-email": "x@example.org", "email-password": "wrong"})

    response = client.post(URL, {"email-email": "x@example.org", "email-password": password})

    assert "Too many tries of your password" in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_a_guest_is_sent_to_log_in(client, db):
    response = client.post(URL, {"email-email": "x@example.org", "email-password": "x"})
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_an_address_longer_than_the_column_is_refused(client, alice, password):
    client.force_login(alice)
    long_address = f"{'a' * 64}@{'b' * 63}.{'b' * 63}.{'b' * 63}.org"

    response = client.post(URL, {"email-email": long_address, "email-password": password})

    assert response.status_code == 200
    assert "at most 254 characters" in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_the_domain_is_kept_in_lower_case_as_sign_up_keeps_it(client, alice, password, mailoutbox):
    client.force_login(alice)

    client.post(URL, {"email-email": "Alice@Example.ORG", "email-password": password})
    [mail] = mailoutbox
    client.post(confirmation_link(mail))

    assert mail.to == ["Alice@example.org"]
    assert get_user_model().objects.get(pk=alice.pk).email == "Alice@example.org"


def test_every_browser_of_the_account_names_the_address_waiting(client, alice, password):
    client.force_login(alice)
    client.post(URL, {"email-email": "new@example.org", "email-password": password})
    phone = Client()
    phone.force_login(alice)

    assert "A link went to <strong>new@example.org</strong>" in phone.get(ACCOUNT).text


def test_an_address_whose_link_expired_is_no_longer_named_nor_kept(client, alice, password):
    client.force_login(alice)
    with time_machine.travel("2026-01-01 12:00Z"):
        client.post(URL, {"email-email": "new@example.org", "email-password": password})
    with time_machine.travel("2026-01-02 12:01Z"):
        assert "A link went to" not in client.get(ACCOUNT).text
        # The next request anyone makes forgets it.
        client.post(URL, {"email-email": "other@example.org", "email-password": password})

    assert list(PendingEmail.objects.values_list("email", flat=True)) == ["other@example.org"]


def test_an_email_staff_change_forgets_the_address_waiting(client, alice, password):
    # Its link no longer works (the account's email changed), so the page stops naming it.
    client.force_login(alice)
    client.post(URL, {"email-email": "new@example.org", "email-password": password})
    alice.refresh_from_db()
    alice.email = "staff-set@example.org"
    alice.save()  # as the admin's change form does

    assert "A link went to" not in client.get(ACCOUNT).text
    assert not PendingEmail.objects.exists()
