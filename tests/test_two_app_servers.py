"""Two app servers behind one proxy share everything through the database and Redis: a login
lock earned on one holds on the other, a guest's quiz started on one goes on on the other,
and what each keeps in its own memory for a learner (their user, their reviews due) follows
a write made on the other at once. Runs when REDIS_URL names a redis-server (`.ci/run`
starts one)."""

import os
import re
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.httpquiz import Player
from tests.servers import Gunicorn, PostgresCluster, manage, postgres_bin, site_env

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.own_processes,
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (see .ci/run)"),
]
FAILURE_LIMIT = 3
PASSWORD = "a long shared secret"
NEW = "another long shared secret"


@pytest.fixture(scope="module")
def shared_database_url(tmp_path_factory):
    """A PostgreSQL database of their own, as many machines share one: on the suite's
    server, or where the suite runs on SQLite (CI's own-process tests) on a cluster of
    their own; a SQLite file where PostgreSQL is not installed."""
    suite_url = os.environ.get("DATABASE_URL", "")
    if suite_url.startswith("postgres"):
        yield from _database_on(suite_url)
    elif postgres_bin() is not None:
        with PostgresCluster() as cluster:
            yield from _database_on(cluster.url)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('shared') / 'db.sqlite3'}"


def _database_on(server_url):
    import psycopg

    name = f"quizsite_two_servers_{os.getpid()}"
    server = urlsplit(server_url)
    maintenance = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(server._replace(path=f"/{name}"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, shared_database_url, site_var_dir):
    """Two gunicorn instances on one database and one Redis, each with its own var/ folder
    (file cache, static files), so nothing else is shared."""
    shared = {
        "DATABASE_URL": shared_database_url,
        "REDIS_URL": REDIS_URL,
        "QUIZSITE_LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
    }
    envs = [
        site_env(
            **shared, QUIZSITE_VAR_DIR=str(site_var_dir(tmp_path_factory.mktemp(f"server{n}")))
        )
        for n in (1, 2)
    ]
    manage("migrate", "--no-input", env=envs[0])
    manage("sync_decks", env=envs[0])
    manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        f"[User.objects.create_user(name, password={PASSWORD!r}) "
        "for name in ('carol', 'erin', 'frank')]",
        env=envs[0],
    )
    with Gunicorn(env=envs[0]) as first, Gunicorn(env=envs[1]) as second:
        yield first.url(""), second.url("")


def test_a_lockout_on_one_server_holds_on_the_other(two_servers):
    first, second = two_servers
    with httpx.Client(timeout=20) as client:
        player = Player(client)
        statuses = [
            player.log_in(first, "carol", "wrong").status_code for _ in range(FAILURE_LIMIT)
        ]
        assert statuses[-1] == 429

        assert player.log_in(second, "carol", PASSWORD).status_code == 429


def test_a_quiz_started_on_one_server_goes_on_on_the_other(two_servers):
    first, second = two_servers
    with httpx.Client(timeout=20) as client:
        player = Player(client)
        play_path = player.start_quick_quiz(first)

        answered = 0
        servers = [second, first]
        while (response := player.answer_current(servers[answered % 2], play_path)) is not None:
            assert response.status_code == 200, response.text[:500]
            answered += 1
            assert answered <= 10

        assert answered == 10
        result = player.get(second, play_path + "result/")
        assert result.status_code == 200
        # Every answer was stored, whichever server took it: none is missing from the result.
        assert result.text.count('class="result-question outcome-') == 10
        assert "outcome-missed" not in result.text


def new_cards_shown(page: httpx.Response) -> int:
    """The "N new" of the navigation's "Review (N)": a quiz answer meets a new card."""
    return int(re.search(r'id="nav-review" title="\d+ due, (\d+) new"', page.text).group(1))


def test_an_answer_on_one_server_shows_in_the_others_navigation_at_once(two_servers):
    first, second = two_servers
    with httpx.Client(timeout=20) as client:
        player = Player(client)
        assert player.log_in(first, "erin", PASSWORD).status_code == 302
        before = [new_cards_shown(player.get(second, "/")) for _ in range(6)]
        assert before == [20] * 6  # kept by the second server's workers

        play_path = player.start_quick_quiz(first)
        assert player.answer_current(first, play_path).status_code == 200

        after = [new_cards_shown(player.get(second, "/")) for _ in range(6)]
        assert after == [19] * 6


def test_a_password_changed_on_one_server_signs_out_on_the_other_at_once(two_servers):
    first, second = two_servers
    with httpx.Client(timeout=20) as here, httpx.Client(timeout=20) as there:
        changing, elsewhere = Player(here), Player(there)
        for player, server in ((changing, first), (elsewhere, second)):
            assert player.log_in(server, "frank", PASSWORD).status_code == 302
        assert all(">frank<" in elsewhere.get(second, "/").text for _ in range(6))

        changing.get(first, "/")  # the token after logging in
        changed = changing.post(
            first,
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        )
        assert changed.status_code == 302

        pages = [elsewhere.get(second, "/").text for _ in range(6)]
        assert all(">frank<" not in page and "Log in" in page for page in pages)
