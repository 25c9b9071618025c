import dataclasses
from pathlib import Path

import pytest

from quizzes.importing.anki import ExportCard, export_anki, parse_anki, parse_anki_file

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "source" / "000_5b047ce6bb528336.txt"
HEADER = "#separator:tab\n#html:true\n#notetype:Basic\n#tags column:3\n#guid column:4\n"


def as_export(records):
    return [
        ExportCard(
            question_html=record.question_html,
            answer_html=record.answer_html,
            tags=record.tags,
            source_url=record.source_url,
            guid=record.guid,
        )
        for record in records
    ]


def round_trip(records, **options):
    again = parse_anki(export_anki(as_export(records)), source="export.txt", **options)
    return [dataclasses.replace(record, line=0) for record in again]


def without_lines(records):
    return [dataclasses.replace(record, line=0) for record in records]


def test_it_writes_the_header_lines():
    assert export_anki([]) == HEADER


def test_it_names_the_deck_in_a_header_when_asked():
    assert export_anki([], deck_name="Deep learning").splitlines()[3] == "#deck:Deep learning"


def test_it_refuses_a_deck_name_that_spans_lines():
    with pytest.raises(ValueError):
        export_anki([], deck_name="a\n#html:false")


def test_it_writes_one_card_per_line_with_tags_and_guid():
    card = ExportCard(question_html="Q", answer_html="A", tags=("a::b", "c"), guid="g1")

    assert export_anki([card]) == HEADER + "Q\tA\ta::b c\tg1\n"


def test_it_writes_the_source_link_back_after_the_answer():
    card = ExportCard(
        question_html="Q", answer_html="A", source_url="https://aiquizzes.com/questions/7"
    )

    line = export_anki([card]).splitlines()[-1]

    assert line == (
        "Q\tA<br><br><a href='https://aiquizzes.com/questions/7'>view answer on aiquizzes</a>\t\t"
    )


def test_it_leaves_html_attribute_quotes_unquoted():
    card = ExportCard(question_html='<a href="https://example.org/">x</a>', answer_html="A")

    assert export_anki([card]).splitlines()[-1] == '<a href="https://example.org/">x</a>\tA\t\t'


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("a\tb", '"a\tb"'),
        ("a\nb", '"a\nb"'),
        ("a\rb", '"a\rb"'),
        ('"quoted" start', '"""quoted"" start"'),
        ("#hash start", '"#hash start"'),
    ],
)
def test_it_quotes_a_field_only_when_a_reader_would_misread_it(question, written):
    card = ExportCard(question_html=question, answer_html="A")

    assert export_anki([card]) == f"{HEADER}{written}\tA\t\t\n"


def test_it_refuses_a_tag_holding_whitespace():
    with pytest.raises(ValueError):
        export_anki([ExportCard(question_html="Q", answer_html="A", tags=("two words",))])


def test_the_real_source_survives_a_round_trip():
    records = parse_anki_file(SOURCE, require_numbers=True)

    assert round_trip(records, require_numbers=True) == without_lines(records)


AWKWARD = (
    '"Tab\tinside"\tA1\n'
    '"""hi"", he said"\t"it spans\nthree\nlines"\n'
    '"#not a header"\tnon-ASCII: Größe, 日本語, emoji 🎉\n'
    "<p>a</p><p>b</p>\t<ul><li>one</li><li>two</li></ul>\n"
)


def test_awkward_cards_read_as_written():
    records = parse_anki(AWKWARD, source="awkward.txt")

    assert [(record.question_html, record.answer_html) for record in records] == [
        ("Tab\tinside", "A1"),
        ('"hi", he said', "it spans\nthree\nlines"),
        ("#not a header", "non-ASCII: Größe, 日本語, emoji 🎉"),
        ("<p>a</p><p>b</p>", "<ul><li>one</li><li>two</li></ul>"),
    ]


def test_awkward_cards_survive_a_round_trip():
    records = parse_anki(AWKWARD, source="awkward.txt")

    assert round_trip(records) == without_lines(records)


def test_tags_and_guids_survive_a_round_trip():
    records = parse_anki("#tags column:3\n#guid column:4\nQ\tA\tx::y z\tabc\n", source="t.txt")

    assert round_trip(records) == without_lines(records)


def test_exporting_twice_gives_the_same_bytes():
    first = export_anki(as_export(parse_anki_file(SOURCE, require_numbers=True)))
    second = export_anki(as_export(parse_anki(first, source="export.txt")))

    assert second == first
