from django.shortcuts import render

from quizzes import caching
from quizzes.services import cards as card_services


@caching.public_page
def home(request):
    decks = caching.cached("home:decks", lambda: list(card_services.deck_summaries()))
    return render(request, "quizzes/home.html", {"decks": decks})
