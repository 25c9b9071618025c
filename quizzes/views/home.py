from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from quizzes import caching, engine
from quizzes.services import cards as card_services
from quizzes.services import decks as deck_services
from quizzes.services import reviews
from quizzes.views.login import login_required

# The box that finds a deck by name shows once the decks are more than a glance takes in.
DECK_FILTER_FROM = 6
DECK_FILTER_LENGTH = 200
# Past this many decks shown, a branch below the top is a link to the filter that shows
# its decks rather than its decks folded into the page: 2,000 decks folded made a page of
# 2.3 MB for a phone to fetch, whatever it opened.
DECKS_FOLDED_UP_TO = 200


def _tree_shown(request) -> tuple[list, str, list[deck_services.DeckBranch], int]:
    """Every deck (kept), the filter typed (`q`), the tree of the decks it matches as the
    home page shows it (past DECKS_FOLDED_UP_TO decks, the branches below the top are
    links), and how many decks that tree holds."""
    decks = card_services.deck_summaries_kept()
    matching = request.GET.get("q", "").strip()[:DECK_FILTER_LENGTH]
    tree = deck_services.deck_tree(decks, matching=matching)
    shown = sum(branch.deck_count for branch in tree)
    if shown > DECKS_FOLDED_UP_TO:
        deck_services.deck_tree_linked(tree, matching=matching)
    return decks, matching, tree, shown


# The filter's htmx answer is a fragment at the same address as the page: a browser must
# not show one for the other (Back after a filter typed).
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@caching.public_page
def home(request):
    decks, matching, tree, shown = _tree_shown(request)
    context = {
        "tree": tree,
        "tree_decks": shown,
        # The tree's own (kept, no query): its buttons' and links' hidden words name a deck
        # as its row does, "Biology (bio-b)" beside another Biology.
        "named_alike": card_services.tree_scopes_kept().named_alike,
        "matching": matching,
        "deck_count": len(decks),
        "filter_from": DECK_FILTER_FROM,
        "filter_length": DECK_FILTER_LENGTH,
        "time_for_length_rule": engine.TIME_FOR_LENGTH_RULE,
    }
    if request.htmx and request.htmx.target == "deck-tree":
        return render(request, "quizzes/home.html#filtered-tree", context)
    return render(request, "quizzes/home.html", context)


@require_safe
@login_required
def deck_study_counts(request):
    """The learner's new, learning and review cards of each deck and branch the home page
    shows (with the same `q`), as Anki's deck list: swapped into the page (the same for
    every learner, kept) by htmx when it loads, each into its row. The counts are kept
    until the learner's memories change (reviews.deck_figures); the tree is worked out
    from the decks kept in the cache, so no query when those are kept."""
    if not request.htmx:
        # Opened on its own (a link copied out of the page), the counts alone were a bare
        # fragment: the home page shows them in their rows.
        query = request.GET.urlencode()
        return redirect(reverse("home") + (f"?{query}" if query else ""))
    _decks, _matching, tree, _shown = _tree_shown(request)
    studied = card_services.tree_scopes_kept()
    shown = deck_services.tree_branches_shown(tree)
    scopes = {str(branch.number): studied.of(branch) for branch in shown}
    # A deck with subdecks, opened, lists its own cards first: their counts alone.
    scopes |= {
        f"own-{branch.number}": frozenset({branch.deck.pk})
        for branch in shown
        if branch.deck is not None and branch.branches and not branch.linked
    }
    counts = reviews.deck_counts(user=request.user, now=timezone.now(), scopes=scopes)
    rows = list(counts.items())
    return render(request, "quizzes/home.html#deck-study-counts", {"rows": rows})


@require_safe
@cache_control(max_age=24 * 3600, public=True)
def robots_txt(request):
    # Rendered without the request: the same for everyone, no session or cookie read, so
    # it stays public for a cache in front.
    return HttpResponse(render_to_string("robots.txt"), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    # Browsers and feed readers ask for /favicon.ico whatever a page's <link rel="icon">
    # says. Its URL is looked up here, not at import: in production it holds a hash of
    # the file, read from the static files' manifest.
    return HttpResponsePermanentRedirect(static("favicon.svg"))
