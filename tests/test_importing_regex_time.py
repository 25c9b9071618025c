"""Importing reads text a user supplies: no pattern may take time exponential or quadratic
in a field's length. Each input here would run for hours (or days) through the pattern it
was found with; it runs in a subprocess with a time limit, so a regression fails the test
rather than hanging the suite."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def finishes(code: str) -> str:
    """Run `code` in a fresh interpreter with this checkout first on the path; it must end
    (and succeed) within a minute, however slow the machine."""
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_an_inline_image_with_many_semicolons_and_no_comma_is_read_in_linear_time():
    # Each semicolon doubled the time: 26 took 4.6 s, so 60 would take years.
    out = finishes(
        "from quizzes.importing.cardhtml import inline_images\n"
        "field = '<img src=\"data:image/png' + ';' * 60 + '>'\n"
        "print(inline_images(field) == (field, {}))\n"
    )
    assert out.strip() == "True"
