"""Anki's Image Occlusion notes (Anki 23.10 and later) as pictures: Anki draws a note's masks
over its image with its own script at review time, which no page here runs. So each card's
question and answer are drawn here with Pillow, as they are stored: the question with the card's own
mask in red and, in "hide all, guess one", the others in yellow, as Anki colours them; the
answer with the card's mask open, outlined. The Image Occlusion Enhanced add-on's notes (before
Anki 23.10) come with their masks as SVG files: their shapes are painted the same way.

Pure Python (Pillow), no Django import.
"""

import hashlib
import io
import itertools
import math
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree

from PIL import Image, ImageColor, ImageDraw, ImageFont

# {{c1::image-occlusion:rect:left=.2:top=.3:width=.1:height=.05:oi=1}}, as Anki writes a
# mask: its card's number, its shape and its properties.
# A label's text escapes its colons and backslashes: "text=Aorta\: arch".
_MASK = re.compile(r"\{\{c(\d+)::image-occlusion:([a-z]+)((?::[a-zA-Z]+=(?:\\.|[^:{}\\])*)*)\}\}")
_PROPERTY = re.compile(r":([a-zA-Z]+)=((?:\\.|[^:{}\\])*)")
_ESCAPED = re.compile(r"\\(.)")
# Anki's label: black words on white, 40 pixels high unless the note says.
_LABEL_COLOUR, _LABEL_GROUND, _LABEL_SIZE = (0, 0, 0), (255, 255, 255), 40
# Anki's --active-shape-color, --inactive-shape-color and borders.
_ACTIVE = (255, 142, 142)
_INACTIVE = (255, 235, 162)
_BORDER = (33, 33, 33)


@dataclass(frozen=True)
class Mask:
    card: int  # the cloze number of the card that asks for what it hides
    shape: str  # rect, ellipse or polygon; or text, a label every card shows
    properties: tuple[tuple[str, str], ...]

    @property
    def hides_all(self) -> bool:
        """Whether the note is "hide all, guess one": each card shows the others' masks."""
        return dict(self.properties).get("oi") == "1"


@dataclass(frozen=True)
class Occlusion:
    """What an Image Occlusion card's two pictures are drawn from, and their names."""

    image: str  # the note's image, by its name in the package
    masks: tuple[Mask, ...]
    card: int
    question_name: str
    answer_name: str
    # An Image Occlusion Enhanced note's question and answer masks, by their SVG files'
    # names in the package: painted as they are, in place of `masks`.
    question_overlay: str = ""
    answer_overlay: str = ""


@dataclass(frozen=True)
class Drawing:
    """One side's picture of an Image Occlusion card, drawn only when it is stored: a
    package's preview names the pictures, and drawing them all (a twentieth of a second
    each) would keep it waiting minutes on a large deck."""

    image: bytes = field(repr=False)  # the note's image, checked (image_checked)
    masks: tuple[Mask, ...]
    card: int
    answer: bool
    name: str
    overlay: "SvgMask | None" = None  # an enhanced occlusion's mask, in place of `masks`

    def drawn(self, *, max_pixels: int) -> bytes:
        if self.overlay is not None:
            return drawn_over(self.image, self.overlay, max_pixels=max_pixels, name=self.name)
        return drawn(
            self.image,
            list(self.masks),
            self.card,
            answer=self.answer,
            max_pixels=max_pixels,
            name=self.name,
        )


class OcclusionError(ValueError):
    """The image cannot be drawn on; the message says why."""


