"""Every address the URL resolver knows, the site's and the admin's, swept by one test each,
so that a new address is swept as soon as it exists. Each is sent, as a guest, as alice (who
owns the rows the addresses name: a quiz going on, a finished one, a grade, a buried and a
suspended card, a report), as bob (another learner, sending alice's ids) and as staff:

- every method, with and without htmx's headers;
- every field a form or query string of the site reads, all at once, as NUL, negative,
  float, NaN, Infinity, past 64 bits, past the 4,300 digits int() reads, an Arabic-Indic
  digit, a surrogate's bytes, bytes that are not UTF-8, markup, an address elsewhere, and
  each twice; a megabyte in a query string, three in a form;
- a form without its CSRF token, or with a wrong one;
- lying htmx headers (HX-Target, HX-Current-URL), and odd Range, If-None-Match,
  Accept-Language, X-Forwarded-For and Cookie headers (a session cookie cut, of another
  format, or holding a NUL).

Every answer must be the page, a redirect to the site itself, or a 4xx that says what went
wrong in the site's look (for htmx, the message for the page's error slot): never a 5xx, an
empty or bare error page, an address elsewhere, markup from the rows or the request shown as
markup, or alice's quiz shown to anyone else. Nothing of alice's may change by the others'
requests. A failure lists every request that went wrong, so one run shows them all.

The deck's name, its tag, the report and alice's name hold markup (`MARKUP`), so that every
page that shows them is checked for escaping too.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from quizzes.models import (
    Attempt,
    AttemptQuestion,
    Card,
    CardFlag,
    CardHold,
    CardMemory,
    FormerDeckSlug,
    ImportJob,
    PendingEmail,
    ProblemReport,
    ReviewLog,
    Tag,
)
from quizzes.services import accounts as account_services
from quizzes.services import card_flags, card_holds, reviews
from tests.quizplay import finish, show, start, start_quick

# Sent once a CI run, on one database or the other (tests/conftest.py: one_pass).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.one_pass,
    pytest.mark.usefixtures("templates_rendered_unrecorded"),
]

# Shown by a page as markup, either would run: the rows hold one, the requests send both.
MARKUP = ('<script>alert("x")</script>', '"><img src=x onerror=alert(1)>')
MARKUP_SHOWN = tuple(markup.encode() for markup in MARKUP)
# Every field a form of the site posts, and every query parameter a view or the admin reads.
FIELDS = (
    "deck", "page", "q", "tag", "before", "after", "answers", "answer", "from", "card",
    "cards", "next", "position", "choice", "grade", "shown", "review", "back", "action",
    "count", "kind", "message", "question_count", "mode", "time_limit_kind",
    "seconds_per_question", "quiz_minutes", "smart", "tags", "username", "password",
    "password1", "password2", "email", "time_zone", "old_password", "new_password1",
    "new_password2", "desired_retention", "learning_steps", "relearning_steps",
    "new_cards_per_day", "max_reviews_per_day", "day_start_hour", "opened_version", "name",
    "slug", "question_html", "answer_html", "separator", "question", "extra", "resolved",
    "o", "p", "e", "_selected_action", "select_across", "index",
)  # fmt: skip
# Values no page sends, urlencoded as they go on the wire.
VALUES = (
    "%00",
    "a%00b",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "-Infinity",
    "18446744073709551616",  # 2**64
    "-18446744073709551616",
    "9" * 5_000,  # int() refuses more than 4,300 digits
    "%D9%A3",  # an Arabic-Indic three, which str.isdigit() takes
    "%EF%BC%91",  # a full-width one
    "%ED%A0%80",  # a lone surrogate's bytes
    "%ff%fe%80",  # not UTF-8
    "..%2F..%2Fetc%2Fpasswd",
    "00000000-0000-0000-0000-000000000000",
    "%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E",
    "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "https%3A%2F%2Fevil.example%2F",
    "%2F%5Cevil.example",
)
MEGABYTE = "x" * 1_000_000
ODD_HEADERS = (
    {"HX-Request": "true", "HX-Target": MARKUP[1], "HX-Current-URL": "javascript:alert(1)"},
    {"HX-Request": "true", "HX-Target": "load-more", "HX-History-Restore-Request": "true"},
    {"HX-Request": "false", "HX-Boosted": "maybe", "HX-Trigger": "%00"},
    {"Range": "bytes=99999999999999999999-1,0-0", "If-None-Match": '"' + "x" * 500},
    {"If-Modified-Since": "Mon, 01 Jan 99999 00:00:00 GMT", "If-Match": '"nope"'},
    {"Accept-Language": "de-DE,de;q=NaN," * 500, "X-Forwarded-For": "1.2.3.4, " * 5_000},
    {"Accept-Language": "zz-ZZ;q=abc, *;q=-1, en;q=9e999, \x00", "Referer": "http://e.x/%00"},
    {"X-Forwarded-For": "not-an-address, 999.1.1.1, \x00", "If-Modified-Since": "yesterday"},
)
# Cookies a browser never had from the site: they replace the client's own.
ODD_COOKIES = (
    "sessionid=" + "x" * 5_000,
    "sessionid=.eJxVjEEKwjAQRe8y6xJIm6ZNly69gAeY:1pX:sig; csrftoken=%00%ff",  # signed_cookies'
    'sessionid="\\000"; messages=' + "a" * 3_000,
)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
FORM = "application/x-www-form-urlencoded"


@dataclass
class Site:
    """The rows the sweep aims at, all alice's but the deck's."""

    values: dict  # what each URL keyword becomes
    choice_ids: list[str]  # her quiz's choices: only its pages show them
    body: str  # a form naming her rows, as bob sends it

    def snapshot(self, alice) -> tuple:
        """What of alice's may not change by another's request, each table's rows in one
        order (without one, PostgreSQL once returned the same review rows in another order
        midway through a CI run)."""
        alice.refresh_from_db()
        return (
            alice.username,
            alice.email,
            alice.password,
            list(ReviewLog.objects.filter(user=alice).order_by("pk").values_list("pk", "rating")),
            list(
                CardMemory.objects.filter(user=alice)
                .order_by("pk")
                .values_list("card", "due", "suspended")
            ),
            list(
                CardHold.objects.filter(user=alice)
                .order_by("pk")
                .values_list("card", "suspended", "buried_until")
            ),
            list(CardFlag.objects.filter(user=alice).order_by("pk").values_list("card", "flag")),
            list(
                AttemptQuestion.objects.filter(attempt__user=alice)
                .order_by("pk")
                .values_list("pk", "chosen_choice_id", "answered_at")
            ),
            list(
                Attempt.objects.filter(user=alice)
                .order_by("pk")
                .values_list("pk", "finished_at", "score")
            ),
        )


@pytest.fixture
def site(settings, alice, bob, staff, deck):
    # The limits would answer most of the sweep with a 429 before the code it aims at runs;
    # tests/test_abuse_limits.py and the views' own tests cover them.
    settings.QUIZSITE_QUIZ_STARTS_PER_MINUTE = 0
    settings.QUIZSITE_GUEST_QUIZ_STARTS_PER_MINUTE = 0
    settings.QUIZSITE_SIGNUPS_PER_HOUR = 0
    settings.QUIZSITE_LOGINS_PER_15_MINUTES = 0
    settings.QUIZSITE_PASSWORD_RESET = True
    now = timezone.now()
    alice.username = "alice" + MARKUP[1]
    alice.save()
    deck.name = "Synthetic " + MARKUP[0]
    deck.save()
    FormerDeckSlug.objects.create(deck=deck, slug="old-synthetic")
    cards = list(Card.objects.filter(deck=deck).order_by("number"))
    tag = Tag.objects.create(name="tag " + MARKUP[0], slug="hostile")
    tag.cards.add(*cards)
    report = ProblemReport.objects.create(
        card=cards[0], reporter=alice, kind=ProblemReport.Kind.OTHER, message=MARKUP[0]
    )
    going_on = start(alice, deck)
    question = show(going_on)
    finished = finish(start_quick(alice, deck))
    reviews.review_record(user=alice, card=cards[0], rating=3, now=now, elapsed_seconds=5)
    card_holds.card_bury(user=alice, card=cards[1], now=now)
    card_holds.card_suspend(user=alice, card=cards[2], now=now)
    card_flags.card_flag_set(user=alice, card=cards[3], flag=CardFlag.Colour.RED, now=now)
    review = ReviewLog.objects.filter(user=alice).latest("pk")
    pending = PendingEmail.objects.create(
        user=alice, email="new@example.com", nonce="n0nce", asked_at=now
    )
    # An import that failed on a file named with markup, its error quoting the file.
    job = ImportJob.objects.create(
        deck=deck,
        upload="imports/gone.txt",
        source_name=MARKUP[0] + ".txt",
        status=ImportJob.Status.FAILED,
        error=f"Line 1: {MARKUP[1]}",
        created_by=staff,
        finished_at=now,
    )
    values = {
        "slug": deck.slug,
        "number": 1,
        "pk": going_on.pk,
        "position": 1,
        "token": account_services.email_confirmation_token(user=alice, pending=pending),
        "uidb64": "MQ",
        "app_label": "quizzes",
        "job": job.pk,
        "content_type_id": ContentType.objects.get_for_model(Card).pk,
        "id": alice.pk,
        # The admin's object ids, by model name.
        "deck": deck.pk,
        "tag": tag.pk,
        "card": cards[0].pk,
        "problemreport": report.pk,
        "attempt": finished.pk,
        "user": alice.pk,
    }
    body = (
        f"card={cards[1].pk}&review={review.pk}&action=bury&back=held&position=1"
        f"&choice={question.correct_choice_id}&grade=3&count=5"
    )
    return Site(values=values, choice_ids=[c["id"] for c in question.choices], body=body)


def _patterns(resolver=None, prefix="", namespace=""):
    """(route, name) of every named address, the admin's too."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), namespace + entry.name


