"""What a learner whose session ended (logged out in another tab, signed out after a long
while away) gets from a page that needs them signed in: the login page, then back to the
page they were on. Django's `login_required` sent them back to the address asked, which for
a form (a grade, an answer) only takes a post: they logged in to a 405 page. And htmx
followed its redirect and swapped the whole login page into the part of the page the form
updates."""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

NOT_SAVED = "You were logged out (in another tab, or after a while away), so that was not saved."


def login_required(view):
    """As Django's, but a form posted or an htmx request signed out goes to the login page
    with the page it came from as where to go back to."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and not request.htmx:
            return redirect_to_login(request.get_full_path())
        return login_again(request, back_to=_page_sent_from(request))

    return wrapper


def login_again(request, *, back_to: str | None) -> HttpResponse:
    """To the login page, then to `back_to` (an address on this site; None: the home
    page); the whole page, for htmx. A form's post is said not to have been saved."""
    if request.method == "POST":
        messages.warning(request, f"{NOT_SAVED} Log in to go on.")
    login = redirect_to_login(back_to) if back_to else redirect(settings.LOGIN_URL)
    return HttpResponseClientRedirect(login.url) if request.htmx else login


def _page_sent_from(request) -> str | None:
    """The page of this site a form or an htmx request came from: htmx names it; a browser
    names it in Referer (same-origin pages only, as the site's Referrer-Policy says)."""
    address = request.headers.get("HX-Current-URL") or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(address, allowed_hosts={request.get_host()}):
        return None
    parts = urlsplit(address)
    page = parts.path + (f"?{parts.query}" if parts.query else "")
    # The path alone must stay on the site too: "//elsewhere/" is another host's address.
    return page if url_has_allowed_host_and_scheme(page, allowed_hosts=set()) else None
