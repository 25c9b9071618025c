"""Card templates of note types as shared decks have them, each package written by Anki
itself (the `anki` wheel): what a card shows is what Anki shows, or the report says why not."""

import io
import json
import re
import sqlite3
import zipfile

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from PIL import Image, ImageDraw

from quizzes.models import CachedImage, Deck
from quizzes.services.anki_io import anki_import_apply, anki_import_plan
from tests.factories import anki_note_type_package, image_bytes

pytestmark = pytest.mark.django_db

BACK = "{{FrontSide}}<hr id=answer>"
PNG = image_bytes("PNG", (4, 3))


def image_bytes_of_colour(colour, size):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(media_root):
    return media_root


@pytest.fixture
def deck(db):
    return Deck.objects.create(name="Shared", slug="shared")


def import_package(deck, path):
    return anki_import_apply(deck=deck, data=path.read_bytes(), source=path.name)


def test_a_hint_on_the_front_is_behind_a_toggle_named_as_its_field(deck, tmp_path):
    # Anki shows a link named after the field that reveals the hint; it was shown openly.
    path = anki_note_type_package(
        tmp_path,
        fields=["Front", "Back", "Mnemonic"],
        templates=[("Recall", "{{Front}}<br>{{hint:Mnemonic}}", BACK + "{{Back}}")],
        notes=[
            {"fields": ["Hund", "dog", "a <b>hound</b>"], "guid": "hund"},
            {"fields": ["Katze", "cat", ""], "guid": "katze"},
        ],
    )

    plan = import_package(deck, path)

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    hund, katze = deck.cards.get(guid="hund"), deck.cards.get(guid="katze")
    assert hund.question_html == (
        "Hund<br><br><details><summary>Mnemonic</summary>a <b>hound</b></details>"
    )
    assert "<details><summary>Mnemonic</summary>" in hund.question_rendered
    assert (katze.question_html, katze.answer_html) == ("Katze", "cat")


def test_a_hint_among_a_templates_own_words_is_a_toggle_too(deck, tmp_path):
    path = anki_note_type_package(
        tmp_path,
        fields=["Country", "Capital", "Hint"],
        templates=[("Capital", "Capital of {{Country}}? {{hint:Hint}}", BACK + "{{Capital}}")],
        notes=[{"fields": ["France", "Paris", "on the Seine"]}],
    )

    import_package(deck, path)

    (card,) = deck.cards.all()
    assert card.question_html == (
        "Capital of France? <details><summary>Hint</summary>on the Seine</details>"
    )


def test_a_templates_deck_tags_type_and_card_name_are_filled_in_as_anki_fills_them(deck, tmp_path):
    # A shared deck's template often says where a card is from: "{{Deck}}", "{{Tags}}".
    # They showed nothing.
    path = anki_note_type_package(
        tmp_path,
        name="Vocabulary & more",
        fields=["Word", "Meaning"],
        templates=[
            (
                "Recognition",
                "<i>{{Subdeck}} ({{Deck}})</i><br>{{Word}}",
                BACK + "{{Meaning}}<br><i>{{Type}}: {{Card}}; {{Tags}}</i>",
            ),
        ],
        notes=[
            {
                "fields": ["laufen", "to run"],
                "deck": "Languages::German::Verbs",
                "tags": ["verb", "irregular"],
            }
        ],
    )

    plan = import_package(deck, path)

    assert plan.report == []
    (card,) = deck.cards.all()
    assert card.question_html == ("<i>Verbs (Languages::German::Verbs)</i><br>laufen")
    assert card.answer_html == (
        "to run<br><i>Vocabulary &amp; more: Recognition; irregular verb</i>"
    )


def test_a_field_named_as_a_special_field_is_shown_as_the_field(deck, tmp_path):
    # A genanki deck's field "Type" (a consonant or a vowel): Anki shows the field, and
    # the cards here showed the note type's name.
    path = anki_note_type_package(
        tmp_path,
        name="Hangul",
        fields=["Character", "Type", "Name"],
        templates=[("Card 1", "What is this {{Type}}?<br>{{Character}}", BACK + "{{Name}}")],
        notes=[{"fields": ["ㄱ", "Consonant", "Giyeok"]}],
    )

    plan = import_package(deck, path)

    assert plan.report == []
    (card,) = deck.cards.all()
    assert (card.question_html, card.answer_html) == ("What is this Consonant?<br>ㄱ", "Giyeok")