def image_checked(data: bytes, *, max_pixels: int) -> None:
    """Raises OcclusionError for an image Pillow cannot open, or of more pixels than
    `max_pixels`: read from its header, without decoding it."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (OSError, Image.DecompressionBombError, ValueError) as error:
        raise OcclusionError(f"not an image Pillow can read ({error})") from None
    if width * height > max_pixels:
        raise OcclusionError(f"more than the limit of {max_pixels} pixels")


def masks(occlusion_field: str) -> list[Mask]:
    return [
        Mask(int(number), shape, tuple(_PROPERTY.findall(properties)))
        for number, shape, properties in _MASK.findall(occlusion_field)
        if shape in ("rect", "ellipse", "polygon", "text")
    ]


def side_name(*, guid: str, card: int, image: str, occlusion_field: str, side: str) -> str:
    """The file name of one side's picture, the same for the same note on every import: a
    photo's is a JPEG, as its image is (a PNG of it would be many times its size, past the
    image limit), any other a PNG."""
    key = "\x1f".join([guid, str(card), image, occlusion_field])
    suffix = ".jpg" if image.lower().endswith((".jpg", ".jpeg")) else ".png"
    return f"occlusion-{hashlib.sha256(key.encode()).hexdigest()[:16]}-{side}{suffix}"


def drawn(
    data: bytes, all_masks: list[Mask], card: int, *, answer: bool, max_pixels: int, name: str
) -> bytes:
    """The image `data` with the masks card `card` shows on its question or its answer, as
    a JPEG or a PNG, as `name` says (side_name). Raises OcclusionError for an image
    Pillow cannot read, or of more pixels than `max_pixels` (decoding it would take memory
    in proportion)."""
    canvas = _canvas(data, max_pixels=max_pixels)
    draw = ImageDraw.Draw(canvas)
    for mask in all_masks:
        own = mask.card == card
        if mask.shape == "text":
            _label(draw, mask, canvas.size)
        elif own and answer:
            _draw(draw, mask, canvas.size, fill=None, outline=_ACTIVE)
        elif own:
            _draw(draw, mask, canvas.size, fill=_ACTIVE, outline=_BORDER)
        elif mask.hides_all:
            _draw(draw, mask, canvas.size, fill=_INACTIVE, outline=_BORDER)
    return _encoded(canvas, name)


def _canvas(data: bytes, *, max_pixels: int) -> Image.Image:
    """The image to draw on; OcclusionError for one Pillow cannot read, or of more pixels
    than `max_pixels` (decoding it would take memory in proportion)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > max_pixels:
                raise OcclusionError(f"more than the limit of {max_pixels} pixels")
            # A transparent image keeps its transparency; the masks are opaque.
            return image.convert(
                "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
            )
    except (OSError, Image.DecompressionBombError, ValueError) as error:
        raise OcclusionError(f"not an image Pillow can read ({error})") from None


def _encoded(canvas: Image.Image, name: str) -> bytes:
    """The picture as a JPEG or a PNG, as its `name` says (side_name)."""
    output = io.BytesIO()
    if name.endswith(".jpg"):
        canvas.convert("RGB").save(output, "JPEG", quality=90)
    else:
        # Fast compression: the pictures are drawn again at each read of the package (its
        # preview, the import), and the best compression takes five times as long.
        canvas.save(output, "PNG", compress_level=1)
    return output.getvalue()


def _draw(draw: ImageDraw.ImageDraw, mask: Mask, size: tuple[int, int], *, fill, outline) -> None:
    width, height = size
    values = dict(mask.properties)

    def number(name: str) -> float:
        try:
            return float(values.get(name, "0"))
        except ValueError:
            return 0.0

    # Anki 23.12 and later write positions as a share of the image's size; 23.10 wrote
    # them in pixels.
    coordinates = [number(name) for name in ("left", "top", "width", "height", "rx", "ry")]
    scale_x, scale_y = (1, 1) if any(value > 1 for value in coordinates) else (width, height)
    left, top = number("left") * scale_x, number("top") * scale_y
    line = max(2, round(min(width, height) / 200))
    if mask.shape == "rect":
        right, bottom = left + number("width") * scale_x, top + number("height") * scale_y
        points = [(left, top), (right, top), (right, bottom), (left, bottom)]
    elif mask.shape == "ellipse":
        radius_x, radius_y = number("rx") * scale_x, number("ry") * scale_y
        points = _ellipse(left + radius_x, top + radius_y, radius_x, radius_y)
    else:
        points = _points(values.get("points", ""))
        if any(x > 1 or y > 1 for x, y in points):
            scale_x, scale_y = 1, 1
        points = [(x * scale_x, y * scale_y) for x, y in points]
    if len(points) >= 3:
        # A turned shape turns about its top left corner, as Anki's canvas turns it.
        points = [_turned(point, (left, top), number("angle")) for point in points]
        _polygon(draw, points, fill=fill, outline=outline, width=line)


