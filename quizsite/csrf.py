"""The CSRF token a page's forms carry, as Django's `get_token` makes it, with its mask
drawn in one read of the system's random source; and Django's CSRF check, recognising a
token that matches in fewer steps.

Django masks the cookie's secret afresh for every response (so that a compressed page does
not give the secret away, BREACH), drawing the mask's 32 characters with 32 calls of
`secrets.choice`: 33 reads of the random source and some 450 Python calls, a tenth of the
calls of showing a quiz question. The token is the same: 32 characters of mask, uniformly
drawn from the same 62, then the secret shifted by them, which Django's CSRF check unmasks.
"""

import secrets

from django.conf import settings
from django.http import UnreadablePostError
from django.middleware import csrf
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    InvalidTokenFormat,
    get_token,
)
from django.utils.crypto import constant_time_compare

_INDEX = {char: at for at, char in enumerate(CSRF_ALLOWED_CHARS)}
_COUNT = len(CSRF_ALLOWED_CHARS)
# Bytes from here up are dropped: kept, they would make the first characters likelier.
_UNEVEN_FROM = 256 - 256 % _COUNT


def csrf_token(request) -> str:
    """What `django.middleware.csrf.get_token(request)` returns, and with the same effect:
    the cookie is sent again (its expiry renewed), or made when the request had none."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        return get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(secret)


def masked(secret: str) -> str:
    mask = _random_indexes(CSRF_SECRET_LENGTH)
    shifted = zip(secret, mask, strict=True)
    cipher = (CSRF_ALLOWED_CHARS[(_INDEX[char] + at) % _COUNT] for char, at in shifted)
    return "".join(CSRF_ALLOWED_CHARS[at] for at in mask) + "".join(cipher)


def _random_indexes(count: int) -> list[int]:
    """`count` numbers below _COUNT, each equally likely, from the system's random source."""
    indexes = []
    while len(indexes) < count:
        indexes += [byte % _COUNT for byte in secrets.token_bytes(count) if byte < _UNEVEN_FROM]
    return indexes[:count]


# A masked token's letter and its mask's letter, to the secret's letter they hide.
_UNMASKED = {
    (char, mask): CSRF_ALLOWED_CHARS[(_INDEX[char] - _INDEX[mask]) % _COUNT]
    for char in CSRF_ALLOWED_CHARS
    for mask in CSRF_ALLOWED_CHARS
}
_ALLOWED = frozenset(CSRF_ALLOWED_CHARS)


def unmasked(token: str) -> str | None:
    """The secret a masked token (`masked`'s, or Django's) hides; None for anything that is
    not a masked token."""
    if len(token) != CSRF_TOKEN_LENGTH or not _ALLOWED.issuperset(token):
        return None
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return "".join(map(_UNMASKED.__getitem__, zip(cipher, mask, strict=True)))


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    """Django's CSRF check, but a masked token that matches the secret is accepted without
    Django's unmasking, which goes through the token letter by letter in two generators
    (~170 Python calls, on every form and htmx post: each quiz answer and start). It takes
    the token from where Django does (the form's field, else the header); any token it does
    not accept (unmasked, malformed, wrong, missing) goes through Django's own check, which
    accepts or refuses it, with its reasons, as before."""

    def _check_token(self, request):
        if not self._masked_token_matches(request):
            super()._check_token(request)

    def _masked_token_matches(self, request) -> bool:
        try:
            secret = self._get_secret(request)
        except InvalidTokenFormat:
            return False
        if secret is None:
            return False
        token = ""
        if request.method == "POST":
            try:
                token = request.POST.get("csrfmiddlewaretoken", "")
            except UnreadablePostError:
                return False
        if token == "":
            token = request.META.get(settings.CSRF_HEADER_NAME, "")
        found = unmasked(token)
        return found is not None and constant_time_compare(found, secret)
