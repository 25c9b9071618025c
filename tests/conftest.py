"""Standing fixtures: three users (owner, another learner, staff), decks, and the browser."""

import os
import shutil

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM
# calls unless told that this thread is not really async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason="Chromium is not installed: apt-get install -y chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files a test stores go to its own folder, never to the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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
    """The real deck, loaded from the committed fixture as `make run` loads it."""
    from quizzes.models import Deck

    call_command("loaddata", "fastai", verbosity=0)
    return Deck.objects.get(slug="fastai")


@pytest.fixture
def make_deck(db):
    """Builds a synthetic deck of `size` cards (for query counts that must not grow)."""
    from tests.factories import make_deck as build

    return build