def _polygon(draw: ImageDraw.ImageDraw, points: list, *, fill, outline, width: int) -> None:
    # The outline as lines: Pillow draws a wide polygon outline through a mask image of
    # the picture's size, each time.
    if fill is not None:
        draw.polygon(points, fill=fill)
    if outline is not None:
        draw.line([*points, points[0]], fill=outline, width=width, joint="curve")


def _label(draw: ImageDraw.ImageDraw, mask: Mask, size: tuple[int, int]) -> None:
    values = dict(mask.properties)
    words = _ESCAPED.sub(r"\1", values.get("text", "")).strip()
    if not words:
        return
    width, height = size

    def number(name: str, default: float) -> float:
        try:
            value = float(values.get(name, default))
        except ValueError:
            return default
        return value if math.isfinite(value) else default

    left, top = number("left", 0), number("top", 0)
    if left <= 1 and top <= 1:
        left, top = left * width, top * height
    font_size = number("fs", 0)
    font_size = font_size * height if 0 < font_size <= 1 else font_size or _LABEL_SIZE
    font_size = max(1, min(round(font_size * number("scale", 1)), height))
    font = ImageFont.load_default(size=font_size)
    box = draw.textbbox((left, top), words, font=font, anchor="la")
    draw.rectangle(box, fill=_LABEL_GROUND)
    draw.text((left, top), words, fill=_LABEL_COLOUR, font=font, anchor="la")


def _turned(
    point: tuple[float, float], centre: tuple[float, float], degrees: float
) -> tuple[float, float]:
    if not degrees:
        return point
    angle = math.radians(degrees)
    x, y = point[0] - centre[0], point[1] - centre[1]
    return (
        centre[0] + x * math.cos(angle) - y * math.sin(angle),
        centre[1] + x * math.sin(angle) + y * math.cos(angle),
    )


def _points(text: str) -> list[tuple[float, float]]:
    points = []
    for pair in text.replace(" ", ";").split(";"):
        x, _, y = pair.partition(",")
        try:
            points.append((float(x), float(y)))
        except ValueError:
            continue
    return points


# --- Image Occlusion Enhanced, the add-on's masks ---

# Image Occlusion Enhanced (the add-on before Anki 23.10) saves each card's question and
# answer masks as SVG files that the card shows over the image. An SVG is a document that
# can run script and load other files: it is never served nor put in a page here. Its
# shapes are read (their geometry and colours only) and painted on the image with Pillow,
# as Anki's own occlusions are, so the learner is shown a PNG or a JPEG.
_SVG_SHAPES = {"rect", "ellipse", "circle", "polygon", "polyline", "line", "path", "text"}
# The add-on's masks are a few kilobytes; these bound the work of reading one.
_SVG_MAX_BYTES = 1_000_000
_SVG_MAX_ELEMENTS = 5_000
_SVG_MAX_POINTS = 100_000
_CURVE_STEPS = 12
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|" + _NUMBER.pattern)
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^()]*)\)")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")

Affine = tuple[float, float, float, float, float, float]  # SVG's matrix(a b c d e f)
_IDENTITY: Affine = (1, 0, 0, 1, 0, 0)


