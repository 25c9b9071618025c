"""Text and CSV files read as Anki reads them (issue 11): separators, columns, tags,
comments, duplicates, unusable notes, note types and cloze."""

import base64
import hashlib
import html
import random

import anki.lang
import pytest
from anki.collection import Collection, ImportCsvRequest

from quizzes.importing.anki import (
    BASIC,
    CLOZE,
    OPTIONAL_REVERSED,
    REVERSED,
    TYPE_IN,
    AnkiParseError,
    ColumnMapping,
    read_anki,
)
from quizzes.importing.cardhtml import MAX_CLOZE_CARDS, _fast_field, _field_soup, _settle
from quizzes.importing.stock_note_types import STOCK_NOTE_TYPE_NAMES
from quizzes.sanitize import html_to_text


def read(text, source="deck.txt", **options):
    return read_anki(text, source=source, **options)


def sides(result):
    return [(card.question_html, card.answer_html) for card in result.cards]


def notices(result):
    return [str(notice) for notice in result.notices]


# --- the separator ---


@pytest.mark.parametrize(
    ("data", "separator"),
    [
        ("Q1,A1\nQ2,A2\n", "comma"),
        ("\ufeffQ1;A1\r\nQ2;A2\r\n", "semicolon"),
        ("Q1\tA, with a comma\nQ2\tA2\n", "tab"),
        ("Q1|A1\nQ2|A2\n", "pipe"),
    ],
)
def test_without_a_separator_header_the_separator_is_guessed(data, separator):
    result = read(data)

    assert (result.layout.separator_name, result.layout.separator_guessed) == (separator, True)
    assert sides(result)[0][0] == "Q1"


def test_headers_a_spreadsheet_saved_with_trailing_separators_are_read_as_anki_reads_them():
    # Saved from Excel, each header line ends in separators; the file was refused
    # ("unknown separator 'Pipe,,,,'"), where Anki reads the header's value before them.
    result = read("#separator:Pipe,,,,\n#html:false||||\n#tags column:3|||\na<br>b|c|t1\nd|e|t2\n")

    assert (result.layout.separator_name, result.layout.separator_guessed) == ("pipe", False)
    assert sides(result) == [("a&lt;br&gt;b", "c"), ("d", "e")]
    assert [card.tags for card in result.cards] == [("t1",), ("t2",)]


def test_a_semicolon_file_whose_fields_hold_commas_is_read_as_semicolons():
    result = read("What, exactly?;This, and that\nWhy;Because, well\n")

    assert sides(result) == [("What, exactly?", "This, and that"), ("Why", "Because, well")]


@pytest.mark.parametrize(
    "data",
    [
        "der Hund;dog, hound\ndie Katze;cat, puss\nlaufen;to run, to walk\n",
        "Pi;3,14159\ne;2,71828\nWurzel 2;1,41421\n",
    ],
)
def test_a_csv_of_semicolons_with_a_comma_on_every_line_is_read_as_semicolons(data):
    # German and French Excel save "CSV" with semicolons; commas are then punctuation in a
    # field ("dog, hound") or decimal commas ("3,14159").
    result = read(data, source="deck.csv")

    assert result.layout.separator == ";"
    assert [question for question, _ in sides(result)] == [
        line.split(";")[0] for line in data.splitlines()
    ]
    assert notices(result) == [
        "deck.csv: separator guessed: semicolon (the file has no #separator line): "
        "--separator, the preview's menu or a '#separator:' line at the top of the file "
        "chooses another"
    ]


def test_a_csv_name_suggests_commas():
    data = "a;b,c\nd;e,f\n"

    assert read(data).layout.separator == ";"
    assert read(data, source="deck.csv").layout.separator == ","


@pytest.mark.parametrize("separator", [";", "|"])
def test_a_first_note_longer_than_the_guess_reads_still_shows_its_separator(separator):
    # The guess read the first 16384 characters: a first note with a longer field (an
    # inline image, a pasted article) hid its separator, so the file was read as tabs and
    # refused, every line "no tab separator".
    long = "word " * 5000
    result = read(f"{long}{separator}answer\nQ2{separator}A2\nQ3{separator}A3\n")

    assert result.layout.separator == separator
    assert [question[:4] for question, _ in sides(result)] == ["word", "Q2", "Q3"]


TOM_AND_JERRY = [("Tom &amp; Jerry", "cat and mouse"), ("Ben &amp; Holly", "elf and fairy")]


@pytest.mark.parametrize(
    ("data", "separator", "expected"),
    [
        ("Tom &amp; Jerry;cat and mouse\nBen &amp; Holly;elf and fairy\n", ";", TOM_AND_JERRY),
        (
            "Tom&amp;Jerry\tcat and mouse\tcartoon\nBen&amp;Holly\telf and fairy\n",
            "\t",
            [("Tom&amp;Jerry", "cat and mouse<br><br>cartoon"), ("Ben&amp;Holly", "elf and fairy")],
        ),
        (
            "Tom&amp;Jerry,cat and mouse\nBen&amp;Holly,elf and fairy\n",
            ",",
            [("Tom&amp;Jerry", "cat and mouse"), ("Ben&amp;Holly", "elf and fairy")],
        ),
        (
            "a &lt; b;true\nit&#39;s;it is\n&#x27;q&#x27;;&nbsp;quoted\n",
            ";",
            [("a &lt; b", "true"), ("it's", "it is"), ("'q'", "quoted")],
        ),
    ],
)
def test_the_semicolon_ending_an_html_entity_never_separates_fields(data, separator, expected):
    # "Tom &amp; Jerry;cat" was guessed to be semicolons and split into "Tom &amp", "Jerry"
    # and "cat" (read as tags); in a tab or comma file the entities' ";" could win the
    # guess over the real separator.
    result = read(data)

    assert (result.layout.separator, result.layout.html) == (separator, True)
    assert sides(result) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            '#separator:Pipe\n#html:true\nShown? <img alt="a|b" src="cat.png">|A cat\n'
            "Link|<a href='https://example.com/?q=a|b'>search</a> it\n",
            [
                ('Shown? <img alt="a|b" src="cat.png">', "A cat"),
                (
                    "Link",
                    '<a href="https://example.com/?q=a|b" rel="noopener noreferrer nofollow">'
                    "search</a> it",
                ),
            ],
        ),
        (
            '<span style="color: #ff0000; font-weight: bold">Rot</span>;red\nBlau;blue\n',
            [
                ('<span style="color: #ff0000; font-weight: bold">Rot</span>', "red"),
                ("Blau", "blue"),
            ],
        ),
        (
            '<span style="color: rgb(255, 0, 0)">Rot</span>,red\nBlau,blue\n',
            [('<span style="color: rgb(255, 0, 0)">Rot</span>', "red"), ("Blau", "blue")],
        ),
    ],
)
def test_a_separator_inside_an_html_attribute_is_part_of_the_field(data, expected):
    # `<img alt="a|b">` in a Pipe file was split at its "|", losing the rest of the tag.
    result = read(data)

    assert sides(result) == expected


def test_a_separator_after_an_unclosed_attribute_still_separates():
    result = read('#separator:Pipe\n#html:true\nBroken <img alt="a|answer\nQ2|A2\n')

    assert [answer for _, answer in sides(result)] == ["answer", "A2"]


def test_an_entity_is_text_in_a_file_that_says_it_is_not_html():
    # As Anki reads it: "#html:false" keeps "&amp;" as typed, and its ";" is a separator.
    result = read("#html:false\n#separator:semicolon\n#tags column:3\nQ&amp;A;answer;tag\n")

    assert sides(result) == [("Q&amp;amp", "A")]


def test_an_ampersand_before_a_semicolon_that_makes_no_entity_is_text():
    result = read("AT&T;a company\nR&D;research\n")

    assert (result.layout.separator, result.layout.html) == (";", False)
    assert sides(result) == [("AT&amp;T", "a company"), ("R&amp;D", "research")]


@pytest.mark.parametrize("first", ["sep=;", "SEP=;", '"sep=;"'])
def test_excels_separator_line_chooses_the_separator_above_the_column_names(first):
    # A CSV saved for Excel: read as a note, it was skipped, and the column names under it
    # ("Frage;Antwort") became a card.
    result = read(f"{first}\r\nFrage;Antwort\r\nHund;dog, hound\r\n", source="words.csv")

    assert sides(result) == [("Hund", "dog, hound")]
    assert (result.layout.separator_name, result.layout.separator_guessed) == ("semicolon", False)
    assert [str(problem) for problem in result.skipped] == []


def test_a_separator_header_is_not_a_guess_and_its_value_is_trimmed():
    result = read("#separator: Semicolon \nQ;A\n")

    assert (result.layout.separator, result.layout.separator_guessed) == (";", False)


def test_a_spreadsheet_header_row_names_the_columns():
    result = read("\ufeffBack,Front,Tags\r\nthe answer,the question,t1\r\n")

    assert sides(result) == [("the question", "the answer")]
    assert result.cards[0].tags == ("t1",)
    assert result.cards[0].line == 2


@pytest.mark.parametrize(
    ("names", "separator"),
    [
        ("Term,Definition", ","),
        ("Frage;Antwort", ";"),
        ("Word;Meaning", ";"),
        ("Vorderseite;Rückseite", ";"),
        ("recto;verso", ";"),
        ("PREGUNTA,RESPUESTA", ","),
        (" Question , Answer ", ","),
        # Names of other words, of two words, or of a language beside a question or answer.
        ("Concept;Explanation", ";"),
        ("Front side,Back side", ","),
        ("Spanish word,English meaning", ","),
        ("Word;English", ";"),
        ("English;Translation", ";"),
        ("Term;Definition;Example sentence", ";"),
        ("Word,Word Meaning", ","),  # Japanese decks' fields
        ("Word,Pronunciation,Vietnamese,Part_of_Speech", ","),
        ("lemma\ttranslation\tpos\taspect\tfrequency\tsource_deck\tnotes", "\t"),
        ("english,deutsch,example,example_translation,category", ","),
    ],
)
def test_a_first_row_of_well_known_column_names_is_read_as_column_names(names, separator):
    result = read(f"{names}\nHund{separator}dog\nKatze{separator}cat\n", source="deck.csv")

    assert sides(result) == [("Hund", "dog"), ("Katze", "cat")]
    assert [card.line for card in result.cards] == [2, 3]
    labels = ", ".join(name.strip() for name in names.split(separator))
    assert f"deck.csv:1: read as column names ({labels}), not as a note" in notices(result)


