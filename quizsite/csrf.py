"""The CSRF token a page's forms carry, as Django's `get_token` makes it, with its mask
drawn in one read of the system's random source.

Django masks the cookie's secret afresh for every response (so that a compressed page does
not give the secret away, BREACH), drawing the mask's 32 characters with 32 calls of
`secrets.choice`: 33 reads of the random source and some 450 Python calls, a tenth of the
calls of showing a quiz question. The token is the same: 32 characters of mask, uniformly
drawn from the same 62, then the secret shifted by them, which Django's CSRF check unmasks.
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

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
