"""Card HTML of one note: sanitized, repaired, its provenance link taken off, its images and
plain text found. The one place where a card's HTML becomes storable, whether it comes from
an Anki file, the deck fixtures or the admin's card form.

Pure Python (nh3 through quizzes.sanitize, and BeautifulSoup), no Django import.
"""

import base64
import binascii
import functools
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_to_bytes

from bs4 import BeautifulSoup, NavigableString, Tag

from quizzes.rendering import cloze_depth, cloze_numbers, cloze_side
from quizzes.sanitize import BLOCK_TAGS, html_to_text, sanitize_card_html

Side = Literal["question", "answer"]

# The text of the provenance link that ends every answer of the aiquizzes deck.
PROVENANCE_LABEL = "view answer on aiquizzes"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# At most 9 digits, a number every database stores: a longer one is no card's number.
_SOURCE_NUMBER = re.compile(r"/questions/([0-9]{1,9})/?(?:[?#]|$)")
# Fuzzed broken markup settles within 3 rounds; the cap only guards against a cycle.
_SETTLE_ROUNDS = 5
# Anki's editor nests a handful of elements; a browser stops nesting at 512 anyway
# (Chromium's parser), and the repairs take time that grows with the square of the depth.
MAX_NESTING = 500
# Each card of a cloze note shows the note's whole text, so a note's cards together grow
# with the square of its deletions: 3,000 took 210 s and 1.5 GB to import. Bounded by
# their number, and by their number times the text's length (500 cards of a 105 KB text
# were 150 MB of text to store).
MAX_CLOZE_CARDS = 500
MAX_CLOZE_TEXT = 10_000_000
# A tag of nh3's output, whose attribute values are always double-quoted (and may hold `>`).
_SERIALIZED_TAG = re.compile(r'<(/?)([a-z0-9]+)(?:\s+[^\s=>]+(?:="[^"]*")?)*\s*>')
_VOID_TAGS = frozenset({"br", "img", "hr"})
# A tag as typed, before the sanitizer: its parser takes time growing with the square of the
# depth (80,000 nested <div>s took 28 s), so a field far deeper than anyone writes is
# refused before it. Tags a browser closes by themselves at their next sibling, and empty
# ones, do not count, so a long list of unclosed <li>s is no reason.
_TYPED_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b(?:[^<>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
_SELF_CLOSING_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "optgroup",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rp",
    }
)
_TYPED_NESTING_LIMIT = 4 * MAX_NESTING


@dataclass(frozen=True)
class ImageRef:
    url: str
    side: Side
    position: int  # 0-based per side, in document order


@dataclass(frozen=True, kw_only=True)
class CardContent:
    """Both sides of a card as they are stored: page-safe HTML and its plain text."""

    question_html: str
    answer_html: str
    question_text: str
    answer_text: str
    source_url: str = ""
    number: int | None = None  # from the source link, when it names one
    images: tuple[ImageRef, ...] = ()

    @property
    def question_has_images(self) -> bool:
        return any(image.side == "question" for image in self.images)

    @property
    def answer_is_image_only(self) -> bool:
        return not self.answer_text and any(image.side == "answer" for image in self.images)


_INLINE_SUFFIXES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
}
_INLINE_IMAGE = re.compile(
    r"""(<img\b[^<>]*?\bsrc\s*=\s*)(["'])data:(image/(?:png|jpe?g|gif|webp|svg\+xml))"""
    r"""((?:;[^,;"'>]*)*),([^"']*)\2""",
    re.IGNORECASE,
)


def inline_images(
    field_html: str, *, max_bytes: int | None = None
) -> tuple[str, dict[str, bytes | None]]:
    """A field whose images are given inline (`<img src="data:image/png;base64,...">`, as a
    web page or a note-taking app pastes them) with each such image named by its content,
    `inline-<hash>.png`, and the files so named. One that does not decode is left as it is
    (the sanitizer drops a data: source).

    One whose data is sure to be more than `max_bytes` is not decoded: it is named by the
    hash of its encoded data and given as None, for the report to name it as too large."""
    if "data:" not in field_html:
        return field_html, {}
    files: dict[str, bytes | None] = {}

    def name(match: re.Match) -> str:
        prefix, quote, kind, parameters, payload = match.groups()
        payload = html.unescape(payload)
        base64_encoded = ";base64" in parameters.lower()
        suffix = _INLINE_SUFFIXES[kind.lower()]
        # Each 4 base64 characters give 3 bytes, each %XX escape 1: the least it can be.
        least = len(payload) * 3 // 4 - 2 if base64_encoded else len(payload) // 3
        if max_bytes is not None and least > max_bytes:
            digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
            file_name = f"inline-{digest}{suffix}"
            files[file_name] = None
            return f"{prefix}{quote}{file_name}{quote}"
        try:
            if base64_encoded:
                data = base64.b64decode("".join(payload.split()), validate=True)
            else:
                data = unquote_to_bytes(payload)
        except (binascii.Error, ValueError):
            return match.group(0)
        file_name = f"inline-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
        files[file_name] = None if max_bytes is not None and len(data) > max_bytes else data
        return f"{prefix}{quote}{file_name}{quote}"

    return _INLINE_IMAGE.sub(name, field_html), files


