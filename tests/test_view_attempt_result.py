from datetime import timedelta
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from quizzes import engine
from quizzes.services import attempts as services
from tests.factories import give_typed_answers
from tests.quizplay import (
    finish,
    reversals_counted,
    self_grade,
    show,
    start,
    start_as_guest,
    start_quick,
)

pytestmark = pytest.mark.django_db


def url(attempt):
    return reverse("attempt_result", args=[attempt.pk])


def test_it_shows_the_score_accuracy_time_and_every_question(client, alice, deck):
    attempt = finish(start(alice, deck, count=3), right={1, 3})
    client.force_login(alice)

    response = client.get(url(attempt))

    assert response.status_code == 200
    assert f"{attempt.score} points" in response.text
    assert "2 / 3 (67%)" in response.text
    assert "Multiple choice, 3 questions, 20\N{NO-BREAK SPACE}s per question" in response.text
    for question in attempt.questions.all():
        assert question.card.get_absolute_url() in response.text
        assert question.chosen_text in response.text
    assert engine.SCORING_RULE.replace('"', "&quot;") in response.text
    assert "Retry the ones I missed" in response.text
    assert reverse("challenge", args=[attempt.pk]) in response.text


def test_each_question_keeps_its_number_after_an_answer_shown_as_a_list(client, alice, deck):
    # A list answer's items are spans shown as list items, which Chromium numbers as items
    # of the page's list of questions unless each question states its number.
    attempt = finish(start(alice, deck, count=3), right={1})
    client.force_login(alice)

    page = BeautifulSoup(client.get(url(attempt)).text, "html.parser")

    items = page.select("ol.result-questions > li")
    assert [item["value"] for item in items] == ["1", "2", "3"]


def test_a_perfect_quiz_offers_no_retry(client, alice, deck):
    attempt = finish(start(alice, deck, count=2), right={1, 2})
    client.force_login(alice)
    assert "Retry the ones I missed" not in client.get(url(attempt)).text


def test_an_unfinished_attempt_redirects_to_play(client, alice, deck):
    attempt = start(alice, deck)
    client.force_login(alice)
    response = client.get(url(attempt))
    assert response["Location"] == reverse("attempt_play", args=[attempt.pk])


def test_a_challenger_sees_the_comparison(client, alice, bob, deck):
    original = finish(start(alice, deck, count=2), right={1})
    challenge = services.attempt_start_challenge(
        original=original, user=bob, session_key="", now=original.finished_at
    )
    finish(challenge, right={1, 2})
    client.force_login(bob)

    response = client.get(url(challenge))

    assert "You against alice" in response.text
    assert "You win!" in response.text


def test_a_flashcard_challenge_names_no_winner_as_each_learner_graded_themselves(
    client, alice, bob, deck
):
    # "I knew it", tapped at every card in a second, beat a learner who said what they
    # did not know: self-grades compare, they do not win.
    original = self_grade(start(alice, deck, count=2, mode="flashcard"), knew=False)
    challenge = services.attempt_start_challenge(
        original=original, user=bob, session_key="", now=timezone.now()
    )
    self_grade(challenge, knew=True)
    client.force_login(bob)

    response = client.get(url(challenge))

    assert "You against alice" in response.text
    assert "You win!" not in response.text
    assert "wins this one" not in response.text
    assert "Each of you graded your own answers: no winner is named." in response.text
    client.force_login(alice)
    assert "graded by each learner" in client.get(url(original)).text


def test_a_guest_can_challenge_a_friend_too(client, deck):
    attempt = finish(start_as_guest(client, deck, count=2))
    response = client.get(url(attempt))
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    link = soup.select_one("#challenge-link")
    assert link["value"] == f"http://testserver/challenge/{attempt.pk}/"
    assert soup.select_one("[data-copy='#challenge-link']").get_text() == "Copy link"
    assert soup.select_one("[data-share='#challenge-link']") is not None
    assert "js/share.js" in response.text


