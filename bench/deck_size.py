"""Does a page take longer on a deck of 100,000 cards than on the real deck of 79?

For each database (a throwaway SQLite file, and a throwaway PostgreSQL cluster where
PostgreSQL is installed) it loads the deck, adds 10,000 finished Quick quizzes by 1,000
learners (the bench learner among them), times every page at 79 cards, grows the deck to
100,000 cards in bulk (copies of the 79 with their tags and images, each text made
distinct), and times every page again. At each size a quiz start planned in the request is
timed first as it is before the worker has chosen the cards' wrong answers ("quiz start,
unchosen"); then the worker's choosing is done and timed, and the pages after it. Each page
is timed through Django's test client in-process (DEBUG off, the site's middleware, no
network): the median of 5 requests with
the cache cleared before each one (cold: what the database and templates cost) and the
median of 5 as served (warm: the page cache in use). It prints both and the ratio
100,000 / 79, and for the warm requests the CPU time this process spent (on SQLite the
database's work included: the figure to trust on a machine shared with other jobs, whose
wall time drifts) and the SQL statements each ran. It never fails on time.

    .venv/bin/python bench/deck_size.py                       # both databases
    .venv/bin/python bench/deck_size.py --databases sqlite --cards 20000
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import NO_START_LIMITS, PostgresCluster, postgres_bin, site_env  # noqa: E402

REPEAT = 5
LEARNERS = 1000
FINISHED_QUIZZES = 10_000
BENCH_LEARNER_QUIZZES = 500
# Quick quizzes the worker keeps ready, topped up before each start planned ahead.
READY_QUIZZES = 10
USERNAME = "bench"
PASSWORD = "bench user password, not a secret"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--cards", type=int, default=100_000, help="the large deck's size")
    parser.add_argument(
        "--keep",
        type=Path,
        help="leave the SQLite site here afterwards (a new folder), to look into a page at "
        "100,000 cards with QUIZSITE_VAR_DIR=KEEP",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure(options.cards)
        return
    print(
        f"{os.cpu_count()} cores; in-process test client, DEBUG off; median of {REPEAT}; "
        f"{FINISHED_QUIZZES:,} finished quizzes by {LEARNERS:,} learners"
    )
    for database in options.databases.split(","):
        if database == "postgresql" and postgres_bin() is None:
            print("\nPostgreSQL is not installed: skipped")
            continue
        with ExitStack() as stack:
            if options.keep and database == "sqlite":
                options.keep.mkdir(parents=True)
                var_dir = str(options.keep)
            else:
                var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="qs-size-"))
            env = {"QUIZSITE_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "quizsite.settings"}
            if database == "postgresql":
                env["DATABASE_URL"] = stack.enter_context(PostgresCluster()).url
            print(f"\n{database}", flush=True)
            subprocess.run(
                [sys.executable, __file__, "--child", "--cards", str(options.cards)],
                env=site_env(**env, **NO_START_LIMITS, DJANGO_CONN_MAX_AGE="600"),
                cwd=ROOT,
                check=True,
            )


def measure(size: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("sync_decks", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    started = time.perf_counter()
    quizzes_add()
    print(f"  {FINISHED_QUIZZES:,} finished quizzes added in {time.perf_counter() - started:.1f} s")

    small = unchosen_start_time()
    choices_choose()
    small.update(pages_time())
    started = time.perf_counter()
    added = deck_grow(size)
    print(f"  {added:,} cards added in {time.perf_counter() - started:.1f} s", flush=True)
    large = unchosen_start_time()
    choices_choose()
    large.update(pages_time())

    columns = ("cold ms", "cold ms", "ratio", "warm ms", "warm ms", "ratio")
    columns += ("CPU ms", "CPU ms", "ratio", "SQL", "SQL")
    print(f"  {'page':<22}" + "".join(f"{name:>9}" for name in columns))
    sizes = f"{'79':>9}{size:>9,}{'':>9}"
    print(f"  {'':<22}{sizes * 3}{'79':>9}{size:>9,}")
    for name in small:
        figures = ""
        for column in range(3):
            at_small, at_large = small[name][column], large[name][column]
            figures += f"{at_small:>9.1f}{at_large:>9.1f}{at_large / at_small:>9.2f}"
        print(f"  {name:<22}{figures}{small[name][3]:>9}{large[name][3]:>9}")


def choices_choose() -> None:
    """The worker's work after a change of the cards: each multiple-choice card's wrong
    answers chosen and stored with it (attempts.choices_settle), batch after batch. Printed:
    what it took, on a core of its own and niced in production (QUIZSITE_WORKER_NICENESS)."""
    from quizzes.models import Deck
    from quizzes.services import attempts

    deck = Deck.objects.get(slug="fastai")
    started, cpu = time.perf_counter(), time.process_time()
    batches = 1
    while attempts.choices_settle(deck):
        batches += 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  wrong answers chosen ahead in {wall:.1f} s ({cpu:.1f} s of CPU, {batches} batches)")


def unchosen_start_time() -> dict[str, tuple[float, float, float, int]]:
    """A quiz start planned in the request before the worker has chosen the cards' wrong
    answers (just after an import, or an edit of many cards), in the format of pages_time:
    the cards' candidates looked up and weighed for each of its questions."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client

    from quizzes.models import Card

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    Card.objects.update(steady_choices="")  # none chosen yet (the 79 originals had theirs)
    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    settings.QUIZSITE_READY_QUICK_QUIZZES = 0
    samples = []
    for cold in [True] * REPEAT + [False] * (REPEAT + 1):
        if cold:
            for alias in ("default", "pages"):
                caches[alias].clear()
        statements = 0
        began, began_cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            response = client.post("/quiz/quick/", data={"deck": "fastai"})
        wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        assert response.status_code == 302, response.status_code
        samples.append((wall * 1000, cold, cpu * 1000, statements))
    return {"quiz start, unchosen": _medians(samples)}