def test_a_first_row_naming_a_type_beside_a_word_and_its_languages_is_column_names():
    # "type" was no column name: the row was a card asking "word".
    data = (
        "type,word,german,english\n"
        "other,nicht,Ich rauche nicht.,I don't smoke.\n"
        "noun,Haus,Das Haus.,The house.\n"
    )

    result = read(data, source="sentences.csv")

    assert sides(result) == [
        ("nicht", "Ich rauche nicht.<br><br>I don't smoke."),
        ("Haus", "Das Haus.<br><br>The house."),
    ]


def test_a_first_row_naming_ankis_parts_of_a_note_is_read_as_column_names():
    # A script's export of a collection: "deck_name" was no column name, so the row was a
    # note and every card asked its id with its question as the answer.
    data = (
        "card_id,front,back,deck_name,note_type,tags\n"
        "c1,Operationalize,To measure a variable,Anthro (Psych/Soc),Basic,behavior\n"
        "c2,Visible light,400-700nm,Anthro (Psych/Soc),Basic,perception\n"
    )

    result = read(data, source="anki_cards.csv")

    assert sides(result) == [
        ("Operationalize", "To measure a variable"),
        ("Visible light", "400-700nm"),
    ]
    assert [card.tags for card in result.cards] == [("behavior",), ("perception",)]


@pytest.mark.parametrize("names", ["French,English,Category", "Deutsch,Englisch", "english,中文"])
def test_a_first_row_naming_two_languages_is_read_as_column_names(names):
    # "French" -> "English" was the first card of a French vocabulary.
    result = read(f"{names}\nBonjour,Hello,Greetings\nMerci,Thank you,Greetings\n")

    assert [card.line for card in result.cards] == [2, 3]
    assert sides(result)[0][0] == "Bonjour"


@pytest.mark.parametrize(
    "first",
    [
        *("Frage;question", "Wort;word", "Antwort;answer", "German;Deutsch", "French;Category"),
        *("Bedeutung;meaning", "Satz;sentence", "Beschreibung;description", "Example;sentence"),
        *("Englisch;English word", "Kanji;Chinese characters", "Q;A", "Front door;Haustür"),
        "Question 1?;Answer 1.",
    ],
)
def test_a_first_row_needs_a_question_and_an_answer_name_to_be_column_names(first):
    # German vocabulary: "Frage" is "question", a note, not two names for the same column.
    # A term and its translation share the kind of name; any other word is a note's.
    result = read(f"{first}\nTerm;Definition\n")

    assert sides(result) == [tuple(first.split(";")), ("Term", "Definition")]


@pytest.mark.parametrize(
    ("data", "labels"),
    [
        # pandas' to_csv: its index column has no name.
        ("|word_en|word_ru\n0|catch|ловить\n1|clap|хлопать\n", ("", "word_en", "word_ru")),
        ("Lesson,Hanzi,German\n1,狗,Hund\n2,猫,Katze\n", ("Lesson", "Hanzi", "German")),
    ],
)
def test_a_first_row_of_names_over_a_column_of_numbers_is_read_as_column_names(data, labels):
    # Names Anki's languages do not hold were the first note ("word_en" -> "word_ru").
    result = read(data, source="words.csv")

    assert result.layout.labels == labels
    assert [card.line for card in result.cards] == [2, 3]
    assert sides(result)[0] == tuple(data.splitlines()[1].replace(",", "|").split("|")[1:])


@pytest.mark.parametrize(
    ("data", "first"),
    [
        ("Kanji,Reading,Meaning\n水,みず,water\n火,ひ,fire\n", ("水", "みず<br><br>water")),
        (
            "korean,english,example,example_translation\n봄,spring,봄이 와요.,Spring comes.\n"
            "여름,summer,여름이 더워요.,Summer is hot.\n",
            ("봄", "spring<br><br>봄이 와요.<br><br>Spring comes."),
        ),
        (
            # An app's database export: a UUID is an id, never the question.
            "id;word;definition;example;status;created_at\n"
            "833879a2-9daf-408f-a86e-925c2fcaebdf;emaciated;abnormally thin;so thin;new;2026\n"
            "bc452c82-6ede-42bf-9497-09bb7524091e;effrontery;impudence;the gall;new;2026\n",
            ("emaciated", "abnormally thin<br><br>so thin"),
        ),
        (
            "Word,Pronunciation,Vietnamese,Part_of_Speech,Example_Sentence\n"
            "cat,kat,con mèo,noun,The cat sleeps.\ndog,dog,con chó,noun,A dog barks.\n",
            ("cat", "kat<br><br>con mèo<br><br>The cat sleeps."),
        ),
    ],
)
def test_further_answers_named_in_the_first_row_are_appended_to_the_answer(data, first):
    result = read(data, source="words.csv")

    assert sides(result)[0] == first
    assert [card.line for card in result.cards] == [2, 3]


def test_a_notes_column_named_in_the_first_row_is_appended_to_the_answer():
    data = "Question,Answer,Notes\nWhat is HTTP?,A protocol,see RFC 2616\nWhat is TCP?,Transport,\n"

    result = read(data, source="web.csv", separator=",")

    assert sides(result) == [
        ("What is HTTP?", "A protocol<br><br>see RFC 2616"),
        ("What is TCP?", "Transport"),
    ]
    assert [card.tags for card in result.cards] == [(), ()]
    assert notices(result) == [
        "web.csv: column 3 (Notes) appended to the answer: choosing no column to append "
        "(--question 1 --answer 2) leaves it out",
        "web.csv:1: read as column names (Question, Answer, Notes), not as a note",
    ]


def test_column_names_are_trimmed():
    (card,) = read("#separator:;\n#columns: Back ; Front \nA;Q\n").cards

    assert (card.question_html, card.answer_html) == ("Q", "A")


# --- columns and tags ---


def test_surplus_columns_are_ignored():
    result = read("#columns:Front\tBack\tSource\tNotes\nQ\tA\t<i>book</i>\t<b>more</b>\n")

    assert sides(result) == [("Q", "A")]


def test_in_a_file_without_headers_a_last_column_of_tags_is_taken_as_tags():
    result = read("Q1\tA1\tpython::dunder basics\nQ2\tA2\t\nQ3\tA3\tpython\n", separator="\t")

    assert [card.tags for card in result.cards] == [("python::dunder", "basics"), (), ("python",)]
    assert result.layout.tags_column_guessed
    assert sides(result)[0] == ("Q1", "A1")
    assert notices(result) == [
        "deck.txt: column 3 read as tags, as Anki reads a column beyond the note's fields, "
        "for every cell of it looks like tags: to import it as part of the answer instead, "
        "choose it under 'Append to the answer' (--question 1 --answer 2 --extra 3)"
    ]


def test_a_tags_cell_holding_a_json_list_is_read_as_its_tags():
    text = (
        "#separator:tab\n#tags column:3\n"
        'Q1\tA1\t["GRE","vocab","high yield"]\n'
        "Q2\tA2\t[&quot;GRE&quot;]\n"
        'Q3\tA3\t["GRE", 3]\n'
    )

    result = read(text)

    # Not a list of strings: read as Anki reads it, words separated by spaces.
    assert [card.tags for card in result.cards] == [
        ("GRE", "vocab", "high_yield"),
        ("GRE",),
        ('["GRE",', "3]"),
    ]


def test_a_spreadsheets_tags_column_separates_tags_by_commas_and_semicolons_too():
    # "behavior;perception" was one tag, and "GRE, vocab" the tag "GRE,".
    data = 'front,back,tags\nQ1,A1,behavior;perception\nQ2,A2,"GRE, vocab"\nQ3,A3,\n'

    result = read(data, source="cards.csv")

    assert [card.tags for card in result.cards] == [
        ("behavior", "perception"),
        ("GRE", "vocab"),
        (),
    ]

    # An Anki export's tags are Anki's own, a space between them.
    exported = read("#separator:tab\n#tags column:3\nQ\tA\tx;y a,b\n")
    assert exported.cards[0].tags == ("x;y", "a,b")


def test_a_last_column_of_json_tag_lists_is_taken_as_tags():
    result = read('Q1\tA1\t["GRE","vocab"]\nQ2\tA2\t[]\n', separator="\t")

    assert [card.tags for card in result.cards] == [("GRE", "vocab"), ()]
    assert sides(result) == [("Q1", "A1"), ("Q2", "A2")]


def test_an_export_of_a_cloze_note_type_of_its_own_takes_its_explanation_as_back_extra():
    # Anki's export of a note type of the user's own: Expression, ExpressionEnglish (empty),
    # Frequency (numbers and a script's "undefined"), Glossary (a few), Notes. Back Extra
    # was the frequency, and the notice spoke of an Add Reverse no note had.
    lines = [
        f"g{n}\tMy Cloze\tFrench\tJe {{{{c1::sors}}}} {n}\t\t{frequency}\t{glossary}\tWhy {n}\t"
        for n, frequency, glossary in [
            (1, "1373020", ""),
            (2, "undefined", ""),
            (3, "482104", "go out"),
            (4, "121933.49", ""),
        ]
    ]
    header = "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
    data = header + "#tags column:9\n" + "\n".join(lines) + "\n"

    result = read(data)

    assert sides(result)[0] == ("Je {{c1::sors}} 1", "Why 1")
    assert notices(result) == [
        "deck.txt: columns 6, 7 left out: choosing them under 'Append to the answer' "
        "(--question 4 --answer 8 --extra 6,7) imports them"
    ]


