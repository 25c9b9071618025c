import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from quizzes import engine
from quizzes.services import attempts as services
from quizzes.services import reviews
from tests.quizplay import T0, finish, show, start

pytestmark = pytest.mark.django_db

URL = reverse("my_cards")


def test_it_shows_figures_per_card_and_the_weakest(client, alice, deck):
    attempt = finish(start(alice, deck, count=3), right={1})
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert "Your weakest cards" in response.text
    for question in attempt.questions.all():
        assert question.card.get_absolute_url() in response.text
    assert "0 / 1 right" in response.text
    assert "100%" in response.text


def test_each_card_of_the_table_links_its_number_and_question(client, alice, deck):
    # The whole question is the link, as in the weakest cards' list: "#16" alone was a small
    # tap target and, in a list of links, said nothing of the card.
    attempt = finish(start(alice, deck, count=3), right={1})
    client.force_login(alice)

    soup = BeautifulSoup(client.get(URL).text, "html.parser")

    links = {link["href"]: link.get_text() for link in soup.select(".data-table tbody td a")}
    assert len(links) == 3
    for question in attempt.questions.all():
        card = question.card
        assert links[card.get_absolute_url()].startswith(
            f"#{card.number} {card.question_text[:20]}"
        )


def test_questions_never_shown_before_the_time_ran_out_are_not_counted(client, alice, deck):
    one_minute = engine.TimeLimit(kind=engine.TimeLimitKind.WHOLE_QUIZ, seconds=60)
    with time_machine.travel(T0, tick=False) as traveller:
        attempt = start(alice, deck, count=3, limit=one_minute)
        shown = show(attempt)
        traveller.shift(120)
        assert show(attempt) is None
    client.force_login(alice)

    response = client.get(URL)

    assert [figure.card for figure in response.context["figures"]] == [shown.card]
    assert [figure.card for figure in response.context["weakest"]] == [shown.card]
    never_shown = attempt.questions.exclude(pk=shown.pk)
    assert services.questions_summary(never_shown).missed == 2
    for question in never_shown:
        assert question.card.get_absolute_url() not in response.text


def test_without_answers_it_invites_a_quiz(client, alice):
    client.force_login(alice)
    assert "No quiz answers yet" in client.get(URL).text


def test_a_learner_who_reviews_is_not_told_they_answered_nothing(client, alice, deck):
    """It lists quiz answers: a learner of the review, with hundreds of answers, read "No
    answers yet"."""
    reviews.review_record(
        user=alice, card=deck.cards.get(number=1), rating=3, now=timezone.now(), elapsed_seconds=3
    )
    client.force_login(alice)
    page = client.get(URL).text
    assert "No answers yet" not in page
    assert "No quiz answers yet" in page
    assert f'href="{reverse("study_progress")}"' in page


def test_it_shows_only_the_users_own_figures(client, alice, bob, deck):
    finish(start(bob, deck, count=3))
    client.force_login(alice)
    assert "No quiz answers yet" in client.get(URL).text


def test_a_guest_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_it_rejects_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405


def test_a_long_list_of_cards_comes_a_page_at_a_time(client, alice, make_deck, monkeypatch):
    from quizzes.services import progress

    monkeypatch.setattr(progress, "CARD_FIGURES_PAGE", 2)
    deck = make_deck(5, slug="five")
    finish(start(alice, deck, count=5))
    client.force_login(alice)

    pages = [client.get(URL, {"page": page}) for page in ("1", "2", "3", "9", "x")]

    shown = [[figure.card.number for figure in page.context["shown"]] for page in pages]
    assert shown == [[1, 2], [3, 4], [5], [5], [1, 2]]
    assert 'href="/me/cards/?page=2">More cards' in pages[0].text
    assert "Previous cards" in pages[2].text and "More cards" not in pages[2].text
    assert len(pages[0].context["weakest"]) == 5


def test_a_page_number_of_thousands_of_digits_shows_the_last_page(client, alice, make_deck):
    # Python's int() refuses a number of more than 4,300 digits: it was a 500.
    deck = make_deck(3, slug="three")
    finish(start(alice, deck, count=3))
    client.force_login(alice)

    response = client.get(URL, {"page": "9" * 5_000})

    assert response.status_code == 200
    assert [figure.card.number for figure in response.context["shown"]] == [1, 2, 3]
