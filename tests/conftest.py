"""Standing fixtures: three users (owner, another learner, staff), decks, and the browser."""

import gc
import os
import shutil
import zlib

import pytest

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM
# calls unless told that this thread is not really async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Debian's Chromium in its headless shell (package chromium-headless-shell), as Playwright
# itself runs Chromium headless: the same engine without the full browser's windowing, for
# half the CPU (the browser tests: 130 s against 257, 224 s against 342 on the clock).
# Where only the full browser is installed, it runs the tests; QUIZSITE_CHROMIUM chooses.
CHROMIUM = (
    os.environ.get("QUIZSITE_CHROMIUM")
    or shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    # The suite makes millions of short-lived objects (requests, rows, contexts); with
    # Python's default thresholds the collector ran every 700 of them and walked Django's
    # whole heap at each older pass. Rarer young passes took 10-15 % less CPU over view
    # tests (CI is bound by its two cores); the oldest generation is still collected.
    gc.set_threshold(100_000, 20, 10)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    # What is loaded by now (Django, the apps, every test module) lives for the whole run:
    # no collection needs to walk it again.
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config, items):
    _split_between_ci_passes(config, items)
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(
        reason="Chromium is not installed: apt-get install -y chromium-headless-shell"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


# CI's passes (.ci/run sets QUIZSITE_CI_PASS in each) and, for the tests each pass shares
# with another, the passes that run them, by their ids' hash: one pass in len(passes).
CI_PASSES_SHARING = {
    # The hostile sweeps send thousands of requests a test, a fifth of both databases'
    # passes' time when sent twice: every request still goes out at each run, two in three
    # to SQLite (where they cost less), one in three to PostgreSQL.
    "one_pass": ("sqlite", "sqlite", "postgresql"),
    # The browser tests, half of them beside the own-process tests, which mostly wait.
    "browser": ("sqlite", "processes"),
}


def _split_between_ci_passes(config, items):
    """On CI, each test that two passes share (CI_PASSES_SHARING) runs on one of them, by
    its id's hash: the same on every run, whatever else either pass leaves out. `make test`
    (QUIZSITE_CI_PASS unset) runs them all."""
    this_pass = os.environ.get("QUIZSITE_CI_PASS")
    if not this_pass:
        return
    kept, elsewhere = [], []
    for item in items:
        runs_here = True
        for marker, passes in CI_PASSES_SHARING.items():
            if marker in item.keywords and this_pass in passes:
                chosen = passes[zlib.crc32(item.nodeid.encode()) % len(passes)]
                runs_here = runs_here and chosen == this_pass
        (kept if runs_here else elsewhere).append(item)
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = kept


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def deck_site(live_server, transactional_db):
    """The real deck behind a live server, for the browser tests. live_server answers from
    another thread, so the deck must be committed (transactional_db), not in a test's
    transaction."""
    _deck_synced()
    return live_server.url


_synced_database = {}


def _deck_synced():
    """Run `sync_decks` on the empty database, as `make run` does. On SQLite (where the
    browser tests run) the database it leaves is copied once and copied back before each
    later test: ~1 ms where sync_decks takes ~0.6 s of CPU, a minute over the suite. A
    database not empty (a row made before this fixture ran) gets sync_decks itself."""
    import sqlite3

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from quizzes.models import Deck

    empty = not get_user_model().objects.exists() and not Deck.objects.exists()
    if connection.vendor != "sqlite" or not empty:
        call_command("sync_decks", verbosity=0)
        return
    if "copy" not in _synced_database:
        call_command("sync_decks", verbosity=0)
        _synced_database["copy"] = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(_synced_database["copy"])
        return
    _synced_database["copy"].backup(connection.connection)
    # The flush after the last test made the content types again under new ids; the copy
    # has the old ones, which the admin's log entries must point to.
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def site_var_dir(tmp_path_factory):
    """Fills a folder as `make serve` leaves QUIZSITE_VAR_DIR before gunicorn starts: the
    SQLite database migrated (with `synced`, the deck loaded too) and the static files
    collected (the error pages need them). Made once a run and copied: a migrate in a
    process of its own took 4-9 s, and six tests each ran one."""
    from tests.servers import manage, site_env

    made = {}

    def fill(var_dir, *, synced=False):
        if synced not in made:
            folder = tmp_path_factory.mktemp("site-synced" if synced else "site")
            env = site_env(QUIZSITE_VAR_DIR=str(folder))
            if False in made:
                shutil.copytree(made[False], folder, dirs_exist_ok=True)
            else:
                manage("migrate", "--no-input", env=env)
                manage("collectstatic", "--no-input", env=env)
            if synced:
                manage("sync_decks", env=env)
            made[synced] = folder
        shutil.copytree(made[synced], var_dir, dirs_exist_ok=True)
        return var_dir

    return fill


@pytest.fixture
def console_errors(page):
    """What the browser logs as an error or throws: a browser test ends asserting none."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def exports_dir(settings, tmp_path):
    """Staff's exports go to the test's own folder, never to the developer's var/exports."""
    settings.QUIZSITE_EXPORTS_DIR = tmp_path / "exports"
    return settings.QUIZSITE_EXPORTS_DIR


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files a test stores go to its own folder, never to the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def cache(settings):
    """Each test starts with an empty cache: a local one, or the suite's Redis when REDIS_URL
    is set (CI runs the suite once that way), never the developer's var/cache. Sessions stay
    in the database either way, so the query counts tests assert do not depend on whether a
    session happened to be cached (tests/test_two_app_servers.py covers cached_db)."""
    from django.core.cache import cache, caches

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    if not os.environ.get("REDIS_URL"):
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        }
    for alias in settings.CACHES:
        caches[alias].clear()
    yield cache
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Standing users are made in most tests; the real hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password():
    return "correct horse battery staple"


