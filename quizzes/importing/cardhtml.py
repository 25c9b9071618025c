"""Card HTML of one note: sanitized, repaired, its provenance link taken off, its images and
plain text found. The one place where a card's HTML becomes storable, whether it comes from
an Anki file, the deck fixtures or the admin's card form.

Pure Python (nh3 through quizzes.sanitize, and BeautifulSoup), no Django import.
"""

import hashlib
import html
import re
from dataclasses import dataclass
from typing import Literal

from bs4 import BeautifulSoup, NavigableString, Tag

from quizzes.sanitize import BLOCK_TAGS, html_to_text, sanitize_card_html

Side = Literal["question", "answer"]

# The text of the provenance link that ends every answer of the aiquizzes deck.
PROVENANCE_LABEL = "view answer on aiquizzes"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SOURCE_NUMBER = re.compile(r"/questions/([0-9]+)/?(?:[?#]|$)")
# Fuzzed broken markup settles within 3 rounds; the cap only guards against a cycle.
_SETTLE_ROUNDS = 5


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


class CardHtmlError(ValueError):
    """Fields that cannot become a card; the message says why, fit for a form error."""


def card_content(
    question: str, answer: str, *, is_html: bool = True, take_provenance: bool = True
) -> CardContent:
    """Both fields of a note made storable: sanitized through the one allow-list, repaired
    until stable, trimmed. With `take_provenance`, a trailing "view answer on aiquizzes"
    link leaves the answer and becomes the source URL (and number).

    The output is a fixed point: passing it through again gives the same content, so what
    an export writes reads back unchanged. Raises CardHtmlError for an empty side.
    """
    question_soup = _field_soup(question, is_html=is_html)
    answer_soup = _field_soup(answer, is_html=is_html)
    source_url, number = _take_provenance(answer_soup) if take_provenance else ("", None)
    question_html, answer_html = _settle(question_soup), _settle(answer_soup)
    images = (*_image_refs(question_html, "question"), *_image_refs(answer_html, "answer"))
    content = CardContent(
        question_html=question_html,
        answer_html=answer_html,
        question_text=html_to_text(question_html),
        answer_text=html_to_text(answer_html),
        source_url=source_url,
        number=number,
        images=images,
    )
    if not content.question_text and not content.question_has_images:
        raise CardHtmlError("empty question")
    if not content.answer_text and not any(image.side == "answer" for image in images):
        raise CardHtmlError("empty answer")
    return content


def fragment_html(value: str) -> str:
    """A piece of card HTML typed apart from the sides (a short answer, a hand-written
    distractor) made storable through the same allow-list and repairs; "" when it shows
    nothing."""
    html = _settle(_field_soup(value.replace("\r\n", "\n").replace("\r", "\n"), is_html=True))
    has_image = "<img" in html
    return html if html_to_text(html) or has_image else ""


def note_guid(*, source_url: str, question_html: str, answer_html: str) -> str:
    """The Anki guid of a note that came without one: stable across re-imports of the same
    card, from its source link when it has one (so edits keep it), else from its content."""
    identity = source_url or f"{question_html}\x1f{answer_html}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


# --- repair ---


def _field_soup(value: str, *, is_html: bool) -> BeautifulSoup:
    # Sanitizing first lets html5ever (a browser-grade parser) decide what broken markup
    # means; BeautifulSoup then repairs the structure and decodes entities into text.
    if not is_html:
        value = _LINE_BREAK.sub("<br>", html.escape(value, quote=False))
    return BeautifulSoup(sanitize_card_html(value), "html.parser")


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


def _settle(soup: BeautifulSoup) -> str:
    """Repair and sanitize until the HTML stops changing; return it.

    html.parser and html5ever disagree about some broken nesting, and one repair can
    expose another, so a single round is not always a fixed point. Settling makes the
    output stable: parsing it again yields the same bytes.
    """
    html = ""
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
                node.replace_with(node.lstrip() if edge == 0 else node.rstrip())
            break


def _image_refs(html: str, side: Side) -> list[ImageRef]:
    # Relative URLs are kept as written: the file gives no base to resolve them against.
    images = BeautifulSoup(html, "html.parser").find_all("img", src=True)
    return [ImageRef(image["src"], side, position) for position, image in enumerate(images)]


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
