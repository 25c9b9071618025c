import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from quizzes import engine
from quizzes.models import CardFlag
from quizzes.services import attempts as services
from quizzes.services import card_flags, reviews
from tests.quizplay import T0, finish, show, start

pytestmark = pytest.mark.django_db

URL = reverse("my_cards")
Colour = CardFlag.Colour
QUERIES_ALL = 5  # the flag counts, the figures, their cards, their flags among them
QUERIES_ONE_FLAG = 3  # the flag counts, the flagged cards among them


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


def test_each_card_is_named_as_the_pages_and_notices_name_it(client, alice, deck):
    # The whole name is the link, in the table as in the weakest cards' list: "#16" alone
    # was a small tap target and, in a list of links, said nothing of the card; "#16 …"
    # was not how the card's page ("Card 16") nor a notice named it.
    attempt = finish(start(alice, deck, count=3), right={1})
    client.force_login(alice)

    soup = BeautifulSoup(client.get(URL).text, "html.parser")

    table = {link["href"]: link.get_text() for link in soup.select(".data-table tbody td a")}
    weakest = {link["href"]: link.get_text() for link in soup.select(".weakest a")}
    assert len(table) == 3 and len(weakest) == 2
    for question in attempt.questions.all():
        card = question.card
        assert table[card.get_absolute_url()] == card.named
        assert card.named.startswith(f"Card {card.number} of {deck.name} (“")
    assert all(weakest[url] == table[url] for url in weakest)
    ticks = [tick["aria-label"] for tick in soup.select(".data-table .tick")]
    assert all(label.startswith("Tick card ") and " of " in label for label in ticks)


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


def flag(user, deck, number, colour):
    card = deck.cards.get(number=number)
    card_flags.card_flag_set(user=user, card=card, flag=colour, now=T0)
    return card


def test_each_flagged_card_shows_its_flag_named_in_words(client, alice, deck):
    attempt = finish(start(alice, deck, count=3))
    numbers = sorted(question.card.number for question in attempt.questions.all())
    flag(alice, deck, numbers[1], Colour.RED)
    client.force_login(alice)

    response = client.get(URL)

    rows = BeautifulSoup(response.text, "html.parser").select("tbody tr:has(td)")
    tags = [row.select_one(".flag-tag") for row in rows]
    assert [tag.get_text(strip=True) if tag else None for tag in tags] == [None, "Red flag", None]
    assert tags[1].select_one(".flag-dot.flag-1")["aria-hidden"] == "true"


def test_it_filters_by_flag_with_each_colours_count(client, alice, bob, deck):
    red_one, red_two = flag(alice, deck, 7, Colour.RED), flag(alice, deck, 3, Colour.RED)
    flag(alice, deck, 5, Colour.BLUE)
    flag(bob, deck, 9, Colour.RED)  # bob's own
    client.force_login(alice)

    response = client.get(URL, {"flag": "1"})

    assert response.status_code == 200
    assert response.context["flagged"] == [red_two, red_one]
    assert "Cards you flagged red" in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    options = [option.get_text(strip=True) for option in soup.select("#flag-filter option")]
    assert options[:3] == ["All cards you were asked", "Red flag (2)", "Orange flag (0)"]
    assert soup.select_one("#flag-filter option[selected]")["value"] == "1"
    assert "Blue flag (1)" in options


def test_a_flagged_card_needs_no_quiz_answer_to_be_listed(client, alice, deck):
    card = flag(alice, deck, 4, Colour.GREEN)
    client.force_login(alice)
    response = client.get(URL, {"flag": "3"})
    assert card.get_absolute_url() in response.text
    assert "No card has a" not in response.text


def test_flagged_cards_of_two_decks_of_one_name_read_apart(client, alice, make_deck):
    for slug, name in (("bio-a", "Biology"), ("bio-b", "biology"), ("chem", "Chemistry")):
        deck = make_deck(1, slug=slug)
        deck.name = name
        deck.save()
        flag(alice, deck, 1, Colour.GREEN)
    client.force_login(alice)
    soup = BeautifulSoup(client.get(URL, {"flag": "3"}).text, "html.parser")
    named = sorted(link.get_text().split(" (“")[0] for link in soup.select(".flagged-cards a"))
    assert named == [
        "Card 1 of Biology (bio-a)",
        "Card 1 of Chemistry",
        "Card 1 of biology (bio-b)",
    ]


def test_a_colour_with_no_card_says_so(client, alice):
    client.force_login(alice)
    response = client.get(URL, {"flag": "7"})
    assert "No card has a purple flag." in response.text


