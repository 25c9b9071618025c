"""What every process keeps of the decks (quizzes/caching.py): built once per change of the
decks, by one request at a time."""

import pytest

from quizzes import caching

pytestmark = pytest.mark.django_db


def never(name):
    def build():
        pytest.fail(f"{name} was built again")

    return build


def test_while_one_request_builds_a_figure_anew_the_others_take_the_last_one():
    assert caching.cached("figure", lambda: "before the change") == "before the change"
    caching.deck_pages_changed()
    met_meanwhile = []

    def build():
        # Another request that needs the figure while this one is building it.
        met_meanwhile.append(caching.cached("figure", never("the figure, meanwhile,")))
        return "after the change"

    assert caching.cached("figure", build) == "after the change"

    assert met_meanwhile == ["before the change"]
    assert caching.cached("figure", never("the new figure")) == "after the change"


def test_with_nothing_built_before_a_request_meanwhile_builds_its_own():
    def build():
        return caching.cached("figure", lambda: "built meanwhile") + ", then this"

    assert caching.cached("figure", build) == "built meanwhile, then this"


def test_a_build_that_fails_leaves_the_next_request_to_build():
    caching.cached("figure", lambda: "first")
    caching.deck_pages_changed()

    def fail():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        caching.cached("figure", fail)

    assert caching.cached("figure", lambda: "second") == "second"