def test_a_column_named_a_key_or_a_sound_is_not_the_question():
    # "日:ri4" (a key) asked for 日; a key is no question, whatever its cells hold.
    data = (
        "#separator:tab\n#columns:Key\tAudio\tRadical\tPinyin\n"
        "日:ri4\t[sound:ri.mp3]\t日\trì\n人:ren2\t[sound:ren.mp3]\t人\trén\n"
    )

    result = read(data)

    assert sides(result) == [("日", "rì"), ("人", "rén")]


def test_a_language_column_after_the_answer_of_a_spreadsheet_is_appended_to_it():
    # No column is named a question here: the German meaning was left out, where a
    # spreadsheet naming its question appended it.
    data = (
        "Chapter,Number,Character,Pinyin,German\n"
        "1,,阿姨,ā yí,(N) Tante\n"
        '1,2,報導,bào dǎo,"(N) Bericht, Reportage"\n'
        "1,3,保護,bǎo hù,(TV) schützen\n"
    )

    result = read(data, source="band2.csv")

    assert result.mapping == ColumnMapping(2, 3, (4,))
    assert sides(result)[1] == ("報導", "bào dǎo<br><br>(N) Bericht, Reportage")


def test_a_last_column_with_markup_is_not_taken_as_tags():
    result = read("Q1\tA1\t<b>note</b>\nQ2\tA2\tplain\n")

    assert [card.tags for card in result.cards] == [(), ()]
    assert not result.layout.tags_column_guessed


@pytest.mark.parametrize(
    "cell",
    [
        "Der Hund bellt laut",  # a sentence: a capital, then words in lower case
        "der (plural: Hunde)",
        "see RFC 2616, section 4",
        "loud, noisy",
        "e.g. barking",
        "one two three four five",
        "Why?",
    ],
)
def test_a_last_column_of_text_is_appended_to_the_answer_and_reported(cell):
    result = read(f"Hund\tdog\t{cell}\nKatze\tcat\tkatze\n", separator="\t")

    assert [card.tags for card in result.cards] == [(), ()]
    assert sides(result) == [("Hund", f"dog<br><br>{cell}"), ("Katze", "cat<br><br>katze")]
    assert result.mapping == ColumnMapping(0, 1, (2,))
    assert notices(result) == [
        f"deck.txt: column 3 appended to the answer, not read as tags: line 1 holds {cell!r}, "
        "text rather than tags; a '#tags column:3' line at the top of the file reads it as "
        "tags, and choosing no column to append (--question 1 --answer 2) leaves it out"
    ]

    left_out = read(f"Hund\tdog\t{cell}\n", mapping=ColumnMapping(0, 1))
    assert sides(left_out) == [("Hund", "dog")]


def test_a_last_column_only_some_lines_reach_is_not_taken_as_tags():
    # A stray separator ("house; home"), not a tags column: Anki writes that on every line.
    result = read("Hund;dog\nKatze;cat\nHaus;house; home\n", separator=";")

    assert [card.tags for card in result.cards] == [(), (), ()]
    assert sides(result)[2] == ("Haus", "house<br><br> home")
    assert notices(result) == [
        "deck.txt: column 3 appended to the answer, not read as tags: line 1 lacks it, where "
        "Anki writes a tags column on every line; a '#tags column:3' line at the top of the "
        "file reads it as tags, and choosing no column to append (--question 1 --answer 2) "
        "leaves it out"
    ]


@pytest.mark.parametrize(
    "columns",
    [{"with_deck": True}, {"with_guid": True}, {"with_deck": True, "with_notetype": True}],
)
def test_an_anki_export_of_one_word_answers_with_its_deck_or_guid_keeps_its_answers(
    tmp_path, columns
):
    # Anki's "Notes in Plain Text" without tags: the guid, note type and deck columns are
    # no fields, so "dog" is the answer, not a last column beyond them read as tags.
    collection = Collection(str(tmp_path / "vocabulary.anki2"))
    for front, back in [("Hund", "dog"), ("Katze", "cat")]:
        note = collection.new_note(collection.models.by_name("Basic"))
        note["Front"], note["Back"] = front, back
        collection.add_note(note, collection.decks.id("Deutsch"))
    path = tmp_path / "notes.txt"
    options = {"with_deck": False, "with_notetype": False, "with_guid": False} | columns
    collection.export_note_csv(
        out_path=str(path), limit=None, with_html=True, with_tags=False, **options
    )
    collection.close()

    result = read(path.read_bytes())

    assert sides(result) == [("Hund", "dog"), ("Katze", "cat")]
    assert [card.tags for card in result.cards] == [(), ()]
    assert not result.layout.tags_column_guessed


@pytest.fixture
def anki_in(tmp_path):
    """A collection of Anki's in another language, whose stock note types bear its names."""
    opened = []

    def collection(language):
        anki.lang.set_lang(language)
        opened.append(Collection(str(tmp_path / f"{language}.anki2")))
        return opened[-1]

    yield collection
    for each in opened:
        each.close()
    anki.lang.set_lang("en_US")


@pytest.mark.parametrize("language", ["de_DE", "fr_FR", "ru_RU", "zh_CN", "he_IL"])
def test_a_text_export_from_anki_in_another_language_keeps_the_reverse_cards(
    tmp_path, anki_in, language
):
    # "Einfach (und die umgekehrte Richtung)" was read as a Basic note: the reverse went.
    collection = anki_in(language)
    kinds = {notetype["originalStockKind"]: notetype for notetype in collection.models.all()}
    for kind, fields in [(2, ["Hund", "dog"]), (3, ["Katze", "cat", "y"]), (4, ["2+2", "4"])]:
        note = collection.new_note(kinds[kind])
        note.fields[:] = fields
        collection.add_note(note, 1)
    path = tmp_path / "notes.txt"
    collection.export_note_csv(
        out_path=str(path),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=False,
        with_notetype=True,
        with_guid=True,
    )

    result = read(path.read_bytes())

    assert [(card.note_type, card.question_html) for card in result.cards] == [
        ("Basic (and reversed card)", "Hund"),
        ("Basic (and reversed card)", "dog"),
        ("Basic (optional reversed card)", "Katze"),
        ("Basic (optional reversed card)", "cat"),
        ("Basic (type in the answer)", "2+2"),
    ]


def test_every_name_anki_gives_its_stock_note_types_is_known(tmp_path, anki_in):
    kinds = {1: BASIC, 2: REVERSED, 3: OPTIONAL_REVERSED, 4: TYPE_IN, 5: CLOZE, 6: None}
    names = {}
    for _, language in anki.lang.langs:
        for notetype in anki_in(language).models.all():
            names[notetype["name"].lower()] = kinds[notetype["originalStockKind"]]

    missing = {name: kind for name, kind in names.items() if name not in STOCK_NOTE_TYPE_NAMES}
    assert not missing, f"add to quizzes/importing/stock_note_types.py: {missing}"
    assert {name: STOCK_NOTE_TYPE_NAMES[name] for name in names} == names


def test_an_old_tags_first_line_tags_every_card():
    result = read("tags:deck1 imported\nQ\tA\n")

    assert result.cards[0].tags == ("deck1", "imported")


def test_comment_lines_are_skipped_anywhere():
    result = read("# exported by hand\nQ1\tA1\n# a note in the middle\nQ2\tA2\n")

    assert [card.line for card in result.cards] == [2, 4]


def test_a_line_starting_with_hash_after_the_first_note_is_a_note():
    data = "Q1,A1\n#1 cause of death worldwide,heart disease\nC# is made by,Microsoft\n"

    result = read(data, source="deck.csv", separator=",")

    assert [(card.line, card.question_html) for card in result.cards] == [
        (1, "Q1"),
        (2, "#1 cause of death worldwide"),
        (3, "C# is made by"),
    ]
    assert result.cards[1].answer_html == "heart disease"
    assert not result.notices


def test_a_comment_line_after_the_first_note_is_listed_in_the_report():
    result = read("Q1\tA1\n# verbs from here on\nQ3\tA3\n", separator="\t")

    assert [card.line for card in result.cards] == [1, 3]
    assert notices(result) == [
        "deck.txt:2: read as a comment: it starts with '#' and has no tab separator"
    ]


def test_a_leading_hash_line_that_could_be_a_note_is_a_comment_named_in_the_report():
    data = "# of protons in carbon,6\n# made by hand\nok,fine\n"

    result = read(data, source="deck.csv", separator=",")

    assert sides(result) == [("ok", "fine")]
    assert notices(result) == [
        "deck.csv:1: read as a comment, as Anki reads a line starting with '#' at the top of "
        'the file: to import it as a note, quote its first field ("# of protons in carbon")'
    ]


def test_a_file_without_an_html_line_and_no_markup_is_read_as_plain_text_as_anki_does():
    # A spreadsheet's CSV: "x<y" read as HTML was cut to "x", "R&D" was fine by luck.
    result = read('Is x<y here?,"yes, when\nx is smaller"\nR&D,research\n')

    assert sides(result) == [
        ("Is x&lt;y here?", "yes, when<br>x is smaller"),
        ("R&amp;D", "research"),
    ]
    assert not result.layout.html
    assert notices(result)[-1] == (
        "deck.txt: read as plain text, not HTML, for no field holds markup: '<' and '&' "
        "show as typed (a '#html:true' line at the top of the file reads it as HTML)"
    )


@pytest.mark.parametrize("text", ["if a<b and c>d then?", "x<y>z", "a <3 and 5> b"])
def test_angle_brackets_that_make_no_html_tag_leave_a_file_plain_text(text):
    # "if a<b and c>d" was taken for a <b> tag: the file was read as HTML and the
    # question stored as "if a<b>d then?</b>", losing "and c".
    result = read(f"{text};yes\n", source="deck.csv")

    assert not result.layout.html
    assert sides(result) == [(html.escape(text, quote=False), "yes")]


