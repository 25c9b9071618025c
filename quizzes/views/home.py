from django.shortcuts import render

from quizzes.services import attempts as attempt_services
from quizzes.services import cards as card_services


def home(request):
    context = {
        "decks": card_services.deck_summaries(),
        "quick_questions": attempt_services.QUICK_QUIZ_QUESTIONS,
        "quick_seconds": attempt_services.QUICK_QUIZ_SECONDS,
    }
    return render(request, "quizzes/home.html", context)
