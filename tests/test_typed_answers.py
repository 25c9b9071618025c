"""The typed answer's comparison (quizzes/typed_answers.py): Anki's own examples from
rslib's typeanswer.rs, and the same answers compared by the `anki` library's backend."""

import html

import pytest
from anki.collection import Collection

from quizzes.rendering import cloze_text_for_typing
from quizzes.typed_answers import (
    Mark,
    Piece,
    compare_typed,
    quiz_typed_answer,
    typed_answer_text,
    typed_verdict,
)

good, bad, missed = (lambda text, mark=mark: Piece(mark, text) for mark in Mark)


def test_ankis_example_marks_wrong_letters_bad_and_missing_ones_missed():
    compared = compare_typed("¿Y ahora qué vamos a hacer?", "y ahora qe vamosa hacer")
    assert compared.typed == (
        bad("y"),
        good(" ahora q"),
        bad("e"),
        good(" vamos"),
        missed("-"),
        good("a hacer"),
        missed("-"),
    )
    assert compared.expected == (
        missed("¿Y"),
        good(" ahora q"),
        missed("ué"),
        good(" vamos"),
        missed(" "),
        good("a hacer"),
        missed("?"),
    )
    assert not compared.exact
    assert (compared.wrong_count, compared.missed_count) == (2, 6)


def test_a_right_answer_is_one_good_piece_and_nothing_below():
    compared = compare_typed("source <dir>/bin/activate", "source <dir>/bin/activate")
    assert compared.typed == (good("source <dir>/bin/activate"),)
    assert compared.expected == ()
    assert compared.exact


def test_missed_characters_show_on_the_typed_line_only_after_a_good_one():
    assert compare_typed("1", "23").typed == (bad("23"),)
    assert compare_typed("12", "1").typed == (good("1"), missed("-"))
    russian_nose = "\u043d\u043e\u0441"  # "nos", missing its "o"
    assert compare_typed(russian_nose, "\u043d\u0441").typed == (
        good("\u043d"),
        missed("-"),
        good("\u0441"),
    )


def test_hangul_is_compared_character_by_character():
    compared = compare_typed("쓰다듬다", "스다뜸다")
    assert compared.typed == (bad("스"), good("다"), bad("뜸"), good("다"))


def test_nothing_typed_shows_the_expected_answer_alone():
    compared = compare_typed("123", "")
    assert compared.nothing_typed and not compared.exact
    assert compared.expected == (missed("123"),)


def test_case_is_a_difference_as_in_anki():
    assert not compare_typed("Paris", "paris").exact


def test_without_combining_characters_accents_and_vowel_points_need_not_be_typed():
    assert compare_typed("שִׁנּוּן", "שנון", ignore_accents=True).typed == (good("שִׁנּוּן"),)
    compared = compare_typed("חוֹף", "חופ", ignore_accents=True)
    assert compared.typed == (good("חו"), bad("פ"))
    # The expected line keeps the vowel points the learner need not type.
    assert compared.expected == (good("חוֹ"), missed("ף"))
    assert compare_typed("ば", "は", ignore_accents=True).exact
    assert compare_typed("café", "cafe", ignore_accents=True).exact
    assert not compare_typed("café", "cafe").exact


