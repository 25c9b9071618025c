"""quizsite/gunicorn.py, the settings `make serve`, the benches and the server tests start
gunicorn with: the interpreter's switch interval it sets before the workers fork."""

import subprocess
import sys

import pytest

from tests.servers import ROOT, site_env

READ = "import sys, quizsite.gunicorn; print(sys.getswitchinterval())"


def load_config(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", READ],
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
