"""Quick quizzes started at the same moment, one thread per learner as gunicorn's threads
run them, each on its own database connection: none fails, every hand-written distractor
offered is counted once per quiz that offers it, and each quiz planned ahead is started
once. On PostgreSQL two starts counting the same distractors used to lock their rows in
different orders and deadlock. One learner's starts at once are counted one after the
other: only one can be the day's last ranked.

PostgreSQL only: SQLite lets one writer in at a time (bench/load.py starts quizzes at once on
its file), and the suite's in-memory SQLite locks whole tables between connections, which
the site's database file never does."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from quizzes import engine
from quizzes.models import Attempt, Distractor, ReadyQuiz
from quizzes.services import attempts as services
from quizzes.services.card_pages import distractor_render
from tests.concurrency import postgresql_only, wait_for_a_lock_wait_or

LEARNERS = 8
QUIZZES_EACH = 12


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("planned_ahead", [0, LEARNERS * QUIZZES_EACH // 2])
def test_quizzes_started_at_once_all_start_and_count_every_offer(
    make_deck, settings, planned_ahead
):
    """Half the starts planned ahead: claimed at once, then planned in the request."""
    deck = make_deck(12)
    rows = [
        Distractor(card=card, html=f"<p>Wrong idea {number} of {card.number}</p>")
        for card in deck.cards.all()
        for number in range(3)
    ]
    for row in rows:
        distractor_render(row)
    Distractor.objects.bulk_create(rows)
    settings.QUIZSITE_READY_QUICK_QUIZZES = planned_ahead
    services.ready_quick_quizzes_top_up(deck=deck)
    plans = set(ReadyQuiz.objects.values_list("seed", flat=True))
    seeds: list[int] = []
    offers: Counter[int] = Counter()
    errors: list[BaseException] = []
    started = threading.Barrier(LEARNERS)
    lock = threading.Lock()

    def learner(number: int) -> None:
        try:
            started.wait()
            for _ in range(QUIZZES_EACH):
                attempt = services.attempt_start_quick(
                    user=None, session_key=f"learner-{number}", deck=deck, now=timezone.now()
                )
                offered = [
                    choice["distractor_id"]
                    for question in attempt.questions.all()
                    for choice in question.choices
                    if choice["distractor_id"]
                ]
                with lock:
                    offers.update(offered)
                    seeds.append(attempt.seed)
        except BaseException as error:  # reported below, with the others
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=learner, args=(number,)) for number in range(LEARNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(seeds) == len(set(seeds)) == LEARNERS * QUIZZES_EACH
    assert plans <= set(seeds)  # the plans made first were all started, none twice
    assert sum(offers.values()) > LEARNERS * QUIZZES_EACH  # distractors were offered
    counted = dict(Distractor.objects.values_list("pk", "times_offered"))
    assert counted == {pk: offers[pk] for pk in counted}


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("planned_ahead", [0, 2])
def test_two_starts_at_once_cannot_both_rank_as_the_days_last(
    alice, make_deck, settings, monkeypatch, planned_ahead
):
    """Each start is held after counting the learner's quizzes of the day until the other
    has counted them too (the race), or waits for the first's lock (no race)."""
    deck = make_deck(12)
    settings.QUIZSITE_READY_QUICK_QUIZZES = 0
    now = timezone.now()
    for minutes in range(engine.RANKED_QUICK_QUIZZES_PER_DAY - 1, 0, -1):
        services.attempt_start_quick(
            user=alice, session_key="", deck=deck, now=now - timedelta(minutes=minutes)
        )
    settings.QUIZSITE_READY_QUICK_QUIZZES = planned_ahead
    services.ready_quick_quizzes_top_up(deck=deck)
    counted: list[int] = []
    both_counted, go_on = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    count = services._quick_quizzes_started

    def count_and_wait(**kwargs) -> int:
        started = count(**kwargs)
        counted.append(started)
        if len(counted) == 2:
            both_counted.set()
        go_on.wait()
        return started

    def start() -> None:
        try:
            services.attempt_start_quick(user=alice, session_key="", deck=deck, now=now)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    monkeypatch.setattr(services, "_quick_quizzes_started", count_and_wait)
    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    wait_for_a_lock_wait_or(both_counted)
    go_on.set()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(counted) == [9, 10]
    last_two = Attempt.objects.filter(started_at=now)
    assert sorted(last_two.values_list("past_ranked_per_day", flat=True)) == [False, True]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_three_presses_of_retry_at_once_start_one_retry(make_deck, django_user_model):
    from tests.quizplay import finish, start

    alice = django_user_model.objects.create_user("alice", password="a long enough passphrase")
    attempt = finish(start(alice, make_deck(12), count=3), right={2})
    started = threading.Barrier(3)
    retries, errors = [], []
    lock = threading.Lock()

    def press() -> None:
        try:
            started.wait()
            retry = services.attempt_start_retry(
                attempt=attempt, user=alice, session_key="", now=timezone.now()
            )
            with lock:
                retries.append(retry.pk)
        except BaseException as error:  # reported below
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(retries)) == 1 and len(retries) == 3
    assert Attempt.objects.filter(retry_of=attempt).count() == 1