ROUTES = dict(sorted({name: route for route, name in _patterns()}.items()))
_KEYWORD = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _url(name: str, site: Site) -> str:
    kwargs = {}
    for match in _KEYWORD.finditer(ROUTES[name]):
        keyword = match[1] or match[2]
        if keyword == "object_id":
            model = name.split(":")[-1].split("_")[-2]
            kwargs[keyword] = site.values.get(model, 1)
        elif keyword == "pk" and name.startswith("admin:"):
            kwargs[keyword] = site.values["job"]
        elif keyword == "token" and name == "password_reset_confirm":
            kwargs[keyword] = "set-password"
        else:
            kwargs[keyword] = site.values[keyword]
    if name == "admin:view_on_site":
        kwargs["object_id"] = site.values["card"]
    return reverse(name, kwargs=kwargs)


def _bundle(value: str) -> str:
    return "&".join(f"{field}={value}" for field in FIELDS)


def _requests(url: str, *, kind: str, body: str):
    """(description, method, path, body, headers, cookie) of the requests one client sends:
    every one for the address's owner ("full"); a few for the others ("few"); for staff on
    the admin's addresses, whose fields tests/test_hostile_requests.py changes one at a
    time, a few with odd values ("admin")."""
    htmx = {"HX-Request": "true"}
    if kind != "full":
        for method, headers in (("GET", {}), ("POST", htmx)):
            yield f"{method} {list(headers)}", method, url, body, headers, None
        odd = (VALUES[10], VALUES[8]) if kind == "admin" else (VALUES[10],)
        for method, value in zip(("GET", "POST"), odd, strict=False):
            path, sent = (
                (f"{url}?{_bundle(value)}", "") if method == "GET" else (url, _bundle(value))
            )
            yield f"{method} ...={value[:24]}", method, path, sent, {}, None
        if kind == "admin":
            yield "PUT", "PUT", url, body, {}, None
        return
    for index, method in enumerate(METHODS):
        headers = htmx if index % 2 else {}
        yield f"{method} {list(headers)}", method, url, "", headers, None
    for index, value in enumerate(VALUES):
        headers = htmx if index % 2 else {}
        yield f"GET ...={value[:24]}", "GET", f"{url}?{_bundle(value)}", "", headers, None
        yield f"POST ...={value[:24]}", "POST", url, _bundle(value), headers, None
    twice = "&".join(f"{field}=1&{field}=%00&{field}[]=x" for field in FIELDS)
    yield "GET every field twice", "GET", f"{url}?{twice}", "", {}, None
    yield "POST every field twice", "POST", url, twice, htmx, None
    yield "GET a megabyte", "GET", f"{url}?q={MEGABYTE}&next=1", "", {}, None
    three = f"q={MEGABYTE}&message={MEGABYTE}&name={MEGABYTE}"
    yield "POST three megabytes", "POST", url, three, htmx, None
    for index, headers in enumerate(ODD_HEADERS):
        method = ("GET", "POST")[index % 2]
        yield f"{method} with {list(headers)}", method, url, body, headers, None
    for index, cookie in enumerate(ODD_COOKIES):
        method = ("GET", "POST")[index % 2]
        yield f"{method} with cookie {cookie[:30]}", method, url, body, {}, cookie


