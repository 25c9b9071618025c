"""Card HTML as a page shows it: each <img> of the source points at the local cached copy,
with its size and an alt text, or becomes a visible "image not cached" placeholder; search
words are marked in the text.

Pure: HTML and image facts in, HTML out. A card keeps its source HTML with the original
URLs, and stores this page-ready form beside it, made again whenever an image is fetched
or replaced (services.card_pages).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString


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
