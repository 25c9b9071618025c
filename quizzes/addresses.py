"""Addresses reversed once per process: a reversal is ~70 Python calls, and the pages a quiz is
played through ask for the same few again and again (the navigation's on every page, a quiz's
answer address at each of its questions, a card's on each feedback and result)."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def remembered_reverse(name: str, *args) -> str:
    """`reverse(name, args=args)`, kept per URLconf and script prefix (which `reverse` reads
    itself, so they are in the key). Not for a namespaced name that reads the request's
    current app (admin's)."""
    return _reversed(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name, args)


@functools.lru_cache(maxsize=16384)
def _reversed(urlconf: str, script_prefix: str, name: str, args: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args)
