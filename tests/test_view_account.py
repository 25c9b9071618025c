from bs4 import BeautifulSoup
from django.urls import reverse

from tests.quizplay import finish, start

URL = reverse("account")


def test_it_says_what_the_account_holds(client, alice, deck):
    finish(start(alice, deck, count=3), right={1})
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    text = " ".join(BeautifulSoup(response.text, "html.parser").get_text().split())
    assert "your 1 quiz with every answer, your 3 reviews, your memory of the 3 cards" in text
    assert reverse("account_export") in response.text
    assert reverse("password_change") in response.text


def test_it_offers_deletion_behind_the_password(client, alice):
    client.force_login(alice)

    soup = BeautifulSoup(client.get(URL).text, "html.parser")

    form = soup.select_one(f'form[action="{reverse("account_delete")}"]')
    assert form["method"] == "post"
    assert form.select_one('input[type="password"][name="password"]') is not None


def test_a_staff_account_is_not_offered_deletion(client, staff):
    client.force_login(staff)

    response = client.get(URL)

    assert reverse("account_delete") not in response.text
    assert "deleted by another member of staff, in the admin" in response.text


def test_it_is_reached_from_the_history(client, alice):
    client.force_login(alice)
    assert URL in client.get(reverse("history")).text


def test_a_guest_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405
