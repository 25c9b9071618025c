"""The review page: one card at a time, the answer revealed in place, four grades, undo; a
card buried, suspended or forgotten by hand; when the queue is done, more new cards for
today and the suspended leeches. Beside it, a card's own study box (the card's page loads
it) and the list of the learner's suspended and buried cards.

htmx swaps #review-stage after a grade, an undo or an end-screen choice; without JavaScript
the same forms post and redirect back to /review/, and the answer opens with a plain
<details> element.

`?deck=<slug>` (a deck and its subdecks), `?own=<slug>` (a deck's own cards, not its
subdecks') or `?branch=<path>` (a branch of Anki's tree with no deck of its own name) studies
those decks only: every form of the page carries it in its
address, so that each answer, undo, bury or end-screen choice comes back to the same decks.
"""

import random
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from quizzes import scheduling
from quizzes.forms import database_id
from quizzes.forms_study import (
    CardActionForm,
    CardFlagForm,
    ExtraNewCardsForm,
    ExtraReviewsForm,
    HoldUndoForm,
    ReviewAnswerForm,
    ReviewTypedForm,
    ReviewUndoForm,
    SetDueForm,
    shown_token,
)
from quizzes.models import Card, CardHold, ReviewLog
from quizzes.services import card_flags, card_holds, card_standing, reviews
from quizzes.services import cards as card_services
from quizzes.services import decks as deck_services
from quizzes.typed_answers import compare_typed
from quizzes.views.login import login_required

PAGE = "quizzes/review/review.html"
CARD_STUDY = "quizzes/review/card_study.html"
HELD_CARDS = "quizzes/review/held_cards.html"


def _bad_request(request, message: str, *, status: int = 400) -> HttpResponse:
    """400 (or `status`) with the reason: a page, or for htmx the message alone, which
    takes the place of the error slot above the card (htmx-config in base.html swaps a
    4xx)."""
    context = {"message": message}
    if not request.htmx:
        return render(request, "quizzes/play/bad_request.html", context, status=status)
    response = render(request, "quizzes/play/bad_request.html#error", context, status=status)
    return retarget(reswap(response, "outerHTML"), "#quiz-error")


