"""Browsing the deck: the card list with its search, a card's page, its answer, a random card.

Every view answers a plain request with a full page, and an htmx request with the fragment
the page swaps in; both come from the same URL.
"""

import re
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import Truncator
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from quizzes import caching
from quizzes.downloads import file_download
from quizzes.forms import ProblemReportForm
from quizzes.models import Card, Deck
from quizzes.services import cards as card_services
from quizzes.services import deck_packages as package_services
from quizzes.services import decks as deck_services
from quizzes.typed_answers import TYPED_ANSWER_MAX_LENGTH, Comparison, compare_typed
from quizzes.views.errors import CardNotFound

CARDS_PER_PAGE = 15
# When the page that says a big deck's package is on its way asks again.
PACKAGE_RETRY_SECONDS = 20


def _get_card(slug: str, number: int) -> Card:
    try:
        return card_services.card_for_page(deck_slug=slug, number=number)
    except Card.DoesNotExist:
        deck = Deck.objects.filter(slug=slug).first()
        if deck is None:
            raise Http404("There is no such deck.") from None
        raise CardNotFound(deck) from None


def _search_from(request) -> tuple[str, str]:
    query = card_services.search_clean(request.GET.get("q", ""))
    tag_slug = card_services.search_clean(request.GET.get("tag", "")).replace(" ", "")
    return query, tag_slug


def _querystring(**params) -> str:
    present = {name: value for name, value in params.items() if value}
    return f"?{urlencode(present)}" if present else ""


def _typed_comparison(request, card: Card) -> Comparison | None:
    """What the learner typed into a type-in card's box, beside the answer to type; None
    where the card asks none or the answer was shown without the box. No more is read
    than the box takes."""
    if not card.typed_answer or "typed" not in request.GET:
        return None
    typed = request.GET["typed"][:TYPED_ANSWER_MAX_LENGTH].strip()
    return compare_typed(card.typed_answer, typed, ignore_accents=card.typed_answer_ignores_accents)


def _number(raw: str | None) -> int | None:
    """A page or card number from the query string; anything else is None."""
    return int(raw) if raw and re.fullmatch(r"[0-9]{1,9}", raw) else None


# HX-Target too: the list answers a search and a "load more" with different fragments.
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@caching.public_page
def card_list(request, slug):
    deck = get_object_or_404(Deck, slug=slug)
    query, tag_slug = _search_from(request)
    tags = card_services.deck_tags(deck=deck)
    active_tag = next((tag for tag in tags if tag.slug == tag_slug), None)
    result = None
    if query or (tag_slug and active_tag is None):
        # An unknown tag matches nothing, as a query that finds nothing.
        result = (
            card_services.card_search(deck=deck, query=query, tag=active_tag)
            if active_tag or not tag_slug
            else card_services.NO_RESULT
        )
        page = card_services.SearchPage(
            result=result, number=_number(request.GET.get("page")) or 1, size=CARDS_PER_PAGE
        )
    else:
        page = card_services.CardListPage(
            deck=deck,
            tag=active_tag,
            after=_number(request.GET.get("after")),
            before=_number(request.GET.get("before")),
            size=CARDS_PER_PAGE,
        )
    # Every answer of the page shown at once (and on the pages "Show more cards" adds), for
    # reading a deck through; the link at the count turns it on and off.
    answers_shown = request.GET.get("answers") == "1"
    search_params = _querystring(q=query, tag=tag_slug, answers="1" if answers_shown else "")
    if _past_the_cards(page) and not request.htmx:
        # After the last card or before the first (a link kept from before cards were
        # removed, or made by hand): an empty list read "Cards 0-0 of 79". From the first.
        return redirect(request.path + search_params)
    # The deck is named as the tree names it: two decks "Biology" by their slugs too.
    named_alike = card_services.tree_scopes_kept().named_alike
    context = {
        "deck": deck,
        "named_alike": named_alike,
        "deck_place": deck_services.deck_place(deck, named_alike),
        "deck_figures": card_services.deck_figures(deck=deck),
        "page": page,
        "query": query,
        # What the cards' text is highlighted by: each word as it was searched.
        "words": card_services.search_prefixes(result.words) if result else [],
        "suggestion": " ".join(result.words) if result and result.suggested else "",
        "tags": tags,
        "active_tag": active_tag,
        "tag_slug": tag_slug,
        "page_prefix": f"{search_params}&" if search_params else "?",
        "cache_version": caching.deck_pages_version(),
        "answers_shown": answers_shown,
        "answers_toggle": _querystring(q=query, tag=tag_slug, answers="" if answers_shown else "1"),
    }
    if request.htmx and not request.htmx.history_restore_request:
        if request.htmx.target == "load-more":
            return render(request, "quizzes/cards/list.html#card-items", context)
        response = render(request, "quizzes/cards/list.html#search-results", context)
        return push_url(response, request.path + search_params)
    return render(request, "quizzes/cards/list.html", context)


