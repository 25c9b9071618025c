"""After PostgreSQL restarts, the site reconnects instead of answering 500: the reused
connection each worker thread holds is checked before a request's first query
(CONN_HEALTH_CHECKS). Runs the site under gunicorn against a throwaway cluster."""

import httpx
import pytest

from tests.servers import Gunicorn, PostgresCluster, manage, postgres_bin, site_env

pytestmark = pytest.mark.skipif(
    postgres_bin() is None, reason="PostgreSQL is not installed (apt-get install -y postgresql)"
)


def test_no_request_fails_after_postgresql_restarts(tmp_path):
    with PostgresCluster() as postgres:
        env = site_env(
            DATABASE_URL=postgres.url, DJANGO_CONN_MAX_AGE="600", QUIZSITE_VAR_DIR=str(tmp_path)
        )
        manage("migrate", "--no-input", env=env)
        manage("collectstatic", "--no-input", env=env)
        # One thread: the request after the restart surely reuses the connection it held.
        with Gunicorn(env=env, workers=1, threads=1) as site, httpx.Client() as client:
            assert client.get(site.url("/")).status_code == 200

            postgres.restart()

            statuses = [client.get(site.url("/")).status_code for _ in range(3)]
            assert statuses == [200, 200, 200], site.output()