class _ScopeRefused(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


# Longer than any slug or branch path the site makes (a deck's name is at most 200).
SCOPE_VALUE_LENGTH = 1000


def _study_scope(request) -> deck_services.StudyScope | None:
    """The decks this study is of (`?deck=`, `?own=` or `?branch=`, in the address of a page
    or of a form's post), None for every deck; raises _ScopeRefused with the readable
    refusal for a deck or branch there is not."""
    named = {field: request.GET.get(field, "") for field in ("deck", "own", "branch")}
    named = {field: value for field, value in named.items() if value}
    if not named:
        return None
    if len(named) > 1:
        raise _ScopeRefused(
            _bad_request(
                request,
                "Study a deck (deck=), a deck's own cards (own=) or a branch (branch=), "
                "one of them only.",
            )
        )
    if any(len(value) > SCOPE_VALUE_LENGTH for value in named.values()):
        raise _ScopeRefused(_bad_request(request, "That deck's name is too long to be one."))
    path = named.get("branch", "")
    slug = named.get("deck") or named.get("own", "")
    scopes = card_services.tree_scopes_kept()
    if path:
        scope = deck_services.study_scope_of_branch(path, scopes)
        if scope is None:
            raise _ScopeRefused(
                _no_such_decks(request, f"No deck is in the branch “{_printable(path)}”.")
            )
        return scope
    decks = card_services.deck_summaries_kept()
    scope = deck_services.study_scope_of_slug(slug, decks=decks, scopes=scopes, own="own" in named)
    if scope is None:
        raise _ScopeRefused(_no_such_decks(request, f"There is no deck “{_printable(slug)}”."))
    return scope


def _printable(value: str) -> str:
    """`value` as the message quotes it: a character that prints nothing (a NUL, a line
    break sent in the address) shown as �, not passed on to the page."""
    return "".join(character if character.isprintable() else "\ufffd" for character in value)


def _no_such_decks(request, message: str) -> HttpResponse:
    return _bad_request(
        request,
        f"{message} It may have been renamed or removed since: choose it again from the "
        "decks on the home page, or study all your cards.",
        status=404,
    )


def _scoped(view):
    """Read the study's decks before `view` does anything: a post for a deck there is not
    (removed since the page showed it) is refused as a whole, nothing recorded."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            request.study_scope = _study_scope(request)
        except _ScopeRefused as refused:
            return refused.response
        return view(request, *args, **kwargs)

    return wrapper


def _deck_ids(request) -> frozenset[int] | None:
    scope = request.study_scope
    return None if scope is None else scope.deck_ids


def _review_url(request, **query) -> str:
    """/review/ with `query`, and the study's decks, if it is of some."""
    scope = request.study_scope
    if scope is not None:
        query[scope.field] = scope.value
    return reverse("review") + (f"?{urlencode(query)}" if query else "")


def _scope_query(request) -> str:
    """The study's decks as the forms' addresses carry them ("?deck=<slug>"), or ""."""
    scope = request.study_scope
    return f"?{scope.query}" if scope else ""


def _card_removed(request) -> HttpResponse:
    """410 for a card the page showed (its signed `shown` says so) that staff deleted since."""
    return _bad_request(
        request,
        "There is no such card: it was removed from the deck since this page showed it. "
        "Reload the page to go on with your other cards.",
        status=410,
    )


def _shown_card(request) -> Card | None:
    """A card asked for by id (?card=, after an undo), or None for the queue's first."""
    raw = request.GET.get("card", "")
    if not raw:
        return None
    if (card_id := database_id(raw)) is None:
        raise Http404("No such card.")
    card = Card.objects.select_related("deck").filter(pk=card_id).first()
    deck_ids = _deck_ids(request)
    if card is None or (deck_ids is not None and card.deck_id not in deck_ids):
        raise Http404("No such card.")
    return card


def _named_within(
    scope: deck_services.StudyScope | None, card: Card, named_alike: frozenset[int]
) -> str:
    """A card as the Undo button names it, by its deck's name past the decks studied:
    "card 2" in a study of its deck alone, "card 2 of Drugs" of Medicine::Cardiology, "card
    2 of Spanish::Verbs" of the branch Languages, the whole name in a study of every deck
    ("card 2 of Biology (bio-b)" beside another Biology: `named_alike`, the tree's). A
    number alone said nothing of which card it was, the card shown then being the next."""
    name = card.deck.name
    if scope is not None and (len(scope.deck_ids) == 1 or name == scope.name):
        return f"card {card.number}"
    if scope is not None and name.startswith(f"{scope.name}::"):
        name = name.removeprefix(f"{scope.name}::")
    return f"card {card.number} of {card.deck.label_among(named_alike, name=name)}"


def _stage_context(request, *, card: Card | None = None, notice: str = "") -> dict:
    now = timezone.now()
    user = request.user
    settings = reviews.learner_settings(user=user)
    scope, deck_ids = request.study_scope, _deck_ids(request)
    if card is not None:
        item = reviews.queue_item(user=user, card=card)
    else:
        queue = reviews.review_queue(
            user=user, now=now, limit=1, settings=settings, deck_ids=deck_ids
        )
        item = queue[0] if queue else None
    all_counts = reviews.review_counts(user=user, now=now, settings=settings)
    counts = (
        all_counts
        if deck_ids is None
        else reviews.review_counts(user=user, now=now, settings=settings, deck_ids=deck_ids)
    )
    undo = card_holds.latest_undoable(user=user, now=now)
    if isinstance(undo, ReviewLog) and undo.undo_size > 1:
        # Its button says, before it takes them back, in which decks its cards are.
        undo.operation_decks = reviews.set_due_decks(user=user, at=undo.reviewed_at)
    if undo is not None and deck_ids is not None and not _undo_decks(undo) & deck_ids:
        undo = None  # its cards are other decks': taken back, they would show here
    # Cards named by their decks: two decks "Biology" by their slugs too.
    named_alike = card_services.tree_scopes_kept().named_alike
    context = {
        "item": item,
        "undo_card": _named_within(scope, undo.card, named_alike) if undo is not None else "",
        "counts": counts,
        "review_counts": all_counts,  # the navigation's: every deck's
        "scope": scope,
        "scope_query": _scope_query(request),
        "named_alike": named_alike,
        "undo": undo if isinstance(undo, ReviewLog) else None,
        "undo_hold": undo if isinstance(undo, CardHold) else None,
        "notice": notice,
        "leech_threshold": scheduling.LEECH_THRESHOLD,
    }
    if item is not None:
        context["flag"] = card_flags.card_flag(user=user, card=item.card)
        context["flag_colours"] = card_flags.Colour
        context["options"] = reviews.grade_options(
            user=user, settings=settings, memory=item.memory, card=item.card, now=now
        )
        context["shown"] = shown_token(card_id=item.card.pk, now=now)
    else:
        day_start, _day_end = reviews.study_day_bounds(settings=settings, now=now)
        context["studied_today"] = reviews.studied_since(user=user, start=day_start)
        next_due = reviews.next_due(user=user, now=now, settings=settings, deck_ids=deck_ids)
        context["next_due"] = next_due
        context["comes_back_in"] = next_due.comes_back_in(now) if next_due else None
        unstudied = reviews.new_cards_unstudied(user=user, now=now, deck_ids=deck_ids)
        context["unstudied"] = unstudied
        # Reviews held back by the day's maximum come before any new card it caps: asked
        # for then, "Learn N more" brought those reviews instead ("Review N more" does).
        new_behind_reviews = counts.over_limit and not settings.new_cards_ignore_review_limit
        context["new_behind_reviews"] = unstudied.ready and new_behind_reviews
        if unstudied.ready and not new_behind_reviews:
            context["more_form"] = ExtraNewCardsForm(
                initial={"count": min(settings.new_cards_per_day or 10, unstudied.ready)}
            )
        if held_back := counts.over_limit + counts.new_over_limit:
            context["more_reviews_form"] = ExtraReviewsForm(
                initial={"count": min(held_back, scheduling.MAX_MAX_REVIEWS_PER_DAY)},
                auto_id="more-reviews-%s",  # the new cards' form beside it has id_count
            )
        context["leeches"] = reviews.leeches_suspended(user=user, deck_ids=deck_ids)
        context["held"] = card_holds.held_counts(user=user, now=now, deck_ids=deck_ids)
        context["max_reviews_per_day"] = settings.max_reviews_per_day
        context["other_decks_total"] = max(all_counts.total - counts.total, 0)
    return context


def _stage(request, *, card: Card | None = None, notice: str = "") -> HttpResponse:
    template = f"{PAGE}#stage" if request.htmx else PAGE
    return render(request, template, _stage_context(request, card=card, notice=notice))


def _next(request, notice: str = "") -> HttpResponse:
    """After a choice: the next stage for htmx; otherwise back to /review/, the notice kept
    for the page the redirect shows."""
    if request.htmx:
        return _stage(request, notice=notice)
    if notice:
        messages.info(request, notice)
    return redirect(_review_url(request))


def _leech_message(card: Card) -> str:
    return (
        f"{card.named} is a leech: you keep forgetting it, so it leaves your reviews "
        "for now. You can bring it back when the review is done."
    )


@require_safe
@login_required
@vary_on_headers("HX-Request")
@_scoped
def review(request):
    return _stage(request, card=_shown_card(request))


@require_safe
@login_required
@vary_on_headers("HX-Request")
@_scoped
def review_typed(request):
    """A type-in card's answer beside what the learner typed, compared here (the page held
    no answer before); then the learner grades themselves, as in Anki. The card's time
    still counts from when it was first shown."""
    form = ReviewTypedForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, "That answer could not be read: " + _first_error(form))
    card = Card.objects.select_related("deck").filter(pk=form.cleaned_data["card"]).first()
    if card is None:
        return _card_removed(request)
    context = _stage_context(request, card=card)
    context["shown"] = form.cleaned_data["shown"]
    context["typed_revealed"] = True
    if card.typed_answer:  # staff may have taken it away since the box was shown
        context["comparison"] = compare_typed(
            card.typed_answer,
            form.cleaned_data["typed"],
            ignore_accents=card.typed_answer_ignores_accents,
        )
    return render(request, f"{PAGE}#stage" if request.htmx else PAGE, context)


