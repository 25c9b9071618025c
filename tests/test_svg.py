"""An SVG keeps only what draws (quizzes.svg): hostile ones come out harmless, with the size
a page lays them out at; no database."""

from xml.etree import ElementTree

import pytest

from quizzes.svg import MAX_DEPTH, MAX_ELEMENTS, SvgRejected, svg_cleaned

SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
DEEP = "<g>" * MAX_DEPTH + "</g>" * MAX_DEPTH  # in the <svg>: one more than it takes


def cleaned(inside: str, size: str = 'viewBox="0 0 120 60"') -> str:
    return svg_cleaned(f"<svg {SVG} {size}>{inside}</svg>".encode()).data.decode()


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<script xlink:href="https://evil.example/x.js"/>',
        '<rect width="9" height="9" onclick="alert(1)" onmouseover="alert(1)"/>',
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
        '<img src="x" onerror="alert(1)"/></div></foreignObject>',
        '<a href="javascript:alert(1)"><circle r="3"/></a>',
        '<a xlink:href="https://evil.example/">go</a>',
        '<image href="https://evil.example/track.png" width="9" height="9"/>',
        '<image xlink:href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" width="9"/>',
        '<use xlink:href="https://evil.example/sprites.svg#icon"/>',
        '<animate attributeName="href" to="javascript:alert(1)" begin="0s"/>',
        '<set attributeName="onload" to="alert(1)"/>',
        '<rect width="9" height="9" fill="url(https://evil.example/x.svg#g)"/>',
        "<style>@import url(https://evil.example/x.css);</style>",
        "<style>rect { fill: url(https://evil.example/p.svg#p) }</style>",
        "<style>rect { background: image-set('https://evil.example/x.png' 1x) }</style>",
        '<rect width="9" style="fill: u\\72l(https://evil.example/)"/>',
        '<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/>',
        '<handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(1)</handler>',
        "<?xml-stylesheet href='https://evil.example/x.css'?><!-- a comment -->",
    ],
)
def test_nothing_that_runs_links_or_fetches_is_kept(hostile):
    svg = cleaned(f'<g id="kept">{hostile}</g>')

    assert svg.startswith("<svg ") and '<g id="kept"' in svg
    for word in ("script", "alert", "evil", "foreignObject", "animate", "<set", "iframe", "<?"):
        assert word not in svg
    attributes = [name for element in ElementTree.fromstring(svg).iter() for name in element.attrib]
    assert not [name for name in attributes if name.startswith("on")]


def test_a_drawing_keeps_its_shapes_styles_references_and_words():
    svg = cleaned(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient>'
        '<marker id="m"><path d="M0 0L5 5"/></marker></defs>'
        "<style>.axis { stroke: #333; stroke-width: 2 }</style>"
        '<path class="axis" d="M0 0L10 10" marker-end="url(#m)" style="fill: rgb(1, 2, 3)"/>'
        '<rect width="9" height="9" fill="url(#g)" transform="rotate(45 4 4)"/>'
        '<use xlink:href="#m" x="3"/>'
        '<image href="data:image/png;base64,iVBORw0KGgo=" width="4" height="4"/>'
        '<text x="1" y="9">f(<a href="https://x.example/"><tspan>x</tspan></a>) = 1</text>'
    )

    root = ElementTree.fromstring(svg)
    names = [element.tag.split("}")[1] for element in root.iter()]
    assert names == [
        "svg", "defs", "linearGradient", "stop", "marker", "path", "style", "path", "rect",
        "use", "image", "text", "tspan",
    ]  # fmt: skip
    assert ".axis { stroke: #333; stroke-width: 2 }" in svg
    assert 'marker-end="url(#m)" style="fill: rgb(1, 2, 3)"' in svg
    assert '<use href="#m" x="3" />' in svg  # xlink:href, as SVG 2 writes it
    assert 'href="data:image/png;base64,iVBORw0KGgo="' in svg
    assert "".join(root.find("{http://www.w3.org/2000/svg}text").itertext()) == "f(x) = 1"


@pytest.mark.parametrize(
    ("size", "width", "height"),
    [
        ('viewBox="0 0 120 60"', 120, 60),
        ('viewBox="-5 -5 40.5 20.25" width="100%" height="100%"', 40, 20),
        ('width="2in" height="1in"', 192, 96),
        ('width="300" viewBox="0 0 100 50"', 300, 150),
        ('height="30pt" viewBox="0,0,100,50"', 80, 40),
    ],
)
def test_its_size_is_its_width_and_height_else_its_viewbox(size, width, height):
    svg = svg_cleaned(f"<svg {SVG} {size}><rect/></svg>".encode())

    assert (svg.width, svg.height) == (width, height)
    root = ElementTree.fromstring(svg.data)
    assert (round(float(root.get("width"))), round(float(root.get("height")))) == (width, height)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">&a;</svg>',
            "an SVG that declares entities",
        ),
        (  # UTF-16, which the check for entities would not have read
            '<!DOCTYPE svg [<!ENTITY a "a">]><svg xmlns="http://www.w3.org/2000/svg"/>'.encode(
                "utf-16-le"
            ),
            "an SVG not in UTF-8",
        ),
        (f"<svg {SVG}><rect/></svg>".encode(), "an SVG without a size"),
        (f'<svg {SVG} width="50%" height="2em"/>'.encode(), "an SVG without a size"),
        (b'<svg width="9" height="9"><rect/></svg>', "its root is no <svg> of the SVG namespace"),
        (b"<html><body>Not an image</body></html>", "its root is no <svg>"),
        (f'<svg {SVG} width="9" height="9"><rect>'.encode(), "not a well-formed SVG"),
        (
            f'<svg {SVG} width="9" height="9">{DEEP}</svg>'.encode(),
            f"an SVG nested more than {MAX_DEPTH} deep",
        ),
        (  # links count, though they go: each was work
            f'<svg {SVG} width="9" height="9">{"<a/>" * MAX_ELEMENTS}</svg>'.encode(),
            f"an SVG of more than {MAX_ELEMENTS} elements",
        ),
    ],
)
def test_what_it_cannot_keep_is_refused_saying_why(data, reason):
    with pytest.raises(SvgRejected, match=reason):
        svg_cleaned(data)


def test_a_document_type_naming_svg_11_is_read():
    # Inkscape's and older editors' files name SVG 1.1's document type, declaring nothing.
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"'
        b' "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"><rect/></svg>'
    )

    assert svg_cleaned(data).data.startswith(b"<svg ")