def test_a_template_showing_its_fields_and_the_deck_alone_shows_both(deck, tmp_path):
    path = anki_note_type_package(
        tmp_path,
        fields=["Front", "Back"],
        templates=[
            ("Card 1", "{{Front}}<br>{{Deck}}", BACK + "{{Back}}{{#Tags}}<br>{{Tags}}{{/Tags}}")
        ],
        notes=[{"fields": ["Hund", "dog"], "deck": "German"}],
    )

    import_package(deck, path)

    (card,) = deck.cards.all()
    assert (card.question_html, card.answer_html) == ("Hund<br>German", "dog")


def test_cloze_numbers_spread_over_two_cloze_fields_each_make_their_card(deck, tmp_path):
    # Anki makes a card of each cloze number in any field its front shows as a cloze: the
    # second field's card was left out as empty, and its text was on no card.
    path = anki_note_type_package(
        tmp_path,
        cloze=True,
        fields=["Text", "More", "Notes"],
        templates=[
            (
                "Cloze",
                "{{cloze:Text}}<br>{{cloze:More}}",
                "{{cloze:Text}}<br>{{cloze:More}}<br>{{Notes}}",
            ),
        ],
        notes=[
            {
                "fields": ["{{c1::Paris}} is in France", "and {{c2::Berlin}} in Germany", "EU"],
                "guid": "capitals",
            }
        ],
    )

    plan = import_package(deck, path)

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    first, second = deck.cards.order_by("card_ord")
    assert [first.question_text, second.question_text] == [
        "[…] is in France\nand Berlin in Germany",
        "Paris is in France\nand […] in Germany",
    ]
    assert second.answer_text == "Paris is in France\nand Berlin in Germany\nEU"


def test_a_templates_right_to_left_text_keeps_its_direction(deck, tmp_path):
    # An Arabic deck's template marks the Arabic right to left: after English words the
    # side reads left to right, and without the mark "كتاب؟" showed its question mark on
    # the wrong side.
    path = anki_note_type_package(
        tmp_path,
        fields=["Arabic", "English"],
        templates=[
            (
                "Production",
                "What is {{English}} in Arabic?",
                BACK + 'In Arabic: <div dir="rtl">{{Arabic}}</div>',
            ),
        ],
        notes=[{"fields": ['<span dir="RTL">كتاب؟</span>', "book"]}],
    )

    import_package(deck, path)

    (card,) = deck.cards.all()
    assert card.answer_html == 'In Arabic: <div dir="rtl"><span dir="rtl">كتاب؟</span></div>'


def test_a_section_shown_when_a_field_is_empty_shows_only_then(deck, tmp_path):
    # "The picture, or the word when there is none": both showed, the word giving the
    # picture's answer away.
    path = anki_note_type_package(
        tmp_path,
        fields=["Word", "Picture", "Meaning"],
        templates=[
            (
                "Recognition",
                "{{^Picture}}{{Word}}{{/Picture}}{{#Picture}}{{Picture}}{{/Picture}}",
                BACK + "{{text:Meaning}}",
            )
        ],
        notes=[
            {"fields": ["der Hund", '<img src="hund.png">', "the <b>dog</b>"], "guid": "hund"},
            {"fields": ["die Katze", "", "the cat"], "guid": "katze"},
        ],
        media={"hund.png": PNG},
    )

    plan = import_package(deck, path)

    assert (plan.summary, plan.report) == ("2 new, 0 changed, 0 unchanged", [])
    hund, katze = deck.cards.get(guid="hund"), deck.cards.get(guid="katze")
    assert (hund.question_html, hund.answer_html) == ('<img src="hund.png">', "the dog")
    assert katze.question_html == "die Katze"


