from django.shortcuts import render

from quizzes import services


def home(request):
    decks = services.deck_summaries()
    return render(request, "quizzes/home.html", {"decks": decks})
