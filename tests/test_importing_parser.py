import re
from pathlib import Path

import pytest

from quizzes.importing.anki import (
    AnkiParseError,
    ParseProblem,
    parse_anki,
    parse_anki_file,
    read_anki,
)
from quizzes.importing.cardhtml import ImageRef
from quizzes.sanitize import sanitize_card_html

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "source" / "000_5b047ce6bb528336.txt"
IMAGES = "https://aiquizzes.com/gcp_images"
LINK = "<br><br><a href='https://aiquizzes.com/questions/{}'>view answer on aiquizzes</a>"


@pytest.fixture(scope="module")
def cards():
    return {card.number: card for card in parse_anki_file(SOURCE, require_numbers=True)}


def parse(text, **options):
    return parse_anki(text, source="deck.txt", **options)


def problems(text, **options):
    """The lines a file's import skips or merges, and why; or why it refuses the file."""
    try:
        read = read_anki(text, source="deck.txt", **options)
    except AnkiParseError as error:
        refusal = "no line of the file can become a card"
        return [str(problem) for problem in error.problems if problem.reason != refusal]
    return [str(problem) for problem in read.report]


# --- the real source ---


def test_it_reads_79_cards_numbered_1_to_79(cards):
    assert list(cards) == list(range(1, 80))


def test_it_finds_24_question_images_and_15_answer_images(cards):
    images = [image for card in cards.values() for image in card.images]

    assert len(images) == 39
    assert sum(image.side == "question" for image in images) == 24
    assert sum(image.side == "answer" for image in images) == 15


def test_image_positions_count_per_side_in_document_order(cards):
    assert cards[71].images == (
        ImageRef(f"{IMAGES}/xresnet_stem.png", "answer", 0),
        ImageRef(f"{IMAGES}/xresnet_batchnorm.png", "answer", 1),
        ImageRef(f"{IMAGES}/xresnet_resnet_block.png", "answer", 2),
    )


def test_images_stay_in_place_between_text(cards):
    answer = cards[60].answer_html

    assert (
        answer.index("the output of the operation.")
        < answer.index("hook.png")
        < answer.index("<ul>")
    )


def test_it_unwraps_links_that_only_repeat_their_image(cards):
    assert cards[4].question_html.startswith(f'<img src="{IMAGES}/matrix_scalar_comparison.png">')
    assert not any(".png" in link for card in cards.values() for link in _hrefs(card))


def test_output_has_no_script_event_handler_or_javascript_url(cards):
    for card in cards.values():
        for html in (card.question_html, card.answer_html):
            assert "<script" not in html
            assert not re.search(r"\son\w+\s*=", html)
            assert "javascript:" not in html


def test_it_decodes_entities(cards):
    assert cards[28].answer_html == "<code>__call__</code>"
    assert cards[28].answer_text == "__call__"
    assert "doesn't" in cards[20].question_text


def test_no_numeric_entity_survives(cards):
    for card in cards.values():
        assert "&#" not in card.question_html + card.answer_html


def test_it_removes_the_source_link_from_every_answer(cards):
    for card in cards.values():
        assert "aiquizzes.com/questions" not in card.answer_html
        assert "view answer" not in card.answer_text


def test_the_source_link_gives_source_url_and_number(cards):
    for number, card in cards.items():
        assert card.source_url == f"https://aiquizzes.com/questions/{number}"


def test_card_78_answer_is_only_an_image(cards):
    assert cards[78].answer_html == f'<img src="{IMAGES}/chunk.png">'
    assert [card.number for card in cards.values() if card.answer_is_image_only] == [78]


def test_question_has_images_tells_image_questions_apart(cards):
    assert cards[4].question_has_images
    assert not cards[1].question_has_images


def test_stray_paragraph_breaks_become_paragraphs(cards):
    assert cards[5].question_html == (
        f'<p><img src="{IMAGES}/elementwise_multiplication.png"><br> The above performs '
        "elementwise multiplication of elements in matrix a with elements in matrix b.</p>"
        "<p>What is the name of the process in which matrix a will be represented in memory "
        "as matching the shape of matrix b?</p>"
    )


