"""quizsite/gunicorn.py, the settings `make serve`, the benches and the server tests start
gunicorn with: the interpreter's switch interval it sets before the workers fork, and no
control socket shared by every gunicorn of the user."""

import subprocess
import sys

import httpx
import pytest

from tests.servers import ROOT, Gunicorn, site_env

pytestmark = pytest.mark.own_processes

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


def test_no_control_socket_is_left_for_other_instances_to_take(tmp_path, site_var_dir):
    home = tmp_path / "home"
    home.mkdir()
    env = site_env(QUIZSITE_VAR_DIR=str(site_var_dir(tmp_path / "var")), HOME=str(home))
    env.pop("XDG_RUNTIME_DIR", None)

    with Gunicorn(env=env, workers=1, threads=1) as site:
        assert httpx.get(site.url("/accounts/login/"), timeout=10).status_code == 200
        left = [str(path.relative_to(home)) for path in home.rglob("*")]

    assert left == []
