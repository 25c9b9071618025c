"""The quiz play path in process: SQL statements and milliseconds per request.

Plays Quick quizzes through Django's test client (the site's middleware and templates,
DEBUG off, no HTTP server) on a throwaway SQLite database, or PostgreSQL with
--database postgresql, as a guest and as a signed-in learner, as bench/load.py's takers
do: start (claiming a Quick quiz planned ahead, as the worker keeps them), each question as
htmx asks for it, each answer, the result. Prints each kind
of request's statements and median time; --profile DIR writes a cProfile of the
quiz start, question, answer and result requests in DIR, one file per player and kind,
for `python -m pstats FILE`; --calls N prints each kind's Python calls a request (as
cProfile counts them, exact where times drift) and where they go, a tree of the functions
making N calls a request or more, each with every call made under it.

    .venv/bin/python bench/play_path.py
    .venv/bin/python bench/play_path.py --quizzes 40 --profile var/play-profiles
    .venv/bin/python bench/play_path.py --quizzes 20 --calls 40

It prints figures and never fails on time.
"""

import argparse
import cProfile
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.httpquiz import HTMX, csrf_token, question_on  # noqa: E402
from tests.servers import NO_START_LIMITS, SECRET_KEY, PostgresCluster, postgres_bin  # noqa: E402

# As a browser's form and htmx send it (the test client would send multipart).
FORM = "application/x-www-form-urlencoded"

PASSWORD = "bench user password, not a secret"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quizzes", type=int, default=30, help="quizzes per kind of player")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--profile", type=Path, help="write a cProfile of each kind of play request here"
    )
    parser.add_argument(
        "--calls",
        type=float,
        metavar="N",
        help="print each kind's call tree, the functions making N calls a request or more",
    )
    parser.add_argument(
        "--sql", action="store_true", help="print the statements of one request of each kind"
    )
    options = parser.parse_args()
    if options.profile and options.calls is not None:
        parser.error("--profile and --calls each take Python's profiling hook: one at a time")
    with ExitStack() as stack:
        var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="qs-play-"))
        os.environ.update(
            QUIZSITE_VAR_DIR=var_dir,
            DJANGO_SETTINGS_MODULE="quizsite.settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DJANGO_ALLOWED_HOSTS="testserver",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_LOG_LEVEL="WARNING",
            **NO_START_LIMITS,
        )
        for name in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(name, None)
        if options.database == "postgresql":
            if postgres_bin() is None:
                sys.exit("PostgreSQL is not installed")
            os.environ["DATABASE_URL"] = stack.enter_context(PostgresCluster()).url
        run(options)


class CallTree:
    """Python's profiling hook counting calls: each function under the one that called it,
    with every call made under it (itself included), as cProfile counts them (Python
    functions and built-ins)."""

    def __init__(self) -> None:
        self.root = {"calls": 0, "under": {}}
        self.stack = [self.root]
        self.requests = 0

    def __call__(self, frame, event, arg) -> None:
        if event in ("call", "c_call"):
            if event == "call":
                code = frame.f_code
                where = code.co_filename.replace(f"{ROOT}/", "").split("site-packages/")[-1]
                name = f"{where}:{code.co_firstlineno}({code.co_name})"
            else:
                name = f"<{getattr(arg, '__qualname__', arg)}>"
            under = self.stack[-1]["under"]
            node = under.get(name) or under.setdefault(name, {"calls": 0, "under": {}})
            for caller in self.stack:
                caller["calls"] += 1
            self.stack.append(node)
        elif len(self.stack) > 1:  # a return, or a built-in's exception
            self.stack.pop()

    @contextmanager
    def counting(self):
        self.requests += 1
        sys.setprofile(self)
        try:
            yield
        finally:
            sys.setprofile(None)
            del self.stack[1:]

    def print(self, at_least: float, node=None, depth: int = 0) -> None:
        node = node or self.root
        for name, child in sorted(node["under"].items(), key=lambda item: -item[1]["calls"]):
            if child["calls"] / self.requests >= at_least:
                print(f"{'  ' * depth}{child['calls'] / self.requests:9.1f} {name}")
                self.print(at_least, child, depth + 1)


