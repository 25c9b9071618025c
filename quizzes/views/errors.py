"""The site's own 404 page, which can lead back to the deck a missing card was asked of."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from quizzes.models import Deck


class CardNotFound(Http404):
    """A card number the deck does not have (a deleted card, a mistyped address)."""

    def __init__(self, deck: Deck):
        super().__init__(f"{deck.name} has no card with this number.")
        self.deck = deck


@requires_csrf_token
def page_not_found(request, exception):
    # As Django's own handler: the view's reason when it gave one, never the resolver's.
    reason = exception.args[0] if exception.args and isinstance(exception.args[0], str) else ""
    context = {"reason": reason, "deck": getattr(exception, "deck", None)}
    return render(request, "404.html", context, status=404)