def test_no_empty_paragraph_survives(cards):
    for card in cards.values():
        assert "<p></p>" not in card.question_html + card.answer_html


def test_a_list_closed_by_another_list_becomes_one_list(cards):
    assert cards[52].answer_html == (
        "The two ways of fixing the small batch problem that affects BatchNorm are: "
        "<ul><li>greater epsilon</li><li>running BatchNorm</li></ul>"
    )


def test_text_between_list_items_joins_the_item_before(cards):
    assert cards[56].answer_html.endswith(
        "<ul> <li><code>os.scandir</code> - for scanning a single directory</li>"
        "<li><code>os.walk</code> - for walking the directory tree</li></ul>"
    )


def test_question_text_puts_paragraphs_on_lines(cards):
    assert cards[5].question_text == (
        "The above performs elementwise multiplication of elements in matrix a with elements "
        "in matrix b.\nWhat is the name of the process in which matrix a will be represented "
        "in memory as matching the shape of matrix b?"
    )


def test_output_html_is_already_sanitized(cards):
    for card in cards.values():
        assert sanitize_card_html(card.question_html) == card.question_html
        assert sanitize_card_html(card.answer_html) == card.answer_html


def test_parsing_is_deterministic(cards):
    assert parse_anki_file(SOURCE, require_numbers=True) == list(cards.values())


def test_every_card_gets_its_own_guid(cards):
    assert len({card.guid for card in cards.values()}) == 79


def test_cards_keep_their_physical_line(cards):
    assert all(card.line == number for number, card in cards.items())


def _hrefs(card):
    return re.findall(r'href="([^"]*)"', card.question_html + card.answer_html)


# --- file format ---


def test_it_strips_a_utf8_bom():
    (card,) = parse("\ufeffQ\tA".encode())

    assert card.question_html == "Q"


def test_it_decodes_utf8():
    (card,) = parse("Größe?\t日本".encode())

    assert (card.question_text, card.answer_text) == ("Größe?", "日本")


@pytest.mark.parametrize("line_end", ["\r\n", "\r", "\n"])
def test_it_reads_every_line_ending(line_end):
    text = line_end.join(["Q1\tA1", "", "Q2\tA2", ""])

    assert [card.line for card in parse(text)] == [1, 3]


def test_it_skips_blank_lines_but_counts_them():
    assert [card.line for card in parse("\n\nQ1\tA1\n   \n\nQ2\tA2\n")] == [3, 6]


@pytest.mark.parametrize(
    ("header", "line"),
    [
        ("Tab", "Q\tA"),
        ("tab", "Q\tA"),
        ("Comma", "Q,A"),
        ("Semicolon", "Q;A"),
        ("Pipe", "Q|A"),
        ("Colon", "Q:A"),
        ("Space", "Q A"),
        (";", "Q;A"),
        ("\t", "Q\tA"),
    ],
)
def test_it_honours_the_separator_header(header, line):
    (card,) = parse(f"#separator:{header}\n{line}\n")

    assert (card.question_html, card.answer_html) == ("Q", "A")


def test_html_false_fields_are_escaped_text():
    (card,) = parse('#html:false\n"a <b> & c\nd"\t1 < 2\n')

    assert card.question_html == "a &lt;b&gt; &amp; c<br>d"
    assert card.answer_text == "1 < 2"


def test_it_maps_columns_by_name():
    (card,) = parse("#columns:Back\tFront\tTags\nthe answer\tthe question\tt1\n")

    assert (card.question_html, card.answer_html, card.tags) == (
        "the question",
        "the answer",
        ("t1",),
    )


def test_it_reads_tags_anki_style_from_the_tags_column():
    (card,) = parse("#tags column:3\nQ\tA\tpython::dunder  basics\n")

    assert card.tags == ("python::dunder", "basics")


