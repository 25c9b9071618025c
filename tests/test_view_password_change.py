import pytest
import time_machine
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("password_change")
NEW = "an entirely new passphrase"


def test_it_shows_the_form_in_the_site_look(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="old_password"' in response.text
    assert "site-header" in response.text


def test_it_changes_the_password(client, alice, password):
    client.force_login(alice)
    response = client.post(
        URL, {"old_password": password, "new_password1": NEW, "new_password2": NEW}
    )
    assert response["Location"] == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert "Password changed" in client.get(response["Location"]).text


def test_a_wrong_old_password_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(URL, {"old_password": "no", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    assert "errorlist" in response.text


def test_a_guest_is_sent_to_log_in(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_a_new_password_made_only_of_whitespace_is_refused(client, alice, password):
    client.force_login(alice)
    blank = " " * 12
    response = client.post(
        URL, {"old_password": password, "new_password1": blank, "new_password2": blank}
    )

    assert response.status_code == 200
    assert "cannot be made only of spaces" in response.text
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_a_new_password_signs_the_other_sessions_out_at_once(client, alice, password):
    elsewhere = Client()
    elsewhere.force_login(alice)
    assert ">alice<" in elsewhere.get(reverse("home")).text  # her user is kept
    client.force_login(alice)

    client.post(URL, {"old_password": password, "new_password1": NEW, "new_password2": NEW})

    assert ">alice<" in client.get(reverse("home")).text
    signed_out = elsewhere.get(reverse("home")).text
    assert ">alice<" not in signed_out and "Log in" in signed_out


def test_after_five_tries_not_even_the_right_password_is_checked(client, alice, password):
    client.force_login(alice)
    wrong = {"old_password": "guess", "new_password1": NEW, "new_password2": NEW}
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        for _ in range(5):
            assert "Your old password was entered incorrectly" in client.post(URL, wrong).text
        refused = client.post(URL, {**wrong, "old_password": password})
    with time_machine.travel("2025-03-05 12:15:00Z", tick=False):
        later = client.post(URL, {**wrong, "old_password": password})

    assert "Too many tries of your password" in refused.text
    alice.refresh_from_db()
    assert later["Location"] == reverse("password_change_done")
    assert alice.check_password(NEW)


def test_wrong_passwords_count_per_account(client, alice, bob, password):
    wrong = {"old_password": "guess", "new_password1": NEW, "new_password2": NEW}
    client.force_login(bob)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        for _ in range(5):
            client.post(URL, wrong)
        client.force_login(alice)
        response = client.post(URL, {**wrong, "old_password": password})

    assert response["Location"] == reverse("password_change_done")


def test_the_admins_password_change_is_limited_too(client, staff, password):
    client.force_login(staff)
    url = reverse("admin:password_change")
    wrong = {"old_password": "guess", "new_password1": NEW, "new_password2": NEW}
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        for _ in range(5):
            assert client.post(url, wrong).status_code == 200
        refused = client.post(url, {**wrong, "old_password": password})

    assert "Too many tries of your password" in refused.text
    staff.refresh_from_db()
    assert staff.check_password(password)


def test_tries_sent_at_once_are_each_counted(alice, password):
    # Counted before the (slow) password check: eight at once, five checked.
    from concurrent.futures import ThreadPoolExecutor

    from quizzes.forms import LimitedPasswordChangeForm

    def attempt(_):
        form = LimitedPasswordChangeForm(
            alice, {"old_password": "guess", "new_password1": NEW, "new_password2": NEW}
        )
        form.is_valid()
        return form.errors.as_data()["old_password"][0].code

    with (
        time_machine.travel("2025-03-05 12:00:00Z", tick=False),
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        codes = list(pool.map(attempt, range(8)))

    assert sorted(codes) == ["password_incorrect"] * 5 + ["throttled"] * 3
