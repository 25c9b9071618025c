from django.shortcuts import render

from quizzes.services import cards as card_services
from quizzes.services import quizzes as quiz_services


def home(request):
    context = {
        "decks": card_services.deck_summaries(),
        "quick_questions": quiz_services.QUICK_QUIZ_QUESTIONS,
        "quick_seconds": quiz_services.QUICK_QUIZ_SECONDS,
    }
    return render(request, "quizzes/home.html", context)