def test_it_adds_header_tags_to_every_card():
    first, second = parse("#tags:deep-learning\n#tags column:3\nQ1\tA1\tpython\nQ2\tA2\n")

    assert (first.tags, second.tags) == (("deep-learning", "python"), ("deep-learning",))


def test_it_reads_anki_2_1_55_special_columns():
    text = (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
        "#tags column:6\nAbC123\tBasic\tDefault\tQ\tA\tt1 t2\n"
    )

    (card,) = parse(text)

    assert (card.guid, card.question_html, card.answer_html, card.tags) == (
        "AbC123",
        "Q",
        "A",
        ("t1", "t2"),
    )


def test_a_missing_tags_column_reads_as_no_tags():
    (card,) = parse("#tags column:3\nQ\tA\n")

    assert card.tags == ()


def test_it_ignores_unknown_headers():
    (card,) = parse("#notetype:Basic\n#deck:Deep learning\n#if matches:update current\nQ\tA\n")

    assert card.line == 4


def test_a_quoted_field_may_hold_the_separator_quotes_and_newlines():
    (card,) = parse('"a\tb ""c""\nd"\tA\n')

    assert card.question_html == 'a\tb "c"<br>d'


def test_a_quoted_field_spanning_lines_is_numbered_where_it_starts():
    first, second = parse('Q1\t"A1\nstill A1"\nQ2\tA2\n')

    assert (first.line, second.line) == (1, 3)


def test_quotes_inside_an_unquoted_field_are_plain_text():
    (card,) = parse(
        """See <a href="https://example.org/">it</a> or <a href='https://example.org/x'>x</a>\tA"""
    )

    assert card.question_html == (
        'See <a href="https://example.org/" rel="noopener noreferrer nofollow">it</a> or '
        '<a href="https://example.org/x" rel="noopener noreferrer nofollow">x</a>'
    )


def test_parse_anki_file_names_the_source_as_given(tmp_path):
    path = tmp_path / "deck.txt"
    path.write_text("Q\n")

    with pytest.raises(AnkiParseError) as caught:
        parse_anki_file(path)

    assert caught.value.problems[0].source == str(path)


# --- the source link ---


def test_it_recognizes_a_source_link_on_any_host():
    (card,) = parse("Q\tA<br><a href='https://example.org/questions/12'>source</a>")

    assert (card.answer_html, card.number, card.source_url) == (
        "A",
        12,
        "https://example.org/questions/12",
    )


def test_it_recognizes_a_source_link_by_its_text():
    (card,) = parse("Q\tA<br><a href='https://example.org/q?id=3'>view answer on aiquizzes</a>")

    assert (card.answer_html, card.number, card.source_url) == (
        "A",
        None,
        "https://example.org/q?id=3",
    )


def test_an_ordinary_final_link_stays_in_the_answer():
    (card,) = parse("Q\tsee <a href='https://docs.python.org/3/'>the docs</a>")

    assert card.source_url == ""
    assert "the docs</a>" in card.answer_html


def test_a_source_link_followed_by_text_stays_in_the_answer():
    (card,) = parse(
        "Q\t<a href='https://example.org/questions/1'>view answer on aiquizzes</a> more"
    )

    assert card.number is None


def test_a_relative_image_is_kept_as_written():
    (card,) = parse("Q\t<img src='images/a.png'>")

    assert card.images == (ImageRef("images/a.png", "answer", 0),)


def test_an_image_only_answer_is_not_empty():
    (card,) = parse(f"Q\t<img src='{IMAGES}/a.png'>{LINK.format(1)}")

    assert card.answer_is_image_only


