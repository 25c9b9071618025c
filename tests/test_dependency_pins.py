"""The pins of pyproject.toml that guard calls into a library's private parts."""

import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def requirement(name: str) -> Requirement:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    return next(Requirement(line) for line in dependencies if Requirement(line).name == name)


def test_the_anki_wheel_is_pinned_below_a_release_nobody_tested():
    # The export calls anki's private Collection._backend.add_or_update_notetype: a new
    # release may change it, and an unbounded pin would let one in untested.
    pin = requirement("anki")

    assert any(spec.operator == "<" for spec in pin.specifier)
    assert pin.specifier.contains(version("anki"))
