"""A learner's history and per-card figures, and the Quick quiz leaderboard."""

import random

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from quizzes import engine
from quizzes.forms_study import CardsSetDueForm
from quizzes.models import Card
from quizzes.services import attempts as attempt_services
from quizzes.services import card_flags, reviews
from quizzes.services import cards as card_services
from quizzes.services import leaderboard as leaderboard_services
from quizzes.services import progress as progress_services
from quizzes.views import guests
from quizzes.views.login import login_required


@require_safe
@login_required
def history(request):
    page = progress_services.attempt_history(user=request.user, before=request.GET.get("before"))
    if not page.attempts and request.GET.get("before"):
        # Older than their oldest quiz (a link kept from before it was deleted): this read
        # "No quiz yet". Their latest quizzes instead.
        return redirect("history")
    return render(request, "quizzes/play/history.html", {"page": page, "attempts": page.attempts})


MY_CARDS = "quizzes/play/my_cards.html"


@require_safe
@login_required
def my_cards(request):
    """The learner's figures per card, each card with its flag; with ?flag=N, the cards
    they flagged that colour instead (as Anki's browser filters by flag)."""
    flag_counts = card_flags.flag_counts(user=request.user)
    raw_flag = request.GET.get("flag", "")
    if raw_flag:
        colour = next((c for c, _count in flag_counts if str(c.value) == raw_flag), None)
        if colour is None:
            message = "There is no such flag: choose one of the seven colours, or All cards."
            return render(
                request, "quizzes/play/bad_request.html", {"message": message}, status=400
            )
        context = {
            "flag_counts": flag_counts,
            "chosen_flag": colour,
            "flagged": card_flags.flagged_cards(user=request.user, flag=colour),
            # Each card is named by its deck: two decks "Biology" by their slugs too.
            "named_alike": card_services.tree_scopes_kept().named_alike,
            "due_form": CardsSetDueForm(),
        }
        context["match_count"] = len(context["flagged"])
        return render(request, MY_CARDS, context)
    figures = progress_services.card_figures(user=request.user)
    shown, page = progress_services.card_figures_page(
        figures, page=_page_number(request.GET.get("page", ""))
    )
    flags = card_flags.flags_of(user=request.user, card_ids=[figure.card.pk for figure in shown])
    context = {
        "flag_counts": flag_counts,
        "figures": figures,
        "shown": shown,
        "shown_flags": [(figure, flags.get(figure.card.pk)) for figure in shown],
        "page": page,
        "has_next": page * progress_services.CARD_FIGURES_PAGE < len(figures),
        "weakest": progress_services.weakest_cards(figures),
        "several_decks": len({figure.card.deck_id for figure in figures}) > 1,
        "named_alike": card_services.tree_scopes_kept().named_alike,
        "due_form": CardsSetDueForm(),
        "match_count": len(figures),
    }
    return render(request, MY_CARDS, context)


@require_POST
@login_required
def my_cards_set_due(request):
    """Anki's Set Due Date for the cards ticked on "Your cards", or for every card its
    filter shows (a flag, or every card asked): htmx swaps the control alone, with what it
    did; without JavaScript the page comes back with it as a message. A bad number of days
    keeps everything as it was: the control with the reason (htmx), or a 400."""
    form = CardsSetDueForm(request.POST)
    if not form.is_valid():
        message = next(str(errors[0]) for errors in form.errors.values())
        if request.htmx:
            flag = form.cleaned_data.get("flag")
            context = {
                "due_form": form,
                "due_error": message,
                "chosen_flag": card_flags.Colour(flag) if flag else None,
                "match_count": _filtered_cards(request.user, flag).count(),
            }
            return render(request, f"{MY_CARDS}#set-due", context)
        return render(request, "quizzes/play/bad_request.html", {"message": message}, status=400)
    spec, flag = form.cleaned_data["days"], form.cleaned_data["flag"]
    if form.cleaned_data["scope"] == "all":
        cards = _filtered_cards(request.user, flag)
    else:
        cards = Card.objects.filter(pk__in=form.cleaned_data["card"])
    now = timezone.now()
    count = reviews.cards_set_due(
        user=request.user, cards=cards, spec=spec, now=now, rng=random.Random()
    )
    notice = f"{count} card{'s' if count != 1 else ''} set due {spec.label}."
    if spec.set_interval:
        notice += " Their interval is now the days until then."
    if request.htmx:
        context = {
            "due_form": CardsSetDueForm(),
            "due_notice": notice,
            "chosen_flag": card_flags.Colour(flag) if flag else None,
            "match_count": _filtered_cards(request.user, flag).count(),
            "review_counts": reviews.review_counts(user=request.user, now=now),
        }
        return render(request, f"{MY_CARDS}#set-due", context)
    messages.info(request, notice)
    return redirect(reverse("my_cards") + (f"?flag={flag}" if flag else ""))


def _filtered_cards(user, flag: int | None):
    """The cards "Your cards" shows with its filter: those flagged `flag`, else those asked."""
    if flag:
        return Card.objects.filter(flags__user=user, flags__flag=flag)
    return progress_services.asked_cards(user=user)


def _page_number(raw: str) -> int:
    """?page= as a number, 1 when it is none. isdigit() alone takes "²", which int()
    refuses, as it refuses more than 4,300 digits: so many are past the last page anyway."""
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return int(raw) if len(raw) <= 18 else 10**18


# HEAD too, as every public page: a link checker or a monitor asks so.
@require_safe
def leaderboard(request):
    decks = attempt_services.quiz_decks()
    if chosen := request.GET.get("deck"):
        deck = next((deck for deck in decks if deck.slug == chosen), None)
        if deck is None:
            raise Http404("There is no such deck.")
    else:
        deck = attempt_services.default_deck(
            user=request.user,
            guest_session_key=guests.guest_session_key(request.session),
            decks=decks,
        )
    this_week, all_time = [], []
    if deck is not None:
        since = leaderboard_services.week_start(timezone.now())
        this_week = leaderboard_services.leaderboard(deck=deck, since=since)
        all_time = leaderboard_services.leaderboard(deck=deck)
    context = {
        "deck": deck,
        "decks": decks,
        # Two decks "Biology" are named by their slugs too, as the home page's tree names them.
        "named_alike": card_services.tree_scopes_kept().named_alike,
        "this_week": this_week,
        "all_time": all_time,
        "too_fast_rule": engine.IMPLAUSIBLY_FAST_RULE,
        "ranked_per_day_rule": engine.RANKED_PER_DAY_RULE,
        "played_as_guest_rule": engine.PLAYED_AS_GUEST_RULE,
    }
    return render(request, "quizzes/play/leaderboard.html", context)
