from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import engine
from quizzes.services import attempts as services
from quizzes.templatetags.quiz_format import unbroken_units
from tests.quizplay import finish, show

pytestmark = pytest.mark.django_db

URL = reverse("leaderboard")


def quick(user, deck, right):
    attempt = services.attempt_start_quick(user=user, session_key="", deck=deck, now=timezone.now())
    return finish(attempt, right=set(range(1, right + 1)))


def test_it_ranks_the_best_quick_quiz_of_each_learner(client, alice, bob, deck):
    quick(alice, deck, 4)
    quick(bob, deck, 7)

    response = client.get(URL)

    assert response.status_code == 200
    text = response.text
    assert text.index(">bob<") < text.index(">alice<")
    assert "7 / 10" in text and "4 / 10" in text


def test_each_table_says_which_ranking_it_is(client, alice, deck):
    quick(alice, deck, 4)
    page = BeautifulSoup(client.get(URL).text, "html.parser")
    assert [table.caption.get_text() for table in page.select("main table")] == [
        "This week's leaderboard",
        "All-time leaderboard",
    ]


def test_it_states_the_quick_quiz_it_ranks_and_what_stays_off(client, deck):
    response = client.get(URL)
    assert "10 multiple-choice questions, drawn from the 12 cards" in response.text
    assert unbroken_units(engine.IMPLAUSIBLY_FAST_RULE) in response.text


def test_the_rankings_come_first_and_the_rules_below_them(client, alice, deck):
    """On a phone the paragraph of rules took the whole first screen, the ranking below it."""
    quick(alice, deck, 4)

    main = BeautifulSoup(client.get(URL).text, "html.parser").select_one("main")

    text = main.get_text(" ", strip=True)
    assert text.index("This week") < text.index("A Quick quiz here:")
    assert text.index("All time") < text.index("A Quick quiz here:")
    [lead] = [p for p in main.select("p") if "The best Quick quiz" in p.get_text()]
    assert "A Quick quiz here" not in lead.get_text()


def test_a_quick_quiz_too_fast_to_read_is_not_ranked(client, alice, bob, deck):
    guessed = services.attempt_start_quick(
        user=alice, session_key="", deck=deck, now=timezone.now()
    )
    while (question := show(guessed)) is not None:
        services.answer_submit(
            attempt=guessed,
            question=question,
            choice_id=question.correct_choice_id,
            now=question.started_at + timedelta(seconds=1),
        )
    quick(bob, deck, 3)

    response = client.get(URL)

    assert ">bob<" in response.text and ">alice<" not in response.text


def test_the_learner_picks_the_deck(client, alice, deck, make_deck):
    other = make_deck(20, slug="other")
    quick(alice, other, 5)

    default = client.get(URL)
    chosen = client.get(URL, {"deck": deck.slug})

    soup = BeautifulSoup(default.text, "html.parser")
    options = [option["value"] for option in soup.select("#deck-picker option")]
    assert options == ["other", "synthetic"]  # most cards first
    assert soup.select_one("#deck-picker option[selected]")["value"] == "other"
    assert ">alice<" in default.text and ">alice<" not in chosen.text


def test_a_deck_named_as_another_is_named_apart_by_its_slug(client, make_deck):
    make_deck(3, slug="bio-a", name="Biology")
    make_deck(3, slug="bio-b", name="biology")
    soup = BeautifulSoup(client.get(URL, {"deck": "bio-b"}).text, "html.parser")
    options = [option.get_text() for option in soup.select("#deck-picker option")]
    assert options == ["Biology (bio-a) (3 cards)", "biology (bio-b) (3 cards)"]
    assert "learner on biology (bio-b), most points first" in soup.get_text()


def test_a_learner_starts_on_the_deck_they_last_played(client, alice, deck, make_deck):
    make_deck(20, slug="other")
    quick(alice, deck, 5)
    client.force_login(alice)

    soup = BeautifulSoup(client.get(URL).text, "html.parser")

    assert soup.select_one("#deck-picker option[selected]")["value"] == deck.slug


def test_this_week_leaves_out_older_attempts(client, alice, bob, deck):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        quick(alice, deck, 9)
    quick(bob, deck, 2)

    response = client.get(URL)

    this_week, all_time = response.text.split("All time")
    assert ">bob<" in this_week and ">alice<" not in this_week
    assert ">bob<" in all_time and ">alice<" in all_time


def test_an_empty_board_invites_a_first_try(client, deck):
    assert "Nobody yet" in client.get(URL).text


def test_an_unknown_deck_is_404(client, deck):
    assert client.get(URL, {"deck": "nope"}).status_code == 404


def test_it_rejects_post(client):
    assert client.post(URL).status_code == 405


