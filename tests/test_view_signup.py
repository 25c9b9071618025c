import re
import zoneinfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

import quizzes.forms
import quizzes.forms_study
import quizzes.scheduling
from quizzes import throttling
from quizzes.forms import SignupForm
from quizzes.models import Attempt
from quizzes.services import reviews
from tests.concurrency import postgresql_only, statuses_sent_at_once
from tests.quizplay import finish, start_as_guest

pytestmark = pytest.mark.django_db

URL = reverse("signup")
NEW_PASSWORD = "a much longer passphrase"


def form(username="carol"):
    return {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


def test_it_shows_the_form_in_the_site_look(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="password1"' in response.text
    assert "site-header" in response.text


def test_it_creates_the_account_and_logs_in(client):
    response = client.post(URL, form())
    assert response.status_code == 302
    user = get_user_model().objects.get(username="carol")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_browsers_time_zone_becomes_the_learners(client):
    """Sent by site.js: the study day starts at 4 am on the learner's clock, not UTC's."""
    response = client.get(URL)
    assert 'name="time_zone"' in response.text
    assert "data-browser-time-zone" in response.text
    assert 'for="id_time_zone"' not in response.text  # hidden, so no label either
    client.post(URL, {**form(), "time_zone": "America/New_York"})
    user = get_user_model().objects.get(username="carol")
    assert reviews.learner_settings(user=user).time_zone == "America/New_York"


@pytest.mark.parametrize(
    "sent", ["", "Mars/Olympus", "x" * 300, "localtime", "Factory", "posixrules", "../UTC"]
)
def test_without_a_time_zone_it_is_utc_and_an_unknown_one_is_no_error(client, sent):
    response = client.post(URL, {**form(), "time_zone": sent})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="carol")
    assert reviews.learner_settings(user=user).time_zone == "UTC"


@pytest.fixture
def taken_meanwhile(monkeypatch):
    """`taken_meanwhile(name)`: another sign-up's account `name` is saved after the form
    checks the names taken, before it saves its own (two sign-ups at once, a double click)."""

    def take(name: str) -> None:
        is_valid = SignupForm.is_valid

        def valid_then_taken(form):
            valid = is_valid(form)
            get_user_model().objects.create_user(username=name, password=NEW_PASSWORD)
            return valid

        monkeypatch.setattr(SignupForm, "is_valid", valid_then_taken)

    return take


def test_a_name_taken_between_the_check_and_the_save_is_said_not_a_500(client, taken_meanwhile):
    taken_meanwhile("carol")

    response = client.post(URL, form())

    assert response.status_code == 200
    assert "A user with that username already exists." in response.text
    assert get_user_model().objects.filter(username="carol").count() == 1
    assert "_auth_user_id" not in client.session


def test_a_look_alike_name_taken_between_the_check_and_the_save_is_said(client, taken_meanwhile):
    taken_meanwhile("Caro1")

    response = client.post(URL, form("carol"))

    assert response.status_code == 200
    assert "This name looks like “Caro1”" in response.text
    assert not get_user_model().objects.filter(username="carol").exists()


# On SQLite the database file takes one writer at a time, which the advisory lock on the
# name's skeleton stands for on PostgreSQL.
@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_look_alike_names_signing_up_at_once_make_one_account():
    names = iter(["Carol", "carol", "caro1", "car0l"])

    statuses = statuses_sent_at_once(
        None, lambda client: client.post(URL, form(next(names))), times=4
    )

    assert sorted(statuses) == [200, 200, 200, 302]
    assert get_user_model().objects.count() == 1


def test_the_guests_quiz_is_saved_to_the_new_account(client, make_deck):
    attempt = finish(start_as_guest(client, make_deck(12), count=2))

    client.post(URL, form())

    attempt.refresh_from_db()
    assert attempt.user.username == "carol"
    assert client.get(reverse("attempt_result", args=[attempt.pk])).status_code == 200
    assert reverse("attempt_result", args=[attempt.pk]) in client.get(reverse("history")).text


def test_it_goes_to_a_safe_next_url_only(client):
    response = client.post(URL + "?next=/leaderboard/", {**form(), "next": "/leaderboard/"})
    assert response["Location"] == "/leaderboard/"
    client.logout()
    response = client.post(URL, {**form("dave"), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "alice", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        {"username": "carol", "password1": NEW_PASSWORD, "password2": "different"},
        {"username": "carol", "password1": "123", "password2": "123"},
        {"username": "x" * 10_000, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    ],
)
def test_invalid_input_rerenders_with_errors(client, alice, data):
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert get_user_model().objects.count() == 1


@pytest.mark.parametrize(
    ("password1", "password2", "wrong"),
    [("123", "123", "password1"), (NEW_PASSWORD, "different", "password2")],
)
def test_the_error_is_under_the_field_to_mend_which_takes_the_focus(
    client, password1, password2, wrong
):
    response = client.post(
        URL, {"username": "carol", "password1": password1, "password2": password2}
    )

    soup = BeautifulSoup(response.text, "html.parser")
    errors = soup.select(".errorlist")
    assert errors and all(
        error.find_previous("input")["name"] in (wrong, "username") for error in errors
    )
    assert soup.select_one(f"input[name={wrong}]").find_next(class_="errorlist") in errors
    focused = soup.select("input[autofocus]")
    assert [field["name"] for field in focused] == [wrong]


def test_each_field_is_described_by_its_error_and_its_help_text(client):
    response = client.post(URL, {"username": "carol", "password1": "123", "password2": "123"})

    soup = BeautifulSoup(response.text, "html.parser")
    password = soup.select_one("input[name=password1]")
    described = [soup.find(id=id_) for id_ in password["aria-describedby"].split()]
    assert None not in described
    assert [element.get("class") for element in described] == [["hint"], ["errorlist"]]
    assert password["aria-invalid"] == "true"


@pytest.mark.parametrize("username", ["\u0430lice", "b\u03bfb", "\u0430\u0432\u0430lon"])
def test_a_name_mixing_look_alike_alphabets_is_refused(client, alice, username):
    response = client.post(URL, form(username))

    assert response.status_code == 200
    assert "Use the letters of one alphabet" in response.text
    assert get_user_model().objects.count() == 1


@pytest.mark.parametrize(
    "username", ["\u0430\u043b\u0438\u0441\u0430", "ζωή", "tanaka田中", "zoë_2", "Ayd\u0131n"]
)
def test_a_name_in_one_alphabet_is_welcome(client, username):
    assert client.post(URL, form(username)).status_code == 302


def test_a_name_mixing_alphabets_gets_only_the_one_alphabet_error(client):
    response = client.post(URL, form("\u0430lice"))

    errors = BeautifulSoup(response.text, "html.parser").select(".errorlist")
    assert [error.get_text(strip=True) for error in errors] == [
        "Use the letters of one alphabet: a name mixing Latin, Cyrillic or Greek letters can "
        "look like someone else's."
    ]


@pytest.mark.parametrize(
    ("username", "taken"),
    [
        pytest.param("\u0430\u04cf\u0456\u0441\u0435", "alice", id="alice in Cyrillic"),
        pytest.param("\u0391\u0392\u0395", "abe", id="ABE in Greek"),
        pytest.param("\u13b7\u13aa\u13d2\u13e6", "Mark", id="MARK in Cherokee"),
        pytest.param("\u13aalice", "alice", id="Alice with a Cherokee A"),
        pytest.param("\ua4ee\ua4e1\ua4f2\ua4da\ua4f0", "Alice", id="ALICE in Lisu"),
        pytest.param("scope", "\u0455\u0441\u043e\u0440\u0435", id="scope after it in Cyrillic"),
        pytest.param("\u04c0\u0456\u04c0\u0443", "lily", id="lily with Cyrillic capital I"),
        pytest.param("aIice", "alice", id="alice with a capital i"),
        pytest.param("rnary", "mary", id="mary with r and n"),
        pytest.param("B0B1", "bobl", id="a zero and a one"),
    ],
)
def test_a_name_that_looks_like_another_learners_is_refused(
    client, django_user_model, username, taken
):
    django_user_model.objects.create_user(taken, password="x" * 12)

    response = client.post(URL, form(username))

    assert response.status_code == 200
    assert "choose one that cannot pass for theirs" in response.text
    assert not django_user_model.objects.filter(username=username).exists()


def test_the_refusal_names_the_learner_it_looks_like(client, alice):
    response = client.post(URL, form("\u0430\u04cf\u0456\u0441\u0435"))
    assert "This name looks like “alice”, another learner" in response.text


def test_a_name_given_up_is_free_to_look_like(client, alice):
    alice.username = "alicia"
    alice.save()

    assert client.post(URL, form("\u0430\u04cf\u0456\u0441\u0435")).status_code == 302


@pytest.mark.parametrize(
    ("username", "taken"),
    [("all", "ali"), ("Ali", "all"), ("Nell", "Neil"), ("Lila", "Ilia"), ("Bill", "Bili")],
)
def test_a_name_whose_dotted_i_is_anothers_l_is_welcome(client, django_user_model, username, taken):
    """A lower-case i keeps its dot: "ali" took "all" for the same name until December."""
    django_user_model.objects.create_user(taken, password="x" * 12)

    assert client.post(URL, form(username)).status_code == 302


@pytest.mark.parametrize(
    ("username", "taken"),
    [
        ("ALI", "ali"),
        pytest.param("\u0410\u04c0\u04c0", "all", id="ALL in Cyrillic capitals"),
        pytest.param("ALI", "all", id="ALI, whose I passes for the l of ALl"),
    ],
)
def test_a_name_in_capitals_is_refused_beside_what_it_reads_or_looks_like(
    client, django_user_model, username, taken
):
    django_user_model.objects.create_user(taken, password="x" * 12)

    response = client.post(URL, form(username))

    assert response.status_code == 200
    assert not django_user_model.objects.filter(username=username).exists()


@pytest.mark.parametrize(
    "username",
    [
        pytest.param("\u0412\u0435\u0440\u0430", id="Vera in Cyrillic, reads Bepa"),
        pytest.param("\u0410\u041d\u041d\u0410", id="ANNA in Cyrillic, reads AHHA"),
    ],
)
def test_a_name_that_looks_latin_is_welcome_while_nobody_has_that_look(client, alice, username):
    assert client.post(URL, form(username)).status_code == 302


@pytest.mark.parametrize(
    "username",
    [
        "Δημήτρης",
        "张伟",
        pytest.param("\u13e3\u13b3\u13a9", id="Tsalagi in Cherokee"),
        pytest.param("\u0415\u0433\u043e\u0440", id="Yegor in Cyrillic"),
    ],
)
def test_a_name_with_a_letter_unlike_any_latin_one_is_welcome(client, username):
    assert client.post(URL, form(username)).status_code == 302


def test_a_logged_in_user_is_sent_home(client, alice):
    client.force_login(alice)
    assert client.get(URL)["Location"] == reverse("home")


def test_it_rejects_put(client):
    assert client.put(URL).status_code == 405


def test_nothing_is_claimed_without_guest_attempts(client, alice, make_deck):
    client.post(URL, form())
    assert not Attempt.objects.exists()


def test_it_greets_the_new_learner(client):
    response = client.post(URL, form(), follow=True)
    assert "Welcome, carol!" in response.text
    assert "saved to your account" not in response.text


def test_it_says_the_guests_quiz_was_saved_and_comes_back_to_it(client, make_deck):
    attempt = finish(start_as_guest(client, make_deck(12), count=2))
    result = reverse("attempt_result", args=[attempt.pk])

    response = client.post(f"{URL}?next={result}", {**form(), "next": result}, follow=True)

    assert response.redirect_chain[-1][0] == result
    assert "Welcome, carol!" in response.text
    assert "Your quiz from just now is saved to your account" in response.text


@pytest.mark.parametrize("blank", [" " * 8, " " * 30, "\t \u00a0 \u3000 \n  \t\t"])
def test_a_password_made_only_of_whitespace_is_refused(client, blank):
    response = client.post(URL, {"username": "carol", "password1": blank, "password2": blank})

    assert response.status_code == 200
    assert "cannot be made only of spaces" in response.text
    assert not get_user_model().objects.filter(username="carol").exists()


def test_spaces_inside_a_passphrase_are_kept(client):
    passphrase = "  correct horse battery staple  "
    client.post(URL, {"username": "carol", "password1": passphrase, "password2": passphrase})

    assert get_user_model().objects.get(username="carol").check_password(passphrase)


def test_an_email_is_optional_and_kept_once_its_owner_confirms_it(client, mailoutbox):
    client.post(URL, form("carol"))
    dave = Client()
    response = dave.post(URL, {**form("dave"), "email": "dave@example.org"}, follow=True)

    users = get_user_model().objects
    assert users.get(username="carol").email == ""
    assert "We sent a link to dave@example.org" in response.text
    # Until its owner opens the link, no reset link goes there.
    assert users.get(username="dave").email == ""
    [mail] = mailoutbox
    assert mail.to == ["dave@example.org"]
    link = re.search(r"http://testserver(/accounts/email/\S+/)", mail.body).group(1)

    dave.post(link)  # signed in, as sign-up leaves them

    assert users.get(username="dave").email == "dave@example.org"


def test_an_unconfirmed_email_gets_no_reset_link(client, mailoutbox):
    client.post(URL, {**form("dave"), "email": "dave@example.org"})
    mailoutbox.clear()

    Client().post(reverse("password_reset"), {"email": "dave@example.org"})

    assert mailoutbox == []


def test_links_to_one_address_are_limited_however_many_accounts_ask(mailoutbox):
    for number in range(throttling.EMAIL_CONFIRMATIONS_PER_HOUR + 1):
        response = Client().post(
            URL, {**form(f"spammer{number}"), "email": "victim@example.org"}, follow=True
        )

    assert len(mailoutbox) == throttling.EMAIL_CONFIRMATIONS_PER_HOUR
    # The last account is made, without the address, and says so.
    assert "No link went to victim@example.org" in response.text
    assert get_user_model().objects.get(username="spammer3").email == ""


def test_a_site_that_sends_no_email_asks_for_none(client, settings, mailoutbox):
    settings.QUIZSITE_PASSWORD_RESET = False
    assert 'name="email"' not in client.get(URL).text

    client.post(URL, {**form("dave"), "email": "dave@example.org"})

    assert get_user_model().objects.get(username="dave").email == ""
    assert mailoutbox == []


def test_a_malformed_email_is_refused(client):
    response = client.post(URL, {**form("dave"), "email": "not an address"})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert not get_user_model().objects.filter(username="dave").exists()


def test_the_list_of_time_zones_is_read_from_the_disk_once(client, monkeypatch):
    """Not at every sign-up: zoneinfo.available_timezones() walks the whole tz database."""
    client.post(URL, {**form(), "time_zone": "Europe/Berlin"})

    def rescan():
        raise AssertionError("the tz database was read again")

    monkeypatch.setattr(zoneinfo, "available_timezones", rescan)
    for module in (quizzes.forms, quizzes.forms_study, quizzes.scheduling):
        monkeypatch.setattr(module, "available_timezones", rescan, raising=False)
    form_ = SignupForm(data={**form(username="dave"), "time_zone": "Asia/Kolkata"})
    assert form_.is_valid(), form_.errors
    assert form_.cleaned_data["time_zone"] == "Asia/Kolkata"


def test_accounts_made_from_one_address_are_limited_an_hour(settings):
    # Each account has its own day of ranked Quick quizzes: made in a loop, accounts would
    # fill the leaderboard with the luckiest of many blind players (and the database).
    settings.QUIZSITE_SIGNUPS_PER_HOUR = 3
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False):
        made = [
            Client().post(URL, form(f"bot{number:03d}"), REMOTE_ADDR="203.0.113.7")
            for number in range(4)
        ]
        elsewhere = Client().post(URL, form("carol"), REMOTE_ADDR="198.51.100.4")
    with time_machine.travel("2025-03-05 13:00:00Z", tick=False):
        next_hour = Client().post(URL, form("bot100"), REMOTE_ADDR="203.0.113.7")

    assert [response.status_code for response in made] == [302, 302, 302, 429]
    assert "Several accounts were made from your address this hour" in made[-1].text
    assert made[-1]["Retry-After"] == "3600"
    assert (elsewhere.status_code, next_hour.status_code) == (302, 302)
    names = set(get_user_model().objects.values_list("username", flat=True))
    assert names == {"bot000", "bot001", "bot002", "carol", "bot100"}


def test_a_form_sent_back_with_an_error_spends_nothing_of_the_limit(settings):
    settings.QUIZSITE_SIGNUPS_PER_HOUR = 1
    typo = {**form("carol"), "password2": "a much longer passphrasf"}
    assert Client().post(URL, typo, REMOTE_ADDR="203.0.113.7").status_code == 200
    assert Client().post(URL, form("carol"), REMOTE_ADDR="203.0.113.7").status_code == 302


def test_a_signup_limit_of_zero_is_no_limit(settings):
    settings.QUIZSITE_SIGNUPS_PER_HOUR = 0
    for number in range(5):
        response = Client().post(URL, form(f"bot{number:03d}"), REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 302