# Anki's text-to-speech directive, which a template's `{{tts en_US:Front}}` becomes and a
# template or a field may also hold as written: Anki shows a play button for it and speaks
# its text (rslib card_rendering). No page here speaks: its text is shown, as `{{tts}}`'s is
# (importing.apkg), unless the side shows those words anyway; the brackets never.
_TTS_OPENER = re.compile(r"\[anki:tts\b[^\[\]]*\]")
_TTS_CLOSER = "[/anki:tts]"
_TTS_SEARCH_BUDGET = 20_000_000


def tts_directives_as_text(side: str) -> str:
    """`side` with each `[anki:tts ...]words[/anki:tts]` as its words, or as nothing where
    the side shows them elsewhere."""
    if "[anki:tts" not in side:
        return side
    pieces: list[str] = []
    spoken: list[tuple[int, str]] = []  # (index in pieces, the directive's words)
    position = 0
    while opener := _TTS_OPENER.search(side, position):
        end = side.find(_TTS_CLOSER, opener.end())
        if end == -1:  # never closed, and so is none after it: left as written
            break
        pieces.append(side[position : opener.start()])
        spoken.append((len(pieces), side[opener.end() : end]))
        pieces.append("")
        position = end + len(_TTS_CLOSER)
    pieces.append(side[position:])
    shown = _words_spaced(html_to_text("".join(pieces)))
    said: set[str] = set()  # the words of a directive shown already, or shown elsewhere
    # Each directive's words are looked for in the whole side: past this many characters
    # read, the rest show their words (a side of thousands, never a card's, took seconds).
    budget = _TTS_SEARCH_BUDGET
    for index, words in spoken:
        text = _words_spaced(html_to_text(words) if "<" in words else html.unescape(words))
        if text in said:
            continue
        said.add(text)
        budget -= len(shown)
        if text.strip() and (budget < 0 or text not in shown):
            pieces[index] = words
    return "".join(pieces)


_WORD_OR_SIGN = re.compile(r"\w+|[^\w\s]")


def _words_spaced(text: str) -> str:
    """`text`'s words and signs, each between spaces: " Hund . ". One's words are in
    another's as words ("Hund", never the start of "Hunde") when so spaced, found by a
    plain substring search."""
    return f" {' '.join(_WORD_OR_SIGN.findall(text))} "


class CardHtmlError(ValueError):
    """Fields that cannot become a card; the message says why, fit for a form error."""


def card_content(
    question: str,
    answer: str,
    *,
    is_html: bool = True,
    take_provenance: bool = True,
    cloze: int | None = None,
) -> CardContent:
    """Both fields of a note made storable: sanitized through the one allow-list, repaired
    until stable, trimmed. With `take_provenance`, a trailing "view answer on aiquizzes"
    link leaves the answer and becomes the source URL (and number).

    With `cloze`, `question` is a cloze note's text and `answer` its Back Extra (which may
    be empty): the HTML keeps the cloze markup, the plain text is what card `cloze` shows.

    The output is a fixed point: passing it through again gives the same content, so what
    an export writes reads back unchanged. Raises CardHtmlError for an empty side,
    elements or cloze deletions nested more than MAX_NESTING deep, or a cloze note too big
    to store (cloze_note_problem).
    """
    question, answer = tts_directives_as_text(question), tts_directives_as_text(answer)
    if cloze is not None:
        if cloze_depth(question) > MAX_NESTING:
            raise CardHtmlError(f"cloze deletions nested more than {MAX_NESTING} deep")
        if problem := cloze_note_problem(question):
            raise CardHtmlError(problem)
    question_html, question_text, answer_html, answer_text, source_url, number = _sides(
        question, answer, is_html=is_html, take_provenance=take_provenance
    )
    images = (*_image_refs(question_html, "question"), *_image_refs(answer_html, "answer"))
    if cloze is not None:
        question_text = _plain_text(cloze_side(question_html, cloze, answer=False))
        filled = _plain_text(cloze_side(question_html, cloze, answer=True))
        answer_text = "\n".join(filter(None, [filled, _plain_text(answer_html)]))
    content = CardContent(
        question_html=question_html,
        answer_html=answer_html,
        question_text=question_text,
        answer_text=answer_text,
        source_url=source_url,
        number=number,
        images=images,
    )
    if _shows_no_text(question_text) and not content.question_has_images:
        raise CardHtmlError(_empty("question", question))
    if cloze is not None:
        if cloze not in cloze_numbers(question_html):
            raise CardHtmlError(f"no cloze deletion {{{{c{cloze}::…}}}} in the text")
    elif _shows_no_text(answer_text) and not any(image.side == "answer" for image in images):
        # An answer that was only the source link taken off it was empty.
        raise CardHtmlError(_empty("answer", "" if source_url else answer))
    return content