def _send(client: Client, method, path, body, headers, cookie):
    if cookie is not None:
        headers = {**headers, "Cookie": cookie}
        saved, client.cookies = client.cookies, type(client.cookies)()
    try:
        return client.generic(
            method, path, body.encode("latin-1", "replace"), FORM, headers=headers
        )
    finally:
        if cookie is not None:
            client.cookies = saved


def _text(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _problems(response, *, htmx: bool, choice_ids=()) -> list[str]:
    found = []
    status, text = response.status_code, _text(response)
    html = response.get("Content-Type", "").startswith("text/html")
    if status >= 500:
        found.append(f"{status}")
    elif status >= 400 and response.request["REQUEST_METHOD"] != "HEAD":
        # The site's error pages say what happened in its look, and the message an htmx
        # request gets for the page's error slot says it alone; Django's bare pages
        # ("<h1>Bad Request (400)</h1>") and empty answers do neither.
        readable = b'class="site-nav"' in text or (htmx and b'role="alert"' in text)
        if not readable:
            found.append(f"bare or empty {status}: {text[:60]!r}")
    allowed = response.get("Allow", "")
    if status == 405 and "GET" in allowed and "HEAD" not in allowed:
        # A link checker or a chat app's preview asks with HEAD what GET would show.
        found.append(f"allows GET but not HEAD (Allow: {allowed})")
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if urlsplit(location).netloc not in ("", "testserver") or location.startswith(
            ("//", "/\\")
        ):
            found.append(f"sent elsewhere: {location[:80]}")
    if html:
        found += [f"markup shown: {m!r}" for m in MARKUP_SHOWN if m in text]
    found += [f"alice's quiz shown ({choice})" for choice in choice_ids if choice.encode() in text]
    return found


@pytest.mark.parametrize("name", ROUTES)
def test_no_hostile_request_gets_a_5xx_a_bare_page_or_anothers_rows(name, site, alice, bob, staff):
    url = _url(name, site)
    admin = name.startswith("admin:")
    # The admin's addresses are staff's own, the site's alice's: each comes last, as the
    # one whose requests may change her rows. On the admin's, bob would be one more learner
    # turned away, as alice is.
    kinds = (
        {"guest": "few", "alice": "few", "staff": "admin"}
        if admin
        else {"bob": "few", "staff": "few", "guest": "few", "alice": "full"}
    )
    owner = "staff" if admin else "alice"
    users = {"alice": alice, "bob": bob, "staff": staff, "guest": None}
    failures = []
    before = site.snapshot(alice)
    for who, kind in kinds.items():
        if who == owner:
            assert site.snapshot(alice) == before, f"{url}: alice's rows changed"
        client = Client(raise_request_exception=False)
        if users[who] is not None:
            client.force_login(users[who])
        for description, *request in _requests(url, kind=kind, body=site.body):
            response = _send(client, *request)
            htmx = request[3].get("HX-Request") == "true"
            leaks = site.choice_ids if who != "alice" else ()
            failures += [
                f"{who}: {description}: {problem}"
                for problem in _problems(response, htmx=htmx, choice_ids=leaks)
            ]
    csrf = Client(enforce_csrf_checks=True, raise_request_exception=False)
    csrf.force_login(alice)
    for headers in ({}, {"HX-Request": "true", "X-CSRFToken": "x" * 64}):
        response = csrf.generic("POST", url, site.body, FORM, headers=headers)
        failures += [
            f"alice without her CSRF token {list(headers)}: {problem}"
            for problem in _problems(response, htmx=bool(headers))
        ]
    assert failures == [], f"{url}:\n" + "\n".join(failures[:40])
