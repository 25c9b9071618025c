"""After PostgreSQL restarts, the site reconnects instead of answering 500: the reused
connection each worker thread holds is checked before a request's first query
(CONN_HEALTH_CHECKS). Runs the site under gunicorn against a throwaway cluster."""

import httpx
import pytest

from tests.servers import postgres_bin, site_on_postgresql

pytestmark = [
    pytest.mark.skipif(
        postgres_bin() is None,
        reason="PostgreSQL is not installed (apt-get install -y postgresql)",
    ),
    pytest.mark.own_processes,
]


def test_no_request_fails_after_postgresql_restarts(tmp_path):
    with site_on_postgresql(tmp_path) as (postgres, site), httpx.Client() as client:
        assert client.get(site.url("/")).status_code == 200

        postgres.restart()

        statuses = [client.get(site.url("/")).status_code for _ in range(3)]
        assert statuses == [200, 200, 200], site.output()