def test_a_file_read_as_html_for_its_markup_says_which_line_made_it_html():
    result = read("Q1;a < b\nBold <b>x</b>;y\n", source="deck.csv")

    assert result.layout.html
    assert notices(result)[-1] == (
        "deck.csv: read as HTML, for line 2 holds markup (<b>): '<' and '&' in every field "
        "are read as markup (a '#html:false' line at the top of the file keeps text as typed)"
    )
    assert not any(
        "read as HTML" in notice for notice in notices(read("#html:true\nQ\t<b>A</b>\n"))
    )


@pytest.mark.parametrize(
    ("field", "stored"),
    [
        (r"When is \(a<b\)?", r"When is \(a&lt;b\)?"),
        (r"\[x<y\] for all x", r"\[x&lt;y\] for all x"),
        (r"<b>Sum</b> \(0<i<n\) <i>over i</i>", r"<b>Sum</b> \(0&lt;i&lt;n\) <i>over i</i>"),
        # A tag in the math is a tag, as Anki's editor writes a line break in it.
        (r"\(a<br>b\)", r"\(a<br>b\)"),
        (r"\(a<b>b</b>\)", r"\(a<b>b</b>\)"),
        # Anki's older marks: "[$]a" was all that was left.
        ("[$]a<b[/$] end", "[$]a&lt;b[/$] end"),
        ("[$$]a<b[/$$] end", "[$$]a&lt;b[/$$] end"),
        ("[latex]$a<b$[/latex] end", "[latex]$a&lt;b$[/latex] end"),
    ],
)
def test_a_less_than_sign_inside_math_in_an_html_file_is_kept(field, stored):
    # `<b\)` opened a tag: the text after it went, and nothing said so.
    result = read(f"#separator:tab\n#html:true\n{field}\tyes\n")

    assert sides(result) == [(stored, "yes")]


def test_a_less_than_sign_read_inside_math_is_named_by_its_first_line():
    result = read(
        "#separator:tab\n#html:true\n"
        "Q1\tA1\n"
        r"If \(a<b\) and \(b<c\)?"
        "\t"
        r"\(a<c\)"
        "\n"
        r"\[x<y\]?"
        "\tyes\n"
    )

    assert sides(result)[1] == (r"If \(a&lt;b\) and \(b&lt;c\)?", r"\(a&lt;c\)")
    assert notices(result)[-1] == (
        r"deck.txt:4: a '<' inside math (\( \), \[ \], [$] or [latex]) read as less than, "
        "not as a tag (and on 1 more line): Anki's editor writes it '&lt;'"
    )


def test_a_less_than_sign_outside_math_or_in_math_never_closed_is_markup_as_before():
    # As Anki reads an HTML file: `<b` opens a tag, which takes the rest of the field.
    result = read("#separator:tab\n#html:true\n" r"a<b \(x\)" "\tno\n" r"\(a<b" "\tno\n")

    assert sides(result) == [("a", "no"), (r"\(a", "no")]
    assert not any("math" in notice for notice in notices(result))


# --- a line break Quizlet leaves unquoted ---


def test_a_line_without_the_separator_in_a_two_column_file_joins_the_answer_above():
    # Quizlet writes a definition's line break as it is: the line was skipped.
    result = read("Hund\tdog\nKatze\tcat\nsecond line of cat\nthird\nMaus\tmouse\n")

    assert sides(result) == [
        ("Hund", "dog"),
        ("Katze", "cat<br>second line of cat<br>third"),
        ("Maus", "mouse"),
    ]
    assert not result.skipped
    assert [card.line for card in result.cards] == [1, 2, 5]
    assert notices(result)[1:] == [
        f"deck.txt:{line}: joined to line 2's last column, after a line break: it has no tab "
        "separator, as Quizlet writes a line break in a definition (if it is a note of its "
        "own, give it its answer)"
        for line in (3, 4)
    ]


@pytest.mark.parametrize(
    ("text", "cards", "line"),
    [
        (
            "Hund\tdog\nKatze\nMaus\tmouse\nPferd\thorse\n",
            [("Hund", "dog"), ("Maus", "mouse"), ("Pferd", "horse")],
            2,
        ),
        (
            "photosynthesis\tHow plants make sugar from light.\nmitochondria\n"
            "osmosis\tThe diffusion of water across a membrane.\n",
            [
                ("photosynthesis", "How plants make sugar from light."),
                ("osmosis", "The diffusion of water across a membrane."),
            ],
            2,
        ),
    ],
)
def test_a_term_whose_answer_was_forgotten_is_skipped_not_joined_to_the_answer_above(
    text, cards, line
):
    # "Katze" became the second line of "dog".
    result = read(text)

    assert sides(result) == cards
    assert [str(problem) for problem in result.report] == [
        f"deck.txt:{line}: a term without its answer: the line has no separator and reads as "
        "this file's terms do, not as their definitions, so it is not joined to the answer "
        "above (give it its answer to import it)"
    ]
    assert not any("joined to line" in notice for notice in notices(result))


def test_the_lines_right_after_a_term_without_its_answer_are_not_joined_either():
    result = read("Hund\tdog\nKatze\ncat\nMaus\tmouse\nPferd\thorse\nEsel\tdonkey\n")

    assert sides(result)[0] == ("Hund", "dog")
    assert [(problem.line, problem.reason[:25]) for problem in result.report] == [
        (2, "a term without its answer"),
        (3, "no tab separator: a card "),
    ]


def test_a_line_joined_in_an_html_file_keeps_its_break_as_html():
    result = read("Hund\t<b>dog</b>\nnoun, masculine\nMaus\tmouse\n")

    assert sides(result)[0] == ("Hund", "<b>dog</b><br>noun, masculine")


@pytest.mark.parametrize(
    "text",
    [
        # The first line has nothing above it to join.
        "Hund\nKatze\tcat\nMaus\tmouse\n",
        # As many lines without the separator as notes: a list, not line breaks.
        "Hund\tdog\nKatze\nMaus\tmouse\nPferd\n",
        # A note without its answer: the file has other faults than line breaks.
        "Hund\tdog\nKatze\nMaus\t\nPferd\thorse\nEsel\tdonkey\n",
        # A file of more columns than two.
        "Hund\tdog\tnoun\nKatze\nMaus\tmouse\tnoun\nPferd\thorse\tnoun\n",
        # Column names: a spreadsheet, which quotes its line breaks.
        "Front\tBack\nHund\tdog\nKatze\nMaus\tmouse\nPferd\thorse\n",
        # A file that names its separator is Anki's own, which quotes them too.
        "#separator:tab\nHund\tdog\nKatze\nMaus\tmouse\nPferd\thorse\n",
    ],
)
def test_a_line_without_the_separator_elsewhere_is_skipped_as_before(text):
    result = read(text)

    assert any("no tab separator" in str(problem) for problem in result.skipped)
    assert not any("joined" in notice for notice in notices(result))


@pytest.mark.parametrize("source", ["deck.txt", "deck.csv"])
def test_a_list_of_cloze_sentences_is_not_split_at_their_commas(source):
    # The commas were read as separators: "{{c2::Italy}}, is old." became Back Extra (its
    # cloze card lost) and "on the Seine." the first note's.
    text = (
        "{{c1::Paris}} is the capital of {{c2::France}}, on the Seine.\n"
        "{{c1::Berlin}} is the capital of {{c2::Germany}}.\n"
        "{{c1::Rome}}, {{c2::Italy}}, is old.\n"
    )

    result = read(text, source=source)

    assert [(card.ord, card.question_html, card.answer_html) for card in result.cards] == [
        (ord_, line, "") for line in text.splitlines() for ord_ in (0, 1)
    ]


def test_cloze_lines_after_an_id_are_split_at_their_separator():
    # Every line holds a deletion, in the second column: the guess took a tab (which no
    # line holds), so the id and the reference went into the cloze text.
    result = read("AI_01; The {{c1::heart}} pumps blood; slides 1\nAI_02; {{c1::Lungs}}; p. 2\n")

    assert result.layout.separator == ";"


def test_a_column_of_cloze_deletions_is_the_question_not_the_id_before_it():
    # "AI_01" was the question and the deletions showed as typed in the answer.
    data = (
        "#separator:semicolon\n"
        "AI_01; The {{c1::heart}} pumps blood; slides 1\nAI_02; {{c1::Lungs}}; p. 2\nAI_03; x; y\n"
    )

    result = read(data)

    assert result.mapping == ColumnMapping(1, 2)
    assert [(card.note_type, card.question_html, card.answer_html) for card in result.cards] == [
        (CLOZE, "The {{c1::heart}} pumps blood", "slides 1"),
        (CLOZE, "{{c1::Lungs}}", "p. 2"),
        (BASIC, "x", "y"),
    ]


def test_a_cloze_line_beside_two_column_notes_is_a_cloze_note_not_joined():
    result = read("Hund\tdog\n{{c1::Katze}} is cat\nMaus\tmouse\nPferd\thorse\n")

    assert [card.note_type for card in result.cards] == ["Basic", "Cloze", "Basic", "Basic"]


def test_a_back_that_shows_nothing_is_skipped_saying_so():
    # Anki imports these notes, the back blank (its editor leaves `<div><br></div>` in a
    # field cleared); a card here needs an answer to quiz on. A zero-width space or an
    # image without a source showed nothing yet came in as an answer.
    backs = ["<div><br></div>", "&nbsp;", "&#8203;", "<div>\u2060&shy;</div>", '<img src="">']
    data = "#separator:tab\n#html:true\nQ\tA\n" + "".join(
        f"Q{n}\t{b}\n" for n, b in enumerate(backs)
    )

    result = read(data)

    assert sides(result) == [("Q", "A")]
    assert [str(problem) for problem in result.skipped] == [
        "deck.txt:4: 5 lines (lines 4, 5, 6, 7, 8): empty answer (only markup, spaces or "
        "invisible characters)"
    ]