def quizzes_add() -> None:
    """FINISHED_QUIZZES finished Quick quizzes by LEARNERS learners over eight weeks (the
    bench learner's BENCH_LEARNER_QUIZZES among them), ten answered questions each, written
    in bulk."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from quizzes.models import Attempt, AttemptQuestion, Card, Deck
    from quizzes.services import attempts as quiz_services

    rng = random.Random(12)
    user_model = get_user_model()
    password = make_password(PASSWORD)
    deck = Deck.objects.get(slug="fastai")
    card_ids = list(Card.objects.filter(deck=deck).values_list("id", flat=True))
    now = timezone.now()
    with transaction.atomic():
        users = user_model.objects.bulk_create(
            user_model(username=USERNAME if n == 0 else f"learner{n}", password=password)
            for n in range(LEARNERS)
        )
        attempts = []
        for n in range(FINISHED_QUIZZES):
            started = now - timedelta(minutes=rng.randrange(8 * 7 * 24 * 60))
            correct = rng.randint(0, quiz_services.QUICK_QUIZ_QUESTIONS)
            attempts.append(
                Attempt(
                    # The bench learner's history fills pages at both sizes.
                    user=users[0] if n < BENCH_LEARNER_QUIZZES else users[n % LEARNERS],
                    deck=deck,
                    mode=Attempt.Mode.MULTIPLE_CHOICE,
                    question_count=quiz_services.QUICK_QUIZ_QUESTIONS,
                    time_limit_kind=quiz_services.QUICK_QUIZ_LIMIT.kind,
                    time_limit_seconds=quiz_services.QUICK_QUIZ_LIMIT.seconds,
                    seed=rng.getrandbits(62),
                    is_quick=True,
                    started_at=started,
                    finished_at=started + timedelta(seconds=rng.randint(40, 200)),
                    score=correct * rng.randint(80, 100),
                    correct_count=correct,
                    total_time=timedelta(seconds=rng.randint(40, 200)),
                )
            )
        Attempt.objects.bulk_create(attempts, batch_size=2000)
        questions = []
        for attempt in attempts:
            for position, card_id in enumerate(rng.sample(card_ids, 10), start=1):
                right = position <= attempt.correct_count
                questions.append(
                    AttemptQuestion(
                        attempt=attempt,
                        position=position,
                        card_id=card_id,
                        outcome="correct" if right else "wrong",
                        started_at=attempt.started_at + timedelta(seconds=position * 10),
                        answered_at=attempt.started_at + timedelta(seconds=position * 10 + 5),
                        elapsed=timedelta(seconds=5),
                    )
                )
        AttemptQuestion.objects.bulk_create(questions, batch_size=5000)
    settle()


def deck_grow(size: int) -> int:
    """Copies of the fastai deck's cards until it has `size`, with their tags, images, topic
    words and hand-written wrong answers; each copy's text made its own."""
    from django.db import transaction

    from quizzes import caching, wording
    from quizzes.models import Card, CardImage, CardKeyword, Deck, Distractor

    deck = Deck.objects.get(slug="fastai")
    originals = list(
        Card.objects.filter(deck=deck).prefetch_related(
            "tags", "card_images", "keyword_rows", "distractors"
        )
    )
    fields = [
        field
        for field in Card._meta.concrete_fields
        # Not its wrong answers as the worker chose them: a copy gets its own (choices_choose).
        if not field.primary_key and field.name not in ("number", "guid", "deck", "steady_choices")
    ]
    last = max(card.number for card in originals)
    wanted = size - len(originals)
    with transaction.atomic():
        for start in range(0, wanted, 5000):
            batch = []
            for number in range(last + start + 1, last + min(start + 5000, wanted) + 1):
                source = originals[number % len(originals)]
                copy = Card(deck=deck, number=number)
                for field in fields:
                    value = getattr(source, field.attname)
                    if field.has_default() and callable(field.default):
                        value = field.default()  # e.g. a fresh random key
                    setattr(copy, field.attname, value)
                # Distinct text, as a real deck's: answers that repeated would be compared
                # once and cached, and searches would rank equal copies.
                for name in ("question_text", "answer_text", "choice_text"):
                    if text := getattr(copy, name):
                        setattr(copy, name, f"{text} (variant {number})")
                if copy.choice_text:
                    words = wording.choice_words(copy.choice_text).stored()
                    copy.choice_words, copy.choice_stems = words
                batch.append((source, copy))
            Card.objects.bulk_create([copy for _, copy in batch])
            Card.tags.through.objects.bulk_create(
                Card.tags.through(card_id=copy.pk, tag_id=tag.pk)
                for source, copy in batch
                for tag in source.tags.all()
            )
            CardImage.objects.bulk_create(
                CardImage(card=copy, image_id=row.image_id, side=row.side, position=row.position)
                for source, copy in batch
                for row in source.card_images.all()
            )
            CardKeyword.objects.bulk_create(
                CardKeyword(card=copy, deck=deck, word=row.word, shuffle_key=copy.shuffle_key)
                for source, copy in batch
                for row in source.keyword_rows.all()
            )
            Distractor.objects.bulk_create(
                Distractor(
                    card=copy,
                    html=row.html,
                    text=row.text,
                    choice_html=row.choice_html,
                    words=row.words,
                    stems=row.stems,
                )
                for source, copy in batch
                for row in source.distractors.all()
            )
        caching.deck_pages_changed()
    settle()
    return wanted


