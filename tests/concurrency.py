"""Several requests sent at once, as a double click, a resent form or two tabs send them."""

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
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