def test_a_note_whose_side_is_an_inline_image_not_read_says_why_it_is_skipped():
    # Both were skipped as "empty answer", though the answer was an image.
    result = read(
        "#separator:tab\n#html:true\n"
        'q1\t<img src="data:image/bmp;base64,Qk0=">\n'
        'q2\t<img src="data:image/png;base64,@@@@">\n'
        '<img src="data:image/tiff,x">\ta\n'
        "q4\t<b></b>\n"
        "q5\ta5\n"
    )

    assert sides(result) == [("q5", "a5")]
    assert [(problem.line, problem.reason) for problem in result.report] == [
        (
            3,
            "the answer is an inline image of a type not imported (image/bmp): "
            "PNG, JPEG, GIF, WebP and SVG are",
        ),
        (4, "the answer is an inline image (image/png) whose data does not decode"),
        (
            5,
            "the question is an inline image of a type not imported (image/tiff): "
            "PNG, JPEG, GIF, WebP and SVG are",
        ),
        (6, "empty answer (only markup, spaces or invisible characters)"),
    ]


def test_an_inline_image_sure_to_be_over_the_size_limit_is_not_decoded(monkeypatch):
    # It was decoded whole (a 100 MB data: URL held as bytes too) before the size check.
    large = base64.b64encode(b"\x89PNG" + b"\x00" * 2000).decode()
    small_bytes = b"\x89PNG" + b"\x00" * 700
    small = base64.b64encode(small_bytes).decode()  # 940 characters: maybe under 1000 bytes
    decoded = []
    real = base64.b64decode
    monkeypatch.setattr(base64, "b64decode", lambda *a, **k: decoded.append(1) or real(*a, **k))
    result = read(
        f'#separator:tab\nq1\t<img src="data:image/png;base64,{large}">\n'
        f'q2\t<img src="data:image/png;base64,{small}">\n',
        image_max_bytes=1000,
    )

    large_name = f"inline-{hashlib.sha256(large.encode()).hexdigest()[:16]}.png"
    assert [card.inline_images for card in result.cards] == [
        ((large_name, None),),
        ((f"inline-{hashlib.sha256(small_bytes).hexdigest()[:16]}.png", small_bytes),),
    ]
    assert len(decoded) == 1  # the small one only
    assert result.cards[0].answer_html == f'<img src="{large_name}">'


def test_a_plain_text_files_column_appended_to_the_answer_is_on_its_own_line():
    # It was joined with a "<br><br>" that the plain text then showed as typed.
    result = read("#html:false\nHund\tdog\tDer Hund bellt.\n", mapping=ColumnMapping(0, 1, (2,)))

    assert sides(result) == [("Hund", "dog<br><br>Der Hund bellt.")]


@pytest.mark.parametrize("markup", ["<b>bold</b>", "Tom &amp; Jerry", "a<br>b"])
def test_a_file_without_an_html_line_holding_markup_is_read_as_html(markup):
    result = read(f"Q1\t{markup}\nQ2\ta < b\n")

    assert result.layout.html
    assert sides(result)[1] == ("Q2", "a &lt; b")


def test_quoted_fields_hold_separators_line_breaks_and_doubled_quotes():
    result = read('Q1,"A, ""quoted""\nsecond line"\nQ2,A2\n')

    assert sides(result)[0] == ("Q1", 'A, "quoted"<br>second line')


def test_spaces_padding_a_column_after_its_closing_quote_are_no_text_after_it():
    # A table aligned by hand: the line was skipped as "text after the closing quote".
    result = read('"die ""Familie"""   | family\nHaus      | house\n', separator="|")

    assert sides(result) == [('die "Familie"', "family"), ("Haus", "house")]


def test_text_after_a_closing_quote_is_read_as_ankis_own_reader_reads_it(tmp_path):
    # `"I wish", hopefully` was skipped as a line error, where Anki imports it: the rest of
    # the field after the closing quote is read as typed, a later quote as a quote.
    data = (
        "#separator:tab\n#html:false\n"
        '"I wish", hopefully\tA1\n'
        'Q2\t"A" and "B"\n'
        '"line\nbreak" after\t"x"y"z\n'
        '"well ""formed"""\t"a\tb"\n'
    )
    path = tmp_path / "quotes.txt"
    path.write_text(data)
    collection = Collection(str(tmp_path / "reader.anki2"))
    metadata = collection.get_csv_metadata(path=str(path), delimiter=None)
    collection.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
    anki_fields = [
        tuple(html.unescape(field) for field in collection.get_note(note_id).fields)
        for note_id in sorted(collection.find_notes(""))
    ]
    collection.close()

    result = read(data)

    assert (
        sides(result)
        == anki_fields
        == [
            ("I wish, hopefully", "A1"),
            ("Q2", 'A and "B"'),
            ("line<br>break after", 'xy"z'),
            ('well "formed"', "a\tb"),
        ]
    )
    assert not result.skipped
    assert [str(notice) for notice in result.notices if "closing quote" in notice.reason] == [
        "deck.txt:3: text after the closing quote of a field that opens with a quote (and on "
        "1 more line): read as Anki reads it, the quotes left out ('\"I wish\", hopefully' "
        "reads as 'I wish, hopefully'); to keep them, quote the whole field and double its "
        'quotes ("""I wish"", hopefully")'
    ]


def test_a_quote_closing_lines_below_with_text_after_it_names_the_lines_it_took():
    # A German deck's stray quote took 211 lines into one field, as Anki reads it.
    result = read('#separator:tab\nQ1\t"...so ratlos\nQ2\tA2" steht\nQ3\tA3\n')

    assert sides(result) == [("Q1", "...so ratlos<br>Q2\tA2 steht"), ("Q3", "A3")]
    assert [str(notice) for notice in result.notices if "quote" in notice.reason] == [
        "deck.txt:2: a field opening with a quote that closes 1 line below, with text after "
        "it ('\"...so ratlos\\nQ2\\tA2\" steht'): read as Anki reads it, lines 2 to 3 as one "
        "note; if its quote is a stray one, double it (or quote the whole field and double "
        "its quotes) to import those lines as notes"
    ]


def test_the_default_mapping_skips_id_columns_and_empty_columns():
    data = "2_1\t\tHund\tdog\t<b>der</b>\n2_2\t\tKatze\tcat\tdie\n"

    result = read(data)

    # The last column is not tags (it holds markup): it is part of the answer.
    assert result.mapping == ColumnMapping(2, 3, (4,))
    assert sides(result)[0] == ("Hund", "dog<br><br><b>der</b>")


def test_a_column_most_lines_leave_empty_is_no_answer_beside_one_they_fill():
    # Chinese radicals with a variant column few have: 189 of 214 notes were skipped as
    # "empty answer".
    data = "#separator:tab\n#tags column:4\n一\t\tyī\tr\n丨\t\tgǔn\tr\n乙\t乚\tyǐ\tr\n"

    result = read(data)

    assert result.mapping == ColumnMapping(0, 2)
    assert sides(result) == [("一", "yī"), ("丨", "gǔn"), ("乙", "yǐ")]
    assert result.skipped == []


def test_a_column_repeating_a_few_values_is_no_question():
    # A lesson part ("lek", "zu") on every line was the question, the word its answer.
    data = "".join(f"{('lek', 'zu')[i % 2]};Wort {i};word ({i})\n" for i in range(20))

    result = read(data)

    assert result.mapping == ColumnMapping(1, 2)
    assert sides(result)[0] == ("Wort 0", "word (0)")


def test_a_column_of_numbers_after_the_question_is_its_answer_not_the_index_before_it():
    data = "1,What is 6 x 7?,42\n2,What year did WW2 end?,1945\n3,How many bones?,206\n"

    result = read(data, source="numbers.csv", separator=",")

    assert result.mapping == ColumnMapping(1, 2)
    assert sides(result)[0] == ("What is 6 x 7?", "42")
    assert notices(result) == [
        "numbers.csv: column 1 left out, for it holds only numbers (a sort number or an id): "
        "choosing it under 'Append to the answer' (--question 2 --answer 3 --extra 1) "
        "imports it"
    ]


def test_a_column_left_out_is_named_in_the_report():
    data = "#separator:tab\n#tags column:4\nQ1\tA1\tsee page 4\tbio\nQ2\tA2\t\tchem\n"

    result = read(data)

    assert sides(result) == [("Q1", "A1"), ("Q2", "A2")]
    assert notices(result) == [
        "deck.txt: column 3 left out: choosing it under 'Append to the answer' "
        "(--question 1 --answer 2 --extra 3) imports it"
    ]


def test_columns_left_out_are_named_in_one_notice():
    # A book-highlights export of 12 columns was nine notices, one per column.
    data = (
        "#separator:tab\n#tags column:7\n"
        "What's availability?\tTimely access.\tCISSP Guide\tChapple\t2019-03-01\tc01\tcissp\n"
        "What's integrity?\tNo tampering.\tCISSP Guide\tChapple\t2019-03-02\tc01\tcissp\n"
    )

    result = read(data)

    assert sides(result)[0] == ("What's availability?", "Timely access.")
    assert notices(result) == [
        "deck.txt: columns 3, 4, 5, 6 left out (5 holds only numbers, a sort number or an id): "
        "choosing them under 'Append to the answer' (--question 1 --answer 2 --extra 3,4,5,6) "
        "imports them"
    ]


def test_a_mapping_chooses_the_columns_and_appends_extra_fields_to_the_answer():
    data = "2_1\tHund\tdog\t<b>der</b>\n2_2\tKatze\tcat\t\n"

    result = read(data, mapping=ColumnMapping(2, 1, (3,)))

    assert sides(result) == [("dog", "Hund<br><br><b>der</b>"), ("cat", "Katze")]


def test_the_preview_shows_the_first_rows_as_plain_text():
    result = read("Q<b>1</b>\tA&amp;1\nQ2\tA2\n")

    assert result.preview == [("Q1", "A&1"), ("Q2", "A2")]


# --- the colour and layout Anki's editor writes ---