@dataclass(frozen=True)
class SvgShape:
    """A shape of a mask, in the SVG's own units: a filled outline, or a label's words."""

    points: tuple[tuple[float, float], ...]
    fill: str | None  # a colour Pillow reads, or None for no fill
    outline: str | None
    closed: bool = True
    text: str = ""  # a label: drawn at points[0], `size` high
    size: float = 0


@dataclass(frozen=True)
class SvgMask:
    width: float  # the SVG's canvas, which the card stretches over the image's width
    height: float
    shapes: tuple[SvgShape, ...]


def svg_mask(data: bytes) -> SvgMask:
    """The shapes of an Image Occlusion Enhanced mask. Raises OcclusionError for a file that
    is no SVG this reads: one declaring a document type or entities (the way to an XML
    bomb) is refused before it is parsed."""
    if len(data) > _SVG_MAX_BYTES:
        raise OcclusionError(f"not an SVG mask this site draws (more than {_SVG_MAX_BYTES} bytes)")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise OcclusionError(
            "not an SVG mask this site draws (it declares entities or a document type)"
        )
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError) as error:
        raise OcclusionError(f"not an SVG mask this site draws ({error})") from None
    if _local(root.tag) != "svg":
        raise OcclusionError("not an SVG mask this site draws (it is no SVG)")
    width, height = _length(root.get("width")), _length(root.get("height"))
    view_box = [_float(value) for value in _NUMBER.findall(root.get("viewBox", ""))]
    transform = _IDENTITY
    if len(view_box) == 4 and view_box[2] > 0 and view_box[3] > 0:
        width, height = width or view_box[2], height or view_box[3]
        scale_x, scale_y = width / view_box[2], height / view_box[3]
        transform = (scale_x, 0, 0, scale_y, -view_box[0] * scale_x, -view_box[1] * scale_y)
    if not width or not height:
        raise OcclusionError("not an SVG mask this site draws (it has no width and height)")
    shapes: list[SvgShape] = []
    _collect(root, transform, {}, shapes, [0, 0])
    return SvgMask(width=width, height=height, shapes=tuple(shapes))


def drawn_over(data: bytes, mask: SvgMask, *, max_pixels: int, name: str) -> bytes:
    """The image `data` with an enhanced occlusion mask painted on it, scaled as the card
    shows it: the mask's canvas stretched over the image's width."""
    canvas = _canvas(data, max_pixels=max_pixels)
    scale = canvas.width / mask.width
    draw = ImageDraw.Draw(canvas)
    line = max(1, round(scale))
    for shape in mask.shapes:
        points = [(x * scale, y * scale) for x, y in shape.points]
        if shape.text:
            font = ImageFont.load_default(size=max(1, round(shape.size * scale)))
            # SVG places a label's baseline at its point, as Pillow's "ls" anchor does.
            draw.text(points[0], shape.text, fill=shape.fill, font=font, anchor="ls")
        elif shape.closed and len(points) >= 3:
            _polygon(draw, points, fill=shape.fill, outline=shape.outline, width=line)
        elif len(points) >= 2 and (shape.outline or shape.fill):
            draw.line(points, fill=shape.outline or shape.fill, width=line)
    return _encoded(canvas, name)


def _collect(element, transform: Affine, style: dict, shapes: list, counts: list[int]) -> None:
    for child in element:
        counts[0] += 1
        if counts[0] > _SVG_MAX_ELEMENTS:
            raise OcclusionError(
                f"not an SVG mask this site draws (more than {_SVG_MAX_ELEMENTS} elements)"
            )
        kind = _local(child.tag) if isinstance(child.tag, str) else ""
        if kind not in _SVG_SHAPES and kind != "g":
            continue  # script, images, links, styles, titles: nothing of them is drawn
        own_style = style | _presentation(child)
        if own_style.get("display") == "none" or own_style.get("visibility") == "hidden":
            continue
        own = _compose(transform, _transform(child.get("transform", "")))
        if kind == "g":
            _collect(child, own, own_style, shapes, counts)
            continue
        shape = _shape(child, kind, own, own_style)
        if shape is not None:
            counts[1] += len(shape.points)
            if counts[1] > _SVG_MAX_POINTS:
                raise OcclusionError(
                    f"not an SVG mask this site draws (more than {_SVG_MAX_POINTS} points)"
                )
            shapes.append(shape)


