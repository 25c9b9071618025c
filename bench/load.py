"""Many people taking quizzes at once: errors, lost answers and latency under load.

Starts the site under gunicorn with its background worker as `make serve` does, on a
throwaway SQLite database and, where PostgreSQL is installed, a throwaway cluster, and waits
for the worker to plan Quick quizzes ahead (`sync_decks` asks it to as the site starts).
Then TAKERS simulated guests each take Quick quizzes for the given time: start one, answer
every question 0.5 to 2 s after it is shown (as htmx does), open the result, start again.
Afterwards every answer the site acknowledged with a 200 is looked up in the database: one
that is not stored there is lost.
The takers arrive over the first two seconds, so every one of them starts a quiz at once;
besides the whole run's latency it prints that of the requests sent from SETTLED_AFTER
seconds on, the site under steady load, and the p99 of each WINDOW seconds: having started
together, the takers finish their quizzes together, and the results and new starts come in
waves (the tail is theirs). When the site answered with a 5xx, it prints the
first tracebacks the site logged.

    .venv/bin/python bench/load.py                       # 200 takers, 60 s, both databases
    .venv/bin/python bench/load.py --takers 50 --seconds 20 --databases sqlite

Loopback only; every taker stops at the deadline. It prints figures and never fails on time.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.cpu import CpuMeter, postmaster_pid, py_spy, reference_milliseconds  # noqa: E402
from tests.httpquiz import HTMX, csrf_token, question_on  # noqa: E402
from tests.servers import (  # noqa: E402
    NO_START_LIMITS,
    Gunicorn,
    PostgresCluster,
    Worker,
    manage,
    postgres_bin,
    site_env,
)

SETTLED_AFTER = 10  # seconds
WINDOW = 3  # seconds, for the p99 over time

READY_COUNT = """
from django.conf import settings
from quizzes.models import ReadyQuiz
print(ReadyQuiz.objects.count(), settings.QUIZSITE_READY_QUICK_QUIZZES)
"""

# How the run's Quick quiz starts were served: every plan the worker made was either claimed
# by a start or is still waiting, so the starts served a ready plan are the plans made less
# those left, and the rest planned their quiz in the request (the dearer start).
QUICK_STARTS = """
from django_tasks_db.models import DBTaskResult
from quizzes.models import Attempt, ReadyQuiz
top_ups = DBTaskResult.objects.filter(
    task_path__endswith=".ready_quick_quizzes_top_up_task", status="SUCCESSFUL"
)
planned = sum(top_ups.values_list("return_value", flat=True))
print(Attempt.objects.filter(is_quick=True).count(), planned, ReadyQuiz.objects.count(),
      top_ups.count())