@require_POST
@login_required
@_scoped
def review_answer(request):
    form = ReviewAnswerForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "That grade could not be read: " + _first_error(form))
    card = Card.objects.select_related("deck").filter(pk=form.cleaned_data["card"]).first()
    if card is None:
        return _card_removed(request)
    now = timezone.now()
    notice = ""
    recorded = reviews.review_grade(
        user=request.user,
        card=card,
        rating=form.cleaned_data["grade"],
        shown_at=form.cleaned_data["shown_at"],
        now=now,
    )
    if not recorded:
        notice = (
            f"{card.named} had been graded since this page showed it (in another tab, "
            "or by a second click): the first grade stays, and this one was not recorded."
        )
    elif reviews.became_leech(user=request.user, card=card, at=now):
        notice = _leech_message(card)
    return _next(request, notice)


def _undo_decks(undo: ReviewLog | CardHold) -> set[int]:
    """The decks whose cards `undo` takes back: its card's, or a Set due date's cards'."""
    decks = getattr(undo, "operation_decks", None)
    return {deck.deck_id for deck in decks} if decks else {undo.card.deck_id}


def _undo_of_another_deck(request, undo_deck_ids: set[int]) -> HttpResponse | None:
    """409 for an Undo, in a study of some decks, whose cards (in the decks
    `undo_deck_ids`) are all other decks': an Undo button of another tab, on every deck's
    review. Taken back, a card would show where it cannot (it is not one of these decks),
    so nothing is undone. None to go on (no card is the undo's own to refuse; a Set due
    date with a card here is taken back whole, as its button said)."""
    deck_ids = _deck_ids(request)
    if deck_ids is None or not undo_deck_ids or undo_deck_ids & deck_ids:
        return None
    return _bad_request(
        request,
        "That Undo is of a card of another deck than those you are studying here (its "
        "button was in another tab, perhaps): nothing was undone. Undo it from the review "
        "of all your decks.",
        status=409,
    )


