"""Throughput of each page as a share of a bare Django view, production-style.

Starts the site under gunicorn with its background worker as `make serve` does (DEBUG off,
whitenoise, quizsite/gunicorn.py settings) on a throwaway SQLite database and, where
PostgreSQL is installed, a throwaway cluster; loads the deck; then, for each page, runs wrk
against the bare view (`HttpResponse("ok")` through the same middleware, bench/urls.py) and
against the page back to back, and prints the ratio of their requests per second. It never
fails on time.

    .venv/bin/python bench/throughput.py                  # both databases, 5 s a run
    .venv/bin/python bench/throughput.py --seconds 10 --rounds 3 --databases sqlite
    .venv/bin/python bench/throughput.py --profile var/profiles   # py-spy while measuring
    .venv/bin/python bench/throughput.py --pages "quiz answer,quiz question"

The answer round trip posts, as htmx does, answers to questions that are shown and waiting
(bench/prepare.py makes them), each answer once; the question row asks for the current
question of Quick quizzes standing at their first question, shown, as htmx does; the quiz
start posts the Quick quiz form twice over: with enough Quick quizzes planned ahead for the
run (as the worker keeps them, so each start claims one), and with none at the run's start
(each start plans its own until the worker, asked, has planned more: a rush beyond its pace).
Both run as a logged-in user, as do the pages marked "signed in"; the other pages as a
visitor. Loopback only, bounded in time.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.cpu import CpuMeter, postmaster_pid, py_spy  # noqa: E402
from tests.httpquiz import Player  # noqa: E402
from tests.servers import (  # noqa: E402
    NO_START_LIMITS,
    Gunicorn,
    PostgresCluster,
    Worker,
    manage,
    postgres_bin,
    site_env,
)

USERNAME = "bench"
PASSWORD = "bench user password, not a secret"
LUA = Path(__file__).with_name("requests.lua")
# Quick quizzes planned ahead for a start run, per second of it: more than it can start.
READY_PER_SECOND = 400
READY = """
from quizzes.models import Deck, ReadyQuiz
from quizzes.services.attempts import ready_quick_quizzes_top_up
ReadyQuiz.objects.all().delete()
if {wanted}:
    ready_quick_quizzes_top_up(deck=Deck.objects.get(slug="fastai"), target={wanted})
