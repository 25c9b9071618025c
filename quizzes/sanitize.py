"""The one HTML allow-list for card content, shared by the importer and the admin.

Pure Python (nh3 + BeautifulSoup), no Django import.
"""

import re

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

# Block-level tags a card may contain. `div` is among them because Anki's editor
# writes one `<div>` per line; stripping it would run those lines together. `hr` is the
# rule Anki puts between a card's question and answer, and authors between parts.
# `details` and its `summary` are Anki's `{{hint:Field}}`: a toggle that reveals the hint.
BLOCK_TAGS = frozenset(
    {
        "p", "div", "pre", "ul", "ol", "li", "blockquote", "table", "h3", "h4", "hr",
        "details", "summary",
    },
)  # fmt: skip
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

# Inline CSS a card keeps: what Anki's editor writes to give text a meaning (red for the
# wrong word, a centred line), each property with the values it may take. Nothing that can
# fetch (url(), image-set(), @import), move, size, hide or overlay content (position,
# display, z-index, font-size...) or restyle the page around the card. No value may hold a
# quote, a backslash or a nested function, so no escape or comment smuggles one in.
_COLOUR = (
    r"#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|[a-z]{3,20}|(?:rgb|hsl)a?\([-+0-9a-z.,%\s/]*\)"
)
_DECORATION = (
    r"none|(?:underline|overline|line-through)(?:\s+(?:underline|overline|line-through)){0,2}"
)
STYLE_PROPERTIES = {
    "color": _COLOUR,
    "background-color": _COLOUR,
    "font-weight": r"normal|bold|bolder|lighter|[1-9]00",
    "font-style": r"normal|italic|oblique",
    "text-decoration": _DECORATION,
    "text-decoration-line": _DECORATION,
    "text-align": r"left|right|center|justify|start|end",
    # Keywords only: a length could lift text over the lines around it.
    "vertical-align": r"baseline|sub|super|top|middle|bottom|text-top|text-bottom",
}
_STYLE_VALUES = {name: re.compile(values) for name, values in STYLE_PROPERTIES.items()}
COLOUR_PROPERTIES = frozenset({"color", "background-color"})
# Black text and a white or clear background only restate Anki's default card: kept, they
# would make a light box of the text in the site's dark mode for nothing (site.css).
_DEFAULT_COLOURS = {
    "color": {"black", "#000", "#000000", "rgb(0,0,0)"},
    "background-color": {
        "white", "#fff", "#ffffff", "rgb(255,255,255)", "transparent", "rgba(0,0,0,0)",
    },
}  # fmt: skip


def _style_declarations(style: str) -> dict[str, str]:
    """The allowed declarations of a `style` attribute, property to value, lower case."""
    declarations = {}
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), " ".join(value.lower().split())
        pattern = _STYLE_VALUES.get(name)
        if pattern is None or not pattern.fullmatch(value):
            continue
        if value.replace(" ", "") in _DEFAULT_COLOURS.get(name, ()):
            continue
        declarations[name] = value
    return declarations


def _style(declarations: dict[str, str]) -> str | None:
    return "; ".join(f"{name}: {value}" for name, value in declarations.items()) or None


def style_without_colours(style: str) -> str | None:
    """A sanitized `style` without its colours (None when nothing is left): what a multiple
    choice keeps of it (quizzes.rendering.choice_content)."""
    declarations = _style_declarations(style).items()
    return _style({name: value for name, value in declarations if name not in COLOUR_PROPERTIES})


# A text's direction, as Arabic and Hebrew decks mark it.
_DIRECTIONS = frozenset({"ltr", "rtl", "auto"})


def _allowed_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        return _style(_style_declarations(value))
    if attribute == "dir":
        return value.strip().lower() if value.strip().lower() in _DIRECTIONS else None
    if element == "font":  # `color`, its only other attribute: one colour, nothing more
        return None if ";" in value else _style_declarations(f"color: {value}").get("color")
    return value


_cleaner = nh3.Cleaner(
    # For _fonts_as_spans: it makes a `<span>` of a `<font>`, and keeps a span with a style
    # or a direction.
    tags=set(ALLOWED_TAGS) | {"font", "span"},
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={
        "*": {"style", "dir"},
        "a": {"href", "title"},
        "img": {"src", "alt", "width", "height"},
        "font": {"color"},
    },
    attribute_filter=_allowed_attribute,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)