def image_occlusion_package(
    folder, *, image=None, masks=None, image_name="heart.png", renamed=False
):
    """A note of Anki's stock Image Occlusion note type (Anki 23.10 and later): a heart's
    diagram with a rectangle (card 1) and an ellipse (card 2) over its labels, "hide all,
    guess one"."""
    collection = Collection(str(folder / "occlusion.anki2"))
    if renamed:
        # As a German Anki names the fields, one of them moved first.
        models = collection.models
        notetype = models.by_name("Image Occlusion")
        fields = {field["name"]: field for field in notetype["flds"]}
        models.rename_field(notetype, fields["Header"], "Überschrift")
        models.reposition_field(notetype, fields["Back Extra"], 0)
        models.save(notetype)
    note = collection.new_note(collection.models.by_name("Image Occlusion"))
    note["Occlusion"] = masks or (
        "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.25:oi=1}}<br>"
        "{{c2::image-occlusion:ellipse:left=.5:top=.5:rx=.1:ry=.125:oi=1}}"
    )
    note["Image"] = f'<img src="{image_name}">'
    note["Überschrift" if renamed else "Header"] = "The heart"
    note["Back Extra"] = "Gray's Anatomy, fig. 3"
    note.guid = "heart"
    collection.add_note(note, 1)
    if image is not None:
        collection.media.write_data(image_name, image)
    path = folder / "occlusion.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()
    return path


def stored_image(url):
    with Image.open(CachedImage.objects.get(url=url).file.path) as image:
        return image.convert("RGB")


@pytest.mark.parametrize("renamed", [False, True])
def test_an_image_occlusion_notes_cards_show_their_masks_drawn_on_the_image(
    deck, tmp_path, renamed
):
    # Anki draws the masks with its own script: the notes were left out.
    white = image_bytes_of_colour("white", (200, 160))
    path = image_occlusion_package(tmp_path, image=white, renamed=renamed)

    plan = import_package(deck, path)

    assert plan.summary == "2 new, 0 changed, 0 unchanged"
    first, second = deck.cards.order_by("card_ord")
    images = re.findall(r'src="([^"]+)"', first.question_html + first.answer_html)
    assert len(images) == 2
    assert first.question_html == (
        'The heart<br><br><img alt="Screenshot: heart, with the part this card asks about '
        f'masked" src="{images[0]}">'
    )
    assert first.answer_html == (
        f'<img alt="Screenshot: heart, with that part shown" src="{images[1]}"><br><br>'
        "Gray's Anatomy, fig. 3"
    )
    rectangle, ellipse = (50, 60), (120, 100)  # the middle of each mask, in pixels
    question, answer = stored_image(images[0]), stored_image(images[1])
    assert question.getpixel(rectangle) == (255, 142, 142)  # this card's mask
    assert question.getpixel(ellipse) == (255, 235, 162)  # the other card's
    assert answer.getpixel(rectangle) == (255, 255, 255)  # open
    assert answer.getpixel(ellipse) == (255, 235, 162)
    second_question = re.search(r'src="([^"]+)"', second.question_html)[1]
    assert stored_image(second_question).getpixel(ellipse) == (255, 142, 142)
    assert 'src="/media/images/' in first.question_rendered
    assert import_package(deck, path).summary == "0 new, 0 changed, 2 unchanged"


def test_an_image_occlusion_note_whose_image_is_missing_says_so_on_its_cards(deck, tmp_path):
    path = image_occlusion_package(tmp_path, image=None)

    plan = import_package(deck, path)

    assert plan.summary == "2 new, 0 changed, 0 unchanged, 4 media files left out"
    names = [
        name
        for card in deck.cards.order_by("pk")
        for name in re.findall(r'src="([^"]+)"', card.question_html + card.answer_html)
    ]
    assert [str(problem) for problem in plan.report] == [
        f"occlusion.apkg:1: 4 images ({', '.join(map(repr, names[:3]))}, ...) of 1 note "
        "(line 1) missing from the package"
    ]
    assert "Image missing from the package" in deck.cards.first().question_rendered


def test_an_image_occlusion_note_whose_image_pillow_cannot_read_says_so(deck, tmp_path):
    path = image_occlusion_package(tmp_path, image=b"\x89PNG not really")

    plan = import_package(deck, path)

    assert plan.summary == "2 new, 0 changed, 0 unchanged, 4 media files left out"
    assert all(
        "rejected: its image 'heart.png' is not an image Pillow can read" in problem.reason
        for problem in plan.report
    )
    assert "Image rejected" in deck.cards.first().question_rendered


