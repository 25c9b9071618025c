"""Contrast of text as the browser paints it, from computed styles (never pixels): the text's
fill against the backgrounds behind it, laid one over another up to the white canvas."""

import re

from playwright.sync_api import Locator

# Each colour in sRGB through relative colour syntax, so an author's colour that site.css
# dims in another space (xyz) reads as the browser paints it: clipped to the screen's gamut.
_PAINTED_COLOURS = """element => {
  const probe = document.createElement("i");
  document.body.append(probe);
  const srgb = colour => {
    probe.style.color = `rgb(from ${colour} r g b / alpha)`;
    return getComputedStyle(probe).color;
  };
  const text = srgb(getComputedStyle(element).webkitTextFillColor);
  const grounds = [];
  for (let box = element; box; box = box.parentElement) {
    grounds.push(srgb(getComputedStyle(box).backgroundColor));
  }
  probe.remove();
  return {text, grounds};
}"""


def rgba(colour: str) -> tuple[float, float, float, float]:
    """A computed colour, "rgb(r, g, b)", "rgba(r, g, b, a)" or "color(srgb r g b / a)", as
    four channels from 0 to 1, clipped as the screen clips them."""
    numbers = [float(number) for number in re.findall(r"-?[\d.]+(?:e-?\d+)?", colour)]
    scale = 1 if colour.startswith("color(") else 255
    red, green, blue = (min(max(channel / scale, 0.0), 1.0) for channel in numbers[:3])
    return red, green, blue, numbers[3] if len(numbers) > 3 else 1.0


def luminance(red: float, green: float, blue: float) -> float:
    def linear(channel):
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _over(top: tuple, bottom: tuple[float, float, float]) -> tuple[float, float, float]:
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom, strict=True))


def painted_colours(element: Locator) -> tuple[tuple, tuple]:
    """The text's colour and the solid colour behind it, each (r, g, b) from 0 to 1."""
    colours = element.evaluate(_PAINTED_COLOURS)
    ground = (1.0, 1.0, 1.0)
    for colour in reversed(colours["grounds"]):
        ground = _over(rgba(colour), ground)
    return _over(rgba(colours["text"]), ground), ground


def text_contrast(element: Locator) -> float:
    """The WCAG contrast ratio of an element's text against what is behind it."""
    text, ground = (luminance(*colour) for colour in painted_colours(element))
    lighter, darker = max(text, ground), min(text, ground)
    return (lighter + 0.05) / (darker + 0.05)
