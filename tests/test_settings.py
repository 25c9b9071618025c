"""Settings come from the environment; a bad value stops start-up and names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 60 + "-production-secret-for-the-check-only",
    "DJANGO_ALLOWED_HOSTS": "quiz.example.org",
}


def run_manage(tmp_path, *args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env, QUIZSITE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="quizsite.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_HSTS_SECONDS", "a year"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("QUIZSITE_IMAGE_TIMEOUT", "ten"),
        ("DJANGO_CONN_MAX_AGE", "forever"),
        ("QUIZSITE_PROXY_COUNT", "-1"),
        ("QUIZSITE_IMAGE_DEADLINE", "soon"),
        ("QUIZSITE_HEALTHZ_TOKEN", "short"),
    ],
)
def test_it_rejects_a_bad_value_naming_the_variable(tmp_path, variable, value):
    result = run_manage(tmp_path, "check", **{"DJANGO_DEBUG": "1", variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_it_rejects_a_bad_prepare_threshold_for_postgresql(tmp_path):
    database = "postgres://quizsite@127.0.0.1:9/none"  # never reached: settings fail first
    result = run_manage(
        tmp_path,
        "check",
        DJANGO_DEBUG="1",
        DATABASE_URL=database,
        QUIZSITE_PG_PREPARE_THRESHOLD="often",
    )
    assert result.returncode != 0
    assert "QUIZSITE_PG_PREPARE_THRESHOLD must be a whole number" in result.stderr


def test_it_requires_a_secret_key_when_debug_is_off(tmp_path):
    result = run_manage(tmp_path, "check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="x.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_passes_the_deploy_check_with_production_settings(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_complains_in_debug(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", DJANGO_DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] > 0


def test_the_default_database_is_sqlite_in_wal_mode_under_the_var_dir(tmp_path):
    script = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0], connection.settings_dict['NAME'])"
    )
    result = run_manage(tmp_path, "shell", "-c", script, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    mode, name = result.stdout.split()[-2:]
    assert mode == "wal"
    assert name == str(tmp_path / "db.sqlite3")


def test_sessions_are_read_through_a_cache_every_process_of_the_machine_shares(tmp_path):
    """Without Redis the sessions' cache is the file cache under var/: a session one worker
    process writes is what another reads, never a stale copy in some process's memory."""
    env = {"DJANGO_DEBUG": "1", "REDIS_URL": ""}
    assert run_manage(tmp_path, "migrate", "sessions", **env).returncode == 0
    write = (
        "from importlib import import_module; from django.conf import settings; "
        "from django.contrib.sessions.models import Session; "
        "store = import_module(settings.SESSION_ENGINE).SessionStore(); "
        "store['quiz'] = 'q-7'; store.save(); "
        "Session.objects.filter(pk=store.session_key).delete(); print(store.session_key)"
    )
    written = run_manage(tmp_path, "shell", "-c", write, **env)
    assert written.returncode == 0, written.stderr
    key = written.stdout.split()[-1]

    read = (
        "from importlib import import_module; from django.conf import settings; "
        f"print(import_module(settings.SESSION_ENGINE).SessionStore({key!r}).get('quiz'))"
    )
    result = run_manage(tmp_path, "shell", "-c", read, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "q-7"