def test_a_field_anki_speaks_is_shown_once_and_a_type_in_box_asks_on_the_front(deck, tmp_path):
    # Anki speaks `{{tts de_DE:Word}}`: beside the same field as text, the word showed
    # twice. A type-in box asks on the front; on the back it is the answer, as in Anki.
    path = anki_note_type_package(
        tmp_path,
        fields=["Word", "Meaning"],
        templates=[
            (
                "Listening",
                "Say: {{Word}} {{tts de_DE:Word}} {{type:Meaning}}",
                BACK + "It means {{type:Meaning}}",
            ),
            ("Meaning", "Meaning of {{tts de_DE:Word}}?", BACK + "{{Meaning}} ({{type:Meaning}})"),
            # What `{{tts}}` becomes, written out: its brackets showed as written.
            (
                "Spoken",
                "{{Word}}: [anki:tts lang=de_DE]{{Word}}[/anki:tts]",
                BACK + "[anki:tts lang=de_DE]{{Word}}[/anki:tts] means {{Meaning}}",
            ),
        ],
        notes=[{"fields": ["Hund", "dog"]}],
    )

    import_package(deck, path)

    listening, meaning, spoken = deck.cards.order_by("card_ord")
    assert (listening.question_html, listening.answer_html) == ("Say: Hund", "It means dog")
    assert (meaning.question_html, meaning.answer_html) == ("Meaning of Hund?", "dog (dog)")
    assert (spoken.question_html, spoken.answer_html) == ("Hund:", "Hund means dog")


def test_a_cloze_note_types_back_shows_the_words_its_template_adds(deck, tmp_path):
    # "Source:" and the deck's name were lost: the back showed the bare field.
    path = anki_note_type_package(
        tmp_path,
        cloze=True,
        fields=["Text", "Source"],
        templates=[
            (
                "Cloze",
                "{{cloze:Text}}",
                "{{cloze:Text}}<br>{{#Source}}Source: <i>{{Source}}</i>{{/Source}} ({{Deck}})",
            )
        ],
        notes=[
            {"fields": ["{{c1::Paris}} is in France", "an atlas"], "deck": "Geography"},
            {"fields": ["{{c1::Rome}} is in Italy", ""], "deck": "Geography"},
        ],
    )

    import_package(deck, path)

    paris, rome = deck.cards.order_by("number")
    assert (paris.question_html, paris.answer_html) == (
        "{{c1::Paris}} is in France",
        "Source: <i>an atlas</i> (Geography)",
    )
    assert rome.answer_html == "(Geography)"
    assert paris.answer_text == "Paris is in France\nSource: an atlas (Geography)"


def test_an_image_occlusion_notes_photo_is_drawn_on_as_a_jpeg(deck, tmp_path):
    # A PNG of a photo is many times the JPEG's size: past the image limit, it was refused.
    buffer = io.BytesIO()
    Image.new("RGB", (200, 160), "white").save(buffer, "JPEG")
    path = image_occlusion_package(tmp_path, image=buffer.getvalue(), image_name="heart.jpg")

    plan = import_package(deck, path)

    assert plan.report == []
    card = deck.cards.order_by("card_ord").first()
    for url in re.findall(r'src="([^"]+)"', card.question_html + card.answer_html):
        assert url.endswith(".jpg")
        with Image.open(CachedImage.objects.get(url=url).file.path) as image:
            assert image.format == "JPEG"


def test_a_cloze_note_types_front_shows_its_header_and_hint_around_the_text(deck, tmp_path):
    # The header and the hint were on no card, and no report said so.
    path = anki_note_type_package(
        tmp_path,
        cloze=True,
        fields=["Header", "Text", "Hint", "Extra"],
        templates=[
            (
                "Cloze",
                "{{#Header}}<b>{{Header}}</b><br>{{/Header}}{{cloze:Text}}<br>{{hint:Hint}}",
                "{{cloze:Text}}<br>{{Extra}}",
            )
        ],
        notes=[
            {"fields": ["Heart", "The {{c1::aorta}} leaves the left ventricle", "big", "x"]},
            {"fields": ["", "The {{c1::vena cava}} enters the right atrium", "", ""]},
        ],
    )

    import_package(deck, path)

    aorta, vena_cava = deck.cards.order_by("number")
    assert aorta.question_html == (
        "<b>Heart</b><br>The {{c1::aorta}} leaves the left ventricle<br>"
        "<details><summary>Hint</summary>big</details>"
    )
    assert aorta.question_text.startswith("Heart\nThe […] leaves the left ventricle")
    assert aorta.answer_html == "x"
    assert vena_cava.question_html == "The {{c1::vena cava}} enters the right atrium"


