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
TOKEN = "monitor-token-for-the-tests-only"
# A monitor's probe, which may read the details.
MONITOR = {**PROBE, "HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def monitor_token(settings):
    settings.QUIZSITE_HEALTHZ_TOKEN = TOKEN


def test_a_server_whose_database_and_cache_answer_is_healthy(settings):
    settings.SECURE_SSL_REDIRECT = True  # not for the probe, which comes over plain HTTP
    response = Client().get(URL, **MONITOR)

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


def test_anyone_else_reads_the_status_alone(django_assert_num_queries):
    # The database and the cache checked; the task queue not read.
    with django_assert_num_queries(1):
        response = Client().get(URL, **PROBE)

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.parametrize("sent", ["Bearer wrong-token-of-the-same-length!", "Bearer ", TOKEN])
def test_a_wrong_token_reads_the_status_alone(sent):
    response = Client().get(URL, **PROBE, HTTP_AUTHORIZATION=sent)

    assert json.loads(response.content) == {"status": "ok"}


def test_without_a_token_set_no_bearer_reads_the_details(settings):
    settings.QUIZSITE_HEALTHZ_TOKEN = ""
    response = Client().get(URL, **PROBE, HTTP_AUTHORIZATION="Bearer ")

    assert json.loads(response.content) == {"status": "ok"}


def test_staff_signed_in_read_the_details(client, staff):
    client.force_login(staff)
    response = client.get(URL, **PROBE)

    assert json.loads(response.content)["database"] == "ok"
    assert not response.cookies  # the session read, not written


def test_a_learner_signed_in_reads_the_status_alone(client, alice):
    client.force_login(alice)
    response = client.get(URL, **PROBE)

    assert json.loads(response.content) == {"status": "ok"}


def test_a_made_up_session_cookie_reads_the_status_alone(client, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    response = client.get(URL, **PROBE)

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


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
        response = Client().get(URL, **MONITOR)

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
        response = Client().get(URL, **MONITOR)
        public = Client().get(URL, **PROBE)

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["cache"] == "unavailable"
    assert body["database"] == "ok"
    # The load balancer takes the server out all the same, told nothing of why.
    assert public.status_code == 503
    assert json.loads(public.content) == {"status": "unavailable"}


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


@pytest.mark.own_processes
@pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL is not installed")
def test_a_stopped_database_makes_it_unavailable_until_it_is_back(tmp_path):
    monitor = {"Authorization": f"Bearer {TOKEN}"}
    with (
        site_on_postgresql(tmp_path, QUIZSITE_HEALTHZ_TOKEN=TOKEN) as (postgres, site),
        httpx.Client(headers=monitor) as probe,
    ):
        assert probe.get(site.url(URL)).status_code == 200

        postgres.stop()
        down = probe.get(site.url(URL))
        public = httpx.get(site.url(URL))
        postgres.start()
        back = probe.get(site.url(URL))

        assert down.status_code == 503, site.output()
        assert down.json()["database"] == "unavailable"
        assert (public.status_code, public.json()) == (503, {"status": "unavailable"})
        assert "oldest_task_waiting_seconds" not in down.json()
        assert back.status_code == 200, site.output()
