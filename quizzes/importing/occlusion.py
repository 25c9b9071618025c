"""Anki's Image Occlusion notes (Anki 23.10 and later) as pictures: Anki draws a note's masks
over its image with its own script at review time, which no page here runs. So each card's
question and answer are drawn here with Pillow, as they are stored: the question with the card's own
mask in red and, in "hide all, guess one", the others in yellow, as Anki colours them; the
answer with the card's mask open, outlined.

Pure Python (Pillow), no Django import.
"""

import hashlib
import io
import re
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

# {{c1::image-occlusion:rect:left=.2:top=.3:width=.1:height=.05:oi=1}}, as Anki writes a
# mask: its card's number, its shape and its properties.
_MASK = re.compile(r"\{\{c(\d+)::image-occlusion:([a-z]+)((?::[a-zA-Z]+=[^:{}]*)*)\}\}")
_PROPERTY = re.compile(r":([a-zA-Z]+)=([^:{}]*)")
# Anki's --active-shape-color, --inactive-shape-color and borders.
_ACTIVE = (255, 142, 142)
_INACTIVE = (255, 235, 162)
_BORDER = (33, 33, 33)


@dataclass(frozen=True)
class Mask:
    card: int  # the cloze number of the card that asks for what it hides
    shape: str  # rect, ellipse or polygon (a text label is no mask)
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

    def drawn(self, *, max_pixels: int) -> bytes:
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
        if shape in ("rect", "ellipse", "polygon")
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
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > max_pixels:
                raise OcclusionError(f"more than the limit of {max_pixels} pixels")
            # A transparent image keeps its transparency; the masks are opaque.
            canvas = image.convert(
                "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
            )
    except (OSError, Image.DecompressionBombError, ValueError) as error:
        raise OcclusionError(f"not an image Pillow can read ({error})") from None
    draw = ImageDraw.Draw(canvas)
    for mask in all_masks:
        own = mask.card == card
        if own and answer:
            _draw(draw, mask, canvas.size, fill=None, outline=_ACTIVE)
        elif own:
            _draw(draw, mask, canvas.size, fill=_ACTIVE, outline=_BORDER)
        elif mask.hides_all:
            _draw(draw, mask, canvas.size, fill=_INACTIVE, outline=_BORDER)
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
        box = (left, top, left + number("width") * scale_x, top + number("height") * scale_y)
        draw.rectangle(box, fill=fill, outline=outline, width=line)
    elif mask.shape == "ellipse":
        box = (left, top, left + 2 * number("rx") * scale_x, top + 2 * number("ry") * scale_y)
        draw.ellipse(box, fill=fill, outline=outline, width=line)
    else:
        points = _points(values.get("points", ""))
        if any(x > 1 or y > 1 for x, y in points):
            scale_x, scale_y = 1, 1
        if len(points) >= 3:
            scaled = [(x * scale_x, y * scale_y) for x, y in points]
            draw.polygon(scaled, fill=fill, outline=outline, width=line)


def _points(text: str) -> list[tuple[float, float]]:
    points = []
    for pair in text.replace(" ", ";").split(";"):
        x, _, y = pair.partition(",")
        try:
            points.append((float(x), float(y)))
        except ValueError:
            continue
    return points
