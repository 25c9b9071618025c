"""Card HTML as a page shows it: each <img> of the source points at the local cached copy,
with its size and an alt text, or becomes a visible "image not cached" placeholder; a cloze
deletion is hidden or filled in; `\\( \\)` and `\\[ \\]` math becomes MathML; `[sound:x]`
becomes an audio player or an "audio not available" mark; search words are marked in the text.

Pure: HTML and image facts in, HTML out. A card keeps its source HTML with the original
URLs, and stores this page-ready form beside it, made again whenever an image is fetched
or replaced (services.card_pages).
"""

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString
from latex2mathml.converter import convert as latex_to_mathml

from quizzes.sanitize import sanitize_mathml


@dataclass(frozen=True)
class LocalImage:
    """What the page needs to know about one source URL; `src` is None when not cached."""

    src: str | None
    width: int | None = None
    height: int | None = None


def describe_image(url: str) -> str:
    """An alt text from the file name: `.../add_dim.png` gives "Screenshot: add dim"."""
    stem = PurePosixPath(urlsplit(url).path).stem
    words = stem.replace("_", " ").replace("-", " ").strip()
    return f"Screenshot: {words}" if words else "Screenshot"


PLACEHOLDER_CLASS = "image-missing"


def _placeholder(soup: BeautifulSoup, url: str, alt: str):
    # Not role="img": that would hide the link inside from assistive technology.
    box = soup.new_tag("span", attrs={"class": PLACEHOLDER_CLASS})
    label = soup.new_tag("span", attrs={"class": "image-missing-label"})
    label.string = f"Image not cached ({alt})"
    box.append(label)
    if url.startswith(("http://", "https://")):
        link = soup.new_tag("a", href=url, rel="noopener noreferrer nofollow")
        link.string = "Open the original"
        box.append(link)
    return box


def localize_images(card_html: str, images: Mapping[str, LocalImage]) -> str:
    if "<img" not in card_html:
        return card_html
    soup = BeautifulSoup(card_html, "html.parser")
    for img in soup.find_all("img"):
        url = img.get("src", "")
        alt = img.get("alt") or describe_image(url)
        local = images.get(url) or LocalImage(src=None)
        # The source wraps images in a link to themselves; that link follows the image.
        wrapper = img.parent if img.parent.name == "a" and img.parent.get("href") == url else None
        if local.src is None:
            (wrapper or img).replace_with(_placeholder(soup, url, alt))
            continue
        img["src"] = local.src
        img["alt"] = alt
        img["loading"] = "lazy"
        if local.width and local.height:
            img["width"], img["height"] = str(local.width), str(local.height)
        if wrapper is not None:
            wrapper["href"] = local.src
    return str(soup)


def highlight(card_html: str, words: Sequence[str]) -> str:
    """Wrap each case-insensitive occurrence of `words` in `<mark>`, in text only: tags,
    attributes and entities are never touched, so the HTML stays as safe as it came in.
    The words of an image placeholder are not the card's own and are never marked."""
    words = [word for word in words if word]
    if not words:
        return card_html
    # Longest first, so "batchnorm" wins over "batch" where both match.
    pattern = re.compile(
        "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True)),
        re.IGNORECASE,
    )
    soup = BeautifulSoup(card_html, "html.parser")
    for text in soup.find_all(string=pattern):
        if type(text) is not NavigableString:  # comments, CDATA, doctypes
            continue
        if text.find_parent(class_=PLACEHOLDER_CLASS) is not None:
            continue
        pieces, start = [], 0
        for match in pattern.finditer(text):
            if match.start() > start:
                pieces.append(NavigableString(text[start : match.start()]))
            mark = soup.new_tag("mark")
            mark.string = match.group()
            pieces.append(mark)
            start = match.end()
        if start < len(text):
            pieces.append(NavigableString(text[start:]))
        text.replace_with(*pieces)
    return str(soup)


# --- cloze deletions: {{c1::answer}} and {{c1::answer::hint}}, nested or not ---

_CLOZE_TOKEN = re.compile(r"\{\{c([0-9]+)::|\}\}|::")
CLOZE_GAP = "[…]"


@dataclass
class _Deletion:
    number: int
    content: list = field(default_factory=list)
    hint: list | None = None

    @property
    def current(self) -> list:
        return self.content if self.hint is None else self.hint

    def source(self) -> list:
        hint = ["::", *self.hint] if self.hint is not None else []
        return [f"{{{{c{self.number}::", *self.content, *hint]


