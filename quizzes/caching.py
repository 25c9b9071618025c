"""Deck pages that look the same to every visitor, and each learner's study settings, reviews
due, navigation and user row, kept in Django's cache framework.

Every entry's key holds the decks' version number, kept in the shared cache ("default":
Redis, or the file cache every process of one machine reads). A write that changes what a
deck page shows (cards, tags, a deck, an image's state) calls `deck_pages_changed()`, which
moves the number on: from then on every process misses the old entries, and they expire on
their own. An entry never changes once written, so the entries themselves live in each
process's memory (the "pages" cache), which costs no round trip. A learner's settings work
the same way, under a version number of their own (`learner_cached`, `learner_changed`), kept
in the "learners" cache. So do figures that also depend on a learner's memory of the cards
and on the clock (`learner_kept_until`): a second number moves on at every write of their
card memories (`learner_memory_changed`), and each figure says until when it holds. A
signed-in user's row is kept under a number that moves on whenever it is saved or deleted
(`user_cached`).
"""

import hashlib
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial, wraps
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from quizsite.csrf import csrf_token

VERSION_KEY = "deck-pages:version"
ENTRY_TIMEOUT = 24 * 3600
# How long the others take the last value while one request builds a new one (`cached`): a
# build that died unseen (its process killed) is taken over after this.
BUILD_SECONDS = 30

T = TypeVar("T")


def _version(key: str, timeout: int | None = None) -> int:
    _moves_unread().pop(key, None)
    version = cache.get(key)
    if version is None:
        # A fresh start (or an evicted key): entries that outlived the old number cannot be
        # mistaken for current ones.
        cache.add(key, _fresh_number(), timeout=timeout)
        version = cache.get(key)
    return version


def _fresh_number() -> int:
    """A version number never used before. Nothing compares two versions, so a number
    moves on to a new random one, not to itself plus one."""
    return secrets.randbits(63)


def _versions(*keys: tuple[str, int | None]) -> list[int]:
    """The numbers at several (key, timeout) pairs, in one round trip to Redis."""
    for key, _timeout in keys:
        _moves_unread().pop(key, None)
    found = cache.get_many([key for key, _timeout in keys])
    return [found.get(key) or _version(key, timeout) for key, timeout in keys]


def _changed(key: str, timeout: int | None = None, *, at_commit_only: bool = False) -> None:
    """Move the number at `key` on now, and again when the transaction commits: a value
    built in between from the old rows must not stay cached under the new number.
    `at_commit_only`: only the move at the commit, for a writer that reads nothing kept
    under `key` after its write and before its commit (the move now only keeps such reads
    from finding the old value; other readers never see the uncommitted rows).

    Within a transaction the move at its commit is asked for once, and the move now is
    left out when this thread has not read the number since it last moved it: a bulk
    delete calls this once per row, and 10,000 cards were 20,000 cache writes (26 s)."""
    at_commit = _move_at_commit(key)
    unread = _moves_unread()
    if not at_commit_only and (at_commit is None or unread.get(key) is not at_commit):
        _bump(key, timeout)
    if at_commit is None:
        at_commit = partial(_commit_move, key, timeout)
        # robust: the rows are written by then; a cache that fails here is logged, and the
        # request that wrote them does not turn into an error.
        transaction.on_commit(at_commit, robust=True)
    if not at_commit_only and transaction.get_connection().in_atomic_block:
        unread[key] = at_commit


def _commit_move(key: str, timeout: int | None) -> None:
    _moves_unread().pop(key, None)
    _bump(key, timeout)


def _move_at_commit(key: str) -> partial | None:
    """The move of the number at `key` that the transaction under way will make when it
    commits, if it will (a savepoint rolled back takes its moves with it, as its rows)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    return next(
        (
            hook
            for _savepoints, hook, _robust in connection.run_on_commit
            if isinstance(hook, partial) and hook.func is _commit_move and hook.args[0] == key
        ),
        None,
    )


_this_thread = threading.local()


def _moves_unread() -> dict[str, partial]:
    """The numbers this thread moved in the transaction under way and has not read since,
    each with the transaction's move at commit (which forgets it; one rolled back leaves
    an entry no later transaction's move matches)."""
    if not hasattr(_this_thread, "moves_unread"):
        _this_thread.moves_unread = {}
    return _this_thread.moves_unread


def _bump(key: str, timeout: int | None = None) -> None:
    # A set, not an incr: the file cache's incr reads the entry under a lock on its whole
    # folder, which every signed-in answer of every process took in turn (under gunicorn,
    # a quarter of an answer's time went to that lock, the read and the write).
    cache.set(key, _fresh_number(), timeout=timeout)


def deck_pages_version() -> int:
    return _version(VERSION_KEY)


def deck_pages_changed() -> None:
    """Call after any write that changes what a deck page shows."""
    _changed(VERSION_KEY)


