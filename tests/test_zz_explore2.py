import time
import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from quizzes.models import Deck
from quizzes.services.anki_io import anki_import_apply
from quizzes.importing.anki import AnkiParseError
from tests.factories import anki_note_type_package, anki_package

pytestmark = pytest.mark.django_db
BACK = "{{FrontSide}}<hr id=answer>"


def show(deck, path):
    t = time.time()
    try:
        plan = anki_import_apply(deck=deck, data=path.read_bytes(), source=path.name)
    except AnkiParseError as e:
        print("REFUSED", [str(p) for p in e.problems])
        return
    print("took %.2fs" % (time.time() - t), plan.summary)
    for p in plan.report:
        print("  REPORT", str(p)[:300])
    for p in plan.notices:
        print("  NOTICE", str(p)[:300])
    for c in deck.cards.order_by("guid", "card_ord"):
        print(
            "  CARD",
            c.card_ord,
            c.note_type,
            repr(c.question_html[:200]),
            "||",
            repr(c.answer_html[:200]),
        )


@pytest.fixture
def deck(db, media_root):
    return Deck.objects.create(name="X", slug="x")


def test_tts(deck, tmp_path):
    p = anki_note_type_package(
        tmp_path,
        fields=["Front", "Back"],
        templates=[
            ("A", "Say: {{Front}} {{tts de_DE:Front}}", BACK + "{{Back}}"),
            ("L", "{{tts de_DE:Front}}", BACK + "{{Front}}<br>{{Back}}"),
        ],
        notes=[{"fields": ["Hund", "dog"]}],
    )
    show(deck, p)


def test_cloze_own_words(deck, tmp_path):
    p = anki_note_type_package(
        tmp_path,
        cloze=True,
        fields=["Text", "Source"],
        templates=[
            (
                "Cloze",
                "<i>{{Deck}}</i>: {{cloze:Text}} {{type:cloze:Text}}",
                "{{cloze:Text}}<br>Source: {{Source}}",
            )
        ],
        notes=[{"fields": ["{{c1::Paris}} is in France", "atlas"], "deck": "Geo"}],
    )
    show(deck, p)


def test_nested_html(deck, tmp_path):
    p = anki_package(
        tmp_path,
        [
            (
                "Basic",
                [
                    "<div><b>unclosed <i>x</div></b> <ul><li>a<li>b</ul></p>",
                    "<table><tr><td>1<td>2</table><span style='color:red'>r",
                ],
            ),
            ("Basic", ["<ruby><rb>漢</rb><rt>かん</rt></ruby>字", "ok"]),
        ],
    )
    show(deck, p)


def test_sound_field_template(deck, tmp_path):
    p = anki_note_type_package(
        tmp_path,
        fields=["Word", "Audio"],
        templates=[("A", "{{Word}}", BACK + "{{Audio}}")],
        notes=[{"fields": ["Hund", "[sound:hund.mp3]"]}],
        media={"hund.mp3": b"ID3" + b"\0" * 60},
    )
    show(deck, p)


def test_legacy_apkg(deck, tmp_path):
    p = anki_package(tmp_path, [("Basic", ["q", "a"]), ("Cloze", ["{{c1::x}} y", ""])], legacy=True)
    show(deck, p)