@pytest.mark.parametrize("value", ["0", "8", "red", "1 ", "¹", "9" * 5_000])
def test_a_flag_that_is_none_of_the_seven_is_refused(client, alice, value):
    client.force_login(alice)
    response = client.get(URL, {"flag": value})
    assert response.status_code == 400
    assert "There is no such flag" in response.text


@pytest.mark.parametrize("count", [2, 40])
def test_the_queries_do_not_grow_with_the_flagged_cards(
    client, alice, make_deck, django_assert_num_queries, count
):
    deck = make_deck(count, slug=f"flags{count}")
    finish(start(alice, deck, count=min(count, 10)))
    for number in range(1, count + 1):
        flag(alice, deck, number, Colour.PURPLE)
    client.force_login(alice)
    client.get(URL)  # the session and user cached
    client.get(URL, {"flag": "7"})  # the decks' tree kept, which names the cards' decks
    with django_assert_num_queries(QUERIES_ALL):
        client.get(URL)
    with django_assert_num_queries(QUERIES_ONE_FLAG):
        assert len(client.get(URL, {"flag": "7"}).context["flagged"]) == count


def visible_text(element) -> str:
    """What the eyes read of `element`: its text but for what only screen readers hear."""
    element = BeautifulSoup(str(element), "html.parser")
    for hidden in element.select(".visually-hidden"):
        hidden.decompose()
    return element.get_text()


def two_decks_of_one_name(make_deck, alice):
    """Two decks named Biology, each with cards 1 and 2 asked: sorted by name and number
    alone their cards came in turn, 1 of one deck, 1 of the other, 2 of the first..."""
    decks = []
    for slug in ("bio-a", "bio-b"):
        deck = make_deck(2, slug=slug, name="Biology")
        finish(start(alice, deck, count=2))
        decks.append(deck)
    return decks


def test_each_deck_is_named_once_over_its_cards_and_to_screen_readers_on_each(
    client, alice, make_deck
):
    # "Card 7 of fast.ai Practical Deep Learning, part 2 (…)" on every row took most of a
    # phone's line; a link read on its own (a screen reader's list of links) keeps it all.
    decks = two_decks_of_one_name(make_deck, alice)
    client.force_login(alice)

    soup = BeautifulSoup(client.get(URL).text, "html.parser")

    groups = soup.select(".card-figures tbody")
    assert [group.select_one("th[scope=rowgroup]").get_text() for group in groups] == [
        "Biology (bio-a)",
        "Biology (bio-b)",
    ]
    for group, deck in zip(groups, decks, strict=True):
        links = group.select(".col-card a")
        cards = [deck.cards.get(number=number) for number in (1, 2)]
        assert [link.get_text() for link in links] == [card.named for card in cards]
        assert [visible_text(link) for link in links] == [
            f"Card {card.number} (“Question {card.number} about tensor{card.number}?”)"
            for card in cards
        ]
    # Of two decks, the weakest cards' list names each card's deck where all can see it.
    assert all("Biology (bio-" in visible_text(link) for link in soup.select(".weakest a"))


def test_the_weakest_cards_of_one_deck_leave_its_name_to_the_table(client, alice, deck):
    finish(start(alice, deck, count=3))
    client.force_login(alice)

    soup = BeautifulSoup(client.get(URL).text, "html.parser")

    weakest = soup.select(".weakest a")
    assert weakest and all(deck.name not in visible_text(link) for link in weakest)
    assert all(
        link.get_text().startswith("Card ") and deck.name in link.get_text() for link in weakest
    )
    assert len(soup.select(".card-figures th[scope=rowgroup]")) == 1


def test_flagged_cards_are_listed_under_their_decks_name(client, alice, make_deck):
    for deck in two_decks_of_one_name(make_deck, alice):
        for number in (1, 2):
            flag(alice, deck, number, Colour.RED)
    client.force_login(alice)

    soup = BeautifulSoup(client.get(URL, {"flag": "1"}).text, "html.parser")

    assert [heading.get_text() for heading in soup.select("h3.deck-group")] == [
        "Biology (bio-a)",
        "Biology (bio-b)",
    ]
    lists = soup.select(".flagged-cards")
    assert [[visible_text(link)[:6] for link in ul.select("a")] for ul in lists] == [
        ["Card 1", "Card 2"],
        ["Card 1", "Card 2"],
    ]
    assert all(" of Biology (bio-" in link.get_text() for link in soup.select(".flagged-cards a"))