def test_another_user_gets_404(client, alice, bob, deck):
    attempt = finish(start(alice, deck, count=2))
    client.force_login(bob)
    assert client.get(url(attempt)).status_code == 404


def test_it_rejects_post(client, alice, deck):
    attempt = finish(start(alice, deck, count=2))
    client.force_login(alice)
    assert client.post(url(attempt)).status_code == 405


def test_the_result_runs_the_same_queries_for_any_length(
    client, alice, make_deck, django_assert_num_queries
):
    small = finish(start(alice, make_deck(12, slug="small"), count=2))
    large = finish(start(alice, make_deck(30, slug="large"), count=25))
    show(large)
    client.force_login(alice)
    client.get(url(small))  # the user and "Review (N due)" are kept after this
    with django_assert_num_queries(5) as small_queries:  # the cards apart from the questions
        client.get(url(small))
    with django_assert_num_queries(len(small_queries.captured_queries)):
        client.get(url(large))


def test_its_questions_numbers_and_outcomes_cost_the_same_for_any_length(
    client, alice, make_deck, monkeypatch
):
    # For each question, formatting its three numbers for the locale and Django's
    # get_outcome_display (a dict of every choice built at each call) were a sixth of the
    # page's Python calls: none of it now.
    from django.db.models import base
    from django.utils import formats

    small = finish(start(alice, make_deck(12, slug="small"), count=2))
    large = finish(start(alice, make_deck(30, slug="large"), count=25))
    client.force_login(alice)
    formatted, hashed = [], []
    number_format, make_hashable = formats.number_format, base.make_hashable

    def formatting(value, *args, **kwargs):
        formatted.append(value)
        return number_format(value, *args, **kwargs)

    def hashing(value):  # twice in each call of Django's get_<field>_display
        hashed.append(value)
        return make_hashable(value)

    monkeypatch.setattr(formats, "number_format", formatting)
    monkeypatch.setattr(base, "make_hashable", hashing)
    client.get(url(small))
    small_formatted, small_hashed = len(formatted), len(hashed)
    formatted[:], hashed[:] = [], []
    response = client.get(url(large))

    assert (len(formatted), len(hashed)) == (small_formatted, small_hashed) == (9, 2)
    assert response.text.count('<span class="badge outcome-badge">Wrong</span>') == 25


def test_its_card_links_are_reversed_once_per_process(client, alice, deck, monkeypatch):
    # A reversal is ~70 Python calls; the page links every question's card.
    attempt = finish(start(alice, deck, count=3))
    client.force_login(alice)
    client.get(url(attempt))
    reversed_names = reversals_counted(monkeypatch)
    response = client.get(url(attempt))

    assert "card_detail" not in reversed_names
    for question in attempt.questions.all():
        card_url = reverse("card_detail", args=[deck.slug, question.card.number])
        assert f'<a href="{card_url}">Open card {question.card.number}</a>' in response.text


def test_its_card_links_follow_the_sites_script_prefix(deck):
    # Kept per script prefix (a site served under /quizsite/ behind a proxy), as reverse
    # gives them.
    card = deck.cards.select_related("deck").first()
    plain = card.get_absolute_url()
    set_script_prefix("/quizsite/")
    try:
        under_a_prefix = card.get_absolute_url()
    finally:
        set_script_prefix("/")

    assert under_a_prefix == "/quizsite" + plain == "/quizsite" + card.get_absolute_url()


def test_a_guest_is_asked_to_sign_up_or_log_in_to_keep_it(client, deck):
    attempt = finish(start_as_guest(client, deck, count=2))

    response = client.get(url(attempt))

    back = "?next=" + quote(url(attempt))
    assert "Sign up or log in to keep this result" in response.text
    assert f'href="{reverse("signup")}{back}"' in response.text
    assert f'href="{reverse("login")}{back}"' in response.text


