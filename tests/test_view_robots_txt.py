import urllib.robotparser

from django.urls import reverse


def test_crawlers_may_read_the_deck_but_not_quizzes_or_learners_pages(client, fastai_deck):
    response = client.get(reverse("robots_txt"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    rules = urllib.robotparser.RobotFileParser()
    rules.parse(response.text.splitlines())
    for allowed in ("/", "/decks/fastai/", "/decks/fastai/cards/12/", "/leaderboard/"):
        assert rules.can_fetch("AnyBot", allowed), allowed
    # Each quiz a crawler opened would be one started; the rest is someone's own.
    for refused in ("/quiz/", "/quiz/quick/", "/me/history/", "/review/", "/accounts/login/"):
        assert not rules.can_fetch("AnyBot", refused), refused


def test_it_is_the_same_for_everyone_so_a_cache_in_front_may_keep_it(client, alice):
    client.force_login(alice)

    response = client.get(reverse("robots_txt"))

    assert "public" in response["Cache-Control"]
    assert "private" not in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_it_only_answers_reads(client):
    assert client.post(reverse("robots_txt")).status_code == 405
