"""CPU time of the benches' processes, read from /proc (Linux), for figures per request.

On a shared machine a rate drifts with whatever else runs; the CPU a request costs drifts
far less, and on a saturated machine it is what decides the rate. A group is a process and
its descendants (gunicorn's workers, PostgreSQL's backends), found anew at each reading, so
processes started meanwhile count; one that ended meanwhile counts through its parent,
whose reaped children's time the kernel adds up (cutime, cstime).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, int]]:
    """pid: (parent pid, CPU ticks of its own and of its reaped children)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name, in brackets, may hold spaces: the fields follow its end.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue  # ended while we read
        utime, stime, cutime, cstime = map(int, fields[11:15])
        found[int(entry.name)] = (int(fields[1]), utime + stime + cutime + cstime)
    return found


def group_seconds(roots: dict[str, int]) -> dict[str, float]:
    """The CPU seconds each group (name: its root's pid) has used so far."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    used = {}
    for name, root in roots.items():
        ticks, waiting = 0, [root] if root in processes else []
        while waiting:
            pid = waiting.pop()
            ticks += processes[pid][1]
            waiting += children.get(pid, [])
        used[name] = ticks / TICKS
    return used


def postmaster_pid(data_dir: Path) -> int | None:
    """The pid of the PostgreSQL server on `data_dir`, from its lock file's first line."""
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class CpuMeter:
    """CPU seconds of each group between `start()` and `stop()`; a group whose root is None
    (no database server on SQLite) is left out."""

    def __init__(self, roots: dict[str, int | None]) -> None:
        self.roots = {name: pid for name, pid in roots.items() if pid is not None}
        self.before: dict[str, float] = {}

    def start(self) -> None:
        self.before = group_seconds(self.roots)

    def stop(self) -> dict[str, float]:
        after = group_seconds(self.roots)
        return {name: after[name] - self.before.get(name, 0) for name in self.roots}


def reference_milliseconds(tries: int = 5) -> float:
    """The CPU milliseconds a fixed piece of Python takes here now (the least of `tries`):
    on a shared machine the same work's CPU time drifts with the load, by as much as three
    quarters within minutes (bench/HISTORY.md, round 21), so a CPU figure compares with
    another run's only where their references are alike."""
    best = float("inf")
    for _ in range(tries):
        started = time.thread_time()
        table = {str(number): number for number in range(200_000)}
        best = min(best, time.thread_time() - started)
        del table
    return best * 1000


def py_spy(pid: int, output: Path, *, seconds: float, rate: int) -> subprocess.Popen:
    """py-spy recording the process `pid` and its children for `seconds`, without pausing
    them, as collapsed stacks (`--format raw`) in `output`."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--format",
            "raw",
            "--duration",
            str(seconds),
            "--rate",
            str(rate),
            "--output",
            str(output),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
