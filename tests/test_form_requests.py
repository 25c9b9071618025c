"""Requests no form of the site sends, met with a readable page rather than a 500 or a
blank one: a form in a charset Django cannot read, a visit to an address that takes only
a form."""

import pytest
from django.core.handlers.base import BaseHandler
from django.test import Client, RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

URLENCODED = "application/x-www-form-urlencoded"


def login_post(client: Client, content_type: str):
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    # generic(): post() would encode the body in the charset named, which may not exist.
    return client.generic(
        "POST",
        reverse("login"),
        f"username=alice&password=wrong&csrfmiddlewaretoken={token}",
        content_type=content_type,
    )


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        (URLENCODED, "iso-8859-1"),
        (URLENCODED, "utf-16"),
        (URLENCODED, "no-such-charset"),
        # Codecs Python has that are not text encodings: the multipart parser raised.
        ("multipart/form-data; boundary=B", "base64"),
        ("multipart/form-data; boundary=B", "rot13"),
        ("multipart/form-data; boundary=B", "zlib"),
    ],
)
def test_a_form_in_another_charset_gets_the_400_page(content_type, charset):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = login_post(client, f"{content_type}; charset={charset}")

    assert response.status_code == 400
    assert "Forms are read as UTF-8" in response.text
    assert 'class="site-nav"' in response.text


def test_the_400_page_knows_who_is_signed_in(alice):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(alice)

    response = login_post(client, f"{URLENCODED}; charset=latin-1")

    assert response.status_code == 400
    assert ">alice<" in response.text


@pytest.mark.parametrize("charset", ["utf8", "UTF-8", "utf_8"])
def test_utf8_by_any_of_its_names_is_read(charset, alice):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = login_post(client, f"{URLENCODED}; charset={charset}")

    assert response.status_code == 200  # the login form again: a wrong password
    assert "Please enter a correct username and password" in response.text


@pytest.mark.parametrize("name", ["logout", "quiz_quick", "quiz_these", "review_more_new"])
def test_a_visit_to_a_form_only_address_gets_a_page_that_says_so(client, alice, name):
    client.force_login(alice)

    response = client.get(reverse(name))

    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert "This address takes a form, not a visit" in response.text
    assert 'class="site-nav"' in response.text
    # The page's forms (log out, the quick quiz) work: it sets the token it shows; and it
    # has the headers of any other page.
    assert response.cookies["csrftoken"].value
    assert "Content-Security-Policy" in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_post_only_view_still_takes_its_post(client, alice):
    client.force_login(alice)
    assert client.post(reverse("logout")).status_code == 302


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_form_sent_to_a_page_to_visit_gets_a_page_that_says_so(client, alice, method, htmx):
    # It was an empty 405: a blank tab, and for htmx (which swaps a 4xx into the body,
    # base.html's htmx-config) a page emptied of everything.
    client.force_login(alice)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.generic(method, reverse("history"), "a=1", URLENCODED, headers=headers)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "This address is a page to visit: it takes no form" in response.text
    assert 'class="site-nav"' in response.text


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("review_answer", "This address takes a form, not a visit"),
        ("history", "This address is a page to visit: it takes no form"),
        ("quiz_setup", "This address takes visits and forms, not OPTIONS requests"),
    ],
)
def test_the_405_page_says_what_the_address_takes_whatever_was_sent(client, alice, name, said):
    # An OPTIONS sent to an address that takes only forms was told "it takes no form".
    client.force_login(alice)

    response = client.options(reverse(name))

    assert response.status_code == 405
    assert said in response.text


def test_a_head_request_refused_stays_without_a_body(client, alice):
    client.force_login(alice)

    response = client.head(reverse("logout"))

    assert response.status_code == 405
    assert response.content == b""


def test_a_head_request_gets_the_pages_headers_without_its_body(fastai_deck):
    # Through the site's middleware as gunicorn calls it (the test client drops a HEAD's
    # body by itself): Django's handler sent the page, which gunicorn dropped with a
    # warning in the log, one a HEAD request.
    site = BaseHandler()
    site.load_middleware()

    response = site.get_response(RequestFactory().head(reverse("home")))

    assert response.status_code == 200
    assert response.content == b""
    assert int(response["Content-Length"]) > 1000  # the page's, as a GET gets it