def _past_the_cards(page) -> bool:
    """A page of the list that starts from a card past the last, or ends before the
    first, while there are cards to show."""
    paged = isinstance(page, card_services.CardListPage) and (
        page.after is not None or page.before is not None
    )
    return paged and page.count > 0 and not page.cards


@require_safe
@caching.public_page
def card_detail(request, slug, number):
    card = _get_card(slug, number)
    query, _ = _search_from(request)
    context = {
        "card": card,
        "deck": card.deck,
        # Its deck is named as the tree names it: two decks "Biology" by their slugs too.
        "named_alike": card_services.tree_scopes_kept().named_alike,
        "card_count": card_services.deck_figures(deck=card.deck).count,
        "title": Truncator(card.question_text or f"Card {card.number}").chars(80),
        "show_answer": request.GET.get("answer") == "1",
        "comparison": _typed_comparison(request, card),
        "query": query,
        "words": card_services.search_prefixes(card_services.search_words(query)),
        "report_form": ProblemReportForm(),
    }
    return render(request, "quizzes/cards/detail.html", context)


@require_safe
@vary_on_headers("HX-Request")
@caching.public_page
def card_answer(request, slug, number):
    card = _get_card(slug, number)
    query, _ = _search_from(request)
    if not request.htmx:
        answer = _querystring(answer="1", q=query)
        if "typed" in request.GET:
            answer += "&" + urlencode({"typed": request.GET["typed"][:TYPED_ANSWER_MAX_LENGTH]})
        return redirect(card.get_absolute_url() + answer + "#answer")
    words = card_services.search_prefixes(card_services.search_words(query))
    context = {"card": card, "words": words, "comparison": _typed_comparison(request, card)}
    return render(request, "quizzes/cards/detail.html#answer", context)


@require_safe
def card_random(request, slug):
    deck = get_object_or_404(Deck, slug=slug)
    # "from" comes from the card page's own link; anything but a plain number is ignored.
    current = request.GET.get("from", "")
    exclude = int(current) if re.fullmatch(r"[0-9]{1,9}", current) else None
    card = card_services.card_random(deck=deck, exclude_number=exclude)
    if card is None:
        return redirect(deck)
    return redirect(card)


@require_safe
def deck_package(request, slug):
    """The deck as an Anki package to download, built once per change of the decks; a big
    deck's by the worker, while a page says it is on its way."""
    deck = get_object_or_404(Deck, slug=slug)
    path = package_services.deck_package_ready(deck=deck)
    if path is None:
        response = render(
            request,
            "quizzes/cards/package_preparing.html",
            {
                "deck": deck,
                "named_alike": card_services.tree_scopes_kept().named_alike,
                "retry_seconds": PACKAGE_RETRY_SECONDS,
            },
            status=202,
        )
        response["Retry-After"] = str(PACKAGE_RETRY_SECONDS)
        return response
    try:
        package = path.open("rb")
    except FileNotFoundError:  # a change of the decks replaced it meanwhile: ask again
        return redirect(request.path)
    return file_download(
        request, package, filename=f"{deck.slug}.apkg", content_type="application/octet-stream"
    )
