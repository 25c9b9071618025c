"""An SVG image made safe to store and serve: kept to an allow-list of drawing elements and
attributes, as Anki's decks hold diagrams and formulas drawn as SVG.

An SVG is a document: opened by itself it can run script, load other files and show a
form. Inside an <img> a browser does none of that, but a file under /media/ can be opened
directly, so what is kept here is only what draws: shapes, text, gradients, patterns,
clips, masks, markers, filters, and images inline as PNG, JPEG, GIF or WebP data. No
script, no event handler, no animation (it can set a link), no link, no foreignObject
(HTML), no reference to another file (`href` only to an element of the same file, `url()`
likewise), no CSS that imports or escapes. The proxy serves /media/ sandboxed too (README).

Pure Python (xml.etree), no Django import.
"""

import re
from dataclasses import dataclass
from xml.etree import ElementTree

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_XLINK = "{http://www.w3.org/1999/xlink}"
_XML = "{http://www.w3.org/XML/1998/namespace}"
_SVG = f"{{{SVG_NAMESPACE}}}"

# An SVG a card shows is a diagram of kilobytes: these bound the work of reading one, and
# the depth ElementTree's writer, which recurses, can take.
MAX_ELEMENTS = 50_000
MAX_DEPTH = 100

_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "switch",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
        "image", "style",
        "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
        "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
        "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "feTile",
    }
)  # fmt: skip
# Elements whose children are kept without them: a link's drawing stays, not the link.
_UNWRAPPED = frozenset({"a"})
_ATTRIBUTES = frozenset(
    {
        "id", "class", "style", "transform", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy",
        "r", "rx", "ry", "fx", "fy", "fr", "width", "height", "points", "pathLength",
        "viewBox", "preserveAspectRatio", "version", "baseProfile",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "stroke-opacity", "opacity", "color", "display", "visibility", "overflow",
        "clip-path", "clip-rule", "mask", "filter", "marker-start", "marker-mid", "marker-end",
        "paint-order", "vector-effect", "shape-rendering", "text-rendering", "image-rendering",
        "color-interpolation", "color-interpolation-filters",
        "font-family", "font-size", "font-weight", "font-style", "font-variant",
        "font-stretch", "text-anchor", "dominant-baseline", "alignment-baseline",
        "baseline-shift", "letter-spacing", "word-spacing", "text-decoration", "writing-mode",
        "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "side", "method",
        "spacing",
        "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
        "spreadMethod", "patternUnits", "patternContentUnits", "patternTransform",
        "clipPathUnits", "maskUnits", "maskContentUnits", "markerWidth", "markerHeight",
        "markerUnits", "refX", "refY", "orient",
        "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "mode",
        "operator", "k1", "k2", "k3", "k4", "values", "type", "tableValues", "slope",
        "intercept", "amplitude", "exponent", "flood-color", "flood-opacity", "radius",
        "edgeMode",
        "href",
    }
)  # fmt: skip
# A reference a drawing may make: to an element of the same file.
_FRAGMENT = re.compile(r"#[\w.:-]+")
_RASTER_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*")
# Each url() must be one of the same file's: the two counted, as one pattern for the whole
# url() would look to the end of the text from each one never closed.
_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"url\(\s*(['\"]?)#[\w.:-]+\1\s*\)", re.IGNORECASE)
# CSS that could fetch, escape a check or run script: an at-rule (@import, @font-face), an
# escape, markup, an old browser's script hooks. And every function is one of these, so
# none fetches (image-set() takes a file's name as a string); url() only within the file.
_UNSAFE_CSS = re.compile(r"[@\\<]|expression|behavior|binding|javascript", re.I)
_CSS_FUNCTION = re.compile(r"(?<![\w-])([\w-]+)\s*\(")
_CSS_FUNCTIONS = frozenset(
    {
        "url", "rgb", "rgba", "hsl", "hsla", "calc", "var", "matrix", "translate",
        "translatex", "translatey", "scale", "scalex", "scaley", "rotate", "skewx", "skewy",
        "blur", "drop-shadow", "brightness", "contrast", "grayscale", "opacity", "saturate",
    }
)  # fmt: skip
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# CSS pixels per unit of an SVG's width and height.
_UNIT_PIXELS = {"": 1, "px": 1, "pt": 4 / 3, "pc": 16, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4}
_LENGTH = re.compile(rf"\s*({_NUMBER.pattern})\s*(px|pt|pc|in|cm|mm)?\s*")


class SvgRejected(ValueError):
    """Not an SVG this keeps; the message says why, as a clause."""


@dataclass(frozen=True)
class CleanSvg:
    data: bytes
    width: int
    height: int


