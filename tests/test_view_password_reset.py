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


def test_accounts_sharing_an_address_get_one_email_with_a_link_each(
    client, alice_with_email, bob, mailoutbox
):
    bob.email = "ALICE@example.org"
    bob.save()

    client.post(URL, {"email": "alice@example.org"})

    [mail] = mailoutbox
    assert '"alice"' in mail.body
    assert '"bob"' in mail.body
    assert len(re.findall(r"/accounts/password/reset/\S+/", mail.body)) == 2


def test_a_known_and_an_unknown_address_ask_the_worker_alike(
    client, alice_with_email, queued_tasks
):
    from django_tasks_db.models import DBTaskResult

    client.post(URL, {"email": "alice@example.org"})
    client.post(URL, {"email": "nobody@example.org"})

    asked = {task.args_kwargs["kwargs"]["email"] for task in DBTaskResult.objects.all()}
    assert asked == {"alice@example.org", "nobody@example.org"}


def test_the_new_password_page_names_the_account(client, alice_with_email, mailoutbox):
    client.post(URL, {"email": "alice@example.org"})

    page = client.get(_link(mailoutbox[0]), follow=True)

    assert "For the account <strong>alice</strong>" in page.text
    assert 'name="username" value="alice" autocomplete="username"' in page.text


def test_the_lockout_page_offers_a_reset(client, alice):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    locked = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert URL in locked.text


def test_an_unknown_address_is_told_the_same_and_gets_nothing(client, alice, mailoutbox):
    response = client.post(URL, {"email": "nobody@example.org"})

    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_links_asked_for_one_address_are_limited(client, alice_with_email, mailoutbox, settings):
    for _ in range(settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES):
        Client().post(URL, {"email": "alice@example.org"})

    refused = client.post(URL, {"email": "ALICE@example.org"})

    assert refused.status_code == 429
    assert "try again in a quarter of an hour" in refused.text
    assert len(mailoutbox) == settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES


def test_a_stranger_spending_an_addresss_links_does_not_lock_its_owner_out(
    alice_with_email, mailoutbox, settings
):
    limit = settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES
    stranger = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(limit):
        assert stranger.post(URL, {"email": "alice@example.org"}).status_code == 302
    assert stranger.post(URL, {"email": "alice@example.org"}).status_code == 429

    owner = Client(REMOTE_ADDR="198.51.100.9").post(URL, {"email": "alice@example.org"})

    assert owner.status_code == 302
    assert len(mailoutbox) == limit + 1


def test_many_clients_together_send_one_address_at_most_twice_the_limit(
    alice_with_email, mailoutbox, settings
):
    """However many clients ask, the inbox gets a bounded number of links; whoever asks past
    it is refused, and the links sent meanwhile work for a day."""
    limit = settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES
    statuses = [
        Client(REMOTE_ADDR=f"203.0.113.{number}").post(URL, {"email": "alice@example.org"})
        for number in range(1, 2 * limit + 2)
    ]

    assert [response.status_code for response in statuses] == [302] * (2 * limit) + [429]
    assert "each works for a day" in statuses[-1].text
    assert len(mailoutbox) == 2 * limit


def test_requests_refused_for_their_client_do_not_count_for_the_address(
    client, alice_with_email, mailoutbox, settings
):
    settings.QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES = 1  # ten a client, one an address
    for number in range(10):
        client.post(URL, {"email": f"someone{number}@example.org"})
    assert client.post(URL, {"email": "alice@example.org"}).status_code == 429

    elsewhere = Client(REMOTE_ADDR="10.0.0.9").post(URL, {"email": "alice@example.org"})

    assert elsewhere.status_code == 302
    assert len(mailoutbox) == 1


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
    assert URL not in client.get(reverse("login")).text
    for _ in range(6):
        locked = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert "Too many failed logins" in locked.text
    assert URL not in locked.text


def test_the_accounts_signed_in_lately_come_first_in_a_crowded_email(
    client, django_user_model, mailoutbox
):
    from django.utils import timezone

    from quizzes.services.accounts import RESET_ACCOUNTS_PER_EMAIL

    for number in range(RESET_ACCOUNTS_PER_EMAIL + 2):  # signed up first, never signed in
        django_user_model.objects.create_user(
            f"stranger{number}", email="owner@example.org", password=NEW_PASSWORD
        )
    owner = django_user_model.objects.create_user(
        "owner", email="owner@example.org", password=NEW_PASSWORD
    )
    owner.last_login = timezone.now()
    owner.save()

    client.post(URL, {"email": "owner@example.org"})

    [mail] = mailoutbox
    assert '"owner"' in mail.body
    assert len(re.findall(r"/accounts/password/reset/\S+/", mail.body)) == RESET_ACCOUNTS_PER_EMAIL
