from django.contrib.auth import get_user_model
from django.urls import reverse

URL = reverse("account_email")


def test_it_sets_the_email_behind_the_password(client, alice, password):
    client.force_login(alice)

    response = client.post(
        URL, {"email-email": "new@example.org", "email-password": password}, follow=True
    )

    assert response.redirect_chain == [(reverse("account"), 302)]
    assert "goes to new@example.org" in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "new@example.org"


def test_an_empty_email_removes_it(client, alice, password):
    client.force_login(alice)

    response = client.post(URL, {"email-email": "", "email-password": password}, follow=True)

    assert "Your email is removed" in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == ""


def test_a_wrong_password_changes_nothing(client, alice):
    client.force_login(alice)

    response = client.post(URL, {"email-email": "thief@example.org", "email-password": "not it"})

    assert response.status_code == 200
    assert "That is not your password." in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_a_malformed_email_is_refused(client, alice, password):
    client.force_login(alice)

    response = client.post(URL, {"email-email": "nope", "email-password": password})

    assert "Enter a valid email address." in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_its_tries_count_with_the_password_changes(client, alice, password):
    client.force_login(alice)
    for _ in range(5):
        client.post(URL, {"email-email": "x@example.org", "email-password": "wrong"})

    response = client.post(URL, {"email-email": "x@example.org", "email-password": password})

    assert "Too many tries of your password" in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_a_guest_is_sent_to_log_in(client, db):
    response = client.post(URL, {"email-email": "x@example.org", "email-password": "x"})
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_get(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 405


def test_an_address_longer_than_the_column_is_refused(client, alice, password):
    client.force_login(alice)
    long_address = f"{'a' * 64}@{'b' * 63}.{'b' * 63}.{'b' * 63}.org"

    response = client.post(URL, {"email-email": long_address, "email-password": password})

    assert response.status_code == 200
    assert "at most 254 characters" in response.text
    assert get_user_model().objects.get(pk=alice.pk).email == "alice@example.com"


def test_the_domain_is_kept_in_lower_case_as_sign_up_keeps_it(client, alice, password):
    client.force_login(alice)

    client.post(URL, {"email-email": "Alice@Example.ORG", "email-password": password})

    assert get_user_model().objects.get(pk=alice.pk).email == "Alice@example.org"