def _cloze_parse(text: str) -> list:
    """Text and _Deletion nodes; markup that does not close stays text, as Anki shows it."""
    root: list = []
    stack: list[_Deletion] = []
    position = 0

    def current() -> list:
        return stack[-1].current if stack else root

    for token in _CLOZE_TOKEN.finditer(text):
        current().append(text[position : token.start()])
        position = token.end()
        if token[1] is not None:
            stack.append(_Deletion(int(token[1])))
        elif token[0] == "}}" and stack:
            deletion = stack.pop()
            current().append(deletion)
        elif token[0] == "::" and stack and stack[-1].hint is None:
            stack[-1].hint = []
        else:
            current().append(token[0])
    current().append(text[position:])
    while stack:  # unclosed: back to the text it was
        deletion = stack.pop()
        current().extend(deletion.source())
    return root


def cloze_numbers(text: str) -> list[int]:
    """The cloze numbers a note's text uses, in order: one card each."""
    numbers: set[int] = set()

    def walk(nodes: list) -> None:
        for node in nodes:
            if isinstance(node, _Deletion):
                if node.number > 0:
                    numbers.add(node.number)
                walk(node.content)

    if "{{c" in text:
        walk(_cloze_parse(text))
    return sorted(numbers)


def cloze_side(text: str, number: int, *, answer: bool) -> str:
    """A cloze note's text as card `number` shows it: that deletion as `[…]` (or `[hint]`)
    on the question, filled in on the answer; every other deletion shows its text."""

    def render(nodes: list) -> str:
        out = []
        for node in nodes:
            if not isinstance(node, _Deletion):
                out.append(node)
            elif node.number != number:
                out.append(render(node.content))
            elif answer:
                out.append(f'<span class="cloze">{render(node.content)}</span>')
            else:
                hint = render(node.hint).strip() if node.hint is not None else ""
                gap = f"[{hint}]" if hint else CLOZE_GAP
                out.append(f'<span class="cloze">{gap}</span>')
        return "".join(out)

    return render(_cloze_parse(text))


# --- math and sound ---

_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")
_SOUND = re.compile(r"\[sound:([^\]]+)\]")
AUDIO_MISSING_CLASS = "audio-missing"


def math_to_mathml(card_html: str) -> str:
    """`\\( … \\)` inline and `\\[ … \\]` display math as MathML, made here (no script from
    elsewhere). The MathML goes through its own allow-list: latex2mathml copies `\\text{}`
    verbatim. LaTeX it cannot read stays as written."""
    if "\\(" not in card_html and "\\[" not in card_html:
        return card_html

    def convert(match: re.Match) -> str:
        inline = match[1] is not None
        latex = html.unescape(_TAGS.sub(" ", match[1] if inline else match[2]))
        try:
            mathml = latex_to_mathml(latex, display="inline" if inline else "block")
        except Exception:  # latex2mathml raises many kinds on LaTeX it cannot read
            return match[0]
        return sanitize_mathml(mathml)

    return _MATH.sub(convert, card_html)


def sounds_to_audio(card_html: str, media: Mapping[str, str]) -> str:
    """`[sound:name]` as an audio player when `media` (name -> URL) has the file, else a
    visible "audio not available" mark."""
    if "[sound:" not in card_html:
        return card_html

    def player(match: re.Match) -> str:
        name = html.unescape(match[1])
        url = media.get(name)
        if url is None:
            return (
                f'<span class="{AUDIO_MISSING_CLASS}">audio not available '
                f"({html.escape(name)})</span>"
            )
        return f'<audio controls preload="none" src="{html.escape(url)}"></audio>'

    return _SOUND.sub(player, card_html)


def sound_names(card_html: str) -> list[str]:
    return [html.unescape(name) for name in _SOUND.findall(card_html)]


def page_ready(
    question_html: str,
    answer_html: str,
    images: Mapping[str, LocalImage],
    media: Mapping[str, str],
    *,
    cloze: int | None = None,
) -> tuple[str, str]:
    """Both sides of a card as pages show them. For cloze card `cloze`, `question_html` is
    the note's text and `answer_html` its Back Extra, shown below the filled-in text."""
    if cloze is not None:
        question = cloze_side(question_html, cloze, answer=False)
        answer = cloze_side(question_html, cloze, answer=True)
        if answer_html:
            answer += f'<div class="cloze-extra">{answer_html}</div>'
    else:
        question, answer = question_html, answer_html
    # Images first: localize_images re-serializes the HTML it parses, and the audio and
    # MathML markup added after it stays exactly as made here.
    return tuple(
        math_to_mathml(sounds_to_audio(localize_images(side, images), media))
        for side in (question, answer)
    )