def cloze_note_problem(text: str) -> str:
    """Why a cloze note's text makes too much to store ("" when it does not): each of its
    cards shows the whole text, so they grow with its cloze numbers times its length."""
    count = len(cloze_numbers(text))
    if count > MAX_CLOZE_CARDS:
        return (
            f"{count:,} cloze numbers in one note, where {MAX_CLOZE_CARDS:,} are the most "
            "taken (each makes a card that shows the whole text): split it into smaller notes"
        )
    if count * len(text) > MAX_CLOZE_TEXT:
        return (
            f"{count:,} cloze numbers in a note of {len(text):,} characters: each makes a card "
            f"that shows the whole text, {count * len(text) / 1e6:,.0f} million characters "
            f"together, where {MAX_CLOZE_TEXT / 1e6:,.0f} million are the most taken: split it "
            "into smaller notes"
        )
    return ""


# A cloze note's cards share its fields: made storable once for all of them, not per card.
@functools.lru_cache(maxsize=4)
def _sides(
    question: str, answer: str, *, is_html: bool, take_provenance: bool
) -> tuple[str, str, str, str, str, int | None]:
    """Both fields storable and as plain text, and the provenance link taken off the
    answer: (question HTML, its text, answer HTML, its text, source URL, number)."""
    fast_question = _fast_field(question, is_html=is_html)
    fast_answer = _fast_field(answer, is_html=is_html)
    source_url, number = "", None
    if fast_question is None:
        question_html = _settle(*_field_soup(question, is_html=is_html))
        question_text = _plain_text(question_html)
    else:
        question_html, question_text = fast_question
    if fast_answer is None:
        answer_soup, parsed = _field_soup(answer, is_html=is_html)
        if take_provenance:
            source_url, number = _take_provenance(answer_soup)
        answer_html = _settle(answer_soup, parsed)
        answer_text = _plain_text(answer_html)
    else:
        answer_html, answer_text = fast_answer
    return question_html, question_text, answer_html, answer_text, source_url, number


_INLINE_KIND = re.compile(r"""<img\b[^<>]*?\bsrc\s*=\s*["']?\s*data:([^;,"'\s<>]*)""", re.I)