@require_POST
@login_required
@_scoped
def review_undo(request):
    form = ReviewUndoForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Which grade should be undone?")
    review_id = form.cleaned_data["review"]
    decks = reviews.undo_decks(user=request.user, review_id=review_id)
    if refused := _undo_of_another_deck(request, {deck.deck_id for deck in decks}):
        return refused
    try:
        undone = reviews.review_undo(
            user=request.user, review_id=review_id, card_id=form.cleaned_data["card"]
        )
    except reviews.UndoCardRemoved:
        return _bad_request(
            request,
            "That grade cannot be undone: its card was removed from the deck since (your "
            "review of it still counts in your history). Reload the page to go on with your "
            "other cards.",
            status=410,
        )
    except ReviewLog.DoesNotExist:
        # Undone already (remembered, or the card the button names is still there), most
        # often in another tab whose Undo button still offered it.
        return _bad_request(
            request,
            "That grade is not there to undo: it was undone already, perhaps in another "
            "tab. Reload the page to see your review as it is now.",
            status=404,
        )
    except reviews.UndoGone:
        return _bad_request(
            request,
            "That grade is not there to undo: it was undone already (perhaps in another tab), "
            "or its card was removed from the deck since. Reload the page to see your review "
            "as it is now.",
            status=404,
        )
    except reviews.NothingToUndo as error:
        return _bad_request(request, str(error))
    if undone.undo_size > 1:
        notice = (
            f"{undone.kind_label} undone: {undone.undo_cards} are back, as they were before "
            f"({undone.undo_decks})."
        )
    else:
        notice = f"{undone.kind_label} undone: {undone.card.named} is back, as it was before."
    # A Set due date's card shown is one of these decks', else the queue's first.
    deck_ids = _deck_ids(request)
    card = undone.card if deck_ids is None or undone.card.deck_id in deck_ids else None
    if request.htmx:
        return _stage(request, card=card, notice=notice)
    messages.info(request, notice)
    return redirect(_review_url(request, **({"card": card.pk} if card else {})))


