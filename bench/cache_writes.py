"""What a write to the shared file cache costs (the cache of one machine without Redis) as
its folder fills: Django's FileBasedCache, which lists the folder at every write, beside
quizsite.filecache.FileCache, which looks once every CULL_EVERY writes. Each write is an
`incr`, as a signed-in quiz answer moves its learner's number on (once per answer).

    .venv/bin/python bench/cache_writes.py

Temporary folders only; prints milliseconds per write, never fails on time.
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings

settings.configure()

from django.core.cache.backends.filebased import FileBasedCache  # noqa: E402

from quizsite.filecache import FileCache  # noqa: E402

WRITES = 300


def per_write_ms(backend, entries: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        cache = backend(folder, {"OPTIONS": {"MAX_ENTRIES": 20000}})
        for number in range(entries):
            cache.set(f"entry-{number}", number)
        cache.set("version", 1)
        started = time.perf_counter()
        for _ in range(WRITES):
            cache.incr("version")
        return (time.perf_counter() - started) / WRITES * 1000


def main() -> None:
    print(f"{'entries':>8}{'Django ms':>12}{'quizsite ms':>13}")
    for entries in (10, 1000, 5000, 15000):
        django_ms = per_write_ms(FileBasedCache, entries)
        ours_ms = per_write_ms(FileCache, entries)
        print(f"{entries:>8}{django_ms:>12.2f}{ours_ms:>13.2f}")


if __name__ == "__main__":
    main()