def _shape(element, kind: str, transform: Affine, style: dict) -> SvgShape | None:
    def number(name: str) -> float:
        return _length(element.get(name))

    fill = _colour(style.get("fill", "#000000"))
    outline = _colour(style.get("stroke", "none"))
    closed = True
    if kind == "rect":
        x, y, width, height = (number(name) for name in ("x", "y", "width", "height"))
        points = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
    elif kind in ("ellipse", "circle"):
        centre_x, centre_y = number("cx"), number("cy")
        radius_x = number("r") if kind == "circle" else number("rx")
        radius_y = number("r") if kind == "circle" else number("ry")
        points = _ellipse(centre_x, centre_y, radius_x, radius_y)
    elif kind in ("polygon", "polyline"):
        values = [_float(value) for value in _NUMBER.findall(element.get("points", ""))]
        points = list(zip(values[0::2], values[1::2], strict=False))
        closed = kind == "polygon"
    elif kind == "line":
        points = [(number("x1"), number("y1")), (number("x2"), number("y2"))]
        closed = False
    elif kind == "path":
        points, closed = _path(element.get("d", ""))
        closed = closed or fill is not None
    else:
        words = " ".join("".join(element.itertext()).split())
        if not words or fill is None:
            return None
        size = _length(style.get("font-size", "16")) * _scale(transform)
        x, y = _apply(transform, (number("x"), number("y")))
        return SvgShape(points=((x, y),), fill=fill, outline=None, text=words, size=size)
    if not points:
        return None
    return SvgShape(
        points=tuple(_apply(transform, point) for point in points),
        fill=fill if closed else None,
        outline=outline,
        closed=closed,
    )


def _presentation(element) -> dict[str, str]:
    """The element's own fill, stroke, font size and visibility, from its attributes and
    its style attribute (which wins, as in SVG)."""
    names = ("fill", "stroke", "font-size", "display", "visibility")
    found = {name: element.get(name) for name in names if element.get(name) is not None}
    for declaration in element.get("style", "").split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() in names and value.strip():
            found[name.strip()] = value.strip()
    return found


def _colour(value: str) -> str | None:
    value = value.strip()
    if _HEX_COLOUR.fullmatch(value):
        return value
    try:
        ImageColor.getrgb(value)
    except ValueError:
        return None  # "none", a gradient's url(#id), "currentColor": nothing painted
    return value


def _ellipse(x: float, y: float, radius_x: float, radius_y: float) -> list[tuple[float, float]]:
    steps = 48
    return [
        (
            x + radius_x * math.cos(2 * math.pi * step / steps),
            y + radius_y * math.sin(2 * math.pi * step / steps),
        )
        for step in range(steps)
    ]


