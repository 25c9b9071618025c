"""The background worker (`manage.py db_worker`, quizzes/management/commands/db_worker.py)
runs at a lower CPU priority than the web processes, as QUIZSITE_WORKER_NICENESS says."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import ROOT, Worker, site_env


def niceness(pid: int) -> int:
    # The fields after the command's name, which is in parentheses and may hold spaces.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[16])


def settled_niceness(pid: int, *, expected: int, wait: float = 30) -> int:
    """The worker's niceness once it is `expected`, or as it is after `wait` seconds (it
    lowers its priority as its command starts, after Django has loaded)."""
    give_up = time.monotonic() + wait
    while (found := niceness(pid)) != expected and time.monotonic() < give_up:
        time.sleep(0.1)
    return found


@pytest.fixture
def worker_env(tmp_path, site_var_dir):
    return site_env(QUIZSITE_VAR_DIR=str(site_var_dir(tmp_path)))


pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc"),
    pytest.mark.own_processes,
]


@pytest.mark.parametrize(("setting", "niceness_set"), [(None, 10), ("0", 0), ("4", 4)])
def test_the_worker_runs_below_the_web_processes(worker_env, setting, niceness_set):
    if setting is not None:
        worker_env["QUIZSITE_WORKER_NICENESS"] = setting
    ours = os.nice(0)
    expected = max(ours, niceness_set)  # raised to it, never lowered
    with Worker(env=worker_env) as worker:
        assert settled_niceness(worker.process.pid, expected=expected) == expected
        assert worker.process.poll() is None  # and it goes on working


@pytest.mark.parametrize("value", ["20", "-5", "ten"])
def test_a_niceness_out_of_range_stops_start_up_and_says_why(value):
    run = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=site_env(QUIZSITE_WORKER_NICENESS=value),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "QUIZSITE_WORKER_NICENESS must be" in run.stderr
