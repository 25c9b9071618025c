import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("logout")


def test_it_logs_out_with_a_post(client, alice):
    client.force_login(alice)
    response = client.post(URL)
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_it_rejects_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405
    assert "_auth_user_id" in client.session


def test_the_nav_offers_a_logout_form(client, alice):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert f'method="post" action="{URL}"' in response.text
