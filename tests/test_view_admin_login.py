import pytest

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