@pytest.fixture
def pillow_draws(monkeypatch):
    """How many times Pillow is asked to draw on an image (its own function, counted)."""
    draws = []
    real_draw = ImageDraw.Draw

    def counted(image, *args, **kwargs):
        draws.append(image.size)
        return real_draw(image, *args, **kwargs)

    monkeypatch.setattr(ImageDraw, "Draw", counted)
    return draws


def test_image_occlusion_pictures_are_drawn_once_as_they_are_stored(deck, tmp_path, pillow_draws):
    # Drawn at each read of the package, a large deck's preview in the admin would take
    # minutes: a twentieth of a second a picture.
    path = image_occlusion_package(tmp_path, image=image_bytes_of_colour("white", (200, 160)))

    plan = anki_import_plan(deck=deck, data=path.read_bytes(), source=path.name)
    assert (len(plan.new), pillow_draws) == (2, [])

    import_package(deck, path)
    assert len(pillow_draws) == 4  # two cards, each its question and its answer

    assert import_package(deck, path).summary == "0 new, 0 changed, 2 unchanged"
    assert len(pillow_draws) == 4


def test_an_image_occlusion_masks_rotation_and_labels_are_drawn(deck, tmp_path):
    # A rotated mask was drawn unrotated, beside what it should hide, and a label was not
    # drawn at all.
    white = image_bytes_of_colour("white", (200, 160))
    masks = (
        "{{c1::image-occlusion:rect:left=.1:top=.1:width=.4:height=.1:angle=90:oi=1}}<br>"
        "{{c2::image-occlusion:ellipse:left=.6:top=.6:rx=.1:ry=.1:oi=1}}<br>"
        r"{{c0::image-occlusion:text:left=.5:top=.25:text=Aorta\: arch:scale=1:fs=.1}}"
    )
    path = image_occlusion_package(tmp_path, image=white, masks=masks)

    plan = import_package(deck, path)

    assert plan.summary == "2 new, 0 changed, 0 unchanged"
    first = deck.cards.order_by("card_ord").first()
    question, answer = (
        stored_image(url)
        for url in re.findall(r'src="([^"]+)"', first.question_html + first.answer_html)
    )
    # Turned a quarter about its top left corner (20, 16): from x 4 to 20, y 16 to 96.
    assert question.getpixel((12, 56)) == (255, 142, 142)
    assert question.getpixel((60, 24)) == (255, 255, 255)
    for side in (question, answer):
        label = side.crop((100, 40, 200, 60))  # the label's 16 pixels high line
        assert all(low < 100 for low, _ in label.getextrema())


# AnKing's note types (the most shared medical decks) hide each extra field behind a
# button whose script shows it: a button, then the field in an element hidden by style.
ANKING_BACK = """{{cloze:Text}}
{{#Extra}}<div id="extra">{{edit:Extra}}</div>{{/Extra}}
{{#Lecture Notes}}
<span id="hint-ln" class="hintBtn" data-name="Lecture Notes">
  <a href="#" class="hint" onclick="toggleHintBtn('hint-ln')"></a>
  <button id="button-ln" class="button-general" onclick="toggleHintBtn('hint-ln')">
    Lecture Notes
  </button>
  <div dir="auto" id="ln" class="hints" style="display: none;">{{edit:Lecture Notes}}</div>
</span>
{{/Lecture Notes}}
<script>function toggleHintBtn(id) {}</script>
"""


