"""The one HTML allow-list for card content, shared by the importer and the admin.

Pure Python (nh3 + BeautifulSoup), no Django import.
"""

import re

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

# Block-level tags a card may contain. `div` is among them because Anki's editor
# writes one `<div>` per line; stripping it would run those lines together.
BLOCK_TAGS = frozenset(
    {"p", "div", "pre", "ul", "ol", "li", "blockquote", "table", "h3", "h4"},
)
ALLOWED_TAGS = BLOCK_TAGS | {
    "br",
    "code",
    "kbd",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "sub",
    "sup",
    "a",
    "img",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    # Japanese readings: Anki's furigana filter makes ruby text.
    "ruby",
    "rt",
    "rp",
}
# Tags removed together with their content: none of it is ever card text, and leaving the
# text of `<iframe>` or `<svg>` behind would show raw markup or foreign-content debris.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "noscript", "template", "object", "svg", "math"},
)

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)

# Elements whose edges separate text: everything block-like, table cells and line breaks.
_TEXT_BREAKS = BLOCK_TAGS | {"br", "tr", "th", "td"}
_WHITESPACE = re.compile(r"\s+")


def sanitize_card_html(html: str) -> str:
    """Return `html` reduced to the card allow-list; idempotent on its own output."""
    return _cleaner.clean(html)


def html_to_text(html: str) -> str:
    """Plain text of a card field, for search and multiple choice.

    Block elements, table cells and `<br>` start a new line; whitespace within a line
    collapses to one space; blank lines are dropped; images contribute nothing.
    """
    return soup_to_text(BeautifulSoup(html, "html.parser"))


def soup_to_text(soup: Tag) -> str:
    """html_to_text of HTML a caller has parsed already."""
    lines = (" ".join(line.split()) for line in _collect_text(soup).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect_text(root: Tag) -> str:
    # A stack, not recursion: a field may nest deeper than Python's recursion limit.
    pieces: list[str] = []
    pending: list = list(reversed(root.contents))
    while pending:
        node = pending.pop()
        if node is None:  # the end of an element that breaks the line
            pieces.append("\n")
        elif isinstance(node, Tag):
            if node.name in DROPPED_WITH_CONTENT:
                continue
            if node.name in _TEXT_BREAKS:
                pieces.append("\n")
                pending.append(None)
            pending += reversed(node.contents)
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            pieces.append(_WHITESPACE.sub(" ", node))
    return "".join(pieces)


# MathML that quizzes.rendering makes from a card's LaTeX: page-ready output only. Source
# card HTML never keeps <math> (it is in DROPPED_WITH_CONTENT above).
MATHML_TAGS = frozenset(
    {
        "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
        "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
        "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "mfenced",
    }
)  # fmt: skip
_MATHML_ATTRIBUTES = {
    "display", "mathvariant", "mathsize", "stretchy", "fence", "separator", "separators",
    "accent", "accentunder", "lspace", "rspace", "width", "height", "depth", "linethickness",
    "columnalign", "columnspacing", "rowspacing", "displaystyle", "scriptlevel", "minsize",
    "maxsize", "movablelimits", "notation", "form", "symmetric", "largeop", "open", "close",
}  # fmt: skip
_mathml_cleaner = nh3.Cleaner(
    tags=set(MATHML_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT - {"math"}),
    attributes={"*": _MATHML_ATTRIBUTES},
    url_schemes=set(),
    link_rel=None,
    strip_comments=True,
)


def sanitize_mathml(mathml: str) -> str:
    """`mathml` reduced to presentation MathML: no links, no HTML, no script."""
    return _mathml_cleaner.clean(mathml)
