import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_admin_login_page_loads(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_it_logs_staff_in(client, staff, password):
    response = client.post("/admin/login/", {"username": "staff", "password": password})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_it_refuses_an_overlong_username_as_a_form_error(client):
    response = client.post("/admin/login/", {"username": "a" * 10_000, "password": "x"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.text


def test_it_turns_away_a_learner(client, alice, password):
    response = client.post("/admin/login/", {"username": "alice", "password": password})
    assert response.status_code == 200
    assert "/admin/" not in response.get("Location", "")
    assert client.get("/admin/").status_code == 302


def test_log_ins_tried_from_one_address_are_limited(staff, password, settings):
    settings.QUIZSITE_LOGINS_PER_15_MINUTES = 2
    for number in range(2):
        Client().post("/admin/login/", {"username": f"x{number}", "password": "guess"})
    client = Client()

    response = client.post("/admin/login/", {"username": "staff", "password": password})

    assert response.status_code == 200
    assert "Many log-ins were tried from your address" in response.text
    assert client.get("/admin/").status_code == 302
