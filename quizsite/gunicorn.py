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
# No max_requests: a replaced worker starts cold (imports, templates to compile, new database
# connections), which at a few thousand requests a second happened every few seconds.
