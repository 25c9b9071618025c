"""The site's own 404 page, which can lead back to the deck a missing card was asked of, and
its 500 page, which tells a database busy with a long write from a fault."""

import sys

from django.db import OperationalError
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from quizzes.models import Deck
from quizzes.services import cards as card_services


class CardNotFound(Http404):
    """A card number the deck does not have (a deleted card, a mistyped address)."""

    def __init__(self, deck: Deck):
        # Named as the tree names it: which of two decks "Biology" has no such card.
        self.deck_label = deck.label_among(card_services.tree_scopes_kept().named_alike)
        super().__init__(f"{self.deck_label} has no card with this number.")
        self.deck = deck


@requires_csrf_token
def page_not_found(request, exception):
    # As Django's own handler: the view's reason when it gave one, never the resolver's.
    reason = exception.args[0] if exception.args and isinstance(exception.args[0], str) else ""
    context = {
        "reason": reason,
        "deck": getattr(exception, "deck", None),
        "deck_label": getattr(exception, "deck_label", ""),
    }
    return render(request, "404.html", context, status=404)


# SQLite's words for a write lock another connection held past the busy timeout (a large
# import's one transaction): "database is locked", or "database table is locked" between
# connections sharing a cache.
_BUSY_WORDS = ("database is locked", "database table is locked")


def _database_busy(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError) and str(error).startswith(_BUSY_WORDS)


@requires_csrf_token
def server_error(request):
    """As Django's own: the 500 page, rendered without a request context or the database.
    A database busy with a long write is a 503 instead: the request met the lock at one of
    its writes, and the same request a little later goes through."""
    # Django calls this inside its `except` block: the exception is the one being handled.
    if _database_busy(sys.exc_info()[1]):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
