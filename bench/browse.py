"""Time the card list, a search and a card page on decks of 79 (the real one) and 2000 cards.

Runs against a throwaway SQLite database in a temporary folder, never the developer's own:

    make bench        # or: DJANGO_DEBUG=1 .venv/bin/python bench/browse.py

Prints the median and slowest of several requests and the queries each runs; it never fails
on time.
"""

import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPEAT = 15
PAGES = {
    "card list": ("/decks/{slug}/", {}, {}),
    "search": ("/decks/{slug}/", {"q": "tensor"}, {}),
    "search (htmx)": ("/decks/{slug}/", {"q": "tensor"}, {"HX-Request": "true"}),
    "load more (htmx)": (
        "/decks/{slug}/",
        {"after": "30"},
        {"HX-Request": "true", "HX-Target": "load-more"},
    ),
    "card page": ("/decks/{slug}/cards/7/", {"answer": "1"}, {}),
}


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    var_dir = tempfile.mkdtemp(prefix="quizsite-bench-")
    os.environ["QUIZSITE_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_deck

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("sync_decks", verbosity=0)
    make_deck(2000, slug="big", tags=("vision", "text", "tabular"))

    client = Client()
    print(f"{'page':<18} {'deck':>6} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KB':>6}")
    for slug, size in (("fastai", 79), ("big", 2000)):
        for name, (path, params, headers) in PAGES.items():
            url = path.format(slug=slug)
            timings = []
            for _ in range(REPEAT):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url, params, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            print(
                f"{name:<18} {size:>6} {statistics.median(timings):>10.1f} "
                f"{max(timings):>8.1f} {len(queries):>8} {len(response.content) / 1024:>6.1f}"
            )


if __name__ == "__main__":
    main()