def cached(name: str, build: Callable[[], T]) -> T:
    """`build()`'s value, computed once per decks' version: looked up in this process's
    memory, then in the shared cache (so the other processes and servers need not build it
    again: at 100,000 cards some take a quarter of a second), else built and kept in both.

    A change of the decks misses every entry at once, and a class answering meanwhile would
    have each of its requests count the same 100,000 cards at the same time: 200 of them
    are a minute of the machine's work. So one request builds a missing value; the others
    take the value built before the change (a count one edit behind, for the moment the
    build takes) where there is one, and build only where there is none."""
    key = _deck_key(name)
    value = _kept(key)
    if value is not None:
        return value
    building, latest = f"{key}:building", f"deck-pages:latest:{name}"
    builder = cache.add(building, True, timeout=BUILD_SECONDS)
    if not builder and (value := cache.get(latest)) is not None:
        return value
    try:
        value = build()
        cache.set_many({key: value, latest: value}, ENTRY_TIMEOUT)
        caches["pages"].set(key, value, ENTRY_TIMEOUT)
    finally:
        if builder:
            cache.delete(building)
    return value


def cached_here(name: str, build: Callable[[], T]) -> T:
    """`build()`'s value, computed once per decks' version in each process and kept in its
    memory alone (a bounded cache), never in the shared one: for values named by what a
    client sends (a search's words), of which a script could make endless different ones,
    filling the shared cache and pushing out what others keep there (their sessions, their
    quiz starts counted)."""
    return _kept(_deck_key(name), build, shared=False)


def kept(name: str) -> object | None:
    """What `cached(name, ...)` keeps for the decks' current version; None when it has not
    been built, which this never does."""
    return _kept(_deck_key(name))


def _deck_key(name: str) -> str:
    return f"deck-pages:{deck_pages_version()}:{name}"


def _kept(
    key: str, build: Callable[[], T] | None = None, local: str = "pages", *, shared: bool = True
) -> T | None:
    """The value at `key`, which never changes once written (its key holds a version);
    without `build`, None when nobody has built it yet. `shared`: looked up in, and kept in,
    the shared cache too, not only in this process's memory."""
    memory = caches[local]
    value = memory.get(key)
    if value is None:
        value = cache.get(key) if shared else None
        if value is None:
            if build is None:
                return None
            value = build()
            if shared:
                cache.set(key, value, ENTRY_TIMEOUT)
        memory.set(key, value, ENTRY_TIMEOUT)
    return value


def _learner_version_key(user_id: int) -> str:
    return f"learner:{user_id}:version"


def _learner_memory_key(user_id: int) -> str:
    return f"learner:{user_id}:memory-version"


def learner_cached(user_id: int, name: str, build: Callable[[], T]) -> T:
    """`build()`'s value for one learner, computed once per change of their settings
    (`learner_changed`): every answer a signed-in learner gives needs them for FSRS."""
    version = _version(_learner_version_key(user_id), ENTRY_TIMEOUT)
    return _kept(f"learner:{user_id}:{version}:{name}", build, local="learners")


def learner_changed(user_id: int) -> None:
    _changed(_learner_version_key(user_id), ENTRY_TIMEOUT)


def learner_memory_changed(user_id: int, *, at_commit_only: bool = False) -> None:
    """Call after any write of the learner's card memories: services/reviews.py does, after
    each of its writes (some are written-out SQL, which sends no model signal).
    `at_commit_only` (see `_changed`): a quiz answer's one move, outside SQLite's write
    lock, where every other writer would wait for the shared cache's write too."""
    _changed(_learner_memory_key(user_id), ENTRY_TIMEOUT, at_commit_only=at_commit_only)


def learner_kept_until(
    user_id: int, name: str, *, now: datetime, build: Callable[[], tuple[T, datetime]]
) -> T:
    """A figure of one learner's that depends on their settings, their card memories, the
    decks and the clock. `build()` returns it with the moment until which it holds (the
    earliest moment it could change by itself); it is kept in this process's memory until
    then, or until one of those changes, and built afresh once asked at `now` outside the
    span it was built for (a clock set back included). The version numbers are read before
    `build()` reads any row, so a figure built from rows a write is replacing is kept under
    a number that write moves on."""
    versions = _versions(
        (_learner_version_key(user_id), ENTRY_TIMEOUT),
        (_learner_memory_key(user_id), ENTRY_TIMEOUT),
        (VERSION_KEY, None),
    )
    key = f"learner:{user_id}:{':'.join(map(str, versions))}:{name}"
    learners = caches["learners"]
    kept = learners.get(key)
    if kept is not None:
        value, since, until = kept
        if since <= now < until:
            return value
    value, until = build()
    learners.set(key, (value, now, until), ENTRY_TIMEOUT)
    return value


def _user_version_key(user_id) -> str:
    return f"user:{user_id}:version"


def user_cached(user_id, build: Callable[[], T | None]) -> T | None:
    """The user `user_id` as `build()` reads it, kept in this process's memory until the row
    is saved or deleted (`_user_written`): every signed-in request needs it (quizzes.auth).
    Each read unpickles a fresh instance, so no two requests share one. A missing user is
    not kept."""
    version = _version(_user_version_key(user_id), ENTRY_TIMEOUT)
    key = f"user:{user_id}:{version}"
    learners = caches["learners"]
    user = learners.get(key)
    if user is None:
        user = build()
        if user is not None:
            learners.set(key, user, ENTRY_TIMEOUT)
    return user


