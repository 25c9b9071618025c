import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import caching
from quizzes.models import Attempt, AttemptQuestion, Distractor
from quizzes.services.card_pages import distractor_render
from tests.concurrency import learner_lock
from tests.quizplay import candidate_statements, reversals_counted

pytestmark = pytest.mark.django_db

URL = reverse("quiz_quick")
QUIZ_PAGE = reverse("quiz_setup")


def test_one_click_starts_ten_questions_timed_for_their_length(client, alice, make_deck):
    make_deck(12)
    client.force_login(alice)

    response = client.post(URL)

    attempt = Attempt.objects.get()
    assert response["Location"] == reverse("attempt_play", args=[attempt.pk])
    assert (attempt.user, attempt.is_quick, attempt.question_count) == (alice, True, 10)
    assert (attempt.time_limit_kind, attempt.time_limit_seconds) == ("for_length", None)


def test_a_start_reverses_its_quizs_address_once(client, alice, make_deck, monkeypatch):
    # The redirect took the address for a view's name first: a failed reversal each start.
    make_deck(12)
    client.force_login(alice)
    reversed_names = reversals_counted(monkeypatch)

    response = client.post(URL)

    assert reversed_names == ["attempt_play"]
    assert response["Location"] == reverse("attempt_play", args=[Attempt.objects.get().pk])


def test_a_guest_starts_one_kept_in_their_session(client, make_deck):
    make_deck(12)
    response = client.post(URL)
    attempt = Attempt.objects.get()
    assert attempt.user is None
    assert attempt.session_key == client.session.session_key
    assert client.get(response["Location"], follow=True).status_code == 200


