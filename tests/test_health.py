"""`/healthz` (quizsite/health.py): what a load balancer in front of several app servers
asks each of them, by its own address over plain HTTP."""

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from quizsite import health
from tests.servers import free_port, postgres_bin, site_on_postgresql
from tests.tasks import noted_task

pytestmark = pytest.mark.django_db

URL = "/healthz"
# The load balancer's probe: by the server's own address, which ALLOWED_HOSTS need not name.
PROBE = {"HTTP_HOST": "10.0.0.7:8000"}


def test_a_server_whose_database_and_cache_answer_is_healthy(settings):
    settings.SECURE_SSL_REDIRECT = True  # not for the probe, which comes over plain HTTP
    response = Client().get(URL, **PROBE)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "oldest_task_waiting_seconds": None,
    }
    assert not response.cookies  # no session, no CSRF cookie


def test_a_head_request_gets_the_status_alone():
    response = Client().head(URL, **PROBE)

    assert response.status_code == 200
    assert response.content == b""


def test_other_methods_are_refused(client):
    response = client.post(URL, **PROBE)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_it_says_how_long_the_oldest_task_has_waited(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel("2026-03-01 09:00:00Z", tick=False):
        noted_task.enqueue()
    with time_machine.travel("2026-03-01 09:01:30Z", tick=False):
        response = Client().get(URL, **PROBE)

    # A stopped worker is for the monitor to see, not a reason to take the server out.
    assert response.status_code == 200
    assert json.loads(response.content)["oldest_task_waiting_seconds"] == 90.0


def test_a_cache_that_does_not_answer_makes_it_unavailable(settings):
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    # Only for the request: the suite's own clean-up uses the cache afterwards.
    with override_settings(CACHES={**settings.CACHES, "default": unreachable}):
        response = Client().get(URL, **PROBE)

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["cache"] == "unavailable"
    assert body["database"] == "ok"


def test_probes_at_the_same_moment_do_not_fail_each_other(settings, tmp_path):
    # Every process and server probes the one shared cache, often at the same moment.
    shared = {"BACKEND": "quizsite.filecache.FileCache", "LOCATION": str(tmp_path / "cache")}
    with (
        override_settings(CACHES={**settings.CACHES, "default": shared}),
        ThreadPoolExecutor(max_workers=4) as pool,
    ):
        outcomes = list(pool.map(lambda _: health._outcome("cache", health._cache), range(400)))

    assert outcomes.count("unavailable") == 0


def test_only_its_own_path_is_answered(client):
    assert client.get(URL + "/").status_code == 404
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL is not installed")
def test_a_stopped_database_makes_it_unavailable_until_it_is_back(tmp_path):
    with site_on_postgresql(tmp_path) as (postgres, site), httpx.Client() as probe:
        assert probe.get(site.url(URL)).status_code == 200

        postgres.stop()
        down = probe.get(site.url(URL))
        postgres.start()
        back = probe.get(site.url(URL))

        assert down.status_code == 503, site.output()
        assert down.json()["database"] == "unavailable"
        assert "oldest_task_waiting_seconds" not in down.json()
        assert back.status_code == 200, site.output()