def test_colours_of_an_anki_export_are_kept_as_spans_and_the_rest_of_the_style_dropped():
    # As Anki's "Notes in Plain Text" writes a note whose author coloured the wrong word red
    # and the right one green (a quoted field, its quotes doubled).
    data = (
        "#separator:tab\n#html:true\n#tags column:3\n"
        "Which article goes with <i>Mädchen</i>?\t"
        '"<font color=""#ff0000"" face=""Arial"">die</font> Mädchen: no, '
        '<span style=""color: rgb(0, 170, 0); font-size: 18px;"">das</span> Mädchen'
        '<div style=""text-align: center;""><b style=""font-weight: normal;"">neuter</b></div>"'
        "\tdeutsch\n"
    )

    result = read(data)

    ((card),) = result.cards
    assert card.answer_html == (
        '<span style="color: #ff0000">die</span> Mädchen: no, '
        '<span style="color: rgb(0, 170, 0)">das</span> Mädchen'
        '<div style="text-align: center"><b style="font-weight: normal">neuter</b></div>'
    )
    assert card.answer_text == "die Mädchen: no, das Mädchen\nneuter"


def test_a_rule_between_a_fields_parts_is_kept_and_parts_its_text():
    result = read("#separator:tab\n#html:true\nder Hund\tthe dog<hr id=answer>a noun\n")

    ((card),) = result.cards
    assert (card.answer_html, card.answer_text) == ("the dog<hr>a noun", "the dog\na noun")
    assert result.preview == [("der Hund", "the dog a noun")]


def test_a_rule_at_the_edge_of_a_field_parts_nothing_and_goes():
    result = read("#separator:tab\n#html:true\nder Hund\t<hr>the dog<br><hr id=answer>\n")

    assert sides(result) == [("der Hund", "the dog")]


def test_a_field_that_is_only_a_rule_is_empty():
    result = read("#separator:tab\n#html:true\n<hr>\tthe dog\nQ\tA\n")

    assert [problem.reason for problem in result.skipped] == [
        "empty question (only markup, spaces or invisible characters)"
    ]


def test_a_csv_cell_keeps_its_colour_and_loses_what_could_fetch():
    data = (
        "Front;Back\n"
        'rot;"<span style=""color: red; background: url(https://evil.example/x)"">red</span>"\n'
        "grün;green\n"
    )

    result = read(data, source="colours.csv")

    assert sides(result) == [
        ("rot", '<span style="color: red">red</span>'),
        ("grün", "green"),
    ]


# --- encodings ---


def test_a_windows_1252_file_is_read_whole_and_the_report_says_so():
    result = read("Caf\xe9\tcoffee\nTea\tth\xe9\nWater\twater\n".encode("cp1252"))

    assert sides(result) == [("Café", "coffee"), ("Tea", "thé"), ("Water", "water")]
    assert not result.skipped
    assert any(
        notice.startswith("deck.txt: read as Windows-1252, not UTF-8") and "line 1 " in notice
        for notice in notices(result)
    )


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_with_a_byte_order_mark_is_read(encoding):
    # Excel's "Unicode Text": UTF-16, little-endian, with a byte order mark.
    data = "\ufeffHund\tdog\r\nGrüße\tgreetings\r\n".encode(encoding)

    result = read(data)

    assert sides(result) == [("Hund", "dog"), ("Grüße", "greetings")]
    assert [card.line for card in result.cards] == [1, 2]


@pytest.mark.parametrize(
    ("data", "mark"),
    [("Hund - dog\nKatze - cat\n", " - "), ("Hund = dog\nKatze = der Kater = cat\n", " = ")],
)
def test_a_file_of_terms_and_definitions_parted_by_a_dash_says_so(data, mark):
    # Quizlet's export with a custom separator: refused as lines with "no tab separator",
    # with no word of what the lines hold instead.
    with pytest.raises(AnkiParseError) as caught:
        read(data)

    assert str(caught.value.problems[0]) == (
        f"deck.txt:1: no line of the file can become a card: every line holds {mark!r}, a "
        "separator Anki does not read (a Quizlet export's custom one?): export it again with "
        "Tab between term and definition, or replace it with a tab"
    )


@pytest.mark.parametrize(
    ("data", "mark"),
    [
        ("- What is a cell? >> The unit of life\n- Hund >> dog\n", " >> "),
        ("What is a cell?::The unit of life\nHund::dog\n", "::"),
    ],
)
def test_a_file_of_remnote_or_obsidian_flashcards_says_what_it_holds(data, mark):
    # RemNote's Markdown export writes "question >> answer", Obsidian's Spaced Repetition
    # notes "question::answer": both were refused as lines with "no tab separator" alone.
    with pytest.raises(AnkiParseError) as caught:
        read(data)

    assert str(caught.value.problems[0]) == (
        f"deck.txt:1: no line of the file can become a card: every line holds {mark!r}, a "
        "separator Anki does not read (RemNote's or Obsidian's flashcard mark?): replace it "
        "with a tab, one card a line"
    )


def test_a_utf8_file_with_one_stray_byte_is_refused_naming_the_line():
    data = "Grüße\tgreetings\nQ2\tA2\n".encode() + b"Stra\xdfe\tstreet\n"

    with pytest.raises(AnkiParseError) as caught:
        read(data)

    (problem,) = caught.value.problems
    assert (problem.source, problem.line) == ("deck.txt", 3)
    assert "not UTF-8 (byte 0xdf)" in problem.reason
    assert "save it as 'CSV UTF-8'" in problem.reason


def test_a_file_neither_utf8_nor_windows_1252_is_refused_naming_the_line():
    with pytest.raises(AnkiParseError) as caught:
        read(b"Q1\tA1\nQ2\tA\x81\n")

    assert [str(problem) for problem in caught.value.problems] == [
        "deck.txt:2: not UTF-8 (byte 0x81), nor Windows-1252: save it as 'CSV UTF-8' "
        "(or as UTF-8 text) and import it again"
    ]


# --- duplicates, unusable notes and files that are no deck ---


def test_a_repeated_note_is_merged_and_reported():
    result = read("Q\tA\tt1\nQ2\tA2\tt3\nQ\tA\tt2\n")

    assert [(card.line, card.tags) for card in result.cards] == [(1, ("t1", "t2")), (2, ("t3",))]
    assert [str(problem) for problem in result.merged] == [
        f"deck.txt:3: the same note as line 1 (guid {result.cards[0].guid!r}): merged into one"
    ]


def test_notes_repeated_are_one_report_line_naming_what_each_repeats():
    # A German vocabulary file repeated 79 notes: 79 lines of the report.
    words = [f"Wort {n}\tword {n}\n" for n in range(12)]
    result = read("".join([*words, *words[:11]]))

    assert len(result.cards) == 12
    assert [(str(problem), problem.notes) for problem in result.merged] == [
        (
            "deck.txt:13: 11 notes the same as earlier ones (lines 13 as 1, 14 as 2, 15 as 3, "
            "16 as 4, 17 as 5, 18 as 6, 19 as 7, 20 as 8, 21 as 9, 22 as 10, ...): each "
            "merged into one",
            11,
        )
    ]


def test_notes_that_cannot_become_a_card_are_skipped_and_listed_by_line():
    data = (
        "#separator:tab\n"
        "Q1\tA1\n"
        "<br>\tan answer without a question\n"
        "Image Occlusion\t{{c1::image-occlusion:rect:left=.1}}\n"
        "Q4\tA4\n"
    )

    result = read(data)

    assert [card.question_html for card in result.cards] == ["Q1", "Q4"]
    assert [str(problem) for problem in result.skipped] == [
        "deck.txt:3: empty question (only markup, spaces or invisible characters)",
        "deck.txt:4: an image occlusion note: a text file carries no image to draw its masks "
        "on (the deck's .apkg does)",
    ]


def test_a_line_whose_header_columns_leave_no_answer_says_which_header_took_them():
    # A generator wrote `#notetype column:1` above lines of a word and its meaning: each
    # line was skipped as "empty answer" (Anki skips it, its note type not found).
    data = "#separator:tab\n#html:true\n#notetype column:1\n<b>食べる</b>\tto eat\n水\twater\nQ\n"

    with pytest.raises(AnkiParseError) as refused:
        read(data)

    reason = (
        "no answer: the line has 2 columns, and column 1 is its note type ('#notetype "
        "column:1' at the top of the file), leaving it one field: a card needs a question "
        "and an answer"
    )
    assert [str(problem) for problem in refused.value.problems[1:]] == [
        f"deck.txt:4: {reason}",
        f"deck.txt:5: {reason}",
        "deck.txt:6: no tab separator: a card needs a question and an answer",
    ]


def test_lines_skipped_for_one_reason_are_one_report_line_that_counts_them():
    # A shared export's 1,224 image occlusion notes were 1,224 lines of the report.
    occlusions = [
        f"io{i}\tImage Occlusion\t{{{{c1::image-occlusion:rect:left=.{i}:top=.2}}}}\t"
        '"<img src=""brain.png"">"\n'
        for i in range(12)
    ]
    data = (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n"
        "b1\tBasic\tWhere is Broca's area?\tThe frontal lobe\n"
        + "".join(occlusions)
        + "b2\tBasic\t<br>\tan answer without a question\n"
        + "b3\tBasic\t&nbsp;\tanother\n"
        + "b4\tBasic (and reversed card)\t\tof another note type\n"
        + 'b5\tBasic\t"a quote never closed\tQ\n'
    )

    result = read(data)

    assert [card.question_html for card in result.cards] == ["Where is Broca's area?"]
    assert [str(problem) for problem in result.skipped] == [
        "deck.txt:6: 12 notes of note type 'Image Occlusion' (lines 6, 7, 8, 9, 10, 11, 12, 13, "
        "14, 15, ...): an image occlusion note: a text file carries no image to draw its masks "
        "on (the deck's .apkg does)",
        "deck.txt:18: 2 notes of note type 'Basic' (lines 18, 19): empty question "
        "(only markup, spaces or invisible characters)",
        "deck.txt:20: empty question",
        "deck.txt:21: unterminated quoted field (no closing quote before the end)",
    ]
    assert [problem.notes for problem in result.skipped] == [12, 2, 1, 1]


