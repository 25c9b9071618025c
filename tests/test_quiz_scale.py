"""Starting a quiz and answering stay flat with the size of the deck: the questions and the
wrong answers are drawn in the database (index range lookups), never by loading the deck.
Counts of queries and of rows read, never time (bench/ has the timings)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import engine
from quizzes.models import Attempt
from tests.concurrency import learner_lock
from tests.quizplay import candidate_statements

pytestmark = pytest.mark.django_db

SMALL, LARGE = 30, 3000


def start_and_answer(client, slug, lookups):
    """How many queries starting a Quick quiz on `slug` runs, and answering its first
    question."""
    client.get(reverse("quiz_setup"))  # where the learner starts from
    lookups.clear()
    with CaptureQueriesContext(connection) as started:
        response = client.post(reverse("quiz_quick"), {"deck": slug})
    # Now (the next request resets the connection's query log), the spare cards' lookup
    # left out: it depends on whether the first cards' choices repeat an answer.
    started = len(started) - (len(lookups) - 1)
    attempt = Attempt.objects.get(pk=response["Location"].strip("/").split("/")[-1])
    client.get(attempt.get_absolute_url(), follow=True)
    question = attempt.questions.get(position=1)
    with CaptureQueriesContext(connection) as answered:
        client.post(
            reverse("attempt_answer", args=[attempt.pk]),
            {"position": 1, "choice": question.correct_choice_id},
        )
    return started, len(answered)


def test_starting_and_answering_run_the_same_queries_at_two_deck_sizes(
    client, alice, make_deck, monkeypatch
):
    make_deck(SMALL, slug="small")
    make_deck(LARGE, slug="large")
    client.force_login(alice)
    lookups = candidate_statements(monkeypatch)
    start_and_answer(client, "small", lookups)  # the first request of a session does more

    small_start, small_answer = start_and_answer(client, "small", lookups)
    large_start, large_answer = start_and_answer(client, "large", lookups)

    # The session, the draw window, the wrong answers, the drawn questions' images, the
    # learner's row locked (on PostgreSQL), the learner's Quick quizzes of the day, and the
    # writes (see tests/test_view_quiz_quick.py).
    assert large_start == small_start == 7 + learner_lock()
    # Answering also feeds the learner's memory of the card (services.reviews).
    assert large_answer == small_answer <= 12


def test_starting_reads_a_bounded_number_of_cards(client, alice, make_deck, monkeypatch):
    from quizzes.services import attempts

    make_deck(LARGE, slug="large")
    read = []
    real_rows, real_options = attempts._quiz_rows, attempts._CandidateLookups.options

    def options(lookups, drawn):
        found = real_options(lookups, drawn)
        read.extend(option.card_id for option in found)
        return found

    monkeypatch.setattr(attempts, "_quiz_rows", lambda cards: _recorded(real_rows(cards), read))
    monkeypatch.setattr(attempts._CandidateLookups, "options", options)
    client.force_login(alice)

    client.post(reverse("quiz_quick"), {"deck": "large"})

    # The draw window, and the wrong answers looked up for each card drawn (spares too) by
    # word and by kind of answer (two kinds for an answer that is no sentence).
    count = attempts.QUICK_QUIZ_QUESTIONS
    window = attempts.DRAW_WINDOW_PER_QUESTION * count
    per_card = (
        attempts.CANDIDATE_WORDS_PER_CARD * attempts.CANDIDATES_PER_WORD
        + 2 * attempts.CANDIDATES_PER_KIND
    )
    bound = window + (count + engine.spare_questions(count)) * per_card
    assert window < len(read) <= bound < LARGE


def _recorded(rows, read):
    read.extend(row.id for row in rows)
    return rows


def _start_queries(start, lookups) -> int:
    """The queries `start` runs, its spare cards' lookup left out (start_and_answer)."""
    lookups.clear()
    with CaptureQueriesContext(connection) as queries:
        start()
    return len(queries) - max(len(lookups) - 1, 0)


# The cards to ask (a retry: the missed ones, then the cards; these cards: the first card's
# deck, then the cards), the wrong answers, and the writes (a tagged quiz also stores its
# tags).
# One of each is the drawn questions' images (their reading time).
# A retry also looks for one started a moment ago (a second press), in a transaction of its
# own (a savepoint here), and on PostgreSQL locks the quiz retried first.
QUERIES = {"tagged": 7, "these cards": 7, "retry": 9}


@pytest.mark.parametrize("kind", list(QUERIES))
def test_the_other_quiz_starts_run_the_same_queries_at_two_deck_sizes(
    alice, make_deck, kind, monkeypatch
):
    from django.utils import timezone

    from quizzes.models import Tag
    from quizzes.services import attempts

    now = timezone.now()

    def start(deck):
        if kind == "tagged":
            config = attempts.QuizConfig(
                deck=deck, question_count=10, tags=(Tag.objects.get(slug="one"),)
            )
            return lambda: attempts.attempt_start(
                user=alice, session_key="", config=config, now=now
            )
        if kind == "these cards":
            card_ids = list(deck.cards.order_by("?").values_list("pk", flat=True)[:10])
            return lambda: attempts.attempt_start_cards(user=alice, card_ids=card_ids, now=now)
        missed = attempts.attempt_start_quick(user=alice, session_key="", deck=deck, now=now)
        return lambda: attempts.attempt_start_retry(
            attempt=missed, user=alice, session_key="", now=now
        )

    small = start(make_deck(SMALL, slug="small", tags=("one", "two")))
    large = start(make_deck(LARGE, slug="large", tags=("one", "two")))

    locks = kind == "retry" and connection.features.has_select_for_update
    lookups = candidate_statements(monkeypatch)
    assert _start_queries(large, lookups) == _start_queries(small, lookups) == QUERIES[kind] + locks


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_the_cards_a_quiz_can_ask_are_counted_from_one_index_alone(make_deck):
    """The decks' counts (the home page, every page offering a quiz, "Review (N)") read the
    card_askable index, not each card's row: at 100,000 cards 0.04 s against 0.3."""
    from django.db.models import Count

    from quizzes.models import Card
    from quizzes.models.deck import askable
    from quizzes.services import cards

    make_deck(SMALL)
    counted = [
        cards.deck_summaries(),
        Card.objects.values("deck").annotate(askable=Count("pk", filter=askable("flashcards"))),
        Card.objects.filter(askable("multiple_choice")).values("deck").annotate(Count("pk")),
    ]
    for queryset in counted:
        plan = queryset.explain()
        assert "USING COVERING INDEX card_askable" in plan, plan