def test_it_answers_head_as_get_without_the_page(client, deck):
    # It was a 405: link checkers and monitors ask a public page with HEAD.
    response = client.head(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert not response.content


def test_it_runs_the_same_queries_for_any_number_of_learners(
    client, alice, bob, staff, deck, django_assert_num_queries
):
    quick(alice, deck, 1)
    client.get(URL)  # the decks a quiz can be taken on are counted once, then cached
    # Two queries a board: attempt ids best first, then those attempts.
    with django_assert_num_queries(4) as few:
        client.get(URL)
    quick(bob, deck, 2)
    quick(staff, deck, 3)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_a_deck_of_cloze_cards_offers_no_quick_quiz(client, make_deck):
    from quizzes.services.anki_io import anki_import_apply

    deck = make_deck(0, slug="cloze")
    anki_import_apply(deck=deck, data="#notetype:Cloze\n{{c1::a}} {{c2::b}}\t\n", source="c.txt")

    response = client.get(URL, {"deck": "cloze"})

    assert "This deck has no Quick quiz" in response.text
    assert "Take a quick quiz" not in response.text


def test_only_the_days_first_ten_quick_quizzes_of_a_learner_rank(client, alice, bob, deck):
    # A player who knows nothing, playing thousands, would reach the top by luck alone.
    for _ in range(engine.RANKED_QUICK_QUIZZES_PER_DAY):
        quick(alice, deck, 1)
    lucky = quick(alice, deck, 9)
    quick(bob, deck, 5)

    board = client.get(URL).text
    client.force_login(alice)
    result = client.get(reverse("attempt_result", args=[lucky.pk])).text
    history = client.get(reverse("history")).text

    assert lucky.past_ranked_per_day
    assert "9 / 10" not in board and "1 / 10" in board
    assert board.index(">bob<") < board.index(">alice<")
    assert unbroken_units(engine.RANKED_PER_DAY_RULE) in board
    assert "Not on the leaderboard" in result
    assert unbroken_units(engine.RANKED_PER_DAY_RULE) in result
    assert history.count("not ranked") == 1


def test_the_luckiest_of_many_guest_browsers_does_not_rank(client, alice, bob, password, deck):
    # Blind guesses in five fresh browsers at once, logging in from the one that got lucky.
    browsers = [Client() for _ in range(5)]
    played = []
    for right, browser in zip([1, 2, 9, 3, 2], browsers, strict=True):
        session = browser.session
        session.save()
        attempt = services.attempt_start_quick(
            user=None, session_key=session.session_key, deck=deck, now=timezone.now()
        )
        played.append(finish(attempt, right=set(range(1, right + 1))))
    lucky_browser, lucky = browsers[2], played[2]
    quick(bob, deck, 5)

    logged_in = lucky_browser.post(reverse("login"), {"username": "alice", "password": password})
    board = client.get(URL).text
    result = lucky_browser.get(reverse("attempt_result", args=[lucky.pk])).text
    history = lucky_browser.get(reverse("history")).text

    assert logged_in.status_code == 302
    lucky.refresh_from_db()
    assert lucky.user == alice and lucky.played_as_guest
    assert ">alice<" not in board and "9 / 10" not in board and ">bob<" in board
    assert unbroken_units(engine.PLAYED_AS_GUEST_RULE) in board
    assert "Not on the leaderboard" in result
    assert unbroken_units(engine.PLAYED_AS_GUEST_RULE) in result
    assert history.count("not ranked") == 1
    # Her own quizzes still rank, the day's ten untouched by the one she brought along.
    quick(alice, deck, 4)
    assert ">alice<" in client.get(URL).text


def test_a_learners_quick_quizzes_rank_again_a_day_later(client, alice, deck):
    for _ in range(engine.RANKED_QUICK_QUIZZES_PER_DAY):
        quick(alice, deck, 1)
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=5)):
        again = quick(alice, deck, 9)
        board = client.get(URL).text

    assert not again.past_ranked_per_day
    assert "9 / 10" in board


def test_quick_quizzes_given_up_spend_the_days_that_rank(client, alice, deck):
    # Giving up every quiz going badly, and finishing only the lucky one, ranks nothing.
    for _ in range(engine.RANKED_QUICK_QUIZZES_PER_DAY):
        services.attempt_start_quick(user=alice, session_key="", deck=deck, now=timezone.now())
    lucky = quick(alice, deck, 9)

    assert lucky.past_ranked_per_day
    assert ">alice<" not in client.get(URL).text


def play_quick_quiz(user, deck, *, right: int, seconds_to_answer):
    """A Quick quiz played through the scoring service as the clock runs (time-machine):
    `right` questions answered rightly, the others wrongly, each `seconds_to_answer(question)`
    after it is shown."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = services.attempt_start_quick(
            user=user, session_key="", deck=deck, now=timezone.now()
        )
        while (question := show(attempt)) is not None:
            clock.shift(seconds_to_answer(question))
            pick = question.correct_choice_id if question.position <= right else None
            pick = pick or next(
                c["id"] for c in question.choices if c["id"] != question.correct_choice_id
            )
            services.answer_submit(
                attempt=attempt, question=question, choice_id=pick, now=timezone.now()
            )
            clock.shift(3)  # the feedback
    attempt.refresh_from_db()
    return attempt


def test_a_quick_quiz_tapped_blind_is_not_ranked_even_with_few_right(
    client, alice, bob, fastai_deck
):
    # Each answer within two seconds, without reading: two of ten right, as luck gives.
    blind = play_quick_quiz(alice, fastai_deck, right=2, seconds_to_answer=lambda q: 1.5)

    # A learner who knows the deck reads the question and the right answer quickly (400
    # words a minute) and taps a second later: about five seconds a question.
    def knowing(question):
        return 1 + question.skim_words * 60 / 400

    read = play_quick_quiz(bob, fastai_deck, right=10, seconds_to_answer=knowing)

    assert blind.correct_count == 2 and blind.implausibly_fast
    assert read.correct_count == 10 and not read.implausibly_fast
    page = client.get(URL, {"deck": fastai_deck.slug}).text
    assert ">bob<" in page and ">alice<" not in page