def test_an_image_occlusion_enhanced_note_is_skipped_for_a_package_not_an_empty_answer():
    # The add-on's notes before Anki 23.10: an id, the image, then each mask's own SVG. Read
    # as Basic, the id was a question with an empty answer (1,224 of a shared export's notes).
    occlusion_id = "51711c7f9da44bd29d4f8a88e86126f2-ao-1"
    masks = [f'"<img src=""{occlusion_id}-{side}.svg"" />"' for side in ("Q", "A")]
    data = (
        "#separator:tab\n#html:true\n#notetype column:1\n"
        "Basic\tWhere is Broca's area?\tThe frontal lobe\n"
        f'Basic\t{occlusion_id}\t"<img src=""brain.png"" />"\t{masks[0]}\t\t{masks[1]}\n'
        "Image Occlusion Enhanced\tanother-id\tbrain.png\n"
        "Basic\tWhat does ao-1-Q.svg name?\tA mask\n"
    )

    result = read(data)

    assert [card.question_html for card in result.cards] == [
        "Where is Broca's area?",
        "What does ao-1-Q.svg name?",
    ]
    assert [str(problem) for problem in result.skipped] == [
        f"deck.txt:{line}: an Image Occlusion note: its images come only in a package (.apkg): "
        "export the deck as a package"
        for line in (5, 6)
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file: a PNG image"),
        (b"a\x00b\tc\n", "not a text file (it holds binary data)"),
        (b"#separator:tab\n# nothing else\n", "no notes: the file is empty or holds only"),
        (b'{"cards": "none"}\n', "no line of the file can become a card"),
    ],
)
def test_a_file_that_is_not_a_deck_is_refused_with_its_reason(data, reason):
    with pytest.raises(AnkiParseError) as caught:
        read(data)

    assert caught.value.problems[0].reason.startswith(reason)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # A package or spreadsheet saved or renamed .txt or .csv (a browser's "deck.apkg.zip").
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "not a text file: a zip archive (an Anki package"),
        (b"SQLite format 3\x00\x10\x00", "not a text file: an Anki collection itself"),
        ("Hund\tdog\nKatze\tcat\n".encode("utf-16-le"), "not a text file: UTF-16 text without"),
    ],
)
def test_a_binary_file_is_refused_saying_what_it_is(data, reason):
    with pytest.raises(AnkiParseError) as caught:
        read(data)

    assert caught.value.problems[0].reason.startswith(reason)


# --- note types ---


def test_a_reversed_note_type_makes_two_cards():
    result = read("#notetype:Basic (and reversed card)\nHund\tdog\n")

    assert [(card.ord, card.question_html, card.answer_html) for card in result.cards] == [
        (0, "Hund", "dog"),
        (1, "dog", "Hund"),
    ]
    assert len({card.guid for card in result.cards}) == 1


def test_an_optional_reversed_note_makes_its_reverse_only_when_asked():
    data = "#notetype:Basic (optional reversed card)\nHund\tdog\ty\nKatze\tcat\t\n"

    result = read(data)

    assert [(card.question_html, card.ord) for card in result.cards] == [
        ("Hund", 0),
        ("dog", 1),
        ("Katze", 0),
    ]


ASKED = [("die Katze", 0), ("the cat", 1), ("der Hund", 0)]


@pytest.mark.parametrize(
    ("headers", "rows", "cards"),
    [
        # The tags column is not Add Reverse: no note asks for its reverse card.
        ("#tags column:3\n", "die Katze\tthe cat\tgerman\nder Hund\tthe dog\t\n", None),
        ("#tags column:4\n", "die Katze\tthe cat\ty\tgerman\nder Hund\tthe dog\t\t\n", ASKED),
        ("#tags column:1\n", "german\tdie Katze\tthe cat\ty\n\tder Hund\tthe dog\t\n", ASKED),
    ],
)
def test_an_optional_reversed_note_reads_add_reverse_from_its_third_field(headers, rows, cards):
    data = "#separator:tab\n#notetype:Basic (optional reversed card)\n" + headers + rows

    result = read(data)

    expected = cards or [("die Katze", 0), ("der Hund", 0)]
    assert [(card.question_html, card.ord) for card in result.cards] == expected
    assert result.cards[0].tags == ("german",)
    assert not result.notices


def test_a_cloze_note_makes_one_card_per_cloze_number():
    data = "#notetype:Cloze\n{{c2::Paris}} is the capital of {{c1::France::country}}\tGeography\n"

    first, second = read(data).cards

    assert (first.ord, second.ord) == (0, 1)
    assert first.question_html == second.question_html
    assert first.question_text == "Paris is the capital of [country]"
    assert first.answer_text == "Paris is the capital of France\nGeography"
    assert second.question_text == "[…] is the capital of France"
    assert first.is_cloze


def test_cloze_markup_without_a_note_type_is_read_as_cloze():
    result = read("The {{c1::mitochondria}} is the powerhouse\t\n")

    ((card),) = result.cards
    assert (card.is_cloze, card.answer_html) == (True, "")


@pytest.mark.parametrize("header", ["#html:false\n", ""])
def test_a_cloze_note_of_a_plain_text_file_keeps_its_text_as_typed(header):
    result = read(f"{header}#notetype:Cloze\nIf x<y then {{{{c1::y}}}} is larger\tsee\n")

    assert [card.question_text for card in result.cards] == ["If x<y then […] is larger"]


def test_a_cloze_note_with_an_empty_back_extra_is_imported():
    result = read("#notetype:Cloze\n{{c1::a}} b\t\n")

    assert len(result.cards) == 1


def test_a_cloze_note_without_a_deletion_is_skipped():
    result = read("#notetype:Cloze\nno deletion here\t\n{{c1::a}} b\t\n")

    assert [problem.reason for problem in result.skipped] == [
        "a cloze note without any {{c1::…}} deletion"
    ]


def test_a_cloze_note_of_more_deletions_than_a_note_may_have_is_skipped_by_line():
    # Each of its cards shows the whole text: 3,000 deletions took 210 s and 1.5 GB.
    allowed = " ".join(f"w{n} {{{{c{n}::a{n}}}}}" for n in range(1, MAX_CLOZE_CARDS + 1))
    too_many = f"{allowed} w {{{{c{MAX_CLOZE_CARDS + 1}::more}}}}"

    result = read(f"#notetype:Cloze\n{too_many}\t\n{allowed}\tkept\n")

    assert [(problem.line, problem.reason) for problem in result.skipped] == [
        (
            2,
            f"{MAX_CLOZE_CARDS + 1:,} cloze numbers in one note, where {MAX_CLOZE_CARDS:,} are "
            "the most taken (each makes a card that shows the whole text): split it into "
            "smaller notes",
        )
    ]
    assert len(result.cards) == MAX_CLOZE_CARDS
    assert result.cards[-1].question_text.endswith(f"w{MAX_CLOZE_CARDS} […]")


def test_a_cloze_note_of_few_deletions_in_a_text_too_long_for_them_is_skipped_by_line():
    # 100 cards each showing 120,000 characters: 12 million to store for one line.
    long_text = "x " * 60_000 + " ".join(f"{{{{c{n}::a{n}}}}}" for n in range(1, 101))

    result = read(f"#notetype:Cloze\n{long_text}\t\n{{{{c1::kept}}}} b\t\n")

    ((problem,),) = [result.skipped]
    assert problem.line == 2
    assert problem.reason.startswith("100 cloze numbers in a note of 121,")
    assert "where 10 million are the most taken: split it into smaller notes" in problem.reason
    assert [card.question_text for card in result.cards] == ["[…] b"]


def test_a_cloze_notes_fields_are_made_storable_once_for_all_its_cards(monkeypatch):
    from quizzes.importing import cardhtml

    made = []

    def counted(value, **kwargs):
        made.append(value)
        return _fast_field(value, **kwargs)

    monkeypatch.setattr(cardhtml, "_fast_field", counted)
    cardhtml._sides.cache_clear()
    text = " ".join(f"<b>w{n}</b> {{{{c{n}::a{n}}}}}" for n in range(1, 41))

    result = read(f"#html:true\n#notetype:Cloze\n{text}\t<i>extra</i>\n")

    assert len(result.cards) == 40
    assert len(made) == 2  # the text and the Back Extra, not both again for every card
    assert result.cards[39].question_text.endswith("w40 […]")


# --- one parse per card: the fast path gives what the full repair gives ---

_PIECES = [
    "a",
    "b c",
    " ",
    "\n",
    "<br>",
    "<b>",
    "</b>",
    "<i>x</i>",
    "&amp;",
    "&lt;",
    "&#39;",
    "&nbsp;",
    "<code>f()</code>",
    "<p>",
    "</p>",
    "\t",
    "é",
    "<u> u </u>",
    "<ul>",
    "</ul>",
    "<li>",
    "</li>",
    "<div>",
    "</div>",
    "<ol><li>x</li></ol>",
    "<p>para</p>",
    "<blockquote>q</blockquote>",
]


def test_the_fast_path_agrees_with_the_full_repair():
    rng = random.Random(11)
    fast = 0
    for _ in range(6000):
        value = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 8)))
        quick = _fast_field(value, is_html=True)
        if quick is None:
            continue
        fast += 1
        repaired = _settle(*_field_soup(value, is_html=True))
        assert quick == (repaired, html_to_text(repaired)), value
    assert fast > 300


def test_a_quote_never_closed_on_the_first_line_refuses_the_file_by_its_line():
    with pytest.raises(AnkiParseError) as caught:
        read('"question\tanswer\n')

    assert [str(problem) for problem in caught.value.problems] == [
        "deck.txt:1: unterminated quoted field (no closing quote before the end)"
    ]


def test_a_line_wider_than_any_note_refuses_the_file():
    wide = ",".join(f"c{number}" for number in range(2000))

    with pytest.raises(AnkiParseError) as caught:
        read(f"q,a\n{wide}\n", source="wide.csv")

    assert [str(problem) for problem in caught.value.problems] == [
        "wide.csv:2: 2000 columns: a note has at most 500"
    ]