print(ReadyQuiz.objects.count())
"""
READY_LEFT = "from quizzes.models import ReadyQuiz; print(ReadyQuiz.objects.count())"

PAGES = [
    ("quiz answer (htmx POST)", "answer"),
    ("quiz question (htmx GET)", "question"),
    ("quiz start, planned ahead", "start-ready"),
    ("quiz start, none ready", "start"),
    ("card list", "/decks/fastai/"),
    ("search ?q=softmax", "/decks/fastai/?q=softmax"),
    ("card page", "/decks/fastai/cards/7/"),
    ("home", "/"),
    # A visitor's deck pages come whole from the cache (caching.public_page); a signed-in
    # learner's from a second kept copy, with their navigation (name, reviews due) filled in.
    ("card list, signed in", "signed-in /decks/fastai/"),
    ("card page, signed in", "signed-in /decks/fastai/cards/7/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=1, help="bare/page pairs per page")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--profile", type=Path, help="write a py-spy profile per page here")
    parser.add_argument(
        "--pages",
        help="only these rows, by the start of their names, comma-separated (e.g. 'quiz')",
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    print(
        f"{os.cpu_count()} cores; wrk -t{options.threads} -c{options.connections} "
        f"-d{options.seconds}s; gunicorn per quizsite/gunicorn.py"
    )
    for database in options.databases.split(","):
        if database == "postgresql" and postgres_bin() is None:
            print("\nPostgreSQL is not installed: skipped")
            continue
        with ExitStack() as stack:
            var_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qs-bench-")))
            env = {"QUIZSITE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "bench.settings"}
            server = None
            if database == "postgresql":
                cluster = stack.enter_context(PostgresCluster())
                env["DATABASE_URL"], server = cluster.url, postmaster_pid(cluster.dir / "data")
            measure(site_env(**env, **NO_START_LIMITS), var_dir, database, options, server)


def measure(env: dict[str, str], var_dir: Path, database: str, options, server: int | None) -> None:
    manage("migrate", "--no-input", env=env)
    manage("sync_decks", env=env)
    manage("collectstatic", "--no-input", env=env)
    answers_file, playing_file = var_dir / "answers.json", var_dir / "playing.json"
    # Enough waiting questions that every answer of every round is a first answer (a quiz
    # of the most questions on the fastai deck asks about 79).
    attempts = max(20, options.rounds * options.seconds * 40)
    manage(
        "shell",
        "-c",
        f"from bench.prepare import main; main({str(answers_file)!r}, {attempts}, "
        f"{USERNAME!r}, {PASSWORD!r}, {str(playing_file)!r})",
        env=env,
    )
    with (
        Worker(env=env) as worker,
        Gunicorn(env=env, workers=int(env.get("WEB_CONCURRENCY", 0)) or None) as site,
    ):
        base = site.url("").rstrip("/")
        # The site's processes, its worker's and the database server's: wrk's own are not.
        options.meter = CpuMeter(
            {"site": site.process.pid, "worker": worker.process.pid, "database": server}
        )
        headers = login_headers(base)
        request_files = {
            "answer": write_requests(
                var_dir / "answer.tsv",
                [
                    ("POST", f"/quiz/{attempt}/answer/", f"position={position}&choice={choice}")
                    for attempt, position, choice in json.loads(answers_file.read_text())
                ],
            ),
            # The question a Quick quiz stands at, shown and waiting, as htmx asks for it
            # again (after a reload or the countdown); showing it again writes nothing.
            "question": write_requests(
                var_dir / "question.tsv",
                [
                    ("GET", f"/quiz/{attempt}/", "")
                    for attempt in json.loads(playing_file.read_text())
                ],
            ),
            "start": write_requests(
                var_dir / "start.tsv", [("POST", "/quiz/quick/", "deck=fastai")]
            ),
        }
        request_files["start-ready"] = request_files["start"]
        for _, target in PAGES:  # warm every worker up
            if target.startswith("/"):
                wrk(base + target, seconds=1, options=options)
            elif target.startswith("signed-in "):
                wrk(base + target.split()[1], seconds=1, options=options, headers=headers[:1])
        wrk(base + "/bench/bare/", seconds=1, options=options)

        print(
            f"\n{database}: requests/s, and the page's share of the bare view's; CPU ms per "
            "request (gunicorn, its worker and the database server), and the bare view's "
            "CPU per request as a share of the page's"
        )
        print(
            f"{'request':<26}{'page':>8}{'bare':>8}{'ratio':>8}{'p50 ms':>8}{'p99 ms':>8}"
            f"{'cpu ms':>8}{'bare':>7}{'ratio':>7}  notes"
        )
        chosen = [
            (name, target)
            for name, target in PAGES
            if not options.pages or name.startswith(tuple(options.pages.split(",")))
        ]
        answers_sent = 0  # by the rounds so far
        for name, target in chosen:
            for _ in range(options.rounds):
                if target.startswith("start"):
                    wanted = options.seconds * READY_PER_SECOND if target == "start-ready" else 0
                    manage("shell", "-c", READY.format(wanted=wanted), env=env, timeout=900)
                bare = wrk(
                    base + "/bench/bare/", seconds=options.seconds, options=options, port=site.port
                )
                profile = None
                if options.profile:
                    options.profile.mkdir(parents=True, exist_ok=True)
                    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                    profile = options.profile / f"{database}-{slug}.txt"
                if target.startswith("/"):
                    page = wrk(
                        base + target,
                        seconds=options.seconds,
                        options=options,
                        profile=(profile, site) if profile else None,
                        port=site.port,
                    )
                elif target.startswith("signed-in "):
                    page = wrk(
                        base + target.split()[1],
                        seconds=options.seconds,
                        options=options,
                        headers=headers[:1],  # the session cookie alone
                        profile=(profile, site) if profile else None,
                        port=site.port,
                    )
                else:
                    page = wrk(
                        base + "/",
                        seconds=options.seconds,
                        options=options,
                        headers=headers,
                        requests_file=request_files[target],
                        profile=(profile, site) if profile else None,
                        port=site.port,
                        # Each round's answers go on from where the last round's stopped:
                        # an answer sent again is only shown again, a fraction of the work.
                        **({"skip": answers_sent} if target == "answer" else {}),
                    )
                if target == "answer":
                    answers_sent += page["sent"]
                notes = page["notes"] + [f"bare: {note}" for note in bare["notes"]]
                if target == "start-ready":
                    left = int(manage("shell", "-c", READY_LEFT, env=env).split()[-1])
                    if left == 0:
                        notes.append("the plans ran out")
                if target == "answer" and page["wrapped"]:
                    notes.append("the answers ran out: some were sent twice")
                notes = ", ".join(notes)
                print(
                    f"{name:<26}{page['rps']:>8.0f}{bare['rps']:>8.0f}"
                    f"{page['rps'] / bare['rps']:>8.2f}{page['p50']:>8.1f}{page['p99']:>8.1f}"
                    f"{page['cpu_ms']:>8.2f}{bare['cpu_ms']:>7.2f}"
                    f"{bare['cpu_ms'] / page['cpu_ms']:>7.2f}  {notes}",
                    flush=True,
                )


def login_headers(base: str) -> list[str]:
    with httpx.Client(timeout=30) as client:
        player = Player(client)
        response = player.log_in(base, USERNAME, PASSWORD)
        assert response.status_code == 302, response.status_code
        session, token = client.cookies["sessionid"], client.cookies["csrftoken"]
    return [
        f"Cookie: sessionid={session}; csrftoken={token}",
        f"X-CSRFToken: {token}",
        "HX-Request: true",
        "Content-Type: application/x-www-form-urlencoded",
    ]


def write_requests(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(f"{method}\t{target}\t{body}\n" for method, target, body in rows))
    return path


def wrk(url, *, port=None, **kwargs) -> dict:
    """wrk's figures for `url`. With `port`, a run whose connections all went to one worker
    process is run again (at most twice), and the notes say so: keep-alive pins each
    connection to the worker that accepted it and one worker holds one core (the GIL), so
    such a run measures one process, not the site (signed-in pages at a third of their
    rate, the bare view at 1,800 requests/s instead of 5,000)."""
    reruns = sent = 0
    while True:
        spread: list[list[int]] = []
        sampler = None
        if port is not None and shutil.which("ss"):
            sampler = threading.Timer(kwargs["seconds"] / 2, _sample_spread, (spread, port))
            sampler.start()
        figures = _wrk_once(url, **kwargs)
        if "skip" in kwargs:  # a run again goes on from where this one stopped
            sent += figures["sent"]
            kwargs["skip"] += figures["sent"]
        if sampler is not None:
            sampler.join()
        on_one_worker = bool(spread) and len(spread[0]) == 1
        if not on_one_worker or reruns == 2:
            break
        reruns += 1
    figures["sent"] = sent
    if reruns:
        figures["notes"].append(f"run again {reruns}x: all connections on one worker")
    if on_one_worker:
        figures["notes"].append("all connections on one worker")
    return figures


def _wrk_once(
    url, *, seconds, options, headers=(), requests_file=None, skip=0, profile=None
) -> dict:
    command = [
        "wrk",
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for header in headers:
        command += ["-H", header]
    env = dict(os.environ)
    if requests_file is not None:
        command += ["-s", str(LUA)]
        env.update(
            WRK_THREADS=str(options.threads),
            REQUESTS_FILE=str(requests_file),
            REQUESTS_SKIP=str(skip),
        )
    spy = None
    if profile is not None:
        path, site = profile
        spy = py_spy(site.process.pid, path, seconds=seconds, rate=200)
    options.meter.start()
    finished = subprocess.run(
        [*command, url], env=env, capture_output=True, text=True, timeout=seconds + 60
    )
    used = options.meter.stop()
    output = finished.stdout + finished.stderr
    if spy is not None:
        spy.wait(timeout=seconds + 60)
    figures = parse_wrk(output)
    figures["cpu_ms"] = sum(used.values()) * 1000 / max(figures["done"], 1)
    return figures


def _sample_spread(into: list, port: int) -> None:
    into.append(connections_per_worker(port))


def connections_per_worker(port: int) -> list[int]:
    """The established connections to `port`, counted per server process, most first."""
    listing = subprocess.run(
        ["ss", "-tnp", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout
    return sorted(Counter(re.findall(r"pid=(\d+)", listing)).values(), reverse=True)


def parse_wrk(output: str) -> dict:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rps is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    notes = []
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        notes.append(f"{match.group(1)} errors")
    if match := re.search(r"Socket errors: (.*)", output):
        notes.append(f"socket errors {match.group(1)}")
    sent = re.search(r"REQUEST LINES SENT (\d+)", output)
    done = re.search(r"(\d+) requests in", output)
    return {
        "done": int(done.group(1)) if done else 0,
        "rps": float(rps.group(1)),
        "p50": latency_ms(output, "50%"),
        "p99": latency_ms(output, "99%"),
        "notes": notes,
        "wrapped": "REQUEST LIST WRAPPED" in output,
        "sent": int(sent.group(1)) if sent else 0,
    }


def latency_ms(output: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]


if __name__ == "__main__":
    main()