def _path(text: str) -> tuple[list[tuple[float, float]], bool]:
    """A path's outline as points, curves followed in short straight steps, and whether it
    is closed. An arc is followed straight to its end."""
    tokens = _PATH_TOKEN.findall(text)
    points: list[tuple[float, float]] = []
    closed = False
    command = ""
    x = y = start_x = start_y = 0.0
    control: tuple[float, float] | None = None
    index = 0

    def take(count: int) -> list[float] | None:
        nonlocal index
        values = tokens[index : index + count]
        if len(values) < count or any(value.isalpha() for value in values):
            return None
        index += count
        return [_float(value) for value in values]

    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
            if command in "Zz":
                closed, (x, y) = True, (start_x, start_y)
                continue
        relative = command.islower()
        kind = command.upper()
        counts = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7}
        if kind not in counts or (values := take(counts[kind])) is None:
            break
        base_x, base_y = (x, y) if relative else (0.0, 0.0)
        if kind == "H":
            x = values[0] + (x if relative else 0)
        elif kind == "V":
            y = values[0] + (y if relative else 0)
        elif kind in ("M", "L", "T", "A"):
            end = (values[-2] + base_x, values[-1] + base_y)
            if kind == "T" and control is not None:
                _curve(points, [(x, y), (2 * x - control[0], 2 * y - control[1]), end])
            x, y = end
            if kind == "M":
                start_x, start_y = x, y
                command = "l" if relative else "L"  # pairs after a move are lines
        else:
            pairs = [(values[i] + base_x, values[i + 1] + base_y) for i in range(0, len(values), 2)]
            if kind == "S":
                mirrored = (2 * x - control[0], 2 * y - control[1]) if control else (x, y)
                pairs = [mirrored, *pairs]
            _curve(points, [(x, y), *pairs])
            control = pairs[-2]
            x, y = pairs[-1]
            points.append((x, y))
            continue
        control = None
        points.append((x, y))
    return points, closed


def _curve(points: list, controls: list[tuple[float, float]]) -> None:
    """Points along a Bézier curve of `controls` (its start first), its end left out."""
    for step in range(1, _CURVE_STEPS):
        share = step / _CURVE_STEPS
        layer = controls
        while len(layer) > 1:
            layer = [
                (a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share)
                for a, b in itertools.pairwise(layer)
            ]
        points.append(layer[0])


def _transform(text: str) -> Affine:
    result = _IDENTITY
    for name, arguments in _TRANSFORM.findall(text):
        values = [_float(value) for value in _NUMBER.findall(arguments)]
        if name == "matrix" and len(values) == 6:
            step = tuple(values)
        elif name == "translate" and values:
            step = (1, 0, 0, 1, values[0], values[1] if len(values) > 1 else 0)
        elif name == "scale" and values:
            step = (values[0], 0, 0, values[1] if len(values) > 1 else values[0], 0, 0)
        elif name == "rotate" and values:
            angle = math.radians(values[0])
            cos, sin = math.cos(angle), math.sin(angle)
            centre_x, centre_y = (values[1], values[2]) if len(values) == 3 else (0, 0)
            step = (
                cos,
                sin,
                -sin,
                cos,
                centre_x - cos * centre_x + sin * centre_y,
                centre_y - sin * centre_x - cos * centre_y,
            )
        elif name in ("skewX", "skewY") and values:
            tangent = math.tan(math.radians(values[0]))
            step = (1, 0, tangent, 1, 0, 0) if name == "skewX" else (1, tangent, 0, 1, 0, 0)
        else:
            continue
        result = _compose(result, step)
    return result


def _compose(outer: Affine, inner: Affine) -> Affine:
    a, b, c, d, e, f = outer
    g, h, i, j, k, m = inner
    return (
        a * g + c * h,
        b * g + d * h,
        a * i + c * j,
        b * i + d * j,
        a * k + c * m + e,
        b * k + d * m + f,
    )


def _apply(transform: Affine, point: tuple[float, float]) -> tuple[float, float]:
    a, b, c, d, e, f = transform
    x, y = point
    return (a * x + c * y + e, b * x + d * y + f)


def _scale(transform: Affine) -> float:
    a, b, c, d, _, _ = transform
    return math.sqrt(abs(a * d - b * c)) or 1.0


def _length(value: str | None) -> float:
    """A number of an SVG attribute ("120", "120px", "1e2"); 0 for none."""
    found = _NUMBER.match((value or "").strip())
    return _float(found.group()) if found else 0.0


def _float(text: str) -> float:
    # "1e999" is infinite, which no picture can be drawn at.
    number = float(text)
    return number if math.isfinite(number) else 0.0


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