def test_a_field_a_template_hides_behind_a_button_is_behind_a_toggle_named_as_the_button(
    deck, tmp_path
):
    # Its script does not run here, and the hidden field showed openly, its button's
    # label as loose text above it.
    path = anki_note_type_package(
        tmp_path,
        name="AnKingOverhaul",
        cloze=True,
        fields=["Text", "Extra", "Lecture Notes"],
        templates=[("Cloze", "{{cloze:Text}}", ANKING_BACK)],
        notes=[{"fields": ["The {{c1::aorta}} leaves the heart", "big", "<b>Week 3</b>"]}],
    )

    import_package(deck, path)

    card = deck.cards.get()
    assert card.answer_html.startswith("<div>big</div>")
    assert (
        '<details><summary>Lecture Notes</summary><div dir="auto"><b>Week 3</b></div></details>'
    ) in card.answer_html
    assert "<details><summary>Lecture Notes</summary>" in card.answer_rendered


def test_a_field_shown_twice_on_a_side_goes_through_each_references_filters(deck, tmp_path):
    # The answer's kana came out as the furigana shown after it, the last filter named.
    path = anki_note_type_package(
        tmp_path,
        fields=["Reading", "Meaning"],
        templates=[
            ("Read", "{{kanji:Reading}}", BACK + "{{kana:Reading}} / {{furigana:Reading}}"),
            ("Listen", "{{kana:Reading}} ({{hint:Reading}})", BACK + "{{Meaning}}"),
        ],
        notes=[{"fields": ["日本[にほん]語[ご]", "Japanese"], "guid": "nihongo"}],
    )

    import_package(deck, path)

    read, listen = deck.cards.order_by("card_ord")
    assert (read.question_html, read.answer_html) == (
        "日本語",
        "にほんご / <ruby>日本<rp>(</rp><rt>にほん</rt><rp>)</rp></ruby>"
        "<ruby>語<rp>(</rp><rt>ご</rt><rp>)</rp></ruby>",
    )
    assert listen.question_html == (
        "にほんご (<details><summary>Reading</summary>日本[にほん]語[ご]</details>)"
    )


def test_a_back_that_repeats_its_front_shows_below_the_question_only_what_it_adds(deck, tmp_path):
    # A cloze note type given a Header on both sides, as the stock Cloze's back repeats
    # its text instead of naming {{FrontSide}}: the Header came again as the extra; and
    # a Chinese deck's back, its front again and then <hr/>, repeated its front whole.
    cloze = anki_note_type_package(
        tmp_path,
        fields=["Text", "Header", "Back Extra"],
        templates=[
            (
                "Cloze",
                "{{Header}}<br>{{cloze:Text}}",
                "{{Header}}<br>{{cloze:Text}}<br>{{Back Extra}}",
            )
        ],
        notes=[{"fields": ["The {{c1::heart}} pumps", "Cardio", "4 chambers"], "guid": "c"}],
        cloze=True,
    )
    front = "<div>{{Deck}}</div><span>{{Hanzi}}</span>"
    (tmp_path / "chinese").mkdir()
    recognition = anki_note_type_package(
        tmp_path / "chinese",
        fields=["Hanzi", "Meaning", "Sound"],
        # Its copy of the front with a comment of its own; and Anki leaves a field in an
        # HTML comment unfilled: the sound is not played.
        templates=[
            (
                "Recognition",
                front,
                front.replace("</div>", "</div>\n<!-- the word -->\n")
                + "<hr/><div>{{Meaning}}</div><!-- {{Sound}} -->",
            )
        ],
        notes=[{"fields": ["北京", "Beijing", "[sound:beijing.mp3]"], "guid": "r"}],
    )

    import_package(deck, cloze)
    import_package(deck, recognition)

    cloze_card, recognition_card = deck.cards.order_by("guid")
    assert (cloze_card.question_html, cloze_card.answer_html) == (
        "Cardio<br>The {{c1::heart}} pumps",
        "4 chambers",
    )
    assert (recognition_card.question_html, recognition_card.answer_html) == (
        "<div>Default</div>北京",
        "Beijing",
    )