def run(options) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("sync_decks", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    learner = get_user_model().objects.create_user("learner", password=PASSWORD)

    profilers: dict[tuple[str, str], cProfile.Profile] = {}
    call_trees: dict[tuple[str, str], CallTree] = {}
    figures: dict[tuple[str, str], list[tuple[float, float, int]]] = {}

    @contextmanager
    def measured(player: str, kind: str):
        profiler = None
        if options.profile:
            # CPU time, as the figures: a profile taken on a busy machine otherwise counts
            # the waits for a core (and a file rename's disk flush) as the functions' own.
            profiler = profilers.setdefault((player, kind), cProfile.Profile(time.thread_time))
        statements = []

        def count(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with ExitStack() as calls, connection.execute_wrapper(count):
            if options.calls is not None:
                calls.enter_context(call_trees.setdefault((player, kind), CallTree()).counting())
            if profiler:
                profiler.enable()
            started, cpu_started = time.perf_counter(), time.thread_time()
            yield
            cpu = time.thread_time() - cpu_started
            elapsed = time.perf_counter() - started
            if profiler:
                profiler.disable()
        row = (elapsed * 1000, cpu * 1000, len(statements))
        rows = figures.setdefault((player, kind), [])
        rows.append(row)
        if options.sql and len(rows) == 3:
            print(f"\n{player}, {kind}:", *statements, sep="\n  ")

    from quizzes.models import Deck
    from quizzes.services.attempts import ready_quick_quizzes_top_up

    deck = Deck.objects.get(slug="fastai")
    for player in ("guest", "signed in"):
        # Quick quizzes planned ahead, as the worker keeps them: every start claims one.
        ready_quick_quizzes_top_up(deck=deck, target=options.quizzes)
        client = Client(enforce_csrf_checks=True)
        if player == "signed in":
            client.force_login(learner)
        token = csrf_token(client.get("/quiz/").content.decode())
        for _ in range(options.quizzes):
            with measured(player, "quiz start"):
                started = client.post(
                    "/quiz/quick/",
                    urlencode({"deck": "fastai"}),
                    content_type=FORM,
                    headers={"X-CSRFToken": token},
                )
            play_path = started["Location"]
            while True:
                with measured(player, "question"):
                    page = client.get(play_path, headers=HTMX)
                question = question_on(page.content.decode())
                if question is None:
                    break
                position, choices = question
                with measured(player, "answer"):
                    answered = client.post(
                        play_path + "answer/",
                        urlencode({"position": str(position), "choice": choices[0]}),
                        content_type=FORM,
                        headers={**HTMX, "X-CSRFToken": token},
                    )
                assert answered.status_code == 200, answered.status_code
            with measured(player, "result"):
                result = client.get(play_path + "result/")
            assert result.status_code == 200, result.status_code

    print(f"{options.database}, {options.quizzes} Quick quizzes per player, in process")
    print("(CPU: this process's own, the database's included for SQLite, not PostgreSQL's)")
    print(f"{'player':<11}{'request':<12}{'count':>7}{'SQL':>6}{'wall ms':>9}{'CPU ms':>8}")
    for (player, kind), rows in figures.items():
        statements = statistics.median(count for _, _, count in rows)
        wall = statistics.median(ms for ms, _, _ in rows)
        cpu = statistics.median(ms for _, ms, _ in rows)
        print(f"{player:<11}{kind:<12}{len(rows):>7}{statements:>6g}{wall:>9.2f}{cpu:>8.2f}")
    for (player, kind), tree in call_trees.items():
        print(f"\n{player}, {kind}: {tree.root['calls'] / tree.requests:.1f} calls a request")
        tree.print(options.calls)
    if profilers:
        options.profile.mkdir(parents=True, exist_ok=True)
        for (player, kind), profiler in profilers.items():
            profiler.dump_stats(options.profile / f"{player}-{kind}.prof".replace(" ", "-"))
        print(f"profiles: {options.profile}/")


if __name__ == "__main__":
    main()