# Stands for the CSRF token in a page kept for every visitor (context_processors.page_cache);
# each response gets its own token in its place. Drawn at random by each process (whose
# memory alone keeps those pages): text that card content or a query could carry must never
# turn into a visitor's token.
CSRF_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"
# Stands for a signed-in learner's part of the navigation (their name, reviews due, the
# log-out form) in a page kept for every learner; drawn at random for the same reason.
USER_NAV_PLACEHOLDER = f"user-nav-placeholder-{secrets.token_hex(16)}"
# The request headers deck pages answer differently to (see the views' vary_on_headers).
_PAGE_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def public_page(view):
    """Keep a deck page's whole response until the deck changes: the same for every
    visitor but for the CSRF token, which each response gets afresh (with its cookie, as
    rendering would set it). Signed-in learners share a second copy whose navigation (their
    name, their reviews due) is a placeholder that each response fills with its own. A page
    with a message to show is someone's own: it is rendered as usual (the deck's parts
    still come from the cache)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or len(messages.get_messages(request)):
            return view(request, *args, **kwargs)
        signed_in = request.user.is_authenticated
        asked = [
            request.get_full_path(),
            "learner" if signed_in else "visitor",
            *(request.headers.get(name, "") for name in _PAGE_HEADERS),
        ]
        digest = hashlib.sha256("\n".join(asked).encode()).hexdigest()
        key = f"deck-pages:{deck_pages_version()}:page:{digest}"
        pages = caches["pages"]
        kept = pages.get(key)
        if kept is None:
            request.csrf_token_placeholder = True
            request.user_nav_placeholder = signed_in
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            finally:
                request.csrf_token_placeholder = False
                request.user_nav_placeholder = False
            if response.streaming:
                return response
            # Something asked for the real token while rendering: that page is this
            # visitor's alone.
            own_token = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
            if response.status_code != 200 or response.cookies or own_token:
                response.content = _with_token(request, _with_user_nav(request, response.content))
                return response
            kept = (response.content, list(response.items()))
            pages.set(key, kept, ENTRY_TIMEOUT)
        content, items = kept
        response = HttpResponse(_with_token(request, _with_user_nav(request, content)))
        for header, value in items:
            response[header] = value
        return response

    return wrapper


def _with_user_nav(request, content: bytes) -> bytes:
    placeholder = USER_NAV_PLACEHOLDER.encode()
    if not request.user.is_authenticated or placeholder not in content:
        return content
    return content.replace(placeholder, _user_nav(request))


def _user_nav(request) -> bytes:
    """The learner's navigation, its log-out form's token a placeholder (`_with_token` fills
    in the page's own). Kept in this process per what it shows (their name, staff flag and
    reviews due), so a page served from a kept copy renders no template."""
    from quizzes.services import reviews

    user = request.user
    counts = reviews.review_counts(user=user, now=timezone.now())
    shown = repr((user.get_username(), user.is_staff, counts.due, counts.new))
    key = f"user-nav:{user.pk}:{hashlib.sha256(shown.encode()).hexdigest()}"
    learners = caches["learners"]
    nav = learners.get(key)
    if nav is None:
        context = {"review_counts": counts, "csrf_token": CSRF_PLACEHOLDER}
        nav = render_to_string("base.html#user-nav", context, request=request).encode()
        learners.set(key, nav, ENTRY_TIMEOUT)
    return nav


def _with_token(request, content: bytes) -> bytes:
    return content.replace(CSRF_PLACEHOLDER.encode(), csrf_token(request).encode())


# Named senders: a receiver of every model's deletions would keep Django from deleting any
# row of any model in bulk (its "fast delete" needs a model nobody listens to), so that a
# deck's cascade loaded and signalled each of its learners' answers and reviews.
@receiver(post_delete, sender="quizzes.Deck")
@receiver(post_delete, sender="quizzes.Card")
@receiver(post_delete, sender="quizzes.Tag")
@receiver(post_delete, sender="quizzes.CardImage")
@receiver(post_delete, sender="quizzes.CachedImage")
def _deck_row_deleted(sender, **kwargs):
    """Deletions come from the admin's own views and cascades, not from a service."""
    deck_pages_changed()


@receiver(post_save, sender="quizzes.LearnerSettings")
@receiver(post_delete, sender="quizzes.LearnerSettings")
def _learner_settings_written(sender, instance, **kwargs):
    """Every write of a learner's settings goes through save() (services, the admin) or a
    cascade from the user's deletion."""
    learner_changed(instance.user_id)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _user_written(sender, instance, **kwargs):
    """A changed password (which logs the user's other sessions out), name, staff flag or
    active flag, and each login's last_login: all saved through save()."""
    _changed(_user_version_key(instance.pk), ENTRY_TIMEOUT)


@receiver(post_save, sender="quizzes.Deck")
@receiver(post_save, sender="quizzes.Tag")
def _deck_or_tag_saved(sender, **kwargs):
    """Decks and tags are renamed in the admin's own views (cards go through services)."""
    deck_pages_changed()
