"""Deck pages that look the same to every visitor, kept in Django's cache framework.

Every entry's key holds the decks' version number, kept in the shared cache ("default":
Redis, or the file cache every process of one machine reads). A write that changes what a
deck page shows (cards, tags, a deck, an image's state) calls `deck_pages_changed()`, which
moves the number on: from then on every process misses the old entries, and they expire on
their own. An entry never changes once written, so the entries themselves live in each
process's memory (the "pages" cache), which costs no round trip.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

VERSION_KEY = "deck-pages:version"
ENTRY_TIMEOUT = 24 * 3600

T = TypeVar("T")


def deck_pages_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh start (or an evicted key): a number never used before, so entries that
        # outlived the old one cannot be mistaken for current ones.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def deck_pages_changed() -> None:
    """Call after any write that changes what a deck page shows. Inside a transaction the
    number moves on now and again when it commits: a page built in between from the old
    rows must not stay cached under the new number."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def cached(name: str, build: Callable[[], T]) -> T:
    """`build()`'s value, computed once per decks' version."""
    pages = caches["pages"]
    key = f"deck-pages:{deck_pages_version()}:{name}"
    value = pages.get(key)
    if value is None:
        value = build()
        pages.set(key, value, ENTRY_TIMEOUT)
    return value


def _deck_models():
    from quizzes.models import CachedImage, Card, CardImage, Deck, Tag

    return (Deck, Card, Tag, CardImage, CachedImage)


@receiver(post_delete)
def _deck_row_deleted(sender, **kwargs):
    """Deletions come from the admin's own views and cascades, not from a service."""
    if sender in _deck_models():
        deck_pages_changed()