def test_text_anki_speaks_shows_as_its_words_once_without_its_directive():
    # Anki plays `[anki:tts lang=..]words[/anki:tts]` (a play button, the words spoken);
    # the brackets showed as written. No page speaks: the words show, once.
    (card,) = parse(
        "[anki:tts lang=de_DE voices=Anna]der <b>Hund</b>[/anki:tts]?\t"
        "dog [anki:tts lang=en_US]dog[/anki:tts] [anki:tts lang=en_US]a dog[/anki:tts]"
        " [anki:tts lang=en_US]a dog[/anki:tts] [anki:tts lang=en_US]never closed\n"
    )

    assert card.question_html == "der <b>Hund</b>?"
    assert card.answer_html == "dog  a dog  [anki:tts lang=en_US]never closed"
    assert "anki:tts" not in card.question_text


def test_reparsing_the_output_changes_nothing(cards):
    card = cards[71]
    (again,) = parse(f"{card.question_html}\t{card.answer_html}{LINK.format(71)}")

    assert (again.question_html, again.answer_html, again.images) == (
        card.question_html,
        card.answer_html,
        card.images,
    )


# --- bad input, each reported as source:line: reason ---


def test_a_line_without_separator_is_reported():
    assert problems("Q1\tA1\njust a question\n") == [
        "deck.txt:2: no tab separator: a card needs a question and an answer"
    ]


def test_surplus_columns_are_ignored():
    (card,) = parse("#columns:Front\tBack\tNotes\nQ\tA\tsomething <b>else</b>\n")

    assert (card.question_html, card.answer_html, card.tags) == ("Q", "A", ())


def test_a_line_missing_the_answer_column_is_skipped():
    assert problems("#columns:Deck\tFront\tBack\nDefault\tQ1\tA1\nDefault\tQ\n") == [
        "deck.txt:3: empty answer"
    ]


def test_an_empty_question_is_reported():
    assert problems("<br> <p></p>\tA\n") == [
        "deck.txt:1: empty question (only markup, spaces or invisible characters)"
    ]
    assert problems("Q\tA\n\tA\n") == ["deck.txt:2: empty question"]


def test_an_answer_that_is_only_the_source_link_is_empty():
    assert problems(f"Q\t{LINK.format(1)}\n") == ["deck.txt:1: empty answer"]


def test_a_duplicate_number_names_the_earlier_line():
    text = f"Q1\tA1{LINK.format(7)}\n\nQ2\tA2{LINK.format(7)}\n"

    assert problems(text) == ["deck.txt:3: duplicate card number 7 (first on line 1): skipped"]


def test_a_duplicate_guid_is_merged_naming_the_earlier_line():
    text = "#guid column:3\nQ1\tA1\tg1\nQ2\tA2\tg1\n"

    assert problems(text) == ["deck.txt:3: the same note as line 2 (guid 'g1'): merged into one"]


def test_a_byte_that_is_not_utf8_in_a_utf8_file_is_reported_on_its_line():
    data = "Q1\tA1 é\n".encode() + b"Q2\tA\xff2\n"

    assert problems(data) == [
        "deck.txt:2: not UTF-8 (byte 0xff), though the rest of the file is: save it as "
        "'CSV UTF-8' (or as UTF-8 text) and import it again"
    ]


def test_an_unterminated_quoted_field_is_reported_where_it_starts():
    # With the lines it took in: a spreadsheet's stray quote hides every note after it.
    assert problems('Q1\tA1\nQ2\t"A2\nQ3\tA3\r\n\r\nQ4\tA4\n') == [
        "deck.txt:2: unterminated quoted field (no closing quote before the end): the 3 "
        "lines after it went into it, and none is imported (close the quote, or quote the "
        "whole field and double its quotes)"
    ]


def test_require_numbers_reports_a_card_without_source_link():
    assert problems("Q\tA\n", require_numbers=True) == [
        "deck.txt:1: no trailing 'view answer on aiquizzes' link with a /questions/<number> URL"
    ]


def test_a_bad_line_after_a_header_keeps_its_physical_number():
    assert problems("#separator:tab\n#html:true\nQ1\tA1\nbad\n") == [
        "deck.txt:4: no tab separator: a card needs a question and an answer"
    ]