def test_stock_note_types_under_other_names_make_the_cards_anki_makes():
    # As Anki exports notes of several types: their names in the learner's language, or
    # with the suffix Anki adds to a second type of the same name.
    result = read(
        "#separator:tab\n#html:true\n#notetype column:1\n#tags column:4\n"
        "Lückentext\tDie Hauptstadt von Frankreich ist {{c1::Paris}}.\t\tgeo\n"
        "穴埋め\t日本の首都は{{c1::東京}}です。\t\tgeo\n"
        "Einfach (mit umgedrehter Karte)\tder Hund\tthe dog\tde\n"
        "Basic (and reversed card)-1a2b3\tla casa\tthe house\tes\n"
        "Basic\tplain {{c1::braces}} kept\tan answer\ten\n"
    )

    reversed_card = "Basic (and reversed card)"
    assert [card.note_type for card in result.cards] == (
        ["Cloze"] * 2 + [reversed_card] * 4 + ["Basic"]
    )
    assert [card.is_cloze for card in result.cards] == [True, True] + [False] * 5
    assert [card.question_html for card in result.cards[2:6]] == [
        "der Hund",
        "the dog",
        "la casa",
        "the house",
    ]
    assert result.skipped == []


@pytest.mark.parametrize(
    "name",
    [
        "Basic (optional reversed card)",
        "Basic (optional reversed card)-1a2b3",
        "Einfach (optional umgedrehte Karte)",
    ],
)
def test_an_optional_reversed_type_under_any_of_its_names_reads_add_reverse(name):
    result = read(f"#separator:tab\n#notetype:{name}\ndog\tHund\ty\ncat\tKatze\t\n")

    assert [(card.question_html, card.ord) for card in result.cards] == [
        ("dog", 0),
        ("Hund", 1),
        ("cat", 0),
    ]
    assert all(card.tags == () for card in result.cards)


def test_a_users_note_type_with_reverse_in_its_name_is_no_reversed_type():
    result = read("#separator:tab\n#notetype:Reversible reactions\nA + B\tC\nC\tA + B\n")

    assert [card.ord for card in result.cards] == [0, 0]


def test_a_third_field_of_other_note_types_beside_optional_reversed_ones_is_reported():
    result = read(
        "#separator:tab\n#notetype column:1\n#tags column:5\n"
        "Basic (optional reversed card)\tdog\tHund\ty\tanimals\n"
        "Vocab\tlaufen\tto run\tIch laufe jeden Tag.\tverbs\n"
    )

    assert [(card.question_html, card.ord) for card in result.cards] == [
        ("dog", 0),
        ("Hund", 1),
        ("laufen", 0),
    ]
    assert any(
        "column 4 left out of the notes of other types than 'Basic (optional reversed card)'"
        in notice
        for notice in notices(result)
    )


def test_a_note_of_cards_of_their_own_makes_a_card_of_each_front_and_back():
    # What an export writes a note of a user's own note type with: it was read as a Basic
    # note of its first two fields, the others left out.
    result = read(
        "#separator:tab\n#html:true\n#notetype column:1\n#guid column:2\n#tags column:9\n"
        "Cards of their own (3)\tg1\tlaufen\tto run\tto run\tlaufen\t\t\tverbs\n"
        "Cards of their own (2)\tg2\t\t\tblue, white, red\tFrance\t\t\t\n"
        "Cards of their own (2, the second optional)\tg3\tdie Katze\tthe cat\t\t\t\t\t\n"
        "Basic\tg4\tHund\tdog\t\t\t\t\t\n"
        "Cards of their own (3)\tg5\t<br>\t\t&nbsp;\t\t\t\t\n"
    )

    assert [
        (card.guid, card.ord, card.note_type, card.question_html, card.answer_html, card.tags)
        for card in result.cards
    ] == [
        ("g1", 0, "Basic", "laufen", "to run", ("verbs",)),
        ("g1", 1, "Basic", "to run", "laufen", ("verbs",)),
        ("g2", 1, "Basic (and reversed card)", "blue, white, red", "France", ()),
        ("g3", 0, "Basic (optional reversed card)", "die Katze", "the cat", ()),
        ("g4", 0, "Basic", "Hund", "dog", ()),
    ]
    assert [(problem.line, problem.reason) for problem in result.skipped] == [
        (10, "a note of cards of their own whose every Front field is empty")
    ]
    assert not any("left out" in notice for notice in notices(result))


OWN_CARDS_EDITED = (
    "#separator:tab\n#html:true\n#notetype column:1\n#guid column:2\n#tags column:9\n"
    "Cards of their own (3)\tg1\tlaufen\tto run\tto run\tlaufen\t\t\tverbs\n"
    "Cards of their own (2)\tg2\tHund\tdog\tdog\tHund\tDer Hund bellt.\t<br>\t\n"
    "Cards of their own (1)\tg3\tKatze\tcat\tcat?\t\tKatze\t\t\n"
)


def test_a_note_of_cards_of_their_own_names_the_filled_columns_no_card_shows():
    # A hand-edited line with more filled columns than its cards use: they went silently.
    result = read(OWN_CARDS_EDITED)

    assert [(card.guid, card.ord, card.question_html) for card in result.cards] == [
        ("g1", 0, "laufen"),
        ("g1", 1, "to run"),
        ("g2", 0, "Hund"),
        ("g2", 1, "dog"),
        ("g3", 0, "Katze"),
    ]
    assert [str(problem) for problem in result.report] == [
        "deck.txt:7: column 7 left out: a note of 'Cards of their own (2)' has 4 fields "
        "(each card's question and answer), and no card shows more",
        "deck.txt:8: columns 5, 7 left out: a note of 'Cards of their own (1)' has 2 fields "
        "(each card's question and answer), and no card shows more",
    ]
    assert not result.skipped


@pytest.mark.parametrize(
    ("data", "separator"),
    [
        ("Hund,dog;Katze,cat;Maus,mouse;Pferd,horse;", "comma"),
        ("Hund\tdog;Katze\tcat, puss;Maus\tmouse;Pferd\thorse\n", "tab"),
    ],
)
def test_quizlets_rows_separated_by_semicolons_on_one_line_are_read_as_notes(data, separator):
    # Quizlet's export with rows separated by ";" puts every card on one line: it made one
    # card of two terms, the others named only as columns left out.
    result = read(data)

    assert [(card.line, card.question_html) for card in result.cards] == [
        (1, "Hund"),
        (2, "Katze"),
        (3, "Maus"),
        (4, "Pferd"),
    ]
    assert sides(result)[1][1] == ("cat" if separator == "comma" else "cat, puss")
    assert notices(result) == [
        "deck.txt:1: one line of 4 rows separated by ';', as Quizlet exports them with rows "
        f"separated by ';' and {separator} between term and definition: read as 4 notes, "
        "lines 1 to 4 of this report"
    ]


@pytest.mark.parametrize(
    ("data", "columns"),
    [
        # A definition holding a comma, in rows of commas: which comma separates is a guess.
        ("Hund,dog;Katze,cat,puss;Maus,mouse;Pferd,horse;", 5),
        # A term without its definition.
        ("Hund\tdog;Katze\t;Maus\tmouse;", 4),
    ],
)
def test_a_file_of_one_line_of_many_columns_says_it_may_hold_several_cards(data, columns):
    # Rows that cannot be told apart for sure are left as they are, and said to be perhaps.
    result = read(data)

    assert len(result.cards) == 1
    assert (
        f"deck.txt:1: the file's only note, of {columns} columns: if the line holds several "
        "cards one after another (Quizlet's export with rows separated by ';' or another "
        "character than a new line), export it again with a new line between rows"
    ) in notices(result)


def test_a_file_of_one_note_of_a_question_an_answer_and_tags_says_nothing_of_rows():
    assert not any("only note" in notice for notice in notices(read("Q\tA\ttag\n")))


# --- what old tools and copy-paste leave in a file ---


@pytest.mark.parametrize("padding", [b"\x1a", b"\x00" * 300], ids=["ctrl-z", "nul-padding"])
def test_an_end_of_file_mark_or_padding_after_the_last_note_is_left_out(padding):
    # Old DOS tools end a file with Ctrl-Z; a copy cut short leaves NUL bytes after the text.
    result = read(b"Hund\tdog\r\nKatze\tcat\r\n" + padding)

    assert [(card.question_html, card.answer_html) for card in result.cards] == [
        ("Hund", "dog"),
        ("Katze", "cat"),
    ]
    assert result.report == []
    assert f"deck.txt:3: the file ends with {len(padding)} NUL or Ctrl-Z byte" in "\n".join(
        str(notice) for notice in result.notices
    )


@pytest.mark.parametrize("html_header", ["#html:false\n", "#html:true\n"])
def test_control_characters_are_left_out_and_a_vertical_tab_is_a_line_break(html_header):
    # PowerPoint and Word write a line break within a paragraph as a vertical tab (\x0b);
    # the other control characters show as nothing or as a box in a browser.
    text = f"#separator:tab\n{html_header}Hund\x07\tdog\x0bthe animal\nKatze\tcat\x1b[0m\n"

    result = read(text)

    assert [(card.question_html, card.answer_html) for card in result.cards] == [
        ("Hund", "dog<br>the animal"),
        ("Katze", "cat[0m"),
    ]
    assert any(
        str(notice).startswith("deck.txt:3: control characters")
        and "(and on 1 more line)" in str(notice)
        for notice in result.notices
    )


def test_windows_1252_punctuation_saved_as_latin_1_reads_as_windows_1252():
    # A Windows-1252 file converted to UTF-8 as if it were Latin-1: its curly quotes and
    # dashes became the control characters U+0080 to U+009F, which no text means.
    text = "It\x92s\t\x93quoted\x94 \x96 a dash\n".encode()

    result = read(text)

    assert [(card.question_html, card.answer_html) for card in result.cards] == [
        ("It\u2019s", "\u201cquoted\u201d \u2013 a dash")
    ]
