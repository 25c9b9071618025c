"""quizsite/csrf.py: the CSRF token every form carries, masked as Django masks it."""

import pytest
from django.middleware import csrf as django_csrf
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse

from quizsite import csrf
from tests.httpquiz import HTMX, csrf_token, question_on
from tests.quizplay import start_as_guest

SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"


def test_a_token_unmasks_to_the_secret_and_is_masked_afresh_each_time():
    tokens = {csrf.masked(SECRET) for _ in range(50)}

    assert len(tokens) == 50
    for token in tokens:
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == SECRET


def test_the_masks_letters_are_drawn_evenly(monkeypatch):
    # 62 letters: a byte of 248 or more would favour the first eight, so it is dropped,
    # and the two letters it leaves short are drawn again.
    draws = iter([bytes([255, 248, 247, 62, 0, *[1] * 27]), bytes([61] * 32)])
    monkeypatch.setattr(csrf.secrets, "token_bytes", lambda count: next(draws))

    token = csrf.masked(SECRET)

    assert token[:32] == "9" + "a" + "a" + "b" * 27 + "99"
    assert _unmask_cipher_token(token) == SECRET


def test_it_renews_the_cookie_as_django_does():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = SECRET

    token = csrf.csrf_token(request)

    assert _unmask_cipher_token(token) == SECRET
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_without_a_cookie_it_makes_one_as_django_does():
    request = RequestFactory().get("/")

    token = csrf.csrf_token(request)

    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


@pytest.mark.django_db
def test_a_question_shown_masks_its_token_in_one_read_and_the_answer_is_taken(deck, monkeypatch):
    # Django draws each of the mask's 32 letters with its own call of secrets.choice (a
    # read of the random source each): a tenth of the calls showing a question made.
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("home"))  # the CSRF cookie
    attempt = start_as_guest(client, deck)
    drawn = []
    new_csrf_string = django_csrf._get_new_csrf_string

    def counting():
        drawn.append(1)
        return new_csrf_string()

    monkeypatch.setattr(django_csrf, "_get_new_csrf_string", counting)

    page = client.get(reverse("attempt_play", args=[attempt.pk]), headers=HTMX)
    position, choices = question_on(page.text)
    token = csrf_token(page.text)
    answered = client.post(
        reverse("attempt_answer", args=[attempt.pk]),
        {"csrfmiddlewaretoken": token, "position": position, "choice": choices[0]},
        headers=HTMX,
    )

    assert drawn == []
    assert _unmask_cipher_token(token) == client.cookies["csrftoken"].value
    assert "csrftoken" in page.cookies  # renewed, as before
    assert answered.status_code == 200 and "data-quiz-feedback" in answered.text
