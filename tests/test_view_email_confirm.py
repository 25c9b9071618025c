"""The link sent to confirm a new email (views.accounts.email_confirm): a page that asks,
then keeps the address for the account it was sent for; a link that is old, altered or
overtaken says so and changes nothing."""

import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from quizzes.services import accounts as account_services


def link_for(user, email: str) -> str:
    token = account_services.email_confirmation_token(user=user, email=email)
    return reverse("email_confirm", args=[token])


def email_of(user) -> str:
    return get_user_model().objects.get(pk=user.pk).email


def test_opening_the_link_asks_and_changes_nothing(client, alice):
    # Mail scanners open links: only the button keeps the address.
    response = client.get(link_for(alice, "new@example.org"))

    assert response.status_code == 200
    assert "Keep <strong>new@example.org</strong>" in response.text
    assert "<strong>alice</strong>" in response.text
    assert email_of(alice) == "alice@example.com"


def test_the_button_keeps_it_without_a_sign_in(alice):
    response = Client().post(link_for(alice, "new@example.org"))

    assert response.status_code == 200
    assert "Email confirmed" in response.text
    assert email_of(alice) == "new@example.org"


def test_opened_again_it_says_it_is_done(alice):
    link = link_for(alice, "new@example.org")
    Client().post(link)

    response = Client().get(link)

    assert response.status_code == 200
    assert "Email confirmed" in response.text


def test_a_link_older_than_a_day_changes_nothing(alice):
    with time_machine.travel("2026-01-01 12:00Z"):
        link = link_for(alice, "new@example.org")
    with time_machine.travel("2026-01-02 12:01Z"):
        response = Client().post(link)

    assert response.status_code == 400
    assert "more than a day old" in response.text
    assert email_of(alice) == "alice@example.com"


def test_an_altered_link_changes_nothing(alice, bob):
    link = link_for(alice, "new@example.org")
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = reverse("email_confirm", args=[token[:-3] + ("aaa" if token[-3:] != "aaa" else "bbb")])

    response = Client().post(forged)

    assert response.status_code == 400
    assert "not one the site sent" in response.text
    assert email_of(alice) == "alice@example.com"


def test_a_link_overtaken_by_another_change_changes_nothing(alice):
    mistyped = link_for(alice, "alice@exmaple.com")
    Client().post(link_for(alice, "alice@example.org"))

    response = Client().post(mistyped)

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


def test_a_reset_link_goes_only_to_a_confirmed_address(client, alice, mailoutbox):
    # alice asked for new@ but never opened its link: a stranger typing it gets nothing.
    Client().get(link_for(alice, "new@example.org"))

    client.post(reverse("password_reset"), {"email": "new@example.org"})

    assert mailoutbox == []
