import codecs

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import has_vary_header, patch_cache_control


class PrivatePagesMiddleware:
    """A page that differs by the visitor's cookies says `Cache-Control: private`: every
    page carries its visitor's own CSRF token, and a signed-in learner's page their name and
    reviews due, so a caching proxy or CDN in front must keep none of them (Vary: Cookie
    alone asks it to keep one copy per cookie, which some ignore), while the browser still
    may (its back button). So does an answer that sets a cookie. Static files stay public.
    Outside the session and CSRF middleware, whose Vary and cookies it reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies or has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True)
        return response


class ContentSecurityPolicyMiddleware:
    """The site's pages run only its own scripts and styles: card HTML is sanitized, and
    this is the second line should anything slip through. The admin keeps Django's own
    inline styles and scripts, so it is left out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
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
    a restored tab) gets a page saying so instead of require_POST's empty 405."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method == "GET":
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response
