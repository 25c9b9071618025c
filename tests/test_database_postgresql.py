"""PostgreSQL's connection (quizsite/postgresql, settings): a quiet reused connection is
taken without a round trip, one the server has ended is replaced, and the play path's
repeated statements are prepared once per connection."""

import select

import pytest
from django.db import connection, connections

from tests.concurrency import postgresql_only

pytestmark = [pytest.mark.django_db, postgresql_only]


@pytest.fixture
def other():
    """A second connection to the test database, as another worker thread holds one."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def last_statement_of(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def test_a_quiet_connection_is_usable_without_asking_the_server(other):
    with other.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    pid = other.connection.info.backend_pid

    assert other.is_usable()
    assert last_statement_of(pid) == "SELECT 'the last statement'"  # no SELECT 1 since


def test_a_connection_the_server_ended_is_replaced(other):
    pid = other.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    readable, _, _ = select.select([other.connection.fileno()], [], [], 10)
    assert readable, "the server did not close the connection"

    assert not other.is_usable()
    other.health_check_done = False
    other.close_if_health_check_failed()
    assert other.connection is None
    with other.cursor() as cursor:  # a new connection
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_statement_run_again_on_a_connection_is_prepared(other):
    with other.cursor() as cursor:
        for number in range(3):
            cursor.execute("SELECT %s::int + 1", [number])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert prepared == ["SELECT $1::int + 1"]