def settle() -> None:
    """What PostgreSQL's autovacuum does within a minute or two of a bulk load, done now so
    that the timings do not race it (an Anki import of many cards refreshes the statistics
    itself: anki_io.STATISTICS_REFRESH_CARDS)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def pages_time() -> dict[str, tuple[float, float, float, int]]:
    """Each page's median time in ms, cold and warm, its median CPU ms warm, and the most
    SQL statements a warm request of it ran."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client

    from quizzes.models import Deck, ReadyQuiz
    from quizzes.services import attempts
    from tests.httpquiz import HTMX, question_on

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    visitor = Client()
    deck = Deck.objects.get(slug="fastai")
    timings: dict[str, list[tuple[float, bool, float, int]]] = {}
    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    def timed(name: str, cold: bool, who: Client, method: str, path: str, before=None, **kwargs):
        if cold:
            for alias in ("default", "pages"):
                caches[alias].clear()
        if before is not None:
            before()
        nonlocal statements
        statements = 0
        began, began_cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            response = getattr(who, method)(path, **kwargs)
        wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        timings.setdefault(name, []).append((wall * 1000, cold, cpu * 1000, statements))
        assert response.status_code in (200, 302), (path, response.status_code)
        return response

    for cold in [True] * REPEAT + [False] * (REPEAT + 1):
        timed("card list", cold, visitor, "get", "/decks/fastai/")
        timed("card list, later page", cold, visitor, "get", "/decks/fastai/?after=60")
        timed("search ?q=softmax", cold, visitor, "get", "/decks/fastai/", data={"q": "softmax"})
        timed("search, misspelt", cold, visitor, "get", "/decks/fastai/", data={"q": "sofmax"})
        timed("card page", cold, visitor, "get", "/decks/fastai/cards/7/")
        timed("home", cold, visitor, "get", "/")
        # A Quick quiz planned ahead by the worker, then one planned in the request (what a
        # start pays when none is waiting, as after a change of the cards).
        settings.QUIZSITE_READY_QUICK_QUIZZES = READY_QUIZZES
        timed(
            "quiz start, ready",
            cold,
            client,
            "post",
            "/quiz/quick/",
            before=lambda: attempts.ready_quick_quizzes_top_up(deck=deck),
            data={"deck": "fastai"},
        )
        assert ReadyQuiz.objects.count() == READY_QUIZZES - 1  # it started one
        settings.QUIZSITE_READY_QUICK_QUIZZES = 0
        started = timed(
            "quiz start (POST)", cold, client, "post", "/quiz/quick/", data={"deck": "fastai"}
        )
        play = started["Location"]
        first = True
        while (question := question_on(client.get(play, headers=HTMX).text)) is not None:
            position, choices = question
            data = {"position": str(position), "choice": choices[0]}
            if first:
                timed(
                    "quiz answer (htmx)",
                    cold,
                    client,
                    "post",
                    play + "answer/",
                    data=data,
                    headers=HTMX,
                )
                first = False
            else:
                client.post(play + "answer/", data=data, headers=HTMX)
        timed("quiz result", cold, client, "get", play + "result/")
        timed("leaderboard", cold, visitor, "get", "/leaderboard/")
        timed("history", cold, client, "get", "/me/history/")
        timed("my cards", cold, client, "get", "/me/cards/")
    return {name: _medians(samples) for name, samples in timings.items()}


def _medians(samples: list[tuple[float, bool, float, int]]) -> tuple[float, float, float, int]:
    """The median ms cold and warm, the median CPU ms warm, and the most statements warm."""
    cold = [ms for ms, was_cold, _, _ in samples if was_cold]
    warm = [sample for sample in samples if not sample[1]][1:]  # the first warms the cache
    return (
        statistics.median(cold),
        statistics.median(ms for ms, _, _, _ in warm),
        statistics.median(cpu for _, _, cpu, _ in warm),
        max(count for _, _, _, count in warm),
    )


if __name__ == "__main__":
    main()