def test_a_bad_line_after_blank_lines_keeps_its_physical_number():
    assert problems("Q1\tA1\n\n\n\nbad\n") == [
        "deck.txt:5: no tab separator: a card needs a question and an answer"
    ]


def test_a_bad_line_in_a_crlf_file_keeps_its_physical_number():
    assert problems(b"#separator:tab\r\nQ1\tA1\r\n\r\nbad\r\n") == [
        "deck.txt:4: no tab separator: a card needs a question and an answer"
    ]


def test_a_bad_line_after_a_multiline_field_keeps_its_physical_number():
    assert problems('Q1\t"A1\n\nA1"\nbad\n') == [
        "deck.txt:4: no tab separator: a card needs a question and an answer"
    ]


def test_it_reports_every_bad_line_not_just_the_first():
    text = "bad one\nQ\tA\nQ\tA\n\t\n<br>\tA\n"

    assert problems(text) == [
        "deck.txt:1: no tab separator: a card needs a question and an answer",
        "deck.txt:3: the same note as line 2 (guid '5fda0da59a634285'): merged into one",
        "deck.txt:5: empty question (only markup, spaces or invisible characters)",
    ]


def test_the_error_message_lists_every_problem():
    with pytest.raises(AnkiParseError) as caught:
        parse("bad\nalso bad\n")

    assert str(caught.value) == (
        "deck.txt:1: no line of the file can become a card\n"
        "deck.txt:1: 2 lines (lines 1, 2): no tab separator: a card needs a question and an "
        "answer"
    )


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("#separator:Tabs", "unknown separator 'Tabs'"),
        ("#html:yes", "#html must be true or false, not 'yes'"),
        ("#tags column:three", "#tags column must be a column number, counted from 1, not 'three'"),
        # A script counting from 0: Anki finds no note type in column 0 and imports nothing.
        ("#notetype column:0", "#notetype column must be a column number, counted from 1, not '0'"),
    ],
)
def test_a_bad_header_value_is_reported(header, reason):
    assert problems(f"{header}\nQ\tA\n") == [f"deck.txt:1: {reason}"]


def test_a_parse_problem_reads_source_line_reason():
    assert str(ParseProblem("deck.txt", 3, "empty answer")) == "deck.txt:3: empty answer"


@pytest.mark.parametrize(
    ("header", "line"),
    [
        ("#tags column:9", "#tags column is 9"),
        ("#guid column:5", "#guid column is 5"),
        ("#deck column:6", "#deck column is 6"),
    ],
)
def test_a_numbered_column_beyond_the_files_columns_is_a_header_problem(header, line):
    text = f"#separator:tab\n{header}\nQ1\tA1\tt1\nQ2\tA2\tt2\n"

    assert problems(text) == [f"deck.txt:2: {line}, but the file has only 3 columns"]


def test_trailing_numbered_columns_left_out_of_every_line_read_as_empty():
    (card,) = parse("#tags column:3\n#guid column:4\nQ\tA\n")

    assert card.tags == ()
    assert not card.guid_from_file


def test_a_guid_from_the_guid_column_is_marked_as_given():
    given, derived = parse("#guid column:3\nQ1\tA1\tg-1\nQ2\tA2\t\n")

    assert (given.guid, given.guid_from_file) == ("g-1", True)
    assert not derived.guid_from_file


def test_a_file_of_more_cards_than_the_limit_names_the_first_line_over_it():
    text = "#separator:tab\n" + "".join(f"Q{n}\tA{n}\n" for n in range(1, 6))

    assert problems(text, max_cards=3) == [
        "deck.txt:5: more than 3 notes, the most one import takes: split the file"
    ]
    assert len(parse(text, max_cards=5)) == 5


def test_the_card_limit_is_checked_before_any_card_is_read(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a card was read")

    monkeypatch.setattr("quizzes.importing.anki._cards", fail)

    with pytest.raises(AnkiParseError):
        parse("Q1\tA1\nQ2\tA2\n", max_cards=1)