def test_a_learner_is_not_asked_to_sign_up(client, alice, deck):
    attempt = finish(start(alice, deck, count=2))
    client.force_login(alice)
    assert "keep this result" not in client.get(url(attempt)).text


def test_a_quick_quiz_too_fast_to_read_says_it_is_not_ranked(client, alice, deck):
    rushed = finish(start_quick(alice, deck), right=range(1, 11), after=timedelta(seconds=1))
    read = finish(start_quick(alice, deck), right=range(1, 11))
    client.force_login(alice)

    rushed_page = BeautifulSoup(client.get(url(rushed)).text, "html.parser")
    read_page = BeautifulSoup(client.get(url(read)).text, "html.parser")

    assert "Not on the leaderboard" in rushed_page.select_one("#not-ranked").text
    assert read_page.select_one("#not-ranked") is None


def test_a_quick_quiz_tapped_blind_is_told_why_it_is_not_ranked(client, alice, deck):
    # Two right by luck, every answer in a second: not "half of your right answers" alone.
    blind = finish(start_quick(alice, deck), right={1, 2}, after=timedelta(seconds=1))
    client.force_login(alice)

    notice = BeautifulSoup(client.get(url(blind)).text, "html.parser").select_one("#not-ranked")

    assert "At least half of your answers came faster than anyone can read" in notice.text


def test_the_challenges_taken_are_listed_best_first_a_guest_s_counted_not_ranked(
    client, alice, bob, deck, django_assert_num_queries
):
    original = finish(start(alice, deck, count=3), right={1})

    def challenge(user, right):
        taken = services.attempt_start_challenge(
            original=original, user=user, session_key="", now=timezone.now()
        )
        return finish(taken, right=right)

    challenge(None, {1, 2, 3})
    challenge(bob, {1, 2})
    services.attempt_start_challenge(
        original=original, user=bob, session_key="", now=timezone.now()
    )
    client.force_login(alice)
    client.get(url(original))

    with django_assert_num_queries(5):  # as many as with none: one lists them
        page = BeautifulSoup(client.get(url(original)).text, "html.parser")

    listed = [item.text for item in page.select(".challenge-share li")]
    # The unfinished: not listed. The guest's: counted, not ranked (engine.PLAYED_AS_GUEST_RULE).
    assert [text.split(":")[0] for text in listed] == ["bob"]
    assert listed[0].endswith("(2 / 3)")
    guests = page.select_one(".challenge-share .challenge-guests").text
    assert guests == "1 try played as a guest, not ranked."


def test_a_guest_whose_session_is_gone_no_longer_owns_its_quizzes(client, deck):
    """A guest's quizzes are theirs by the key of the session they were started under; a
    cookie still naming that key once the session has expired (or was never made) owns
    nothing."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    attempt = finish(start_as_guest(client, deck, count=2))
    url = reverse("attempt_result", args=[attempt.pk])
    assert client.get(url).status_code == 200

    Session.objects.all().delete()
    cache.clear()

    assert client.get(url).status_code == 404


def test_a_typed_quiz_lists_what_was_typed_beside_what_was_to_be_typed(client, alice, deck):
    give_typed_answers(deck, {1: "ReLU", 2: "dropout"})
    attempt = start(alice, deck, count=2, mode="typed")
    while (question := show(attempt)) is not None:
        services.answer_submit(
            attempt=attempt,
            question=question,
            typed="relu" if question.typed_expected == "ReLU" else "drop out",
            now=question.started_at + timedelta(seconds=6),
        )
    client.force_login(alice)

    response = client.get(url(attempt))

    assert "Type the answer, 2 questions" in response.text
    assert "1 / 2 (50%)" in response.text
    typed = [
        line.text for line in BeautifulSoup(response.text, "html.parser").select(".typed-line")
    ]
    assert sorted(typed) == ["ReLU", "drop out", "dropout", "relu"]
    assert "A wrong, timed-out or missed answer scores 0 points." in response.text
    assert "one word of 8 letters or more" in response.text
