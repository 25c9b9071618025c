import pytest
from axes.models import AccessLog
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, CardMemory, ProblemReport, ReviewLog
from tests.quizplay import finish, start, start_quick

URL = reverse("account_delete")

pytestmark = pytest.mark.django_db


def test_it_deletes_the_account_and_all_that_is_in_it(client, alice, bob, deck, password):
    finish(start(alice, deck, count=3))
    finish(start(bob, deck, count=2))
    client.force_login(alice)

    response = client.post(URL, {"password": password}, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "The account alice and everything kept for it are deleted" in response.text
    assert not get_user_model().objects.filter(username="alice").exists()
    for model in (Attempt, CardMemory, ReviewLog):
        assert model.objects.filter(user__username="bob").exists()
        assert model.objects.count() == model.objects.filter(user__username="bob").count()


def test_it_signs_out_every_session_of_the_account(client, alice, password):
    elsewhere = Client()
    elsewhere.force_login(alice)
    client.force_login(alice)

    client.post(URL, {"password": password})

    for browser in (client, elsewhere):
        assert browser.get(reverse("history"))["Location"].startswith(reverse("login"))


def test_the_learner_leaves_the_leaderboard(client, alice, bob, deck, password):
    finish(start_quick(alice, deck), right=range(1, 11))
    finish(start_quick(bob, deck), right={1})
    board = reverse("leaderboard") + f"?deck={deck.slug}"
    assert "alice" in _ranked(client.get(board))
    client.force_login(alice)

    client.post(URL, {"password": password})

    ranked = _ranked(client.get(board))
    assert "alice" not in ranked
    assert "bob" in ranked


def _ranked(response) -> str:
    return " ".join(cell.get_text() for cell in BeautifulSoup(response.text, "html.parser")("td"))


def test_problem_reports_stay_without_the_name(client, alice, deck, password):
    report = ProblemReport.objects.create(card=deck.cards.first(), reporter=alice, kind="unclear")
    client.force_login(alice)

    client.post(URL, {"password": password})

    report.refresh_from_db()
    assert report.reporter is None


def test_a_wrong_password_deletes_nothing(client, alice):
    client.force_login(alice)

    response = client.post(URL, {"password": "not the password"})

    assert response.status_code == 200
    assert "That is not your password." in response.text
    assert get_user_model().objects.filter(username="alice").exists()


def test_the_password_checks_share_the_password_changes_limit(client, alice, password):
    client.force_login(alice)
    for _ in range(5):
        client.post(
            reverse("password_change"),
            {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
        )

    response = client.post(URL, {"password": password})

    assert "Too many tries of your password" in response.text
    assert get_user_model().objects.filter(username="alice").exists()


def test_a_staff_account_is_refused_before_its_password_is_checked(client, staff, password):
    client.force_login(staff)

    response = client.post(URL, {"password": password})

    assert response.status_code == 403
    assert response.text.count("deleted by another member of staff") == 1
    assert get_user_model().objects.filter(username="staff").exists()
    for _ in range(5):  # none of the password tries was spent
        client.post(URL, {"password": "wrong"})
    assert "Too many tries" not in client.post(reverse("password_change"), {}).text


@pytest.mark.skipif(
    settings.AXES_HANDLER != "axes.handlers.database.AxesDatabaseHandler",
    reason="django-axes keeps its records in Redis, briefly",
)
def test_the_sign_in_records_of_the_name_go_too(client, alice, bob, password):
    for name in ("alice", "bob"):
        Client().post(reverse("login"), {"username": name, "password": password})
    assert AccessLog.objects.filter(username="alice").exists()
    client.force_login(alice)

    client.post(URL, {"password": password})

    assert not AccessLog.objects.filter(username="alice").exists()
    assert AccessLog.objects.filter(username="bob").exists()


def test_a_guest_is_sent_to_log_in(client):
    response = client.post(URL, {"password": "anything"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405