def test_a_back_that_shows_the_question_among_words_of_its_own_shows_it_once(deck, tmp_path):
    # A "Recall" back that shows the question on a line of its own, not as a copy of the
    # front: the answer below the question repeated it. A line that says the question with
    # its answer stays, and so does a back that would show no field of its own without it.
    path = anki_note_type_package(
        tmp_path,
        fields=["Front", "Back"],
        templates=[
            ("Recall", "{{Front}}", "Q: {{Front}}<br>A: {{Back}}"),
            ("Boxes", "{{Front}}?", "<div class=q>{{Front}}?</div><div class=a>{{Back}}</div>"),
            ("Framed", "Recall: {{Front}}", "<p>Question: {{FrontSide}}</p><p>{{Back}}</p>"),
            ("Sentence", "{{Front}}!", "{{Front}} means <b>{{Back}}</b>"),
            ("Echo", "Say {{Front}}", "You said: {{Front}}"),
        ],
        notes=[{"fields": ["Hund", "dog"]}],
    )

    import_package(deck, path)

    answers = dict(deck.cards.values_list("card_ord", "answer_html"))
    assert answers == {
        0: "A: dog",
        1: "dog",
        2: "dog",
        3: "Hund means <b>dog</b>",
        4: "You said: Hund",
    }


def package_with_templates_anki_refuses(folder, templates: list[tuple[str, str]]):
    """A legacy .apkg of one note (Line, PrevLine) of a note type with `templates`
    (front, back), written into its collection after Anki saved it: Anki's editor
    refuses a template that names a field the note type lacks; a script (genanki) does
    not."""
    collection = Collection(str(folder / "poem.anki2"))
    models = collection.models
    poem = models.new("Poem")
    for name in ("Line", "PrevLine"):
        models.add_field(poem, models.new_field(name))
    for number in range(len(templates)):
        template = models.new_template(f"Card {number + 1}")
        template["qfmt"], template["afmt"] = "{{PrevLine}}" + "." * number, BACK + "{{Line}}"
        models.add_template(poem, template)
    models.add(poem)
    note = collection.new_note(models.by_name("Poem"))
    note.fields[:], note.guid = ["All mimsy were the borogoves,", "Did gyre and gimble"], "poem"
    collection.add_note(note, collection.decks.id("Default"))
    path = folder / "poem.apkg"
    options = ExportAnkiPackageOptions(with_media=True, legacy=True)
    collection.export_anki_package(out_path=str(path), options=options, limit=None)
    collection.close()
    with zipfile.ZipFile(path) as package:
        entries = {name: package.read(name) for name in package.namelist()}
    database_path = folder / "collection.anki21"
    database_path.write_bytes(entries["collection.anki21"])
    with sqlite3.connect(database_path) as database:
        note_types = json.loads(database.execute("SELECT models FROM col").fetchone()[0])
        for note_type in note_types.values():
            for template, (front, back) in zip(note_type["tmpls"], templates, strict=False):
                template["qfmt"], template["afmt"] = front, back
        database.execute("UPDATE col SET models = ?", [json.dumps(note_types)])
    database.close()
    entries["collection.anki21"] = database_path.read_bytes()
    with zipfile.ZipFile(path, "w") as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return path


def test_a_card_whose_template_names_a_field_its_note_type_lacks_is_left_out(deck, tmp_path):
    # A genanki poetry deck's second card asked "{{Author}}: {{Title}}" of a note type
    # without them: Anki shows a template error, and it came in with ":" as its answer.
    path = package_with_templates_anki_refuses(
        tmp_path,
        [
            ("{{PrevLine}}", BACK + "{{Line}}"),
            ("{{Line}}", BACK + "{{Author}}: {{Title}}"),
            ("{{PrevLine}}{{#Rhyme}}rhymes{{/Rhyme}}", BACK + "{{Line}}"),
            # Anki reads no field in an HTML comment, and a cloze number is no field.
            ("{{PrevLine}}<!-- {{Rhyme}} -->{{#c1}}{{/c1}}", BACK + "{{Line}}"),
        ],
    )

    plan = import_package(deck, path)

    assert plan.summary == "2 new, 0 changed, 0 unchanged, 2 skipped"
    assert sorted(deck.cards.values_list("card_ord", flat=True)) == [0, 3]
    assert [problem.reason for problem in plan.report] == [
        f"note 'poem': card {number} left out (its card template names {fields}, which its "
        "note type lacks: Anki shows an error in the card's place); the note's other cards "
        "are imported"
        for number, fields in [(2, "fields 'Author', 'Title'"), (3, "field 'Rhyme'")]
    ]