def test_htmx_gets_a_client_redirect(client, alice, make_deck):
    make_deck(12)
    client.force_login(alice)
    response = client.post(URL, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/quiz/")


def test_without_a_deck_it_says_so(client):
    response = client.post(URL, follow=True)
    assert "No deck is loaded yet" in response.text
    assert not Attempt.objects.exists()


def test_it_rejects_get(client):
    assert client.get(URL).status_code == 405


def test_the_home_page_offers_it(client, make_deck):
    make_deck(3)
    response = client.get(reverse("home"))
    assert f'action="{URL}"' in response.text
    assert "Quick quiz" in response.text


def test_starting_runs_seven_queries_signed_in_and_a_lock(client, alice, make_deck, monkeypatch):
    deck = make_deck(60, tags=("cnn", "rnn"))
    client.force_login(alice)
    client.get(QUIZ_PAGE)  # where the learner starts from: it keeps the decks cached
    client.post(URL, {"deck": deck.slug})  # the first request of a session does more
    lookups = candidate_statements(monkeypatch)
    # The session (the user is cached); the draw window; the wrong answers with the drawn
    # cards' own (and the spare cards', when the first cards' choices repeat an answer);
    # the drawn questions' images (their reading time); on PostgreSQL the learner's row
    # locked, then the learner's Quick quizzes of the day (does this one rank?); the
    # attempt and its questions (no savepoint in the test's transaction).
    with CaptureQueriesContext(connection) as queries:
        client.post(URL, {"deck": deck.slug})
    assert 1 <= len(lookups) <= 2
    assert len(queries) == 6 + len(lookups) + learner_lock()


def test_a_start_reads_the_deck_when_the_decks_are_not_cached(
    client, alice, make_deck, monkeypatch
):
    deck = make_deck(60)
    client.force_login(alice)
    client.post(URL, {"deck": deck.slug})
    lookups = candidate_statements(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        client.post(URL, {"deck": deck.slug})
    assert len(queries) == 7 + len(lookups) + learner_lock()
    # Not built for a start: at 100,000 cards counting them takes a quarter of a second.
    assert caching.kept("quiz-decks") is None
    assert Attempt.objects.filter(deck=deck).count() == 2


def test_a_guest_start_leaves_the_session_alone(client, make_deck, monkeypatch):
    deck = make_deck(60)
    client.get(QUIZ_PAGE)
    client.post(URL, {"deck": deck.slug})
    lookups = candidate_statements(monkeypatch)
    # No user to read, and the session is read but not written: the attempt is the
    # guest's by the session key it was started under.
    with CaptureQueriesContext(connection) as context:
        client.post(URL, {"deck": deck.slug})
    assert len(context) == 5 + len(lookups)
    session_writes = [
        query["sql"]
        for query in context.captured_queries
        if "django_session" in query["sql"] and not query["sql"].startswith("SELECT")
    ]
    assert session_writes == []
    assert Attempt.objects.filter(session_key=client.session.session_key).count() == 2


def test_offered_distractors_are_counted_in_one_more_query(
    client, alice, make_deck, django_assert_num_queries
):
    deck = make_deck(10)
    rows = [
        Distractor(card=card, html=f"<p>Wrong idea {card.number}</p>") for card in deck.cards.all()
    ]
    for row in rows:
        distractor_render(row)
    Distractor.objects.bulk_create(rows)
    client.force_login(alice)
    client.get(QUIZ_PAGE)
    client.post(URL, {"deck": deck.slug})
    with django_assert_num_queries(8 + learner_lock()):
        client.post(URL, {"deck": deck.slug})
    # Each question offers its card's own wrong answer unless another card's answer keeps a
    # cue from pointing at the right one: counted as offered.
    offered = sum(
        1
        for question in AttemptQuestion.objects.all()
        for choice in question.choices
        if choice.get("distractor_id")
    )
    assert sum(Distractor.objects.values_list("times_offered", flat=True)) == offered
    assert offered >= 10


def test_without_a_deck_it_starts_on_the_one_last_played(client, alice, make_deck):
    make_deck(20, slug="large")
    small = make_deck(12, slug="small")
    client.force_login(alice)
    client.post(URL, {"deck": "small"})
    client.post(URL)
    assert list(Attempt.objects.values_list("deck", flat=True)) == [small.pk, small.pk]


def test_it_starts_on_the_deck_posted(client, alice, make_deck):
    make_deck(12, slug="first")
    second = make_deck(12, slug="second")
    client.force_login(alice)
    client.post(URL, {"deck": "second"})
    assert Attempt.objects.get().deck == second


# A NUL byte: PostgreSQL refuses it in any query ("cannot contain NUL"), which was a 500.
@pytest.mark.parametrize("slug", ["nope", "x" * 5000, "../../", "\x00", "synthetic\x00"])
def test_an_unknown_deck_is_a_400(client, make_deck, slug):
    make_deck(12)
    response = client.post(URL, {"deck": slug})
    assert response.status_code == 400
    assert "no such deck" in response.text


def test_a_deck_smaller_than_a_quick_quiz_says_how_many_cards_fit(client, alice, make_deck):
    make_deck(4)
    client.force_login(alice)

    response = client.post(URL, follow=True)

    assert Attempt.objects.get().question_count == 4
    assert "Only 4 cards fit these settings: the quiz has 4 questions." in response.text


def test_a_full_quick_quiz_says_nothing_about_fitting(client, alice, make_deck):
    make_deck(12)
    client.force_login(alice)
    assert "cards fit" not in client.post(URL, follow=True).text


# --- Too many starts (quizzes/throttling.py) ------------------------------------------------

T0 = "2026-11-30 12:00:10+00:00"


def test_a_learner_starting_quizzes_in_a_loop_is_told_to_wait_a_minute(
    client, alice, make_deck, settings
):
    settings.QUIZSITE_QUIZ_STARTS_PER_MINUTE = 3
    make_deck(12)
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        statuses = [client.post(URL).status_code for _ in range(4)]
        refused = client.post(URL)

        assert statuses == [302, 302, 302, 429]
        assert refused.status_code == 429 and refused["Retry-After"] == "60"
        assert "wait a minute" in refused.content.decode()
        assert Attempt.objects.count() == 3  # the refused starts wrote nothing

        traveller.shift(60)
        assert client.post(URL).status_code == 302


def test_guests_share_their_address_s_limit_and_other_addresses_keep_theirs(
    client, make_deck, settings
):
    settings.QUIZSITE_GUEST_QUIZ_STARTS_PER_MINUTE = 2
    make_deck(12)
    with time_machine.travel(T0, tick=False):
        from_one = [Client().post(URL, REMOTE_ADDR="203.0.113.7").status_code for _ in range(3)]
        from_another = Client().post(URL, REMOTE_ADDR="198.51.100.4").status_code

    assert from_one == [302, 302, 429]
    assert from_another == 302


def test_behind_a_proxy_each_forwarded_client_counts_apart(client, make_deck, settings):
    settings.QUIZSITE_GUEST_QUIZ_STARTS_PER_MINUTE = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0  # QUIZSITE_PROXY_COUNT=1: the proxy's own entry
    make_deck(12)
    with time_machine.travel(T0, tick=False):
        first, again, other = (
            Client().post(URL, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_ip)
            for client_ip in ["203.0.113.7", "203.0.113.7", "198.51.100.4"]
        )

    assert (first.status_code, again.status_code, other.status_code) == (302, 429, 302)


def test_a_learners_start_does_not_look_their_address_up(client, alice, make_deck, monkeypatch):
    # Their starts count against their account; reading the forwarding headers for the
    # address was a tenth of a start's Python calls. A guest's address is looked up.
    from quizzes.views import limits

    looked_up = []
    monkeypatch.setattr(limits, "get_client_ip_address", looked_up.append)
    make_deck(12)
    client.force_login(alice)

    assert client.post(URL).status_code == 302
    assert looked_up == []
    client.logout()
    assert client.post(URL).status_code == 302
    assert len(looked_up) == 1


def test_a_learner_starting_quizzes_all_day_is_told_to_come_back_tomorrow(
    client, alice, make_deck, settings
):
    # Within the minute's limit, a script starting a quiz every few seconds all day would
    # still write tens of thousands of quizzes, each with its questions and choices.
    settings.QUIZSITE_QUIZ_STARTS_PER_DAY = 3
    make_deck(12)
    client.force_login(alice)
    with time_machine.travel("2026-11-30 23:00:00Z", tick=False) as traveller:
        statuses = []
        for _ in range(4):
            statuses.append(client.post(URL).status_code)
            traveller.shift(120)
        refused = client.post(URL)

        assert statuses == [302, 302, 302, 429]
        assert "come back tomorrow" in refused.text
        assert refused["Retry-After"] == str(60 * 60 - 4 * 120)  # until midnight UTC
        assert Attempt.objects.count() == 3

        traveller.shift(3600)
        assert client.post(URL).status_code == 302


def test_guests_from_one_address_share_a_days_limit(client, make_deck, settings):
    settings.QUIZSITE_GUEST_QUIZ_STARTS_PER_DAY = 2
    make_deck(12)
    with time_machine.travel(T0, tick=False) as traveller:
        from_one = []
        for _ in range(3):
            from_one.append(Client().post(URL, REMOTE_ADDR="203.0.113.7"))
            traveller.shift(120)
        from_another = Client().post(URL, REMOTE_ADDR="198.51.100.4").status_code

    assert [response.status_code for response in from_one] == [302, 302, 429]
    assert "sign up or log in" in from_one[-1].text
    assert from_another == 302


def test_a_limit_of_zero_is_no_limit(client, alice, make_deck, settings):
    settings.QUIZSITE_QUIZ_STARTS_PER_MINUTE = 0
    make_deck(12)
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert {client.post(URL).status_code for _ in range(40)} == {302}


def test_every_way_to_start_a_quiz_counts_against_the_same_limit(
    client, alice, make_deck, settings
):
    from tests.quizplay import finish, start

    deck = make_deck(12)
    finished = finish(start(alice, deck, count=2))
    settings.QUIZSITE_QUIZ_STARTS_PER_MINUTE = 1
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert client.post(URL).status_code == 302
        refused = {
            name: client.post(reverse(name, args=args), data).status_code
            for name, args, data in [
                ("quiz_quick", [], {}),
                ("quiz_setup", [], {"deck": deck.pk, "question_count": 5}),
                ("attempt_retry", [finished.pk], {}),
                ("challenge_accept", [finished.pk], {}),
                ("quiz_these", [], {"deck": deck.slug}),
            ]
        }

    assert set(refused.values()) == {429}
    assert Attempt.objects.count() == 2
