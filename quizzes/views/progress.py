"""A learner's history and per-card figures, and the Quick quiz leaderboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from quizzes.models import Deck
from quizzes.services import attempts as attempt_services
from quizzes.services import leaderboard as leaderboard_services
from quizzes.services import progress as progress_services


@require_GET
@login_required
def history(request):
    attempts = progress_services.attempt_history(user=request.user)
    return render(request, "quizzes/play/history.html", {"attempts": attempts})


@require_GET
@login_required
def my_cards(request):
    figures = progress_services.card_figures(user=request.user)
    weakest = progress_services.weakest_cards(figures)
    return render(request, "quizzes/play/my_cards.html", {"figures": figures, "weakest": weakest})


@require_GET
def leaderboard(request):
    if slug := request.GET.get("deck"):
        deck = get_object_or_404(Deck, slug=slug)
    else:
        deck = attempt_services.quick_quiz_deck()
    this_week, all_time = [], []
    if deck is not None:
        since = leaderboard_services.week_start(timezone.now())
        this_week = leaderboard_services.leaderboard(deck=deck, since=since)
        all_time = leaderboard_services.leaderboard(deck=deck)
    context = {
        "deck": deck,
        "this_week": this_week,
        "all_time": all_time,
        "quick_questions": attempt_services.QUICK_QUIZ_QUESTIONS,
        "quick_seconds": attempt_services.QUICK_QUIZ_SECONDS,
    }
    return render(request, "quizzes/play/leaderboard.html", context)