# Elements whose edges separate text: everything block-like, table cells and line breaks.
_TEXT_BREAKS = BLOCK_TAGS | {"br", "tr", "th", "td"}
_WHITESPACE = re.compile(r"\s+")


def sanitize_card_html(html: str) -> str:
    """Return `html` reduced to the card allow-list; idempotent on its own output."""
    cleaned = _cleaner.clean(math_less_than_escaped(html))
    return _fonts_as_spans(cleaned) if "<font" in cleaned or "<span" in cleaned else cleaned


# An HTML element's name, as a tag that starts one is written: a `<` followed by anything
# else is text to a reader of math, and to Anki's importer (quizzes.importing.anki).
HTML_ELEMENTS = (
    "a|abbr|audio|b|big|blockquote|br|caption|center|cite|code|col|colgroup|dd|del|details|"
    "div|dl|dt|em|figcaption|figure|font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre|q|rp|rt|"
    "ruby|s|samp|small|source|span|strike|strong|style|sub|summary|sup|table|tbody|td|tfoot|"
    "th|thead|tr|tt|u|ul|var|video|wbr"
)
# Math a field gives as MathJax reads it (`\( \)`, `\[ \]`) and as Anki's older marks
# write it (`[$] [/$]`, `[$$] [/$$]`, a `[latex] [/latex]` document), and a `<` in it that
# starts no HTML element's tag. Anki's editor writes "less than" in math as `&lt;`, so a raw
# one (`\(a<b\)`, in a text file, a package made by a script, the admin's card form) is the
# author's, typed elsewhere; parsed as HTML, `<b\)...` opens a tag that takes the rest of
# the field with it. The lookahead stops at the next `<` or `>`: linear.
MATH_OPENER = re.compile(r"\\[(\[]|\[\$\$?\]|\[latex\]", re.IGNORECASE)
MATH_CLOSERS = {
    opener: re.compile(re.escape(closer), re.IGNORECASE)
    for opener, closer in {
        "\\(": "\\)",
        "\\[": "\\]",
        "[$]": "[/$]",
        "[$$]": "[/$$]",
        "[latex]": "[/latex]",
    }.items()
}
_LESS_THAN_NOT_A_TAG = re.compile(rf"<(?!/?(?:{HTML_ELEMENTS})(?:[\s/][^<>]*)?>)", re.IGNORECASE)


def math_less_than_escaped(field: str) -> str:
    """The field with each `<` inside math that starts no tag (`\\(a<b\\)`, not
    `\\(a<br>b\\)`) written `&lt;`, as Anki's editor writes it."""
    if "<" not in field or ("\\" not in field and "[" not in field):
        return field
    pieces, position, unclosed = [], 0, set()
    for opener in MATH_OPENER.finditer(field):
        start, kind = opener.start(), opener[0].lower()
        if start < position or kind in unclosed:
            continue
        closer = MATH_CLOSERS[kind].search(field, opener.end())
        if closer is None:
            # No closer in the rest of the field: no later opener of its kind is math.
            unclosed.add(kind)
            continue
        end = closer.start()
        pieces += [field[position:start], _LESS_THAN_NOT_A_TAG.sub("&lt;", field[start:end])]
        position = end
    pieces.append(field[position:])
    return "".join(pieces)


# A `<font>` or `<span>` tag of nh3's output: its only attributes are the filtered `color`
# and `style`, which hold no `>` or quote.
_FONT_OR_SPAN = re.compile(r'<(/?)(?:font|span)((?:\s+[a-z]+="[^"]*")*)>')
_ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')


def _fonts_as_spans(cleaned: str) -> str:
    """`<font color>` (obsolete, and Anki's editor still writes it) as the `<span>` of that
    colour; a `<font>` or `<span>` left with nothing to say goes, its text kept."""
    kept: list[bool] = []  # per open tag, whether its end tag is written

    def replace(match: re.Match) -> str:
        closing, attributes = match.groups()
        if closing:
            return "</span>" if kept.pop() else ""
        values = dict(_ATTRIBUTE.findall(attributes))
        # As in a browser, the style wins over the font's colour.
        declarations = {"color": values["color"]} if "color" in values else {}
        declarations |= _style_declarations(values.get("style", ""))
        style = _style(declarations)
        kept_attributes = "".join(
            f' {name}="{value}"'
            for name, value in (("dir", values.get("dir")), ("style", style))
            if value
        )
        kept.append(bool(kept_attributes))
        return f"<span{kept_attributes}>" if kept_attributes else ""

    return _FONT_OR_SPAN.sub(replace, cleaned)


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
