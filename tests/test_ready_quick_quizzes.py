"""Quick quizzes planned ahead by the worker (services/attempts.py, "Quick quizzes planned
ahead"): a start claims one instead of drawing and weighing its own, each plan is started
once, a change of the cards retires the plans drawn before it, and the worker is asked for
more as they run low."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from quizzes import caching
from quizzes.models import Attempt, Card, ReadyQuiz
from quizzes.services import attempts as services
from quizzes.tasks import ready_quick_quizzes_top_up_task
from tests.concurrency import learner_lock

pytestmark = pytest.mark.django_db

URL = reverse("quiz_quick")
QUIZ_PAGE = reverse("quiz_setup")


@pytest.fixture
def ready(settings):
    settings.QUIZSITE_READY_QUICK_QUIZZES = 4
    return settings


def questions_of(attempt):
    return [
        (question.card_id, question.choices, question.correct_choice_id, question.reading_words)
        for question in attempt.questions.order_by("position")
    ]


def planned_questions(plan):
    return [
        (question["card_id"], question["choices"], question["correct_choice_id"],
         question["reading_words"])
        for question in json.loads(plan.questions)
    ]  # fmt: skip


def test_a_quick_quiz_starts_the_oldest_plan_waiting(client, alice, make_deck, ready):
    deck = make_deck(30)
    assert services.ready_quick_quizzes_top_up(deck=deck) == 4
    oldest = ReadyQuiz.objects.order_by("id").first()
    client.force_login(alice)

    client.post(URL, {"deck": deck.slug})

    attempt = Attempt.objects.get()
    assert (attempt.seed, attempt.is_quick, attempt.question_count) == (oldest.seed, True, 10)
    assert questions_of(attempt) == planned_questions(oldest)
    assert attempt.time_limit_kind == "for_length"
    assert not ReadyQuiz.objects.filter(pk=oldest.pk).exists()
    assert ReadyQuiz.objects.count() == 3


def test_a_plan_asks_what_a_start_with_its_seed_would(make_deck, ready):
    """Planned ahead or in the request, the same draw and the same wrong answers."""
    deck = make_deck(40, tags=("cnn", "rnn"))
    services.ready_quick_quizzes_top_up(deck=deck, target=1)
    plan = ReadyQuiz.objects.get()
    config = services.quick_quiz_config(deck)

    in_request = services.attempt_start(
        user=None, session_key="x", config=config, seed=plan.seed, now=timezone.now()
    )

    assert questions_of(in_request) == planned_questions(plan)
    assert ReadyQuiz.objects.count() == 1  # a start with its own seed plans its own


def test_a_start_from_a_plan_reads_no_card(
    client, alice, make_deck, ready, django_assert_num_queries
):
    deck = make_deck(60, tags=("cnn", "rnn"))
    services.ready_quick_quizzes_top_up(deck=deck)
    client.force_login(alice)
    client.get(QUIZ_PAGE)
    client.post(URL, {"deck": deck.slug})  # the first request of a session does more
    # The session; the plan claimed; on PostgreSQL the learner's row locked; the learner's
    # Quick quizzes of the day; the attempt and its questions; in a savepoint (the test's
    # transaction): no draw, no wrong answers looked up.
    with CaptureQueriesContext(connection) as statements:
        client.post(URL, {"deck": deck.slug})
    read = " ".join(statement["sql"] for statement in statements.captured_queries)
    assert len(statements.captured_queries) == 7 + learner_lock()
    assert "quizzes_cardkeyword" not in read and "FROM quizzes_card " not in read
    assert Attempt.objects.count() == 2


def test_plans_drawn_before_a_change_of_the_cards_are_never_started(make_deck, ready):
    deck = make_deck(30)
    services.ready_quick_quizzes_top_up(deck=deck)
    before = set(ReadyQuiz.objects.values_list("seed", flat=True))
    caching.deck_pages_changed()  # as every write of cards, tags, decks or images calls it

    attempt = services.attempt_start_quick(
        user=None, session_key="x", deck=deck, now=timezone.now()
    )

    assert attempt.seed not in before
    assert ReadyQuiz.objects.count() == 4  # none claimed
    assert services.ready_quick_quizzes_top_up(deck=deck) == 4
    assert ReadyQuiz.objects.count() == 4
    assert not before & set(ReadyQuiz.objects.values_list("seed", flat=True))


def test_each_deck_starts_its_own_plans(make_deck, ready):
    first, second = make_deck(20, slug="first"), make_deck(20, slug="second")
    services.ready_quick_quizzes_top_up(deck=first)

    attempt = services.attempt_start_quick(
        user=None, session_key="x", deck=second, now=timezone.now()
    )

    assert attempt.deck == second
    assert {question.card.deck_id for question in attempt.questions.all()} == {second.pk}
    assert ReadyQuiz.objects.filter(deck=first).count() == 4


def test_a_deck_no_quiz_can_ask_gets_no_plan(make_deck, ready):
    assert services.ready_quick_quizzes_top_up(deck=make_deck(0)) == 0
    assert not ReadyQuiz.objects.exists()


def test_with_none_kept_every_start_plans_its_own(client, alice, make_deck, settings):
    settings.QUIZSITE_READY_QUICK_QUIZZES = 0
    deck = make_deck(20)
    services.ready_quick_quizzes_top_up(deck=deck, target=2)
    client.force_login(alice)
    client.post(URL, {"deck": deck.slug})
    assert ReadyQuiz.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_plans_more_when_they_run_low(client, alice, make_deck, ready, queued_tasks):
    deck = make_deck(30)
    client.force_login(alice)

    # None waiting: the start plans its own and asks the worker, once until it has run.
    client.post(URL, {"deck": deck.slug})
    client.post(URL, {"deck": deck.slug})
    assert Attempt.objects.count() == 2
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    assert ReadyQuiz.objects.count() == 4

    # The start that leaves half of them waiting asks for more.
    client.post(URL, {"deck": deck.slug})
    assert DBTaskResult.objects.filter(status="READY").count() == 0
    client.post(URL, {"deck": deck.slug})
    assert ReadyQuiz.objects.count() == 2
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    assert ReadyQuiz.objects.count() == 4
    assert Attempt.objects.count() == 4


def test_the_task_tops_up_and_lets_the_next_start_ask_again(make_deck, ready, cache):
    deck = make_deck(30)
    cache.set(services.ready_refill_key(deck.pk), True)

    assert ready_quick_quizzes_top_up_task.call(deck.pk) == 4

    assert ReadyQuiz.objects.count() == 4
    assert cache.get(services.ready_refill_key(deck.pk)) is None
    assert ready_quick_quizzes_top_up_task.call(deck.pk + 1) == 0  # a deck deleted meanwhile


@pytest.mark.django_db(transaction=True)
def test_syncing_the_decks_as_the_site_starts_has_the_worker_plan_them(ready, queued_tasks):
    call_command("sync_decks", "fastai", stdout=io.StringIO())
    assert not ReadyQuiz.objects.exists()
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    deck = ReadyQuiz.objects.values_list("deck__slug", flat=True).distinct()
    assert list(deck) == ["fastai"] and ReadyQuiz.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_with_none_kept_syncing_asks_the_worker_to_choose_the_wrong_answers_alone(
    settings, queued_tasks
):
    settings.QUIZSITE_READY_QUICK_QUIZZES = 0
    call_command("sync_decks", "fastai", stdout=io.StringIO())
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "quizzes.tasks.choices_settle_task"
    ]

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    assert not ReadyQuiz.objects.exists()
    chosen = Card.objects.filter(deck__slug="fastai").exclude(steady_choices="")
    assert chosen.count() == 53  # every multiple-choice card of the deck


def test_deleting_a_deck_in_the_admin_names_its_plans_and_takes_them(
    client, make_deck, ready, django_user_model, password
):
    deck = make_deck(20)
    services.ready_quick_quizzes_top_up(deck=deck)
    staff = django_user_model.objects.create_superuser("staff", "staff@example.com", password)
    client.force_login(staff)
    url = reverse("admin:quizzes_deck_delete", args=[deck.pk])

    page = client.get(url)
    client.post(url, {"post": "yes"})

    assert "Quick quizzes planned ahead: 4" in page.text
    assert not ReadyQuiz.objects.exists()
