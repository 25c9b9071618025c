"""Each deck as an Anki package (.apkg, with its pictures and sounds) for learners to take
to Anki: built once per version of the decks (quizzes.caching: any change to a card, a tag
or an image moves it on) and kept as a file, served as it is until the next change.

A package is written under a name of its own and moved into place whole, so a download
never meets half a file. One request builds it (or asks the worker to) while the others
asked at once are told it is on its way: a class downloading together after a change
builds it once. The files of earlier versions are removed once a newer one is in place."""

import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from quizzes import caching
from quizzes.models import Deck
from quizzes.services.anki_io import deck_export_apkg

BUILD_CLAIM_SECONDS = 15 * 60


def _path(deck: Deck) -> Path:
    return settings.QUIZSITE_PACKAGES_DIR / f"{deck.slug}-{caching.deck_pages_version()}.apkg"


def deck_package(*, deck: Deck) -> Path | None:
    """The deck's package as the decks are now, if it has been built."""
    path = _path(deck)
    return path if path.exists() else None


def deck_package_builds_in_request(*, deck: Deck) -> bool:
    """Whether a request may build the package itself: a big deck's takes the worker."""
    return deck.cards.count() <= settings.QUIZSITE_PACKAGE_IN_REQUEST_CARDS


def deck_package_build(*, deck: Deck) -> Path:
    """Build the deck's package for the decks' version now (the version is read before the
    cards, so a change while it is built moves the version on and is built next time)."""
    path = _path(deck)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.part")
    try:
        deck_export_apkg(deck=deck, path=part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    for older in path.parent.glob(f"{deck.slug}-*.apkg"):
        if older != path:
            older.unlink(missing_ok=True)
    return path


def deck_package_claim(*, deck: Deck) -> bool:
    """Claim the building of the deck's package for the decks' version now: True for the
    one request (of however many ask at once, on any process) that should build it or ask
    the worker to; the others say it is on its way."""
    claim = f"deck-package:{deck.pk}:{caching.deck_pages_version()}"
    return cache.add(claim, 1, timeout=BUILD_CLAIM_SECONDS)


def deck_package_claim_release(*, deck: Deck) -> None:
    """A claimed build failed: let the next request try again."""
    cache.delete(f"deck-package:{deck.pk}:{caching.deck_pages_version()}")


def deck_package_build_later(*, deck: Deck) -> None:
    """Ask the worker for the package (after claiming it)."""
    from quizzes.tasks import deck_package_build_task

    deck_package_build_task.enqueue(deck.pk)
