"""Loaded by pytest (`-p` in pyproject) before pytest-django reads the settings.

Tests run with the development defaults (no secret key needed, plain HTTP, unhashed static
files); Django's test set-up still turns DEBUG itself off while tests run.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
# Persistent connections would outlive live_server threads and block dropping the test
# database on PostgreSQL.
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "0")
# Tasks run inside the test that enqueues them; tests of the worker choose the backend.
os.environ.setdefault("QUIZSITE_TASKS", "immediate")