@require_POST
@login_required
@_scoped
def review_more_new(request):
    """More new cards for today, offered when the queue is done."""
    form = ExtraNewCardsForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "How many more new cards? " + _first_error(form))
    reviews.new_cards_extend(
        user=request.user, now=timezone.now(), count=form.cleaned_data["count"]
    )
    return _next(request)


@require_POST
@login_required
@_scoped
def review_more_reviews(request):
    """More review cards for today past the daily maximum, offered when it holds some back."""
    form = ExtraReviewsForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "How many more reviews? " + _first_error(form))
    reviews.reviews_extend(user=request.user, now=timezone.now(), count=form.cleaned_data["count"])
    return _next(request)


@require_POST
@login_required
@_scoped
def review_leeches_unsuspend(request):
    """Bring the learner's suspended leeches back into the queue."""
    count = reviews.leeches_unsuspend(user=request.user, deck_ids=_deck_ids(request))
    return _next(request, f"{count} leech{'es' if count != 1 else ''} back in your reviews.")


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "try again."


# --- A card held or forgotten by hand -------------------------------------------------------


def _acted_on_card(request, act) -> HttpResponse:
    """Do `act(card)` (it returns the notice) to the card a CardActionForm names, then go
    back where it was asked from: the review's next stage, the card's study box, or the list
    of held cards (htmx: that part of the page; otherwise a redirect to it)."""
    form = CardActionForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Which card? " + _first_error(form))
    card = (
        Card.objects.select_related("deck")
        .with_sibling_count()
        .filter(pk=form.cleaned_data["card"])
        .first()
    )
    if card is None:
        return _bad_request(
            request,
            "There is no such card: it was removed from the deck since this page showed it. "
            "Reload the page to go on with your other cards.",
            status=410,
        )
    try:
        notice = act(card)
    except reviews.NothingToForget as error:
        return _bad_request(request, f"{error} Reload the page to see it as it is now.", status=409)
    back = form.cleaned_data["back"]
    if back == "card":
        if request.htmx:
            return _card_study(request, card, notice=notice)
        messages.info(request, notice)
        return redirect("card_study", slug=card.deck.slug, number=card.number)
    if back == "held":
        if request.htmx:
            return _held_cards(request, notice=notice)
        messages.info(request, notice)
        return redirect("held_cards")
    return _next(request, notice)


@require_POST
@login_required
@_scoped
def review_bury(request):
    """Anki's Bury (key -): the card leaves the review until the next study day."""

    def bury(card: Card) -> str:
        card_holds.card_bury(user=request.user, card=card, now=timezone.now())
        return f"{card.named} is buried: it comes back tomorrow."

    return _acted_on_card(request, bury)


@require_POST
@login_required
@_scoped
def review_suspend(request):
    """Anki's Suspend (key @): the card leaves the review until brought back."""

    def suspend(card: Card) -> str:
        card_holds.card_suspend(user=request.user, card=card, now=timezone.now())
        return (
            f"{card.named} is suspended: it stays out of your reviews until you "
            "unsuspend it (Suspended cards, on your progress page)."
        )

    return _acted_on_card(request, suspend)


