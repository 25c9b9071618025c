from django.shortcuts import render

from quizzes.services import cards as card_services


def home(request):
    return render(request, "quizzes/home.html", {"decks": card_services.deck_summaries()})
