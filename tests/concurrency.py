"""Several requests sent at once, as a double click, a resent form or two tabs send them."""

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client

# Tests of requests racing each other run on PostgreSQL only (DATABASE_URL, as .ci/run sets
# it): the suite's in-memory SQLite locks whole tables between connections, where the site's
# database file takes one writer at a time.
postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "quizsite.postgresql",
    reason="PostgreSQL only (DATABASE_URL, as .ci/run sets it)",
)


def learner_lock() -> int:
    """The statements a signed-in Quick quiz start spends locking the learner's row: one
    where the database locks rows (PostgreSQL), none on SQLite, whose transaction holds the
    database's write lock already (services.accounts.account_lock)."""
    return 1 if connection.features.has_select_for_update else 0


def statuses_sent_at_once(user, send: Callable[[Client], HttpResponse], times: int = 4) -> list:
    """`times` threads, each with a client of its own logged in as `user` (None: a
    visitor), wait for one another and then each call `send(client)`: the responses' status
    codes, in the order they came back. Each thread closes its own database connection."""
    started = threading.Barrier(times)
    statuses: list[int] = []

    def one() -> None:
        try:
            client = Client()
            if user is not None:
                client.force_login(user)
            started.wait()
            statuses.append(send(client).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _a_statement_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def wait_for_a_lock_wait_or(event: threading.Event) -> None:
    """Return once a statement of another connection waits for a lock (PostgreSQL), or
    `event` is set; after 20 seconds at most."""
    for _ in range(2000):
        if event.wait(0.01) or _a_statement_waits_for_a_lock():
            return


def errors_of_two_writes_at_once(first: Callable[[], object], second: Callable[[], object]):
    """`first` runs in a transaction kept open until `second`, run in another thread once
    `first` is done, waits for a lock it holds (a row it wrote and has not committed), or
    ends; then `first` commits. The errors they raised, each thread on its own database
    connection."""
    first_done, second_done, commit = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            with transaction.atomic():
                first()
                first_done.set()
                commit.wait()
        except BaseException as error:  # reported to the caller
            errors.append(error)
        finally:
            first_done.set()
            connection.close()

    def run_second() -> None:
        try:
            first_done.wait()
            second()
        except BaseException as error:  # reported to the caller
            errors.append(error)
        finally:
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    first_done.wait()
    wait_for_a_lock_wait_or(second_done)
    commit.set()
    for thread in threads:
        thread.join()
    return errors
