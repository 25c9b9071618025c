"""Each deck as an Anki package (.apkg, with its pictures and sounds) for learners to take
to Anki: built once per version of the decks (quizzes.caching: any change to a card, a tag
or an image moves it on) and kept as a file, served as it is until the next change.

A package is written under a name of its own and moved into place whole, so a download
never meets half a file. One request builds it (or asks the worker to) while the others
asked at once are told it is on its way: a class downloading together after a change
builds it once. Each deck's packages live in a folder of their own, named by version; once
one is in place, those of other versions are removed (never the current one, which a
slower build of an older version may meet)."""

import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from quizzes import caching
from quizzes.models import Deck
from quizzes.services.anki_io import deck_export_apkg
from quizzes.services.deck_exports import cards_package_builds_in_request

BUILD_CLAIM_SECONDS = 15 * 60


def _folder(deck: Deck) -> Path:
    return settings.QUIZSITE_PACKAGES_DIR / str(deck.pk)


def _path(deck: Deck, version: int) -> Path:
    return _folder(deck) / f"{version}.apkg"


def _claim_key(deck: Deck, version: int) -> str:
    return f"deck-package:{deck.pk}:{version}"


def deck_package_ready(*, deck: Deck) -> Path | None:
    """The deck's package as the decks are now: built already, or built now by this request
    if the deck is small and no other request is building it; None while it is being built
    (by another request, or by the worker, asked here if nobody has asked yet)."""
    version = caching.deck_pages_version()
    path = _path(deck, version)
    if path.exists():
        return path
    if not cache.add(_claim_key(deck, version), 1, timeout=BUILD_CLAIM_SECONDS):
        return None
    if not package_builds_in_request(deck=deck):
        from quizzes.tasks import deck_package_build_task

        deck_package_build_task.enqueue(deck.pk, version)
        return None
    return deck_package_build(deck=deck, version=version)


def package_builds_in_request(*, deck: Deck) -> bool:
    """Whether the deck's package is small enough to build within a request's time."""
    return cards_package_builds_in_request(cards=deck.cards.all())


def deck_package_build(*, deck: Deck, version: int) -> Path:
    """Build the deck's package for `version` of the decks (read before the cards, so a
    change meanwhile moves the version on and is built next time). A build that fails
    lets the next request claim it again."""
    path = _path(deck, version)
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.part")
            try:
                deck_export_apkg(deck=deck, path=part)
                os.replace(part, path)
            finally:
                part.unlink(missing_ok=True)
    except BaseException:
        cache.delete(_claim_key(deck, version))
        raise
    # Version numbers are not in order (caching._fresh_number): kept are this build's and
    # the decks' version as it is now, which a slower build of an older one may meet.
    kept = {str(version), str(caching.deck_pages_version())}
    for built in path.parent.glob("*.apkg"):
        if built.stem.isdigit() and built.stem not in kept:
            built.unlink(missing_ok=True)
    return path