def _shows_no_text(text: str) -> bool:
    """Whether a side's plain text is nothing a reader sees: spaces, or format characters
    alone (a zero-width space, a soft hyphen, a word joiner, as pasted from the web)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def _empty(side: str, field: str) -> str:
    """Why a side is empty: an inline image left in it (not one inline_images took) is
    dropped by the sanitizer, so say that rather than just "empty"; a side of markup that
    shows nothing (`<div><br></div>`, `&nbsp;`, as Anki's editor leaves a field cleared) is
    named so, since its cell does not look empty."""
    if match := _INLINE_KIND.search(field):
        kind = match.group(1).lower()
        if kind in _INLINE_SUFFIXES:
            return f"the {side} is an inline image ({kind}) whose data does not decode"
        return (
            f"the {side} is an inline image of a type not imported ({kind or 'no type'}): "
            "PNG, JPEG, GIF, WebP and SVG are"
        )
    if field.strip():
        return f"empty {side} (only markup, spaces or invisible characters)"
    return f"empty {side}"


def fragment_html(value: str) -> str:
    """A piece of card HTML typed apart from the sides (a short answer, a hand-written
    distractor) made storable through the same allow-list and repairs; "" when it shows
    nothing. Raises CardHtmlError for elements nested more than MAX_NESTING deep."""
    html = _settle(*_field_soup(value.replace("\r\n", "\n").replace("\r", "\n"), is_html=True))
    return html if html_to_text(html) or "<img" in html else ""


def note_guid(*, source_url: str, question_html: str, answer_html: str) -> str:
    """The Anki guid of a note that came without one: stable across re-imports of the same
    card, from its source link when it has one (so edits keep it), else from its content."""
    identity = source_url or f"{question_html}\x1f{answer_html}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def link_guid(source_url: str) -> str:
    """The guid note_guid gives a card known by its source link: its content plays no part."""
    return note_guid(source_url=source_url, question_html="", answer_html="")


# --- the fast path: most fields are well-formed text, inline tags, paragraphs and lists ---

_FAST_INLINE = frozenset({"b", "i", "u", "em", "strong", "code", "sub", "sup", "kbd"})
_FAST_BLOCKS = frozenset({"p", "div", "ul", "ol", "li", "blockquote", "h3", "h4"})
_FAST_TOKEN = re.compile(r"<(/?)([a-z0-9]+)>|([^<]+)")
_TEXT_BREAKS = frozenset({*BLOCK_TAGS, "br", "tr", "th", "td"})
_ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")
_WHITESPACE = re.compile(r"\s+")
_ANY_TAG = re.compile(r"<[^<>]*>")
_BLOCKISH = re.compile(
    r"<(?:p|div|pre|ul|ol|li|blockquote|table|h3|h4|hr|tr|th|td|details|summary)\b"
)


class _Node:
    """An element of the fast path's tree: nh3's output is a serialized DOM, so its tags
    nest properly and a stack reads it.

    What the checks ask of a whole subtree is worked out once, as the stack closes the
    element: no walk goes down the tree again, so a field nested thousands deep neither
    recurses nor costs a walk per element."""

    __slots__ = ("children", "holds_block", "is_spacing", "name")

    def __init__(self, name: str):
        self.name, self.children = name, []
        self.is_spacing, self.holds_block = True, name in BLOCK_TAGS

    def close(self) -> None:
        for child in self.children:
            if isinstance(child, str):
                self.is_spacing = self.is_spacing and not child.strip()
            else:
                self.is_spacing = self.is_spacing and child.is_spacing
                self.holds_block = self.holds_block or child.holds_block


def _fast_field(value: str, *, is_html: bool) -> tuple[str, str] | None:
    """The storable HTML and plain text of a well-formed field without a BeautifulSoup
    parse, when the repair would change nothing (tests compare both paths); None when the
    field needs the full repair (links, images, lists or paragraphs to mend, edges to trim)."""
    if not is_html:
        value = _LINE_BREAK.sub("<br>", html.escape(value, quote=False))
    if "<a" in value or "<img" in value:
        return None
    _typed_nesting_checked(value)
    sanitized = _nesting_checked(sanitize_card_html(value))
    if "<" not in sanitized:  # plain text: only its edges could need trimming
        text = html.unescape(sanitized)
        if not text.strip() or text != text.strip():
            return None
        return sanitized, " ".join(text.split())
    root = _fast_tree(sanitized.replace("<br>", "<br></br>"))
    if root is None or not _needs_no_repair(root):
        return None
    lines = (" ".join(line.split()) for line in _fast_text(root).split("\n"))
    return sanitized, "\n".join(line for line in lines if line)


def _fast_tree(markup: str) -> _Node | None:
    root = _Node("")
    stack = [root]
    position = 0
    for token in _FAST_TOKEN.finditer(markup):
        if token.start() != position:
            return None  # a tag with attributes, a comment: the full repair
        position = token.end()
        closing, name, text = token.groups()
        if text is not None:
            # BeautifulSoup keeps a whitespace-only text only as one space or line break.
            if not _ASCII_SPACE.sub("", text) and text not in (" ", "\n"):
                return None
            stack[-1].children.append(html.unescape(text))
        elif name not in _FAST_INLINE and name not in _FAST_BLOCKS and name != "br":
            return None
        elif closing:
            if stack[-1].name != name or len(stack) == 1:
                return None
            stack.pop().close()
        else:
            node = _Node(name)
            stack[-1].children.append(node)
            stack.append(node)
    if position != len(markup) or len(stack) != 1:
        return None
    root.close()
    return root


def _needs_no_repair(root: _Node) -> bool:
    """What _repair would leave as it is: no empty paragraph or element at an edge, lists
    of items only, paragraphs only beside other blocks at the top, nothing to trim."""
    children = root.children
    if any(isinstance(c, _Node) and c.name == "p" for c in children) and not all(
        isinstance(c, _Node) and c.holds_block for c in children
    ):
        return False
    nodes = [root]
    while nodes:
        node = nodes.pop()
        if node.name == "p" and node.is_spacing:
            return False
        if node.name in ("ul", "ol"):
            items = [c for c in node.children if isinstance(c, _Node) and c.name == "li"]
            loose = [c for c in node.children if isinstance(c, _Node) and c.name != "li"]
            if not items or loose or any(isinstance(c, str) and c.strip() for c in node.children):
                return False
        if node.name in ("", "p", "li") and node.children:
            first, last = node.children[0], node.children[-1]
            for edge, strip in ((first, str.lstrip), (last, str.rstrip)):
                if isinstance(edge, str) and strip(edge) != edge:
                    return False
                if isinstance(edge, _Node) and edge.is_spacing:
                    return False
        if node.name != "br" and node.name and not node.children:
            return False  # an empty element: the repair may drop it
        nodes += [c for c in node.children if isinstance(c, _Node)]
    return True


def _fast_text(root: _Node) -> str:
    # A stack, not recursion: a field may nest deeper than Python's recursion limit.
    pieces: list[str] = []
    pending: list[_Node | str | None] = list(reversed(root.children))
    while pending:
        node = pending.pop()
        if node is None:  # the end of an element that breaks the line
            pieces.append("\n")
        elif isinstance(node, str):
            pieces.append(_WHITESPACE.sub(" ", node))
        else:
            if node.name in _TEXT_BREAKS:
                pieces.append("\n")
                pending.append(None)
            pending += reversed(node.children)
    return "".join(pieces)


def _plain_text(value: str) -> str:
    """html_to_text, without a parse for HTML that holds no block element."""
    if _BLOCKISH.search(value) or "<!" in value:
        return html_to_text(value)
    lines = (
        " ".join(html.unescape(_ANY_TAG.sub("", piece)).split()) for piece in value.split("<br>")
    )
    return "\n".join(line for line in lines if line)


# --- repair ---


def _field_soup(value: str, *, is_html: bool) -> tuple[BeautifulSoup, str]:
    """The field parsed, and the sanitized HTML it was parsed from."""
    # Sanitizing first lets html5ever (a browser-grade parser) decide what broken markup
    # means; BeautifulSoup then repairs the structure and decodes entities into text.
    if not is_html:
        value = _LINE_BREAK.sub("<br>", html.escape(value, quote=False))
    _typed_nesting_checked(value)
    sanitized = _nesting_checked(sanitize_card_html(value))
    return BeautifulSoup(sanitized, "html.parser"), sanitized


def _typed_nesting_checked(value: str) -> None:
    depth = 0
    for closing, name, empty in _TYPED_TAG.findall(value):
        if empty or name.lower() in _SELF_CLOSING_TAGS:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        if depth > _TYPED_NESTING_LIMIT:
            raise CardHtmlError(f"HTML elements nested more than {MAX_NESTING} deep")


def _nesting_checked(sanitized: str) -> str:
    depth = 0
    for closing, name in _SERIALIZED_TAG.findall(sanitized):
        if name in _VOID_TAGS:
            continue
        depth += -1 if closing else 1
        if depth > MAX_NESTING:
            raise CardHtmlError(f"HTML elements nested more than {MAX_NESTING} deep")
    return sanitized


def _take_provenance(answer: BeautifulSoup) -> tuple[str, int | None]:
    """Remove the link that ends the answer and return (its URL, the card number).

    It counts only when nothing visible follows it (whitespace, `<br>` and empty elements
    are not), at any depth, and it reads "view answer on aiquizzes" or points at
    `.../questions/<int>`. The invisible nodes just before it go with it.
    """
    links = answer.find_all("a", href=True)
    if not links or not _ends_field(links[-1]):
        return "", None
    link = links[-1]
    href = link["href"]
    number = _SOURCE_NUMBER.search(href)
    if " ".join(link.get_text().split()).lower() != PROVENANCE_LABEL and number is None:
        return "", None
    for node in list(link.previous_siblings):
        if not _is_spacing(node):
            break
        node.extract()
    link.decompose()
    return href, int(number[1]) if number else None


def _ends_field(node: Tag) -> bool:
    while node.parent is not None:
        if not all(_is_spacing(sibling) for sibling in node.next_siblings):
            return False
        node = node.parent
    return True


def _settle(soup: BeautifulSoup, parsed: str) -> str:
    """Repair and sanitize until the HTML stops changing; return it. `soup` was parsed
    from `parsed`: when one round gives `parsed` back, it is already the fixed point, and
    a well-formed field costs a single parse.

    html.parser and html5ever disagree about some broken nesting, and one repair can
    expose another, so a single round is not always a fixed point. Settling makes the
    output stable: parsing it again yields the same bytes.
    """
    html = parsed
    for _ in range(_SETTLE_ROUNDS):
        _repair(soup)
        settled = sanitize_card_html(str(soup))
        if settled == html:
            break
        html = settled
        soup = BeautifulSoup(html, "html.parser")
    return html


def _repair(soup: BeautifulSoup) -> None:
    _unwrap_image_links(soup)
    for paragraph in soup.find_all("p"):
        if _is_spacing(paragraph):
            paragraph.decompose()
    _repair_lists(soup)
    _group_paragraphs(soup)
    for container in (soup, *soup.find_all(["p", "li"])):
        _trim(container)


def _unwrap_image_links(soup: BeautifulSoup) -> None:
    # `<a href=X><img src=X></a>` only repeats the image URL; keeping the URL in one place
    # lets the image store rewrite it to a local copy.
    for link in soup.find_all("a", href=True):
        content = [node for node in link.contents if not _is_spacing(node)]
        if (
            len(content) == 1
            and isinstance(content[0], Tag)
            and content[0].name == "img"
            and content[0].get("src") == link["href"]
        ):
            link.unwrap()


def _repair_lists(soup: BeautifulSoup) -> None:
    """A list without items (`<ul>` used to close a `<ul>`) dissolves into its parent;
    content between items belongs to the item before it (a new item if none)."""
    # Innermost lists first, so an outer list sees its nested lists already repaired.
    for items in reversed(soup.find_all(["ul", "ol"])):
        if items.find("li", recursive=False) is None:
            items.unwrap()
            continue
        current = None
        for node in list(items.children):
            if isinstance(node, Tag) and node.name == "li":
                current = node
            elif not _is_blank(node):
                if current is None:
                    current = soup.new_tag("li")
                    node.insert_before(current)
                current.append(node.extract())


def _group_paragraphs(soup: BeautifulSoup) -> None:
    """Beside top-level paragraphs, loose text becomes a paragraph too, and `<br>`s
    between blocks go: that is what the source's stray `</p><br><br><p>` meant."""
    if soup.find("p", recursive=False) is None:
        return
    run: list[Tag | NavigableString] = []
    for node in [*soup.contents, None]:
        if node is not None and not _holds_block(node):
            run.append(node)
            continue
        if all(_is_spacing(loose) for loose in run):
            for loose in run:
                loose.extract()
        else:
            paragraph = soup.new_tag("p")
            run[0].insert_before(paragraph)
            paragraph.extend([loose.extract() for loose in run])
        run = []


def _trim(container: Tag) -> None:
    """Drop whitespace, `<br>`s and empty elements at both edges: they only add blank
    space, and the provenance link takes them along when it goes."""
    for edge in (0, -1):
        while container.contents:
            node = container.contents[edge]
            if _is_spacing(node):
                node.extract()
                continue
            if isinstance(node, NavigableString):
                trimmed = node.lstrip() if edge == 0 else node.rstrip()
                if trimmed != node:
                    node.replace_with(trimmed)
            break


def _image_refs(value: str, side: Side) -> list[ImageRef]:
    # Relative URLs are kept as written: the file gives no base to resolve them against.
    if "<img" not in value:
        return []
    images = BeautifulSoup(value, "html.parser").find_all("img", src=True)
    # An image of no source (`<img src="">`) shows nothing and has nothing to fetch.
    return [
        ImageRef(image["src"], side, position)
        for position, image in enumerate(images)
        if image["src"].strip()
    ]


def _holds_block(node: object) -> bool:
    # A `<b>` around a `<div>` is block content too: a `<p>` around it would not survive
    # the next parse.
    return isinstance(node, Tag) and (node.name in BLOCK_TAGS or node.find(BLOCK_TAGS) is not None)


def _is_blank(node: object) -> bool:
    return isinstance(node, NavigableString) and not node.strip()


def _is_spacing(node: object) -> bool:
    """Whitespace, `<br>`, or an element that shows nothing (no text, no image)."""
    if isinstance(node, Tag):
        return node.name != "img" and node.find("img") is None and not node.get_text().strip()
    return _is_blank(node)
