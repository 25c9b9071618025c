"""The site as an attacker meets it, beyond the sweep of every address by itself
(tests/test_hostile_sweep.py): another learner's quiz, right answers posted to a finished
one, forged or cut signed links, odd and very long paths, every form of the site sent with
one field at a time changed by hand, and the admin's import menus and lists. Each answer is
a 4xx with a readable page, or the normal page: never a 500, and never another learner's
quiz. A failure lists every request that got a 500 (or leaked), so one run shows them all.
"""

import itertools
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from quizzes.models import Attempt, AttemptQuestion, Card, PendingEmail, ReviewLog
from quizzes.services import accounts as account_services
from quizzes.services import reviews
from tests.quizplay import finish, show, start, start_quick

# Sent once a CI run, on one database or the other (tests/conftest.py: one_pass).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.one_pass,
    pytest.mark.usefixtures("templates_rendered_unrecorded"),
]


@dataclass
class Site:
    """The rows the sweep aims at: alice's quizzes, review and confirmation link, which bob
    and a guest must learn nothing of."""

    deck_slug: str
    alice_attempt: Attempt  # going on
    alice_finished: Attempt
    review_id: int
    email_token: str


@pytest.fixture
def site(settings, alice, bob, deck):
    # The limits would answer most of the sweep with a 429 before the code it aims at runs;
    # tests/test_abuse_limits.py and the views' own tests cover them.
    settings.QUIZSITE_QUIZ_STARTS_PER_MINUTE = 0
    settings.QUIZSITE_GUEST_QUIZ_STARTS_PER_MINUTE = 0
    settings.QUIZSITE_SIGNUPS_PER_HOUR = 0
    settings.QUIZSITE_LOGINS_PER_15_MINUTES = 0
    settings.QUIZSITE_PASSWORD_RESET = True
    card = Card.objects.filter(deck=deck).order_by("number").first()
    going_on = start(alice, deck)
    show(going_on)
    finished = finish(start_quick(alice, deck))
    reviews.review_record(
        user=alice, card=card, rating=3, now=going_on.started_at, elapsed_seconds=5
    )
    review = ReviewLog.objects.filter(user=alice).latest("reviewed_at")
    pending = PendingEmail.objects.create(
        user=alice, email="new@example.com", nonce="n0nce", asked_at=going_on.started_at
    )
    return Site(
        deck_slug=deck.slug,
        alice_attempt=going_on,
        alice_finished=finished,
        review_id=review.pk,
        email_token=account_services.email_confirmation_token(user=alice, pending=pending),
    )


