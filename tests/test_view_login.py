import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from quizzes.models import Attempt
from tests.quizplay import T0, finish, start, start_as_guest
from tests.studyhelpers import review_count_shown

pytestmark = pytest.mark.django_db

URL = reverse("login")
IP = "203.0.113.7"


def log_in(client, username, password):
    return client.post(URL, {"username": username, "password": password})


def test_it_shows_the_form_in_the_site_look(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="password"' in response.text
    assert "Sign up" in response.text


def test_it_logs_in(client, alice, password):
    response = log_in(client, "alice", password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_wrong_password_shows_an_error(client, alice):
    response = log_in(client, "alice", "nope")
    assert response.status_code == 200
    assert "errorlist" in response.text or "quiz-error" in response.text


def test_a_wrong_password_marks_both_fields_invalid_and_described_by_the_error(client, alice):
    soup = BeautifulSoup(log_in(client, "alice", "nope").text, "html.parser")
    for name in ("username", "password"):
        field = soup.select_one(f"input[name={name}]")
        assert field["aria-invalid"] == "true"
        error = soup.find(id=field["aria-describedby"])
        assert "Please enter a correct username and password" in error.get_text()
        assert error["role"] == "alert"


def test_a_field_left_empty_is_described_by_its_own_error_alone(client):
    soup = BeautifulSoup(log_in(client, "alice", "").text, "html.parser")
    assert soup.find(id="form-error") is None
    password = soup.select_one("input[name=password]")
    assert password["aria-invalid"] == "true"
    assert password["aria-describedby"] == "id_password_error"
    fresh = BeautifulSoup(client.get(URL).text, "html.parser")
    for name in ("username", "password"):
        field = fresh.select_one(f"input[name={name}]")
        assert "aria-invalid" not in field.attrs
        assert "aria-describedby" not in field.attrs


def test_the_guests_quiz_is_saved_to_the_account(client, alice, password, make_deck):
    attempt = finish(start_as_guest(client, make_deck(12), count=2))

    log_in(client, "alice", password)

    attempt.refresh_from_db()
    assert attempt.user == alice
    assert client.get(reverse("attempt_result", args=[attempt.pk])).status_code == 200


def test_another_users_attempt_is_never_claimed(client, alice, bob, password, make_deck):
    session = client.session
    session.save()
    # Bob's, though started under this browser's session key (he logged in here later).
    bobs = start(bob, make_deck(12))
    Attempt.objects.filter(pk=bobs.pk).update(session_key=session.session_key)
    log_in(client, "alice", password)
    bobs.refresh_from_db()
    assert bobs.user == bob


def test_repeated_failures_lock_the_account_with_a_message(client, alice, password):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "alice", "wrong").status_code == 200

    locked = log_in(client, "alice", "wrong")

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    still_locked = log_in(client, "alice", password)
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_clears_the_failures(client, alice, password):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "alice", "wrong")
    assert log_in(client, "alice", password).status_code == 302
    client.post(reverse("logout"))

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "alice", "wrong").status_code == 200
    assert log_in(client, "alice", password).status_code == 302


def test_malformed_posts_do_not_crash(client, alice):
    assert client.post(URL, {}).status_code == 200
    overlong = client.post(URL, {"username": "x" * 10_000, "password": "y"})
    assert overlong.status_code == 200
    assert "at most 150 characters" in overlong.text


def test_it_says_the_guests_quiz_was_saved(client, alice, password, make_deck):
    attempt = finish(start_as_guest(client, make_deck(12), count=2))
    result = reverse("attempt_result", args=[attempt.pk])

    response = client.post(
        URL, {"username": "alice", "password": password, "next": result}, follow=True
    )

    assert response.redirect_chain[-1][0] == result
    assert "Your quiz from just now is saved to your account" in response.text


def test_it_says_nothing_was_saved_without_guest_quizzes(client, alice, password):
    response = client.post(URL, {"username": "alice", "password": password}, follow=True)
    assert "saved to your account" not in response.text


def test_the_locked_out_page_says_when_to_try_again(client, alice, settings):
    assert settings.AXES_COOLOFF_TIME == 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = log_in(client, "alice", "wrong")
    assert locked.status_code == 429
    assert "Try again in one hour" in locked.text


def test_the_guests_answers_count_in_the_navigation_at_once(client, alice, password, make_deck):
    deck = make_deck(12)
    elsewhere = Client()  # alice, signed in on another device: her count is kept
    elsewhere.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(elsewhere) == 12
        finish(start_as_guest(client, deck, count=2), right=(1, 2))

        log_in(client, "alice", password)

        assert review_count_shown(client) == review_count_shown(elsewhere) == 10


def test_log_ins_tried_from_one_address_are_limited_whatever_the_names(alice, password):
    # Each check of a password takes half a second of CPU, for a name nobody has too, and
    # django-axes locks a name at an address, not the address: a script trying a new name
    # each time took the server's cores.
    limit = 3
    with (
        override_settings(QUIZSITE_LOGINS_PER_15_MINUTES=limit),
        time_machine.travel(T0, tick=False) as traveller,
    ):
        tried = [
            Client().post(URL, {"username": f"name{n}", "password": "guess"}, REMOTE_ADDR=IP)
            for n in range(limit)
        ]
        refused_client = Client()
        refused = refused_client.post(
            URL, {"username": "alice", "password": password}, REMOTE_ADDR=IP
        )
        elsewhere = Client().post(
            URL, {"username": "alice", "password": password}, REMOTE_ADDR="198.51.100.4"
        )
        traveller.shift(15 * 60)
        later = Client().post(URL, {"username": "alice", "password": password}, REMOTE_ADDR=IP)

    assert [response.status_code for response in tried] == [200] * limit
    assert refused.status_code == 429
    assert "Many log-ins were tried from your address" in refused.text
    assert "_auth_user_id" not in refused_client.session  # its password was not checked
    assert (elsewhere.status_code, later.status_code) == (302, 302)


def test_an_empty_log_in_form_spends_nothing_of_the_limit(alice, password):
    with override_settings(QUIZSITE_LOGINS_PER_15_MINUTES=1):
        assert Client().post(URL, {"username": "alice"}, REMOTE_ADDR=IP).status_code == 200
        response = Client().post(URL, {"username": "alice", "password": password}, REMOTE_ADDR=IP)
    assert response.status_code == 302