@require_POST
@login_required
@_scoped
def review_flag(request):
    """Anki's flags (Ctrl+1..7): the learner's own coloured mark on a card, set or cleared,
    from the review or the card's box; htmx swaps the flag control alone, and the card
    stays where it is."""
    form = CardFlagForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Which flag? " + _first_error(form))
    card = Card.objects.select_related("deck").filter(pk=form.cleaned_data["card"]).first()
    if card is None:
        return _card_removed(request)
    flag = card_flags.card_flag_set(
        user=request.user, card=card, flag=form.cleaned_data["flag"], now=timezone.now()
    )
    back = form.cleaned_data["back"]
    if request.htmx:
        context = {
            "card": card,
            "flag": flag,
            "flag_colours": card_flags.Colour,
            "back": back,
            "scope_query": _scope_query(request),
            "flag_chosen": True,
        }
        return render(request, f"{CARD_STUDY}#flag-control", context)
    if back == "card":
        return redirect("card_study", slug=card.deck.slug, number=card.number)
    return redirect(_review_url(request, card=card.pk))


def _cards_named(card: Card, siblings: list[Card]) -> str:
    """The card (Card.named), "… and its sibling card 9", "… and its 2 siblings (cards 9,
    12)"."""
    if not siblings:
        return card.named
    numbers = ", ".join(str(sibling.number) for sibling in siblings)
    if len(siblings) == 1:
        return f"{card.named} and its sibling card {numbers}"
    return f"{card.named} and its {len(siblings)} siblings (cards {numbers})"


@require_POST
@login_required
@_scoped
def review_bury_note(request):
    """Anki's Bury note (key =): the card and its siblings (its note's reversed card, other
    clozes) leave the review until the next study day."""

    def bury(card: Card) -> str:
        siblings = card_holds.note_bury(user=request.user, card=card, now=timezone.now())
        if not siblings:
            return f"{card.named} is buried: it comes back tomorrow."
        return f"{_cards_named(card, siblings)} are buried: they come back tomorrow."

    return _acted_on_card(request, bury)


@require_POST
@login_required
@_scoped
def review_suspend_note(request):
    """Anki's Suspend note (key !): the card and its siblings leave the review until
    brought back."""

    def suspend(card: Card) -> str:
        siblings = card_holds.note_suspend(user=request.user, card=card, now=timezone.now())
        if not siblings:
            return (
                f"{card.named} is suspended: it stays out of your reviews until you "
                "unsuspend it (Suspended cards, on your progress page)."
            )
        return (
            f"{_cards_named(card, siblings)} are suspended: they stay out of your reviews "
            "until you unsuspend them (Suspended cards, on your progress page)."
        )

    return _acted_on_card(request, suspend)


@require_POST
@login_required
@_scoped
def review_forget(request):
    """Anki's Forget: the card is new again."""

    def forget(card: Card) -> str:
        reviews.card_forget(user=request.user, card=card, now=timezone.now())
        return f"{card.named} is forgotten: it is a new card again."

    return _acted_on_card(request, forget)


@require_POST
@login_required
@_scoped
def card_unsuspend(request):
    """Bring one suspended or buried card (a leech too) back into the review."""

    def unsuspend(card: Card) -> str:
        if card_holds.card_unsuspend(user=request.user, card=card):
            return f"{card.named} is back in your reviews."
        return f"{card.named} was in your reviews already."

    return _acted_on_card(request, unsuspend)


@require_POST
@login_required
@_scoped
def card_set_due(request):
    """Anki's Set Due Date, from the card's study box: due a number of days from today (a
    day drawn from a range), its interval set too with "!"."""
    form = SetDueForm(request.POST)
    if not form.is_valid():
        return _set_due_refused(request, form)
    spec = form.cleaned_data["days"]

    def set_due(card: Card) -> str:
        reviews.cards_set_due(
            user=request.user,
            cards=Card.objects.filter(pk=card.pk),
            spec=spec,
            now=timezone.now(),
            rng=random.Random(),
        )
        interval = " Its interval is now the days until then." if spec.set_interval else ""
        return f"{card.named} is set due {spec.label}.{interval}"

    return _acted_on_card(request, set_due)


