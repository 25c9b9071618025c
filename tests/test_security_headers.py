import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().partition(" ")[::2] for part in policy.split(";"))


def test_pages_forbid_inline_and_foreign_scripts(client):
    policy = directives(client.get("/"))
    assert policy["script-src"] == "'self'"
    assert "script-src-attr" not in policy and "script-src-elem" not in policy
    assert policy["frame-ancestors"] == "'none'"


def test_pages_allow_style_attributes_for_card_colours_but_no_style_elements(client):
    # A card's colours are `style` attributes the sanitizer has checked; a <style> element
    # or a foreign stylesheet is still refused, and nothing loads from elsewhere.
    policy = directives(client.get("/"))

    assert policy["style-src-attr"] == "'unsafe-inline'"
    assert policy["style-src"] == "'self'"
    assert "style-src-elem" not in policy
    assert (policy["default-src"], policy["img-src"]) == ("'self'", "'self' data:")


@pytest.mark.urls("tests.media_urls")
def test_a_media_file_opened_by_itself_is_sandboxed_and_an_svg_fetches_nothing(client, media_root):
    # An SVG is a document: opened directly, it would run on the site's origin.
    (media_root / "images").mkdir(parents=True)
    (media_root / "images" / "d.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    (media_root / "images" / "p.png").write_bytes(b"\x89PNG")

    svg, png = client.get("/media/images/d.svg"), client.get("/media/images/p.png")

    assert (svg.status_code, svg.headers["Content-Type"]) == (200, "image/svg+xml")
    assert directives(svg) == {
        "default-src": "'none'",
        "style-src": "'unsafe-inline'",
        "img-src": "data:",
        "sandbox": "",
    }
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert directives(png) == {"sandbox": ""}


def test_the_admin_keeps_its_own_inline_assets_but_no_plugins_framing_or_base(client):
    policy = client.get("/admin/login/").headers["Content-Security-Policy"]

    assert "script-src" not in policy and "style-src" not in policy and "default-src" not in policy
    for rule in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert rule in policy


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/decks/fastai/"])
def test_no_page_may_use_the_camera_microphone_or_location(client, path):
    policy = client.get(path).headers["Permissions-Policy"]

    assert {"camera=()", "microphone=()", "geolocation=()"} <= set(policy.split(", "))


def test_a_request_for_another_host_is_refused_without_a_traceback_in_the_log(client):
    import logging

    class Kept(logging.Handler):
        records: list = []

        def emit(self, record):
            self.records.append(record)

    root, kept = logging.getLogger(), Kept()
    root.addHandler(kept)  # where the site's console handler hangs
    try:
        response = client.get("/", HTTP_HOST="scanner.example")
    finally:
        root.removeHandler(kept)

    assert response.status_code == 400
    assert not [record for record in kept.records if "DisallowedHost" in record.name]


def test_pages_refuse_framing_and_sniffing(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "request_kwargs",
    [
        # Refused by CommonMiddleware (the host) and FormCharsetMiddleware (the charset),
        # before any view: their 400 pages came without the two headers.
        {"path": "/", "HTTP_HOST": "evil.example"},
        {
            "path": "/quiz/quick/",
            "method": "POST",
            "data": "deck=x",
            "content_type": "application/x-www-form-urlencoded; charset=latin-1",
        },
        {"path": "/leaderboard"},  # the redirect to the address with its slash
    ],
    ids=["unknown host", "form charset", "slash redirect"],
)
def test_answers_made_before_any_view_refuse_framing_too(client, request_kwargs):
    kwargs = dict(request_kwargs)
    method = kwargs.pop("method", "GET").lower()
    response = getattr(client, method)(**kwargs)

    assert response.status_code in (301, 400)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def test_pages_a_proxy_must_not_keep_say_they_are_private(client, alice, make_deck):
    """Every page carries its visitor's own CSRF token, a signed-in learner's their name and
    reviews: a caching proxy or CDN in front (some ignore Vary: Cookie) must keep none."""
    make_deck(3)
    guest_pages = ["/", "/decks/synthetic/", "/decks/synthetic/cards/1/", "/leaderboard/"]
    for url in guest_pages:
        client.get(url)  # the second visit is served from the page kept for every visitor
        assert "private" in _cache_control(client.get(url)), url

    client.force_login(alice)
    for url in [*guest_pages, "/me/history/", "/me/account/", "/review/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "alice" in response.text
        assert "private" in _cache_control(response), url


def test_an_answer_that_sets_a_cookie_is_private(client):
    response = client.get("/accounts/signup/")

    assert "csrftoken" in response.cookies
    assert "private" in _cache_control(response)


def test_a_signed_in_learners_pages_are_never_stored_for_back_after_logging_out(
    client, alice, make_deck
):
    """Back after logging out (a shared computer) must ask the server, not show the page
    from the browser's back/forward or HTTP cache: pages served from the server's own page
    cache too, and htmx's fragments."""
    make_deck(3)
    client.force_login(alice)
    for url in ["/", "/", "/decks/synthetic/", "/decks/synthetic/", "/me/history/"]:
        response = client.get(url)
        assert "alice" in response.text
        assert {"private", "no-store"} <= _cache_control(response), url
    fragment = client.get("/decks/synthetic/", headers={"HX-Request": "true"})
    assert "no-store" in _cache_control(fragment)


def test_a_guests_pages_stay_in_their_browsers_cache(client, make_deck):
    """No one's name on them: Back may show them without asking, as before."""
    make_deck(3)
    for url in ["/", "/", "/decks/synthetic/", "/decks/synthetic/", "/leaderboard/"]:
        assert _cache_control(client.get(url)) == {"private"}, url


def test_the_logout_answer_is_never_stored(client, alice):
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "no-store" in _cache_control(response)
    assert _cache_control(client.get(response["Location"])) == {"private"}
