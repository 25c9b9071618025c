"""Image Occlusion Enhanced, the add-on most shared medical decks were made with before Anki
23.10: a note per mask, whose question and answer masks are SVG files drawn over the image.
Each package is written by Anki itself (the `anki` wheel), with the add-on's own note type."""

import re

import pytest

from quizzes.importing.occlusion import OcclusionError, svg_mask
from quizzes.models import CachedImage, Deck, MediaFile
from tests.factories import anki_note_type_package
from tests.test_anki_package_templates import image_bytes_of_colour, import_package, stored_image

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

FIELDS = [
    "ID (hidden)",
    "Header",
    "Image",
    "Question Mask",
    "Footer",
    "Remarks",
    "Sources",
    "Extra 1",
    "Extra 2",
    "Answer Mask",
    "Original Mask",
]
# The add-on's card templates (template.py, version 1.4), its scripts and button included.
FRONT = """{{#Image}}
<div id="io-header">{{Header}}</div>
<div id="io-wrapper">
  <div id="io-overlay">{{Question Mask}}</div>
  <div id="io-original">{{Image}}</div>
</div>
<div id="io-footer">{{Footer}}</div>

<script>
var mask = document.querySelector('#io-overlay>img');
</script>
{{/Image}}
"""
BACK = """{{#Image}}
<div id="io-header">{{Header}}</div>
<div id="io-wrapper">
  <div id="io-overlay">{{Answer Mask}}</div>
  <div id="io-original">{{Image}}</div>
</div>
{{#Footer}}<div id="io-footer">{{Footer}}</div>{{/Footer}}
<button id="io-revl-btn" onclick="toggle();">Toggle Masks</button>
<div id="io-extra-wrapper">
  <div id="io-extra">
    {{#Remarks}}
      <div class="io-extra-entry">
        <div class="io-field-descr">Remarks</div>{{Remarks}}
      </div>
    {{/Remarks}}
    {{#Sources}}
      <div class="io-extra-entry">
        <div class="io-field-descr">Sources</div>{{Sources}}
      </div>
    {{/Sources}}
  </div>
</div>
<script>
var toggle = function() {}
</script>
{{/Image}}
"""
# The masks as the add-on's svg-edit canvas writes them: the size of the image it was drawn
# on (here twice the image's, as a deck resized afterwards has it), a labels layer, and
# the masks layer on top.
RECT = '<rect id="{id}" x="40" y="80" width="120" height="100" fill="{fill}" stroke="#2D2D2D"/>'
ELLIPSE = '<ellipse id="{id}" cx="240" cy="200" rx="40" ry="50" fill="{fill}" stroke="#2D2D2D"/>'
ASKED, OTHER = "#FF7E7E", "#FFEBA2"


def svg(*masks, extra=""):
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="320">'
        '<g><title>Labels</title><text x="300" y="40" font-size="24" fill="#000000">Heart</text>'
        f"</g><g><title>Masks</title>{''.join(masks)}</g>{extra}</svg>"
    ).encode()


def enhanced_package(folder, *, masks=None, media=None, front=FRONT, back=BACK):
    """Two notes of one occlusion, "hide all, guess one": card 1 asks for the rectangle,
    card 2 for the ellipse; each's answer shows the other mask alone."""
    masks = masks or {
        "io1-ao-1-q.svg": svg(
            RECT.format(id="m1", fill=ASKED), ELLIPSE.format(id="m2", fill=OTHER)
        ),
        "io1-ao-1-a.svg": svg(ELLIPSE.format(id="m2", fill=OTHER)),
        "io1-ao-2-q.svg": svg(
            RECT.format(id="m1", fill=OTHER), ELLIPSE.format(id="m2", fill=ASKED)
        ),
        "io1-ao-2-a.svg": svg(RECT.format(id="m1", fill=OTHER)),
        "io1-ao-o.svg": svg(RECT.format(id="m1", fill=OTHER), ELLIPSE.format(id="m2", fill=OTHER)),
    }
    notes = [
        {
            "fields": [
                f"io1-ao-{number}",
                "The heart",
                '<img src="heart diagram.png">',
                f'<img src="io1-ao-{number}-q.svg" />',
                "Fig. 3",
                "Count the chambers",
                "Gray's Anatomy",
                "",
                "",
                f'<img src="io1-ao-{number}-a.svg" />',
                '<img src="io1-ao-o.svg" />',
            ],
            "guid": f"heart-{number}",
        }
        for number in (1, 2)
    ]
    return anki_note_type_package(
        folder,
        name="Image Occlusion Enhanced",
        fields=FIELDS,
        templates=[("IO Card", front, back)],
        notes=notes,
        media={
            "heart diagram.png": image_bytes_of_colour("white", (200, 160)),
            **masks,
            **(media or {}),
        },
    )


@pytest.fixture
def deck(db):
    return Deck.objects.create(name="Anatomy", slug="anatomy")


def pictures(card):
    return re.findall(r'src="([^"]+)"', card.question_html), re.findall(
        r'src="([^"]+)"', card.answer_html
    )


