"""quizsite/gunicorn.py, the settings `make serve`, the benches and the server tests start
gunicorn with: the interpreter's switch interval it sets before the workers fork, no
control socket shared by every gunicorn of the user, and room for a typed answer in the
address."""

import subprocess
import sys
from urllib.parse import urlencode

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.forms import LARGEST_DATABASE_INTEGER
from quizzes.forms_study import shown_token
from quizzes.typed_answers import TYPED_ANSWER_MAX_LENGTH
from tests.servers import ROOT, Gunicorn, site_env

pytestmark = pytest.mark.own_processes

READ = "import sys, quizsite.gunicorn; print(sys.getswitchinterval())"


def load_config(read: str = READ, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", read],
        cwd=ROOT,
        env=site_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "seconds"),
    [
        ({}, 0.005),  # SQLite: Python's own default
        ({"DATABASE_URL": "postgres://quizsite@db/quizsite"}, 0.001),
        ({"DATABASE_URL": "postgresql://quizsite@db/quizsite"}, 0.001),
        ({"DATABASE_URL": "postgres://db/q", "GUNICORN_SWITCH_INTERVAL_MS": "3"}, 0.003),
        ({"GUNICORN_SWITCH_INTERVAL_MS": ""}, 0.005),
    ],
)
def test_the_switch_interval_follows_the_database(env, seconds):
    run = load_config(**env)
    assert run.returncode == 0, run.stderr
    assert float(run.stdout) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "5000"])
def test_a_bad_switch_interval_stops_start_up_and_says_why(value):
    run = load_config(GUNICORN_SWITCH_INTERVAL_MS=value)
    assert run.returncode != 0
    assert "GUNICORN_SWITCH_INTERVAL_MS must be milliseconds" in run.stderr
    assert repr(value) in run.stderr


def test_no_control_socket_is_left_for_other_instances_to_take(tmp_path, site_var_dir):
    home = tmp_path / "home"
    home.mkdir()
    env = site_env(QUIZSITE_VAR_DIR=str(site_var_dir(tmp_path / "var")), HOME=str(home))
    env.pop("XDG_RUNTIME_DIR", None)

    with Gunicorn(env=env, workers=1, threads=1) as site:
        assert httpx.get(site.url("/accounts/login/"), timeout=10).status_code == 200
        left = [str(path.relative_to(home)) for path in home.rglob("*")]

    assert left == []


def test_the_longest_typed_answer_the_review_sends_fits_in_the_request_line():
    # The review's Show answer is a GET form: what the box takes (500 characters, 4,500
    # bytes in Chinese) went past gunicorn's default 4,094 and got its bare 414 page.
    query = {
        "card": LARGEST_DATABASE_INTEGER,
        "shown": shown_token(card_id=LARGEST_DATABASE_INTEGER, now=timezone.now()),
        "branch": "生" * 200,  # a deck's longest name
        "typed": "漢" * TYPED_ANSWER_MAX_LENGTH,
    }
    line = f"GET {reverse('review_typed')}?{urlencode(query)} HTTP/1.1"
    run = load_config("import quizsite.gunicorn as config; print(config.limit_request_line)")
    assert run.returncode == 0, run.stderr
    assert len(line.encode()) > 4094
    assert len(line.encode()) <= int(run.stdout)
