"""Card HTML nested deeper than Python's recursion limit (1,000): a field of 500 nested
elements is stored and rendered, a deeper one is refused with a reason; nothing recurses
(issue: a RecursionError aborted the whole import). No database."""

import pytest

from quizzes.importing.cardhtml import (
    MAX_NESTING,
    CardHtmlError,
    _fast_field,
    _field_soup,
    _settle,
    card_content,
    fragment_html,
)
from quizzes.rendering import choice_content, cloze_numbers, cloze_side, highlight, page_ready
from quizzes.sanitize import html_to_text, sanitize_card_html

DEEP = 1000  # Python's default recursion limit


def nested(opening: str, closing: str, depth: int, inner: str = "x") -> str:
    return opening * depth + inner + closing * depth


@pytest.mark.parametrize(
    ("field", "text"),
    [
        (nested("<div>", "</div>", MAX_NESTING), "Deep\nx"),
        ("<b><i>" * (MAX_NESTING // 2) + "x", "Deep x"),  # the sanitizer closes them
        (nested("<ul><li>", "</li></ul>", MAX_NESTING // 2), "Deep\nx"),
        (nested("<blockquote><p>", "</p></blockquote>", MAX_NESTING // 2), "Deep\nx"),
    ],
)
def test_a_field_nested_as_deep_as_allowed_is_stored_and_rendered(field, text):
    content = card_content(f"Deep {field}", f"Deep {field}")

    assert content.question_text == content.answer_text == text
    question, answer = page_ready(content.question_html, content.answer_html, {}, {})
    assert question.count("x") == answer.count("x") == 1
    assert choice_content(content.answer_html).text.endswith("x")
    assert "<mark>x</mark>" in highlight(content.question_html, ["x"])


def test_rules_are_no_nesting_however_many():
    content = card_content("Q", "part<hr>" * (2 * MAX_NESTING) + "end")

    assert content.answer_html.count("<hr>") == 2 * MAX_NESTING


def test_the_fast_path_gives_what_the_full_repair_gives_at_depth():
    field = nested("<div><b>", "</b></div>", MAX_NESTING // 2)

    quick = _fast_field(field, is_html=True)

    repaired = _settle(*_field_soup(field, is_html=True))
    assert quick == (repaired, html_to_text(repaired)) == (field, "x")


@pytest.mark.parametrize(
    "field",
    [
        nested("<div>", "</div>", DEEP),
        "<b><i>" * DEEP + "x",
        nested("<table><tr><td>", "</td></tr></table>", DEEP),
        "<pre><code>" * DEEP + "x",
    ],
)
def test_a_field_nested_deeper_is_refused_with_a_reason(field):
    with pytest.raises(CardHtmlError, match=f"HTML elements nested more than {MAX_NESTING} deep"):
        card_content("Q", field)
    with pytest.raises(CardHtmlError, match="nested more than"):
        fragment_html(field)


def test_the_depth_is_counted_on_elements_not_on_markup_in_attributes():
    alt = "&lt;div&gt;" * DEEP
    field = f'<img src="a.png" alt="{alt}"> ' + nested("<div>", "</div>", 10)

    assert card_content("Q", field).answer_text == "x"


def test_cloze_deletions_nested_deeper_than_allowed_are_refused():
    allowed = nested("{{c1::", "}}", MAX_NESTING)

    assert card_content(allowed, "", cloze=1).answer_text == "x"
    with pytest.raises(CardHtmlError, match=f"cloze deletions nested more than {MAX_NESTING}"):
        card_content(nested("{{c1::", "}}", MAX_NESTING + 1), "", cloze=1)


def test_nothing_that_renders_or_reads_card_html_recurses():
    deep = sanitize_card_html(nested("<div>", "</div>", DEEP * 3))
    cloze = nested("{{c1::", "}}", DEEP * 3)

    assert html_to_text(deep) == "x"
    question, _ = page_ready(deep, deep, {}, {})
    assert question.count("<div>") == DEEP * 3
    assert choice_content(deep).text == "x"
    assert cloze_numbers(cloze) == [1]
    assert cloze_side(cloze, 1, answer=False) == '<span class="cloze">[…]</span>'
    filled = cloze_side(cloze, 1, answer=True)
    assert filled == nested('<span class="cloze">', "</span>", DEEP * 3)


def test_a_field_far_deeper_than_anyone_writes_is_refused_before_the_sanitizer(monkeypatch):
    # The sanitizer's parser takes time growing with the square of the depth: 80,000
    # nested <div>s took 28 s of an admin preview.
    from quizzes.importing import cardhtml

    def never(value):
        raise AssertionError("sanitized")

    monkeypatch.setattr(cardhtml, "sanitize_card_html", never)

    with pytest.raises(CardHtmlError, match=f"nested more than {MAX_NESTING} deep"):
        card_content(nested("<div>", "</div>", 100_000), "answer")


def test_a_long_list_of_items_left_unclosed_is_no_deep_nesting():
    items = "<ul>" + "<li>an item" * 3 * MAX_NESTING + "</ul>"

    content = card_content("Q", items)

    assert content.answer_html.count("<li>") == 3 * MAX_NESTING
