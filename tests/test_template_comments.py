"""Django's `{# #}` comment ends on its own line: one spread over two is not a comment, and
the page shows it to its reader as text (the quiz page's deck menu did, on a phone)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
UNCLOSED_ON_ITS_LINE = re.compile(r"\{#(?![^\n]*#\})")


def test_every_template_comment_closes_on_its_line():
    found = [
        f"{path.relative_to(TEMPLATES)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for text in [path.read_text()]
        for match in UNCLOSED_ON_ITS_LINE.finditer(text)
    ]
    assert found == []
