import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("logout")


def test_it_logs_out_with_a_post(client, alice):
    client.force_login(alice)
    response = client.post(URL)
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_the_page_it_lands_on_says_so(client, alice):
    client.force_login(alice)
    response = client.post(URL, follow=True)
    assert "You are logged out." in response.text
    assert client.get(reverse("home")).text.count("You are logged out.") == 0


def test_a_visitor_not_logged_in_is_not_told_they_logged_out(client):
    response = client.post(URL, follow=True)
    assert "You are logged out." not in response.text


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405
    assert "_auth_user_id" in client.session


def test_the_nav_offers_a_logout_form(client, alice):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert f'method="post" action="{URL}"' in response.text