def test_an_enhanced_occlusion_notes_card_shows_its_masks_drawn_on_the_image(deck, tmp_path):
    # The add-on's notes were refused: "only Anki shows those".
    path = enhanced_package(tmp_path)
    plan = import_package(deck, path)

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    first, second = deck.cards.order_by("guid")
    (question,), (answer,) = pictures(first)
    # The header and footer around the question's picture; the answer's picture with the
    # extras the back template names, the scripts and the "Toggle Masks" button left out.
    assert (first.question_text, first.answer_text) == (
        "The heart\nFig. 3",
        "Remarks\nCount the chambers\nSources\nGray's Anatomy",
    )
    assert (
        '<img alt="Screenshot: heart diagram, with the part this card asks about masked" '
        f'src="{question}">'
    ) in first.question_html
    assert f'<img alt="Screenshot: heart diagram, with that part shown" src="{answer}">' in (
        first.answer_html
    )
    assert "<b>Remarks</b>" in first.answer_html
    assert "Toggle" not in first.answer_html
    rectangle, ellipse = (50, 65), (120, 100)  # each mask's middle, in the image's pixels
    assert stored_image(question).getpixel(rectangle) == (255, 126, 126)
    assert stored_image(question).getpixel(ellipse) == (255, 235, 162)
    assert stored_image(answer).getpixel(rectangle) == (255, 255, 255)
    assert stored_image(answer).getpixel(ellipse) == (255, 235, 162)
    (second_question,), _ = pictures(second)
    assert stored_image(second_question).getpixel(ellipse) == (255, 126, 126)
    # The label layer is drawn too: dark pixels where "Heart" is written.
    label = stored_image(question).crop((150, 5, 200, 25))
    assert all(low < 100 for low, _ in label.getextrema())
    # No SVG reaches a page or the media storage.
    assert not CachedImage.objects.filter(url__endswith=".svg").exists()
    assert not MediaFile.objects.filter(name__endswith=".svg").exists()
    assert import_package(deck, path).summary == "0 new, 0 changed, 2 unchanged"


def test_an_enhanced_occlusion_masks_script_and_links_are_never_drawn_or_fetched(deck, tmp_path):
    # An SVG can carry script and load other files: only its shapes are read.
    hostile = svg(
        RECT.format(id="m1", fill=ASKED),
        extra=(
            '<script>alert(1)</script><image href="http://127.0.0.1:9/x.png" '
            'width="400" height="320"/><foreignObject><p>hi</p></foreignObject>'
        ),
    )
    masks = {"io1-ao-1-q.svg": hostile, "io1-ao-1-a.svg": svg(), "io1-ao-2-q.svg": hostile}
    masks |= {"io1-ao-2-a.svg": svg(), "io1-ao-o.svg": svg()}

    plan = import_package(deck, enhanced_package(tmp_path, masks=masks))

    assert plan.report == []
    card = deck.cards.order_by("guid").first()
    assert "alert" not in card.question_html + card.answer_html
    (question,), _ = pictures(card)
    assert stored_image(question).getpixel((50, 65)) == (255, 126, 126)


def test_an_enhanced_occlusion_mask_with_entities_is_refused_and_the_card_says_so(deck, tmp_path):
    # An entity expanding into itself a billion times is the classic XML bomb.
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="320"><text>&b;</text></svg>'
    )
    masks = {"io1-ao-1-q.svg": bomb, "io1-ao-1-a.svg": svg(), "io1-ao-2-q.svg": svg()}
    masks |= {"io1-ao-2-a.svg": svg(), "io1-ao-o.svg": svg()}

    plan = import_package(deck, enhanced_package(tmp_path, masks=masks))

    assert plan.summary == "2 new, 0 changed, 0 unchanged, 1 media file left out"
    reasons = {problem.reason.split(": ", 1)[1] for problem in plan.report}
    assert any(
        "rejected: its mask 'io1-ao-1-q.svg' is not an SVG mask this site draws "
        "(it declares entities or a document type)" in reason
        for reason in reasons
    )
    assert "Image rejected" in deck.cards.get(guid="heart-1").question_rendered
    assert "Image rejected" not in deck.cards.get(guid="heart-2").question_rendered


def test_an_enhanced_occlusion_note_whose_mask_is_missing_says_so(deck, tmp_path):
    masks = {"io1-ao-1-a.svg": svg(), "io1-ao-2-q.svg": svg(), "io1-ao-2-a.svg": svg()}

    plan = import_package(deck, enhanced_package(tmp_path, masks=masks))

    assert plan.summary == "2 new, 0 changed, 0 unchanged, 1 media file left out"
    assert all(
        "rejected: its mask 'io1-ao-1-q.svg' is missing from the package" in problem.reason
        for problem in plan.report
    )


@pytest.mark.parametrize(
    "front",
    [
        FRONT.replace("{{Question Mask}}", "<span>{{Question Mask}}</span>"),
        "{{Header}}<div class=mask>{{Question Mask}}</div><div class=image>{{Image}}</div>",
    ],
    ids=["wrapped", "rewritten"],
)
def test_an_enhanced_occlusion_template_a_deck_author_rewrote_still_shows_its_masks(
    deck, tmp_path, front
):
    back = "{{Answer Mask}}{{Image}}<br>{{Footer}}<br>{{Remarks}}<br>{{Sources}}"
    plan = import_package(deck, enhanced_package(tmp_path, front=front, back=back))

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    (question,), (answer,) = pictures(deck.cards.order_by("guid").first())
    assert stored_image(question).getpixel((50, 65)) == (255, 126, 126)
    assert stored_image(answer).getpixel((50, 65)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("mask", "why"),
    [
        (svg(extra=" " * 1_000_000), "more than 1000000 bytes"),
        (svg(*[RECT.format(id=n, fill=OTHER) for n in range(5_001)]), "more than 5000 elements"),
        (svg(f'<polygon points="{"1,2 " * 100_001}" fill="red"/>'), "more than 100000 points"),
        (b"<svg><rect", "not an SVG mask this site draws (unclosed token"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "no width and height"),
    ],
    ids=["large", "elements", "points", "damaged", "no size"],
)
def test_a_mask_too_large_busy_or_damaged_is_refused_before_it_is_drawn(mask, why):
    with pytest.raises(OcclusionError, match=re.escape(why)):
        svg_mask(mask)