"""

CHECK_ANSWERS = """
import json
from quizzes.models import AttemptQuestion
acknowledged = json.load(open({path!r}))
stored = set(
    AttemptQuestion.objects.exclude(outcome="").values_list(
        "attempt_id", "position", "chosen_choice_id"
    )
)
stored = {{(str(attempt), position, choice) for attempt, position, choice in stored}}
print(sum(tuple(answer) not in stored for answer in acknowledged))
"""


@dataclass
class Figures:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    # Those of requests sent once every taker has arrived and the first quizzes are under
    # way (SETTLED_AFTER): the site under steady load, without the opening rush.
    settled: list[float] = field(default_factory=list)
    # Per WINDOW seconds since the start: the latencies of the requests sent in it.
    windows: dict[int, list[float]] = field(default_factory=dict)
    began: float = field(default_factory=time.perf_counter)
    errors: dict[str, int] = field(default_factory=dict)
    acknowledged: list[tuple[str, int, str]] = field(default_factory=list)
    quizzes_finished: int = 0
    # Quick quiz starts: all of them, and those served a plan the worker made ahead.
    starts: int = 0
    starts_ready: int = 0
    top_ups: int = 0  # the worker's runs of planning
    # How late the takers' own event loop woke up (ms): time the takers' process, on the same
    # cores as the site, spent waiting for a core is counted in the latencies above it.
    loop_lag: list[float] = field(default_factory=list)
    # CPU seconds over the run per group of processes, and what the cores had in all.
    cpu: dict[str, float] = field(default_factory=dict)
    cpu_available: float = 0.0
    # A fixed piece of Python's CPU milliseconds before and after the run (cpu.py).
    reference: tuple[float, float] = (0.0, 0.0)

    def timed(self, kind: str, started: float, ended: float) -> None:
        milliseconds = (ended - started) * 1000
        self.latencies.setdefault(kind, []).append(milliseconds)
        if started - self.began >= SETTLED_AFTER:
            self.settled.append(milliseconds)
        self.windows.setdefault(int((started - self.began) // WINDOW), []).append(milliseconds)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--takers", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--profile", type=Path, help="write py-spy profiles of the site and its worker here"
    )
    options = parser.parse_args()
    print(
        f"{os.cpu_count()} cores; {options.takers} quiz takers for {options.seconds} s; "
        "gunicorn per quizsite/gunicorn.py"
    )
    for database in options.databases.split(","):
        if database == "postgresql" and postgres_bin() is None:
            print("\nPostgreSQL is not installed: skipped")
            continue
        with ExitStack() as stack:
            var_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qs-load-")))
            env = {"QUIZSITE_VAR_DIR": str(var_dir)}
            server = None
            if database == "postgresql":
                cluster = stack.enter_context(PostgresCluster())
                env["DATABASE_URL"], server = cluster.url, postmaster_pid(cluster.dir / "data")
            env = site_env(**env, **NO_START_LIMITS)
            manage("migrate", "--no-input", env=env)
            manage("sync_decks", env=env)
            manage("collectstatic", "--no-input", env=env)
            with (
                Worker(env=env) as worker,
                Gunicorn(env=env, workers=None, threads=None) as site,
            ):
                base = site.url("").rstrip("/")
                print(f"\n{database}: {ready_quizzes(env)} Quick quizzes ready", flush=True)
                meter = CpuMeter(
                    {"site": site.process.pid, "worker": worker.process.pid, "database": server}
                )
                reference_before = reference_milliseconds()
                spies = profiled(options, database, site=site, worker=worker)
                meter.start()
                takers_before, wall_before = os.times(), time.monotonic()
                figures = asyncio.run(run(base, options))
                figures.cpu = meter.stop()
                for spy in spies:
                    spy.wait()
                takers_after = os.times()
                figures.cpu["takers"] = (takers_after.user + takers_after.system) - (
                    takers_before.user + takers_before.system
                )
                figures.cpu_available = (time.monotonic() - wall_before) * (os.cpu_count() or 1)
                figures.reference = (reference_before, reference_milliseconds())
                server_log = site.full_output()
            figures.starts, planned, waiting, figures.top_ups = map(
                int, manage("shell", "-c", QUICK_STARTS, env=env).split()[-4:]
            )
            figures.starts_ready = planned - waiting
            report(database, figures, lost_answers(figures, env, var_dir))
            if any("HTTP 5" in error for error in figures.errors):
                print(server_errors(server_log))


def profiled(options, database: str, **processes) -> list[subprocess.Popen]:
    """py-spy recording each of `processes` (and its children) for the run, in
    options.profile; none without it."""
    if options.profile is None:
        return []
    options.profile.mkdir(parents=True, exist_ok=True)
    return [
        py_spy(
            process.process.pid,
            options.profile / f"{database}-{name}.txt",
            seconds=options.seconds,
            rate=100,
        )
        for name, process in processes.items()
    ]


async def run(base: str, options) -> Figures:
    figures = Figures()
    deadline = time.monotonic() + options.seconds
    async with asyncio.TaskGroup() as group:
        group.create_task(loop_lag(deadline, figures))
        for number in range(options.takers):
            rng = random.Random(number)
            group.create_task(taker(base, rng, deadline, figures))
            await asyncio.sleep(0.01)  # ramp up over the first two seconds
    return figures


async def loop_lag(deadline, figures: Figures, interval: float = 0.01) -> None:
    while time.monotonic() < deadline:
        asked = time.perf_counter()
        await asyncio.sleep(interval)
        figures.loop_lag.append((time.perf_counter() - asked - interval) * 1000)


def ready_quizzes(env: dict[str, str], *, wait: float = 60) -> int:
    """How many Quick quizzes the worker has ready, once it has topped them up (or after
    `wait` seconds)."""
    give_up = time.monotonic() + wait
    while True:
        ready, wanted = map(int, manage("shell", "-c", READY_COUNT, env=env).split()[-2:])
        if ready >= wanted or time.monotonic() > give_up:
            return ready
        time.sleep(0.5)


def browser(base: str) -> aiohttp.ClientSession:
    """One taker's browser: its own cookies (unsafe=True: the site is at an IP address) and
    one connection kept alive."""
    return aiohttp.ClientSession(
        base_url=base,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        connector=aiohttp.TCPConnector(limit=1),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def taker(base: str, rng: random.Random, deadline, figures) -> None:
    async with browser(base) as client:
        try:
            home = await request(client, figures, "home", "GET", "/")
            token = csrf_token(home.text)
            while time.monotonic() < deadline:
                await one_quiz(client, rng, deadline, figures, token)
        except (aiohttp.ClientError, TimeoutError, AssertionError) as error:
            figures.error(f"{type(error).__name__}: {str(error)[:80]}")


async def one_quiz(client, rng, deadline, figures, token: str) -> None:
    started = await request(
        client,
        figures,
        "quiz start",
        "POST",
        "/quiz/quick/",
        data={"deck": "fastai", "csrfmiddlewaretoken": token},
    )
    play_path = started.location
    if started.status != 302 or not play_path.startswith("/quiz/"):
        return
    attempt_id = play_path.strip("/").split("/")[1]
    while True:
        page = await request(client, figures, "question", "GET", play_path, headers=HTMX)
        question = question_on(page.text) if page.status == 200 else None
        if question is None:
            break
        position, choices = question
        await asyncio.sleep(rng.uniform(0.5, 2.0))
        if time.monotonic() >= deadline:
            return
        choice = rng.choice(choices)
        answered = await request(
            client,
            figures,
            "answer",
            "POST",
            play_path + "answer/",
            data={"position": str(position), "choice": choice},
            headers={**HTMX, "X-CSRFToken": token},
        )
        if answered.status == 200:
            figures.acknowledged.append((attempt_id, position, choice))
        else:
            return
    result = await request(client, figures, "result", "GET", play_path + "result/")
    if result.status == 200:
        figures.quizzes_finished += 1


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    text: str


async def request(client, figures: Figures, kind: str, method: str, path: str, **kwargs) -> Reply:
    started = time.perf_counter()
    async with client.request(method, path, allow_redirects=False, **kwargs) as response:
        reply = Reply(response.status, response.headers.get("Location", ""), await response.text())
    figures.timed(kind, started, time.perf_counter())
    # A play page answers an htmx request for a finished quiz with HX-Redirect (200).
    if reply.status >= 400:
        figures.error(f"{kind}: HTTP {reply.status}")
    return reply


def lost_answers(figures: Figures, env: dict[str, str], var_dir: Path) -> int:
    path = var_dir / "acknowledged.json"
    path.write_text(json.dumps(figures.acknowledged))
    output = manage("shell", "-c", CHECK_ANSWERS.format(path=str(path)), env=env)
    return int(output.split()[-1])


def server_errors(log: str, limit: int = 3) -> str:
    """The first few tracebacks the site logged, for a run that met server errors."""
    found = log.split("Traceback (most recent call last):")[1 : limit + 1]
    return "\n".join("Traceback (most recent call last):" + text[:3000] for text in found)


def report(database: str, figures: Figures, lost: int) -> None:
    every = [ms for values in figures.latencies.values() for ms in values]
    print(
        f"\n{database}: {len(every)} requests, {figures.quizzes_finished} quizzes finished, "
        f"{len(figures.acknowledged)} answers acknowledged, {lost} lost, "
        f"{sum(figures.errors.values())} errors"
    )
    for what, count in sorted(figures.errors.items()):
        print(f"  error x{count}: {what}")
    print(
        f"quiz starts: {figures.starts}, {figures.starts_ready} of them from a plan made "
        f"ahead, {figures.starts - figures.starts_ready} planned in the request "
        f"({figures.top_ups} runs of the worker's planning)"
    )
    print(f"{'request':<12}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    rows = [*sorted(figures.latencies.items()), ("all", every)]
    for kind, values in [*rows, (f"from {SETTLED_AFTER} s", figures.settled)]:
        if not values:
            continue
        centiles = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        print(
            f"{kind:<12}{len(values):>8}{centiles[49]:>9.1f}{centiles[98]:>9.1f}{max(values):>9.1f}"
        )
    if len(figures.loop_lag) > 1:
        lag = statistics.quantiles(figures.loop_lag, n=100)
        print(
            f"the takers' own event loop woke late by p50 {lag[49]:.1f} ms, p99 {lag[98]:.1f} ms, "
            f"max {max(figures.loop_lag):.1f} ms (counted in the latencies above)"
        )
    if figures.cpu_available:
        print(cpu_used(figures, len(every)))
        print(
            "the same fixed piece of Python took {:.0f} ms of CPU before the run and {:.0f} "
            "after (compare CPU figures only between runs whose are alike)".format(
                *figures.reference
            )
        )
    print(f"p99 ms per {WINDOW} s window, from the start:")
    print(
        " ".join(
            f"{number * WINDOW}s:{percentile(values, 99):.0f}"
            for number, values in sorted(figures.windows.items())
        )
    )


def cpu_used(figures: Figures, requests: int) -> str:
    """Where the cores' time went over the run: a site that needs most of it queues."""
    parts = []
    for name, seconds in figures.cpu.items():
        part = f"{name} {seconds:.1f}"
        if name in ("site", "database") and requests:
            part += f" ({seconds * 1000 / requests:.2f} ms a request)"
        parts.append(part)
    share = sum(figures.cpu.values()) / figures.cpu_available
    return (
        f"CPU seconds: {', '.join(parts)}; {share:.0%} of the {figures.cpu_available:.0f} "
        "the cores had over the run"
    )


def percentile(values: list[float], centile: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100)[centile - 1]


if __name__ == "__main__":
    main()