def _set_due_refused(request, form: SetDueForm) -> HttpResponse:
    """A bad number of days: for htmx the card's box again, its form open with the reason
    tied to the field (a 200, so that htmx swaps it in place); otherwise a 400 page."""
    message = _first_error(form)
    card_form = CardActionForm(request.POST)
    if request.htmx and card_form.is_valid() and card_form.cleaned_data["back"] == "card":
        card = (
            Card.objects.select_related("deck")
            .with_sibling_count()
            .filter(pk=card_form.cleaned_data["card"])
            .first()
        )
        if card is not None:
            return _card_study(request, card, due_days=form["days"].value(), due_error=message)
    return _bad_request(request, message)


@require_POST
@login_required
@_scoped
def review_hold_undo(request):
    """Undo (U) of the last bury or suspend, when it came after the last grade."""
    form = HoldUndoForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Which bury or suspend should be undone?")
    action, card_id = form.cleaned_data["action"], form.cleaned_data["card"]
    held_deck = Card.objects.filter(pk=card_id).values_list("deck_id", flat=True)
    if refused := _undo_of_another_deck(request, set(held_deck)):
        return refused
    try:
        card, *siblings = card_holds.hold_undo(
            user=request.user, card_id=card_id, action=action, now=timezone.now()
        )
    except CardHold.DoesNotExist:
        return _bad_request(
            request,
            "That is not there to undo: it was undone already, perhaps in another tab, or the "
            "card was brought back since. Reload the page to see your review as it is now.",
            status=404,
        )
    what = CardHold.Action(action).label
    if siblings:
        notice = f"{what} undone: {_cards_named(card, siblings)} are back, as they were before."
    else:
        notice = f"{what} undone: {card.named} is back, as it was before."
    if request.htmx:
        return _stage(request, card=card, notice=notice)
    messages.info(request, notice)
    return redirect(_review_url(request, card=card.pk))


def _card_study(
    request, card: Card, *, notice: str = "", due_days: str = "", due_error: str = ""
) -> HttpResponse:
    user, now = request.user, timezone.now()
    memory = reviews.memory_state(user=user, card=card, now=now)
    hold = card_holds.card_hold(user=user, card=card)
    context = {
        "card": card,
        "memory": memory,
        "standing": card_standing.card_standing(user=user, card=card, memory=memory, now=now),
        "history": card_standing.card_review_history(user=user, card=card),
        "hold": hold,
        "flag": card_flags.card_flag(user=user, card=card),
        "flag_colours": card_flags.Colour,
        "held": memory.suspended or (hold is not None and hold.is_held(now)),
        "buried": hold is not None and not hold.suspended and hold.is_buried(now),
        "notice": notice,
        "due_days": due_days,
        "due_error": due_error,
    }
    if notice and request.htmx:  # after a change: the navigation's count, out of band
        context["review_counts"] = reviews.review_counts(user=user, now=now)
    if not request.htmx:  # the page of its own names the card's deck
        context["named_alike"] = card_services.tree_scopes_kept().named_alike
    template = f"{CARD_STUDY}#study" if request.htmx else CARD_STUDY
    return render(request, template, context)


@require_safe
@login_required
@vary_on_headers("HX-Request")
def card_study(request, slug, number):
    """A card's standing in the learner's study, with bury, suspend and forget: the card's
    page (shared by every learner, kept in the cache) loads it; a page of its own without
    JavaScript."""
    card = get_object_or_404(
        Card.objects.select_related("deck").with_sibling_count(), deck__slug=slug, number=number
    )
    return _card_study(request, card)


def _held_cards(request, *, notice: str = "") -> HttpResponse:
    context = {
        "held": card_holds.held_cards(user=request.user, now=timezone.now()),
        # Each card is named by its deck: two decks "Biology" by their slugs too.
        "named_alike": card_services.tree_scopes_kept().named_alike,
        "notice": notice,
    }
    template = f"{HELD_CARDS}#held" if request.htmx else HELD_CARDS
    return render(request, template, context)


@require_safe
@login_required
@vary_on_headers("HX-Request")
def held_cards(request):
    """The learner's suspended cards (leeches among them) and those buried today, each with
    a way back into the review."""
    return _held_cards(request)