def _patterns(resolver=None, prefix=""):
    """(route, name, view) of every address of the site's own urls, admin's left out."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry.name


SITE_URL_NAMES = sorted({name for _, name in _patterns()})


def _kwargs(name: str, site: Site, *, attempt: Attempt) -> dict:
    route = next(route for route, each in _patterns() if each == name)
    values = {
        "slug": site.deck_slug,
        "number": 1,
        "pk": attempt.pk,
        "position": 1,
        "token": site.email_token,
        "uidb64": "MQ",
    }
    if name == "password_reset_confirm":
        values["token"] = "set-password"
    return {
        key: value for key, value in values.items() if f"<{key}>" in route or f":{key}>" in route
    }


def _clients(site: Site, alice, bob) -> dict[str, Client]:
    owner, other, guest = (Client(raise_request_exception=False) for _ in range(3))
    owner.force_login(alice)
    other.force_login(bob)
    return {"alice": owner, "bob": other, "guest": guest}


def _send(client: Client, method: str, path: str, body: str, headers: dict):
    return client.generic(
        method,
        path,
        body.encode("latin-1", "replace"),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def _failures(response, description: str, who: str, *, htmx: bool) -> list[str]:
    found = []
    text = _text(response)
    if response.status_code >= 500:
        found.append(f"{who}: {description}: {response.status_code}")
    elif response.status_code >= 400 and "<" in text:
        # The site's own error pages say what happened in its look, and the message an htmx
        # request gets for the page's error slot says it alone; Django's bare pages
        # ("<h1>Bad Request (400)</h1>") do neither.
        readable = 'class="site-nav"' in text or (htmx and 'role="alert"' in text)
        if not readable:
            found.append(f"{who}: {description}: bare {response.status_code} page")
    return found


ATTEMPT_URL_NAMES = [name for name in SITE_URL_NAMES if name.startswith("attempt_")]


@pytest.mark.parametrize("name", ATTEMPT_URL_NAMES)
def test_another_learner_gets_404_for_alices_quiz_and_a_guest_the_login_page(
    name, site, alice, bob
):
    # No one signed in may be alice with her session ended: logging in leads to her quiz.
    clients = _clients(site, alice, bob)
    for attempt in (site.alice_attempt, site.alice_finished):
        url = reverse(name, kwargs=_kwargs(name, site, attempt=attempt))
        login = "/accounts/login/?next=" + reverse("attempt_play", args=[attempt.pk])
        for method in ("GET", "POST"):
            response = _send(clients["bob"], method, url, "position=1&choice=x", {})
            assert response.status_code in (404, 405), ("bob", method, url)
            response = _send(clients["guest"], method, url, "position=1&choice=x", {})
            assert response.status_code == 405 or response["Location"] == login, (method, url)


def test_answers_sent_by_others_change_nothing_of_alices_quiz(site, alice, bob):
    clients = _clients(site, alice, bob)
    attempt = site.alice_attempt
    question = attempt.questions.get(position=1)
    url = reverse("attempt_answer", args=[attempt.pk])
    body = f"position=1&choice={question.correct_choice_id}"
    assert _send(clients["bob"], "POST", url, body, {}).status_code == 404
    assert _send(clients["guest"], "POST", url, body, {}).status_code == 302  # to log in
    question.refresh_from_db()
    assert question.answered_at is None
    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.score) == (0, 0)


def test_right_answers_posted_to_a_finished_quiz_change_nothing(site, alice, bob):
    # The finished quiz's answers were all wrong (tests.quizplay.finish); its result page
    # says which were right, so a script could post them again, at once or several times.
    attempt = site.alice_finished
    before = (attempt.score, attempt.correct_count, attempt.finished_at)
    client = _clients(site, alice, bob)["alice"]
    url = reverse("attempt_answer", args=[attempt.pk])
    for question in attempt.questions.all():
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            body = f"position={question.position}&choice={question.correct_choice_id}"
            assert _send(client, "POST", url, body, headers).status_code < 500
    attempt.refresh_from_db()
    assert (attempt.score, attempt.correct_count, attempt.finished_at) == before
    assert not attempt.questions.filter(outcome=AttemptQuestion.Outcome.CORRECT).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 10_000 + "/",
        "/decks/" + "a" * 5_000 + "/",
        "/decks/synthetic/cards/" + "9" * 400 + "/",
        "/decks/synthetic/cards/-1/",
        "/quiz/" + "0" * 36 + "/",
        "/quiz/00000000-0000-0000-0000-000000000000/questions/" + "9" * 400 + "/",
        "/decks/synthetic%00/",
        "/decks/synthetic/cards/1%00/",
        "/%00",
        "/quiz/%00/",
        "/accounts/email/%00/",
        "/accounts/email/" + "x" * 10_000 + "/",
        "/accounts/password/reset/%00/%00/",
        "/accounts/password/reset/" + "M" * 5_000 + "/set-password/",
        "/decks/%ff%fe/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/%00",
        "/media/%00",
        "/media/../../etc/passwd",
        "/admin/%00/",
        "/admin/quizzes/card/%00/change/",
        "/admin/quizzes/card/" + "9" * 400 + "/change/",
        "//decks//synthetic//",
        "/decks/synthetic%2Fcards%2F1/",
        "/decks/synthetic/cards/1/junk",
        "/decks/synthetic/cards/1/;x=1",
        "/decks/synthetic/cards/%D9%A3/",
        "/decks/synthetic/cards/1/study/..%2F..%2F",
        "/me/suspended/%2e%2e/",
        "/review/undo/" + "%2F" * 2_000,
        "/quiz/%2e%2e/%2e%2e/admin/",
    ],
)
def test_odd_paths_get_a_4xx_page(path, site, alice, bob):
    for who, client in _clients(site, alice, bob).items():
        response = client.get(path)
        assert 400 <= response.status_code < 500 or response.status_code in (200, 301, 302), (
            who,
            response.status_code,
        )


def _tampered(token: str) -> list[str]:
    body, _, signature = token.rpartition(":")
    return [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token[: len(token) // 2],
        body,
        f"{body}:{signature}:{signature}",
        signing.dumps({"user": 10**30, "email": "x", "was": "y", "ask": "z"}, salt="other"),
        signing.dumps([1, 2, 3], salt=account_services.EMAIL_CONFIRMATION_SALT),
        signing.dumps({"user": "1e9"}, salt=account_services.EMAIL_CONFIRMATION_SALT),
        signing.dumps(
            {"user": 10**30, "email": "x", "was": "y", "ask": "z"},
            salt=account_services.EMAIL_CONFIRMATION_SALT,
        ),
        signing.dumps(
            {"user": -1, "email": None, "was": [], "ask": {}},
            salt=account_services.EMAIL_CONFIRMATION_SALT,
        ),
    ]


def test_a_forged_or_cut_confirmation_link_is_refused_with_a_reason(site, alice, bob):
    clients = _clients(site, alice, bob)
    for token, (who, client), method in itertools.product(
        _tampered(site.email_token), clients.items(), ("GET", "POST")
    ):
        url = reverse("email_confirm", args=[token])
        response = _send(client, method, quote(url, safe="/:"), "", {})
        assert response.status_code < 500, (who, method, token)
        alice.refresh_from_db()
        assert alice.email == "alice@example.com"


def test_an_expired_confirmation_link_is_refused(site, alice, settings):
    settings.PASSWORD_RESET_TIMEOUT = -1
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.post(reverse("email_confirm", args=[site.email_token]))
    assert 400 <= response.status_code < 500
    assert "expired" in response.text
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


# --- The site's own forms, one field at a time ------------------------------------------------

# Pages whose forms are mutated; each form is sent as the page fills it, then with one field
# at a time changed, left out or repeated, so every check behind the first one is reached.
FORM_PAGES = (
    ("alice", "home", {}),
    ("alice", "quiz_setup", {}),
    ("alice", "attempt_question", {"pk": "attempt", "position": 1}),
    ("alice", "attempt_result", {"pk": "finished"}),
    ("alice", "challenge", {"pk": "finished"}),
    ("alice", "card_detail", {"slug": "deck", "number": 1}),
    ("alice", "card_report", {"slug": "deck", "number": 1}),
    ("alice", "review", {}),
    ("alice", "my_cards", {}),
    ("alice", "study_settings", {}),
    ("alice", "account", {}),
    ("alice", "password_change", {}),
    ("guest", "signup", {}),
    ("guest", "login", {}),
    ("guest", "password_reset", {}),
    ("guest", "home", {}),
)
MUTATIONS = (
    "", "%00", "-1", "0", "2147483648", "9223372036854775808", "-99999999999999999999",
    "1.5", "%ff%fe", "%EF%BC%91", "x" * 5_000, "..%2F", "00000000-0000-0000-0000-000000000000",
)  # fmt: skip


def _forms(page_text: str):
    """(action, [(name, value)]) of every form of a page that posts, as a browser fills it."""
    from bs4 import BeautifulSoup

    for form in BeautifulSoup(page_text, "html.parser").select("form"):
        action = form.get("action", "")
        # Logging out would send the rest of the sweep as a guest.
        if form.get("method", "get").lower() != "post" or action in ("", reverse("logout")):
            continue
        fields = []
        for element in form.select("input[name], select[name], textarea[name], button[name]"):
            name = element["name"]
            if element.name == "select":
                option = element.select_one("option[selected]") or element.select_one("option")
                fields.append((name, option.get("value", option.text) if option else ""))
            elif element.name == "textarea":
                fields.append((name, element.text or "hello"))
            elif element.get("type") in ("checkbox", "radio") and not element.has_attr("checked"):
                continue
            elif element.get("type") == "password":
                fields.append((name, "not the password"))
            elif element.name == "button" and any(n == name for n, _ in fields):
                continue  # a choice among buttons: the first one is the click
            else:
                fields.append((name, element.get("value", "x")))
        yield action, fields


def _encoded(fields) -> str:
    return "&".join(f"{quote(name)}={value}" for name, value in fields)


def _variants(fields):
    yield "as filled", _encoded([(n, quote(v)) for n, v in fields])
    for index, (name, _) in enumerate(fields):
        if name == "csrfmiddlewaretoken":
            continue
        others = [(n, quote(v)) for i, (n, v) in enumerate(fields) if i != index]
        yield f"{name} left out", _encoded(others)
        for value in MUTATIONS:
            changed = [*others[:index], (name, value), *others[index:]]
            yield f"{name}={value[:24]}", _encoded(changed)
        yield f"{name} twice", _encoded([*others, (name, "1"), (name, "%00")])


@pytest.mark.parametrize(("who", "name", "args"), FORM_PAGES, ids=lambda v: str(v))
def test_no_form_field_changed_by_hand_gets_a_500(who, name, args, site, alice, bob, deck):
    clients = _clients(site, alice, bob)
    client = clients[who]
    values = {
        "attempt": site.alice_attempt.pk,
        "finished": site.alice_finished.pk,
        "deck": deck.slug,
    }
    url = reverse(name, kwargs={key: values.get(value, value) for key, value in args.items()})
    page = client.get(url, follow=True)
    assert page.status_code == 200, url
    forms = list(_forms(page.text))
    assert forms, f"{url} has no form to send"
    failures = []
    for action, fields in forms:
        assert client.get(reverse("home")).status_code == 200
        # Every other variant as htmx sends it: both ways reach the same checks.
        for index, (description, body) in enumerate(_variants(fields)):
            htmx = bool(index % 2)
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            response = _send(client, "POST", action, body, headers)
            failures += _failures(response, f"{action} {description}", who, htmx=htmx)
    assert failures == [], "\n".join(failures[:40])


# --- The admin's import preview: its separator and columns menus ------------------------------

IMPORT_FIELDS = ("separator", "question", "answer", "extra", "action")
IMPORT_VALUES = (
    "", "%00", "-1", "3", "999999999999999999999999", "tab", "semicolon", "comma", "pipe",
    "space", "colon", "%ff", "x" * 5_000, "import",
)  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "Hund,dog,der\nKatze,cat,die\n",
        "#separator:tab\n#html:true\n#guid column:3\nQ1\tA1\tg-1\n",
        "just one column\nand another line\n",
    ],
    ids=["three columns", "guid column", "one column"],
)
def test_the_import_previews_menus_changed_by_hand_get_no_500(text, staff, deck):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(raise_request_exception=False)
    client.force_login(staff)
    file = SimpleUploadedFile("deck.txt", text.encode(), content_type="text/plain")
    preview = client.post(
        reverse("admin:quizzes_deck_import_anki"), {"deck": deck.pk, "file": file}
    )
    assert preview.status_code == 302
    url = preview["Location"]
    failures = []
    # "action" last: its "import" ends the preview.
    for field, value in itertools.product(IMPORT_FIELDS, IMPORT_VALUES):
        for method, query in (
            ("GET", f"question=0&answer=1&{field}={value}"),
            ("POST", f"separator=comma&{field}={value}&{field}=1&extra=0&extra=2"),
        ):
            path, body = (f"{url}?{query}", "") if method == "GET" else (url, query)
            response = _send(client, method, path, body, {})
            if response.status_code >= 500:
                failures.append(f"{method} {query[:80]}: {response.status_code}")
    assert failures == [], "\n".join(failures[:40])


# --- The admin's lists, as staff: search, sort, page and filters by hand ----------------------

ADMIN_QUERIES = (
    "q=%00", "q=a%00b", "q=" + "x" * 5_000, "q=%ff%fe", "o=99", "o=-1.x", "p=-1",
    "p=99999999999999999999", "all=%00", "e=1", "deck__id__exact=%00",
    "deck__id__exact=99999999999999999999", "id__in=1,%00", "_changelist_filters=%00",
    "started_at__gte=%00", "user__id__exact=-1", "status__exact=%00",
)  # fmt: skip


def test_the_admins_lists_with_odd_queries_get_no_500(staff, site):
    from django.contrib import admin

    client = Client(raise_request_exception=False)
    client.force_login(staff)
    failures = []
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for query in ADMIN_QUERIES:
            response = client.get(f"{changelist}?{query}")
            if response.status_code >= 500:
                failures.append(f"{changelist}?{query[:40]}: {response.status_code}")
        for pk in ("%00", "-1", "99999999999999999999", "x" * 300):
            change = f"/admin/{opts.app_label}/{opts.model_name}/{pk}/change/"
            response = client.get(change)
            if response.status_code >= 500:
                failures.append(f"{change[:80]}: {response.status_code}")
    assert failures == [], "\n".join(failures[:40])
