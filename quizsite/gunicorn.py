"""gunicorn's settings for `make serve`, the benches and the tests that start the site:
`gunicorn --config python:quizsite.gunicorn quizsite.wsgi`.

Threaded workers (gthread): a request that waits on a slow client or on the database holds
one thread, not a whole process, so a few stalled uploads cannot take the site down. The
proxy in front still buffers request bodies (nginx does by default), so a slow upload reaches
gunicorn only once it is complete. Django is thread-safe; each thread keeps its own database
connection, so a PostgreSQL server needs WEB_CONCURRENCY x GUNICORN_THREADS connections per
app server.
"""

import multiprocessing
import os
import sys

import dj_database_url

worker_class = "gthread"
# Load the site once, before the workers fork (quizsite/wsgi.py imports the views and
# compiles the templates then): each worker starts ready and shares those pages of memory,
# where each one used to spend its first requests on it (~0.5 s for its first home page).
preload_app = True
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes longer than this is a bug or an attack: the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# The longest request line gunicorn takes (its default is 4,094 bytes): a typed answer travels
# in the address (the review's and a card page's Show answer are GET forms), and the 500
# characters the box takes, in Chinese, are 4,500 bytes there; refused, the learner got
# gunicorn's bare 414 page. nginx's default buffers (8 KB) let such a line through too.
limit_request_line = 8190
# gunicorn 25's control socket lives at one path per user ($HOME/.gunicorn/gunicorn.ctl), so
# a second instance on the machine (the tests', the benches', a second site) took it over
# and stopping either deleted it for both. We do not use gunicornc; signals still work.
control_socket_disable = True
# No max_requests: a replaced worker starts cold (imports, templates to compile, new database
# connections), which at a few thousand requests a second happened every few seconds.


def _on_postgresql() -> bool:
    """Whether DATABASE_URL names PostgreSQL, read as the settings read it (any of its
    schemes); a URL the settings will refuse counts as not."""
    url = os.environ.get("DATABASE_URL", "").strip()
    try:
        engine = dj_database_url.parse(url)["ENGINE"] if url else ""
    except Exception:  # dj-database-url raises several types; the settings say which
        return False
    return engine == "django.db.backends.postgresql"


# How long a thread may keep the interpreter lock while another waits for it (Python's
# default: 5 ms). A request thread back from the database waits up to that long for the
# lock behind a thread running Python; on PostgreSQL every statement is such a round trip,
# and under 200 quiz takers 1 ms gave a p99 of 215 to 462 ms against 455 to 920 (three
# pairs of runs back to back). On SQLite it gained nothing (its writer, switched out more
# often, likely holds the database's write lock longer). Set before the fork, so every
# worker inherits it.
_switch_ms = os.environ.get("GUNICORN_SWITCH_INTERVAL_MS") or ("1" if _on_postgresql() else "5")
try:
    _switch_seconds = float(_switch_ms) / 1000
except ValueError:
    _switch_seconds = 0
if not 0 < _switch_seconds <= 1:  # NaN fails this too
    raise SystemExit(
        f"GUNICORN_SWITCH_INTERVAL_MS must be milliseconds, above 0 and up to 1000; "
        f"got {_switch_ms!r}"
    )
sys.setswitchinterval(_switch_seconds)