@pytest.mark.parametrize(
    ("field_html", "text"),
    [
        ("[sound:foo.mp3]<b>1</b> &nbsp;2", "1  2"),
        ("<div>123</div>", "123"),
        ("x<br>y", "x y"),
        ("x\ny<br/><div>z</div>", "x y z"),
        ("<!-- note -->hi<style>p {}</style>", "hi"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("  <i>spaced</i>  ", "spaced"),
    ],
)
def test_the_typed_answer_is_the_fields_text_as_anki_strips_it(field_html, text):
    assert typed_answer_text(field_html) == text


@pytest.mark.parametrize(
    ("text", "number", "typed"),
    [
        ("{{c1::Paris}} is in {{c2::France}}", 1, "Paris"),
        ("{{c1::Paris}} is in {{c2::France}}", 2, "France"),
        ("{{c1::Paris}} and {{c1::Lyon::a city}} are in {{c2::France}}", 1, "Paris, Lyon"),
        ("{{c1::Paris}} is {{c1::Paris}}", 1, "Paris"),
        ("{{c1::a {{c2::b}} c}}", 1, "a b c"),
        ("{{c1::a {{c2::b}} c}}", 2, "b"),
        ("{{c1::<b>x</b> &amp; y}}", 1, "<b>x</b> &amp; y"),
        ("no deletion", 1, ""),
    ],
)
def test_a_cloze_cards_typed_answer_is_its_deletions_as_anki_extracts_them(text, number, typed):
    assert cloze_text_for_typing(text, number) == typed


# --- the same answers through Anki's own library ---


def _as_anki_shows(compared) -> str:
    """The comparison in the markup Anki's compare_answer returns."""

    def spans(pieces):
        return "".join(
            f"<span class=type{ {'good': 'Good', 'bad': 'Bad', 'missed': 'Missed'}[p.mark] }>"
            f"{html.escape(p.text, quote=False)}</span>"
            for p in pieces
        )

    if compared.nothing_typed:
        inner = html.escape(compared.expected[0].text, quote=False) if compared.expected else ""
    elif compared.exact:
        inner = spans(compared.typed)
    else:
        arrow = "<br><span id=typearrow>&darr;</span><br>"
        inner = spans(compared.typed) + arrow + spans(compared.expected)
    return f"<code id=typeans>{inner}</code>"


@pytest.fixture(scope="module")
def anki(tmp_path_factory):
    collection = Collection(str(tmp_path_factory.mktemp("typeans") / "c.anki2"))
    yield collection
    collection.close()


PAIRS = [
    ("hello", "hello"),
    ("hello", "helo"),
    ("hello", "hxllo"),
    ("hello", ""),
    ("Hello", "hello"),
    ("  hello <b>world</b> ", "hello world"),
    ("café", "cafe"),
    ("cafe\u0301", "café"),
    ("ab", "abc"),
    ("a&amp;b", "a&b"),
    ("1 2 3", "1  2 3"),
    ("go to", "goto"),
    ("backpropagation", "backpropogation"),
    ("the learning rate", "learning rate the"),
    ("nn.Module", "nn.module()"),
    ("¿Y ahora qué vamos a hacer?", "y ahora qe vamosa hacer"),
    ("חוֹף", "חופ"),
    ("שִׁנּוּן", "שנון"),
    ("Straße", "Strasse"),
    ("x<br>y", "x y"),
    ("e\u0301tude", "\u0301etude"),
]


@pytest.mark.parametrize(("field_html", "typed"), PAIRS)
@pytest.mark.parametrize("ignore_accents", [False, True])
def test_the_comparison_is_the_one_ankis_library_makes(anki, field_html, typed, ignore_accents):
    compared = compare_typed(typed_answer_text(field_html), typed, ignore_accents=ignore_accents)
    assert _as_anki_shows(compared) == anki.compare_answer(
        field_html, typed, combining=not ignore_accents
    )


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("{{c1::Paris}} and {{c1::Lyon::a city}} are in {{c2::France}}", 1),
        ("{{c1::Paris}} is {{c1::Paris}}", 1),
        ("{{c1::Paris}} {{c1::Lyon}} {{c1::Paris}}", 1),
        ("{{c1::a {{c2::b}} c}}", 1),
        ("{{c1::a {{c2::b}} c}}", 2),
        ("{{c2::a {{c1::b::hint}} c}}", 1),
        ("{{c1::x}} {{c3::z}}", 2),
    ],
)
def test_the_cloze_extraction_is_the_one_ankis_library_makes(anki, text, number):
    assert cloze_text_for_typing(text, number) == anki.extract_cloze_for_typing(text, number)


# --- the "Type the answer" quiz's rule ---


@pytest.mark.parametrize(
    ("typed", "expected", "right", "forgiven"),
    [
        ("mean absolute deviation", "mean absolute deviation", True, ""),
        ("  Mean   Absolute deviation ", "mean absolute deviation", True, "case"),
        ("training set", "The training set", True, "the article"),
        ("the dropout", "dropout", True, "the article"),
        ("the", "The", True, "case"),
        ("mean absolute devaition", "mean absolute deviation", True, "a typo in “deviation”"),
        ("backpropogation", "backpropagation", True, "a typo in “backpropagation”"),
        ("initialisation", "initialization", True, "a typo in “initialization”"),
        ("mean absolut deviaton", "mean absolute deviation", False, ""),  # two typos
        ("effect", "affect", False, ""),  # short words take no typo
        ("1025", "1024", False, ""),
        ("__del__", "__len__", False, ""),
        ("__call", "__call__", False, ""),
        ("mean deviation", "mean absolute deviation", False, ""),
        ("deviation mean absolute", "mean absolute deviation", False, ""),
        ("", "Paris", False, ""),
        ("Paris", "", False, ""),
        ("cafe", "café", False, ""),
    ],
)
def test_a_typed_answer_is_right_after_anki_normalisation_or_one_typo_in_a_long_word(
    typed, expected, right, forgiven
):
    verdict = typed_verdict(expected, typed)
    assert (verdict.right, verdict.forgiven) == (right, forgiven)


def test_accents_are_forgiven_only_where_the_card_says_they_are_optional():
    assert typed_verdict("Reykjavík", "reykjavik", ignore_accents=True).right
    assert typed_verdict("Reykjavík", "Reykjavik", ignore_accents=True).forgiven == "accents"
    assert not typed_verdict("Bogotá", "Bogota").right
    # In a long word a missing accent is its one typo.
    assert typed_verdict("Reykjavík", "Reykjavik").forgiven == "a typo in “reykjavík”"


@pytest.mark.parametrize(
    ("typed_answer", "choice_text", "kind", "asked"),
    [
        ("Reykjavík", "", "", "Reykjavík"),  # remembered: asked whatever its answer
        ("", "mean absolute deviation", "term", "mean absolute deviation"),
        ("", "Initialization.", "term", "Initialization"),
        ("", "__call__", "code", "__call__"),
        ("", "No.", "yes_no", ""),
        ("", "It makes the proofs a lot easier.", "prose", ""),
        ("", "one two three four", "term", ""),
        ("", "a\nb", "list", ""),
        ("", "x" * 41, "code", ""),
    ],
)
def test_a_quiz_asks_typed_the_typed_answer_or_a_short_term_or_code(
    typed_answer, choice_text, kind, asked
):
    assert (
        quiz_typed_answer(typed_answer=typed_answer, choice_text=choice_text, choice_kind=kind)
        == asked
    )