def looks_like_svg(data: bytes) -> bool:
    """Whether `data` is markup (an SVG, or an HTML page passed off as one), not a bitmap:
    every bitmap format taken starts with bytes of its own."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def svg_cleaned(data: bytes) -> CleanSvg:
    """`data` reduced to the drawing it holds, with its size in CSS pixels (its width and
    height, else its viewBox's), written anew as UTF-8. Raises SvgRejected."""
    if b"\x00" in data:
        # UTF-16, which the XML parser reads and the checks below would not (no character
        # of an XML document is NUL in UTF-8).
        raise SvgRejected("an SVG not in UTF-8")
    if b"<!ENTITY" in data.upper() or _declares_internal_subset(data):
        # An entity is the way to an XML bomb. A document type alone (Inkscape's, naming
        # SVG 1.1's) declares none, and ElementTree fetches nothing it names.
        raise SvgRejected("an SVG that declares entities")
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError) as error:
        raise SvgRejected(f"not a well-formed SVG ({error})") from None
    if root.tag != f"{_SVG}svg":
        raise SvgRejected("not an SVG (its root is no <svg> of the SVG namespace)")
    if sum(1 for _ in root.iter()) > MAX_ELEMENTS:
        raise SvgRejected(f"an SVG of more than {MAX_ELEMENTS} elements")
    width, height = _size(root)
    _clean(root)
    root.set("width", _number(width))
    root.set("height", _number(height))
    # Written with the SVG namespace as the default one: ElementTree names it "ns0:" else.
    for element in root.iter():
        element.tag = element.tag.removeprefix(_SVG)
    root.set("xmlns", SVG_NAMESPACE)
    data = ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)
    ElementTree.fromstring(data)  # written by ElementTree, it parses: checked all the same
    return CleanSvg(data=data, width=max(1, round(width)), height=max(1, round(height)))


def _declares_internal_subset(data: bytes) -> bool:
    """Whether the document type declares anything (`<!DOCTYPE svg [ ... ]>`)."""
    start = data.upper().find(b"<!DOCTYPE")
    if start == -1:
        return False
    end = data.find(b">", start)
    return b"[" in data[start : end if end != -1 else len(data)]


def _size(root: ElementTree.Element) -> tuple[float, float]:
    view_box = [float(value) for value in _NUMBER.findall(root.get("viewBox", ""))]
    if len(view_box) != 4 or view_box[2] <= 0 or view_box[3] <= 0:
        view_box = []
    width, height = _pixels(root.get("width")), _pixels(root.get("height"))
    if view_box:
        aspect = view_box[3] / view_box[2]
        if width and not height:
            height = width * aspect
        elif height and not width:
            width = height / aspect
        elif not width:
            width, height = view_box[2], view_box[3]
    if not width or not height:
        raise SvgRejected("an SVG without a size (no width and height, nor a viewBox)")
    return width, height


def _pixels(length: str | None) -> float | None:
    """An absolute length in CSS pixels; None for none, a percentage or a relative unit."""
    match = _LENGTH.fullmatch(length or "")
    if match is None:
        return None
    value = float(match[1]) * _UNIT_PIXELS[match[2] or ""]
    return value if value > 0 else None


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _clean(root: ElementTree.Element) -> None:
    """Keep only the allowed elements and attributes, in place; a stack, not recursion."""
    pending = [(root, 1)]
    while pending:
        parent, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise SvgRejected(f"an SVG nested more than {MAX_DEPTH} deep")
        kept = _children_kept(parent)
        _clean_attributes(parent)
        if parent.tag == f"{_SVG}style" and not _safe_css(parent.text or ""):
            parent.text = ""
        pending += [(child, depth + 1) for child in kept]


def _children_kept(parent: ElementTree.Element) -> list[ElementTree.Element]:
    """`parent`'s children less those not allowed, which go with all they hold; a link's
    children (and words) take its place. The words after any of them (its tail) stay: in a
    <text>, they are the text's."""
    kept: list[ElementTree.Element] = []
    # The words before the first child kept, then after each: joined once at the end, as
    # thousands of links unwrapped would make each string again and again.
    words: list[list[str]] = [[parent.text or ""]]
    pending: list = list(reversed(parent))
    for child in list(parent):
        parent.remove(child)
    while pending:
        child = pending.pop()
        if isinstance(child, str):  # the tail of a link unwrapped
            words[-1].append(child)
            continue
        name = _local_name(child.tag)
        if name in _ELEMENTS:
            kept.append(child)
            words.append([child.tail or ""])
        elif name in _UNWRAPPED:
            words[-1].append(child.text or "")
            pending += [child.tail or "", *reversed(child)]
        else:
            words[-1].append(child.tail or "")
    parent.text = "".join(words[0]) or None
    for child, after in zip(kept, words[1:], strict=True):
        child.tail = "".join(after) or None
    parent.extend(kept)
    return kept


def _local_name(tag) -> str | None:
    """The element's name when it is an SVG element; None for any other (a comment, an
    element of another namespace: Inkscape's, RDF metadata, HTML)."""
    if not isinstance(tag, str) or not tag.startswith(_SVG):
        return None
    return tag.removeprefix(_SVG)


def _clean_attributes(element: ElementTree.Element) -> None:
    kept: dict[str, str] = {}
    for name, value in element.attrib.items():
        if name == f"{_XML}space":
            kept[name] = value
            continue
        name = name.removeprefix(_XLINK)  # xlink:href, as SVG 2's href
        if name not in _ATTRIBUTES:
            continue
        if name == "href":
            value = value.strip()
            is_inline_bitmap = element.tag == f"{_SVG}image" and _RASTER_DATA.fullmatch(value)
            if not (_FRAGMENT.fullmatch(value) or is_inline_bitmap):
                continue
        elif not _safe_css(value):
            continue
        kept[name] = value
    element.attrib.clear()
    element.attrib.update(kept)


def _safe_css(css: str) -> bool:
    """Whether `css` (a style sheet, a style, or an attribute's value) fetches nothing and
    hides nothing: each of its `url()` names an element of the same file (`url(#shadow)`)."""
    return (
        not _UNSAFE_CSS.search(css)
        and all(name.lower() in _CSS_FUNCTIONS for name in _CSS_FUNCTION.findall(css))
        and len(_URL.findall(css)) == len(_LOCAL_URL.findall(css))
    )