@pytest.fixture
def alice(django_user_model, password):
    return django_user_model.objects.create_user("alice", "alice@example.com", password)


@pytest.fixture
def bob(django_user_model, password):
    return django_user_model.objects.create_user("bob", "bob@example.com", password)


@pytest.fixture
def staff(django_user_model, password):
    return django_user_model.objects.create_superuser("staff", "staff@example.com", password)


@pytest.fixture
def fastai_deck(db):
    """The real deck: the rows of the committed fixture that `make run` loads."""
    from tests.factories import load_deck_fixture

    return load_deck_fixture("fastai")


@pytest.fixture
def deck(make_deck):
    """Twelve synthetic cards: enough for a Quick quiz, much faster to build than the real
    deck. Test modules that need other cards define their own `deck`."""
    return make_deck(12)


@pytest.fixture
def attempt(alice, deck):
    """alice's three-question quiz, 20 s a question, its first question shown at T0."""
    import time_machine

    from tests.quizplay import T0, show, start

    with time_machine.travel(T0, tick=False):
        attempt = start(alice, deck)
        show(attempt)
    return attempt


@pytest.fixture
def make_deck(db):
    """Builds a synthetic deck of `size` cards (for query counts that must not grow)."""
    from tests.factories import make_deck as build

    return build


@pytest.fixture
def editor(django_user_model, password):
    """A staff account in the Editors group that migration 0002 creates."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "editor", "editor@example.com", password, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def queued_tasks(settings):
    """Background tasks wait in the database for `manage.py db_worker`, as in production (the
    suite otherwise runs them in place: QUIZSITE_TASKS=immediate in quizsite.pytest_plugin)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def templates_rendered_unrecorded(monkeypatch):
    """For sweeps that read each answer's status and text alone. The test client otherwise
    keeps a copy of the context of every template rendered, a select's every option
    included: the hostile sweeps took nearly twice the CPU, on each of CI's passes."""
    from django.template.base import Template

    monkeypatch.setattr(
        Template, "_render", lambda template, context: template.nodelist.render(context)
    )
