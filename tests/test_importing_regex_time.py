"""Importing reads text a user supplies: no pattern may take time exponential or quadratic
in a field's length. Each input here would run for hours (or days) through the pattern it
was found with; it runs in a subprocess with a time limit, so a regression fails the test
rather than hanging the suite."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_processes

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


# Each of these took time quadratic in the field (furigana: cubic), as a run of one
# character that starts a match and never completes it: the sizes would take from minutes
# to hours through the old patterns, and take milliseconds now.
@pytest.mark.parametrize(
    ("module", "pattern", "field"),
    [
        ("anki", "_HTML_LIKE", "'<' * 500_000"),
        ("anki", "_TAGS", "'<' * 500_000"),
        ("anki", "_BREAKING_TAG", "'<br' * 300_000"),
        ("cardhtml", "_ANY_TAG", "'<' * 500_000"),
        ("cardhtml", "_TYPED_TAG", "'<a ' * 200_000"),
        ("cardhtml", "_INLINE_IMAGE", "'<img ' * 100_000 + 'data:'"),
        ("cardhtml", "_INLINE_KIND", "'<img ' * 100_000 + 'data:'"),
        ("apkg", "_IMAGE_SRC", "'<img ' * 100_000"),
        ("apkg", "_FURIGANA", "'a[' * 50_000"),
        ("apkg", "_FURIGANA", "'a' * 500_000"),
    ],
)
def test_a_pattern_run_on_imported_text_takes_linear_time(module, pattern, field):
    finishes(f"from quizzes.importing.{module} import {pattern}\n{pattern}.findall({field})\n")


@pytest.mark.parametrize(
    ("text", "kind", "read"),
    [
        ("日本語[にほんご] を 話[はな]す", "kanji", "日本語 を話す"),
        ("日本語[にほんご] を 話[はな]す", "kana", "にほんご をはなす"),
        ("日[に]本[ほん]", "kana", "にほん"),
        ("<b>日[に]</b>", "kana", "<b>に</b>"),
        ("a]b[c]", "kana", "c"),
        ("no reading [sound:x.mp3]", "kana", "no reading [sound:x.mp3]"),
        ("x[] y", "kana", "x[] y"),
    ],
)
def test_furigana_are_read_as_anki_reads_them(text, kind, read):
    from quizzes.importing.apkg import _reading

    assert _reading(text, kind) == read


@pytest.mark.parametrize(
    "field",
    [
        "'\\\\(' * 300_000 + '<'",
        "'\\\\(<' * 200_000",
        "'\\\\(x\\\\) \\\\(' * 100_000 + '<'",
        "'\\\\[<b ' * 200_000 + '\\\\]'",
        "'[$]<' * 200_000",
        "'[latex][$$]<' * 100_000 + '[/latex]'",
    ],
)
def test_math_in_a_field_has_its_less_than_signs_escaped_in_linear_time(field):
    # An unclosed `\(` repeated, or `\(` beside `\[`, made a search run to the field's
    # end from every opener.
    finishes(
        f"from quizzes.sanitize import math_less_than_escaped\nmath_less_than_escaped({field})\n"
    )


# Every card's sides go through these at import (and in the admin's preview, within its
# request): a run of a math or sound opener that is never closed made each a scan of the
# rest of the field, 600 KB of `[$]` hours of it.
@pytest.mark.parametrize("opener", ["\\(", "\\[", "[$]", "[$$]", "[latex]", "[LaTeX]"])
def test_math_never_closed_is_read_in_linear_time(opener):
    closed = "[$]x[/$]" if opener == "\\(" else "\\(x\\)"  # math of another kind, after
    out = finishes(
        "from quizzes.rendering import math_to_mathml\n"
        f"converted = math_to_mathml({opener!r} * 200_000 + {closed!r})\n"
        f"print(converted.startswith({opener!r} * 200_000), converted.count('<math'))\n"
    )
    assert out.split() == ["True", "1"]


@pytest.mark.parametrize(
    ("code", "printed"),
    [
        ("sound_names('a [sound:a.mp3]' + '[sound:' * 100_000)", "['a.mp3']"),
        (
            "'not available (a.mp3)' in sounds_to_audio('[sound:a.mp3]' + '[sound:' * 100_000, {})",
            "True",
        ),
        (
            "choice_content('an owl [sound:a.mp3]' + '[sound:' * 100_000).text"
            ".startswith('an owl [sound:[sound:')",
            "True",
        ),
    ],
)
def test_sounds_never_closed_are_read_in_linear_time(code, printed):
    imports = "from quizzes.rendering import choice_content, sound_names, sounds_to_audio"
    out = finishes(f"{imports}\nprint({code})\n")
    assert out.strip() == printed


# A type-in card's answer is its field's text, as Anki strips it: at import, of a field of
# any length.
@pytest.mark.parametrize(
    "field",
    [
        "'[sound:' * 100_000",
        "'[anki:tts]' * 50_000",
        "'<!--' * 100_000",
        "'<style>' * 50_000",
        "'<style</style>' + '>' * 100_000",
        "'<' * 200_000",
        "'<script>' * 50_000",
    ],
)
def test_a_typed_answer_is_read_from_its_field_in_linear_time(field):
    out = finishes(
        "from quizzes.typed_answers import typed_answer_text\n"
        f"print(len(typed_answer_text({field} + '<b>Paris</b>')) > 0)\n"
    )
    assert out.strip() == "True"


# A side's text-to-speech directives show their words unless the side shows them anyway,
# each looked for in the side's text: thousands of them beside a long text, never closed, or
# each holding a word the text repeats, take time bounded whatever the field.
@pytest.mark.parametrize(
    ("side", "ending"),
    [
        ("'[anki:tts lang=x]' * 100_000", "[anki:tts lang=x]"),
        ("'a ' * 100_000 + ''.join(f'[anki:tts lang=x]b{n}[/anki:tts]' for n in range(5000))",
         "b4999"),
        ("'ab' * 100_000 + ''.join(f'[anki:tts lang=x]a{n}[/anki:tts]' for n in range(5000))",
         "a4999"),
    ],
)  # fmt: skip
def test_text_to_speech_directives_are_read_in_bounded_time(side, ending):
    out = finishes(
        "from quizzes.importing.cardhtml import tts_directives_as_text\n"
        f"print(tts_directives_as_text({side})[-{len(ending)}:])\n"
    )
    assert out.strip() == ending


# An SVG's checks read its whole text: a long run that starts a match and never completes
# it (a style of `url(`, a word with no bracket after it, document types never closed)
# takes time linear in the file, which may be megabytes.
@pytest.mark.parametrize(
    "inside",
    [
        "'<style>' + 'url(' * 200_000 + '</style>'",
        "'<style>' + 'a' * 1_000_000 + '</style>'",
        "'<path d=\"' + 'M' * 1_000_000 + '\"/>'",
    ],
)
def test_an_svg_is_checked_in_linear_time(inside):
    out = finishes(
        "from quizzes.svg import svg_cleaned\n"
        'svg = \'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">\'\n'
        f"print(len(svg_cleaned((svg + {inside} + '</svg>').encode()).data) > 0)\n"
    )
    assert out.strip() == "True"


def test_an_svg_of_document_types_never_closed_is_refused_in_linear_time():
    out = finishes(
        "from quizzes.svg import SvgRejected, svg_cleaned\n"
        "try:\n"
        "    svg_cleaned(b'<!DOCTYPE svg' * 500_000 + b'[')\n"
        "except SvgRejected as error:\n"
        "    print(error)\n"
    )
    assert out.strip() == "an SVG that declares entities"
