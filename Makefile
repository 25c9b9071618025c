# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    set up .venv, migrate, load the deck, serve http://127.0.0.1:8000
#   make test   set up .venv with the test tools, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve worker lint format fixtures deck bench bench-load bench-size clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalls only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# Loads the deck where it is missing; never overwrites a card staff edited (see README).
deck: $(VENV)/.installed
	DJANGO_DEBUG=1 $(MANAGE) migrate --no-input
	DJANGO_DEBUG=1 $(MANAGE) sync_decks

# The background worker (imports, image downloads) runs beside the web server and stops
# with it.
run: deck
	DJANGO_DEBUG=1 $(MANAGE) db_worker & worker=$$!; trap 'kill $$worker' EXIT; \
	DJANGO_DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

# PYTEST_ARGS narrows a run, e.g. PYTEST_ARGS='-m "not browser"' (see .ci/run).
test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

# Production-style: DEBUG off, static files through whitenoise, gunicorn with threaded
# workers (quizsite/gunicorn.py says why).
# Needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (see README).
serve: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) sync_decks
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) db_worker & worker=$$!; trap 'kill $$worker' EXIT; \
	$(BIN)/gunicorn quizsite.wsgi --config python:quizsite.gunicorn --bind $(HOST):$(PORT) --access-logfile -

# Runs background tasks (big Anki imports) beside `make run` or `make serve`.
worker: $(VENV)/.installed
	$(MANAGE) db_worker

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

fixtures: $(VENV)/.installed
	DJANGO_DEBUG=1 $(MANAGE) build_fixtures

# Figures, never pass/fail: query counts per page, a file-cache write as its folder fills,
# throughput against a bare view under gunicorn (needs wrk), 200 quiz takers at once
# (bench-load, a few minutes), and every page at 79 and 100,000 cards (bench-size).
bench: $(VENV)/.installed-test
	DJANGO_DEBUG=1 $(BIN)/python bench/browse.py
	$(BIN)/python bench/cache_writes.py
	$(BIN)/python bench/throughput.py

bench-load: $(VENV)/.installed-test
	$(BIN)/python bench/load.py

# Each page at 79 and at 100,000 cards, with 10,000 finished quizzes (several minutes).
bench-size: $(VENV)/.installed-test
	$(BIN)/python bench/deck_size.py

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache
