import codecs
import re

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import has_vary_header, patch_cache_control

from quizzes.services.decks import deck_by_former_slug
from quizzes.views.errors import CardNotFound


class HeadWithoutBodyMiddleware:
    """A HEAD request's answer goes without its body, as HTTP has it: Django's WSGI handler
    sends the GET's page, which gunicorn then dropped with a warning in the log, one a
    request (a link checker asks every page so). The headers stay the GET's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                response.content = b""
        return response


class PrivatePagesMiddleware:
    """A page that differs by the visitor's cookies says `Cache-Control: private`: every
    page carries its visitor's own CSRF token, and a signed-in learner's page their name and
    reviews due, so a caching proxy or CDN in front must keep none of them (Vary: Cookie
    alone asks it to keep one copy per cookie, which some ignore), while a guest's browser
    still may (its back button). So does an answer that sets a cookie. Static files stay
    public. Outside the session and CSRF middleware, whose session, Vary and cookies it
    reads, and outside the server's page cache (caching.public_page), which keeps no header
    set here.

    A signed-in learner's page also says `no-store`, so that Back after logging out (a
    shared computer) asks the server: browsers show a page again from their back/forward
    cache (the live page, kept) or their HTTP cache without asking, even one that says
    `no-cache`, and no-store keeps it out of both. Chosen over `private, no-cache` with a
    `Clear-Site-Data: "cache"` at logout, which needs HTTPS, throws away the static files
    too, can hold the logout's answer up while the browser empties its cache, and leaves the
    back/forward cache to each browser. The cost, a request on Back, is the server's page
    cache's to keep cheap. (The logout's answer says no-store already: Django's never_cache.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        elif response.cookies or has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True)
        return response


def _signed_in(request) -> bool:
    """Whether the request's session, if the request read it (a page cannot show who is
    signed in without it; no read of it is added here), names a signed-in user."""
    session = getattr(request, "session", None)
    return session is not None and session.accessed and SESSION_KEY in session


class ContentSecurityPolicyMiddleware:
    """The site's pages run only its own scripts and styles: card HTML is sanitized, and
    this is the second line should anything slip through. The admin keeps Django's own
    inline styles and scripts, so it gets all but the script and style rules. A media file,
    opened by itself, is never a page of the site's (an SVG is a document): served here in
    development as the proxy serves it (README)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(f"/{settings.MEDIA_URL.lstrip('/')}"):
            policy = settings.MEDIA_CONTENT_SECURITY_POLICY
            if request.path.lower().endswith(".svg"):
                policy = settings.SVG_CONTENT_SECURITY_POLICY
            response.headers["Content-Security-Policy"] = policy
        elif request.path.startswith("/admin/"):
            response.headers.setdefault(
                "Content-Security-Policy", settings.ADMIN_CONTENT_SECURITY_POLICY
            )
        else:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class FormCharsetMiddleware:
    """A form declared in a charset Django cannot read is refused here, with the site's 400
    page. Django raises for a urlencoded form in any charset but "utf-8" (even "utf8") while
    the CSRF check reads it, and again in its error handlers, whose own CSRF check reads it
    too: the client got gunicorn's bare 500. "utf8" and the other names of UTF-8 are read as
    UTF-8. Goes before CsrfViewMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = (
            request.content_params.get("charset") if request.content_type in FORM_TYPES else None
        )
        if charset:
            try:
                "".encode(charset)  # a text encoding: not "base64" or "zlib", which codecs has
                codec = codecs.lookup(charset).name
            except LookupError:
                codec = None
            if codec == "utf-8":
                request.encoding = "utf-8"
            elif codec is None or request.content_type == FORM_TYPES[0]:
                reason = f"Forms are read as UTF-8; this one said it was {charset[:40]!r}."
                return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A visit to an address that only takes a form (log out, an answer, a retry: a bookmark,
    a restored tab) gets a page saying so instead of require_POST's empty 405; so does a
    form sent to a page that takes none, which htmx would swap in as an empty page. The page
    says what the address takes (its Allow), whatever the method sent. A HEAD request's
    answer has no body anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            allowed = response.get("Allow", "")
            methods = {method.strip() for method in allowed.split(",")}
            context = {"takes_visits": "GET" in methods, "takes_forms": "POST" in methods}
            page = render(request, "405.html", context, status=405)
            page["Allow"] = allowed
            return page
        return response


_DECK_PATH = re.compile(r"/decks/(?P<slug>[-a-zA-Z0-9_]+)/")


class FormerDeckSlugMiddleware:
    """A deck whose slug staff changed is still found at its old address: a view under
    /decks/<old slug>/ that finds no deck sends to the same page under the deck's slug
    (307 for a form, which keeps what it posts). A card missing from a deck that exists
    asks nothing more."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404) or isinstance(exception, CardNotFound):
            return None
        if not (found := _DECK_PATH.match(request.path_info)):
            return None
        deck = deck_by_former_slug(found["slug"])
        if deck is None:
            return None
        old, new = f"/decks/{found['slug']}/", f"/decks/{deck.slug}/"
        location = request.get_full_path().replace(old, new, 1)
        redirect = HttpResponseRedirect(location)
        if request.method not in ("GET", "HEAD"):
            redirect.status_code = 307
        return redirect
