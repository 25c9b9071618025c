"""Many people taking quizzes at once: errors, lost answers and latency under load.

Starts the site under gunicorn as `make serve` does, on a throwaway SQLite database and,
where PostgreSQL is installed, a throwaway cluster. Then TAKERS simulated guests each take
Quick quizzes for the given time: start one, answer every question 0.5 to 2 s after it is
shown (as htmx does), open the result, start again. Afterwards every answer the site
acknowledged with a 200 is looked up in the database: one that is not stored there is lost.

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
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.httpquiz import HTMX, csrf_token, question_on  # noqa: E402
from tests.servers import NO_START_LIMITS, Gunicorn, PostgresCluster, manage, postgres_bin, site_env  # noqa: E402

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
    errors: dict[str, int] = field(default_factory=dict)
    acknowledged: list[tuple[str, int, str]] = field(default_factory=list)
    quizzes_finished: int = 0

    def timed(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds * 1000)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--takers", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--databases", default="sqlite,postgresql")
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
            if database == "postgresql":
                env["DATABASE_URL"] = stack.enter_context(PostgresCluster()).url
            env = site_env(**env, **NO_START_LIMITS)
            manage("migrate", "--no-input", env=env)
            manage("sync_decks", env=env)
            manage("collectstatic", "--no-input", env=env)
            with Gunicorn(env=env, workers=None, threads=None) as site:
                figures = asyncio.run(run(site.url("").rstrip("/"), options))
            report(database, figures, lost_answers(figures, env, var_dir))


async def run(base: str, options) -> Figures:
    figures = Figures()
    deadline = time.monotonic() + options.seconds
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with asyncio.TaskGroup() as group:
        for number in range(options.takers):
            client = httpx.AsyncClient(base_url=base, timeout=30, limits=limits)
            rng = random.Random(number)
            group.create_task(taker(client, rng, deadline, figures))
            await asyncio.sleep(0.01)  # ramp up over the first two seconds
    return figures


async def taker(client: httpx.AsyncClient, rng: random.Random, deadline, figures) -> None:
    async with client:
        try:
            home = await request(client, figures, "home", "GET", "/")
            token = csrf_token(home.text)
            while time.monotonic() < deadline:
                await one_quiz(client, rng, deadline, figures, token)
        except (httpx.HTTPError, AssertionError) as error:
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
    play_path = started.headers.get("Location", "")
    if started.status_code != 302 or not play_path.startswith("/quiz/"):
        return
    attempt_id = play_path.strip("/").split("/")[1]
    while True:
        page = await request(client, figures, "question", "GET", play_path, headers=HTMX)
        question = question_on(page.text) if page.status_code == 200 else None
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
        if answered.status_code == 200:
            figures.acknowledged.append((attempt_id, position, choice))
        else:
            return
    result = await request(client, figures, "result", "GET", play_path + "result/")
    if result.status_code == 200:
        figures.quizzes_finished += 1


async def request(client, figures: Figures, kind: str, method: str, path: str, **kwargs):
    started = time.perf_counter()
    response = await client.request(method, path, **kwargs)
    figures.timed(kind, time.perf_counter() - started)
    # A play page answers an htmx request for a finished quiz with HX-Redirect (200).
    if response.status_code >= 400:
        figures.error(f"{kind}: HTTP {response.status_code}")
    return response


def lost_answers(figures: Figures, env: dict[str, str], var_dir: Path) -> int:
    path = var_dir / "acknowledged.json"
    path.write_text(json.dumps(figures.acknowledged))
    output = manage("shell", "-c", CHECK_ANSWERS.format(path=str(path)), env=env)
    return int(output.split()[-1])


def report(database: str, figures: Figures, lost: int) -> None:
    every = [ms for values in figures.latencies.values() for ms in values]
    print(
        f"\n{database}: {len(every)} requests, {figures.quizzes_finished} quizzes finished, "
        f"{len(figures.acknowledged)} answers acknowledged, {lost} lost, "
        f"{sum(figures.errors.values())} errors"
    )
    for what, count in sorted(figures.errors.items()):
        print(f"  error x{count}: {what}")
    print(f"{'request':<12}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, values in [*sorted(figures.latencies.items()), ("all", every)]:
        if not values:
            continue
        centiles = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        print(
            f"{kind:<12}{len(values):>8}{centiles[49]:>9.1f}{centiles[98]:>9.1f}{max(values):>9.1f}"
        )


if __name__ == "__main__":
    main()
