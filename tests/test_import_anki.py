"""Importing Anki plain-text files: the command and the import service."""

import base64
import hashlib
import html
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from quizzes.models import CachedImage, Card, CardImage, Deck, Tag
from quizzes.services.anki_io import anki_import_apply, anki_import_plan, cards_delete
from tests.editing_helpers import admin_form_data, record_answer

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "source" / "000_5b047ce6bb528336.txt"

THREE_CARDS = (
    "#separator:tab\n"
    "#html:true\n"
    "#tags column:3\n"
    "#guid column:4\n"
    "What is a tensor?\tAn array with any number of axes.\ttensors\tg-1\n"
    "What is SGD?\tStochastic gradient descent.\ttraining optim\tg-2\n"
    "<img src=https://aiquizzes.com/gcp_images/a.png>\tA broadcast.\t\tg-3\n"
)


def write(tmp_path, text, name="deck.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path, *args):
    return call_command("import_anki", str(path), *args)


# --- the command ---


def test_it_imports_into_a_new_deck_named_on_the_command_line(tmp_path, db):
    summary = run_import(write(tmp_path, THREE_CARDS), "--deck", "basics", "--name", "Basics")

    assert summary == "basics: 3 new, 0 changed, 0 unchanged"
    deck = Deck.objects.get(slug="basics")
    assert deck.name == "Basics"
    assert [card.number for card in deck.cards.all()] == [1, 2, 3]
    assert sorted(deck.cards.get(number=2).tags.values_list("name", flat=True)) == [
        "optim",
        "training",
    ]


def test_it_records_text_and_images_of_imported_cards(tmp_path, db):
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")

    card = Card.objects.get(deck__slug="basics", number=3)
    assert card.guid == "g-3"
    assert card.card_images.get().image.url == "https://aiquizzes.com/gcp_images/a.png"
    assert Card.objects.get(deck__slug="basics", number=1).answer_text == (
        "An array with any number of axes."
    )


def test_media_a_text_file_names_but_cannot_bring_are_listed_by_note(tmp_path, db, capsys):
    # They came in silently: the card showed "image not cached", linking to nowhere.
    path = write(
        tmp_path,
        '#html:true\nWhat is shown? <img src="cat.png">\tA cat\nperro\tdog [sound:perro.mp3]\n'
        'Logo?\t<img src="https://a.example/logo.png">\n',
    )

    summary = run_import(path, "--deck", "d")

    assert summary == "d: 3 new, 0 changed, 0 unchanged, 2 media files left out"
    missing = "missing: a text file carries no media files (the deck's .apkg export does)"
    err = capsys.readouterr().err
    assert f"{path}:2: note " in err and f"image 'cat.png' {missing}" in err
    assert f"{path}:3: note " in err and f"sound 'perro.mp3' {missing}" in err
    shown = Card.objects.get(answer_text="A cat").question_rendered
    assert f"Image {missing} (" in html.unescape(shown)


def test_media_left_out_for_one_reason_are_one_line_naming_the_first(tmp_path, db, capsys):
    # A deck of 29 paintings was 31 lines, one per image, each saying the same.
    path = write(
        tmp_path,
        '#separator:tab\n#html:true\nWhose? <img src="a.jpg">\tKandinsky\n'
        'Whose? <img src="b.jpg"><img src="c.jpg">\tMondrian\n'
        'Whose? <img src="d.jpg">\t<img src="a.jpg"> Kupka\n',
    )

    summary = run_import(path, "--deck", "d")

    assert summary == "d: 3 new, 0 changed, 0 unchanged, 4 media files left out"
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:3: 4 images ('a.jpg', 'b.jpg', 'c.jpg', ...) of 3 notes (lines 3, 4, 5) missing: "
        "a text file carries no media files (the deck's .apkg export does)"
    ]


def test_a_file_a_text_file_names_that_the_site_has_is_no_problem(tmp_path, db, media_root):
    CachedImage.objects.create(
        url="cat.png", status=CachedImage.Status.CACHED, sha256="x", file="images/cat.png"
    )

    summary = run_import(write(tmp_path, 'What? <img src="cat.png">\tA cat\n'), "--deck", "d")

    assert summary == "d: 1 new, 0 changed, 0 unchanged"


def test_an_image_given_inline_is_stored_as_a_file_and_shown(tmp_path, db, media_root):
    # A note-taking app's export: the picture is in the field, as a data: URL. The
    # sanitizer dropped its source, and the card showed "Image not cached".
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "blue").save(buffer, "PNG")
    inline = base64.b64encode(buffer.getvalue()).decode()
    path = write(tmp_path, f'What is shown?\tA square <img src="data:image/png;base64,{inline}">\n')

    run_import(path, "--deck", "pictures")
    again = run_import(path, "--deck", "pictures")

    card = Card.objects.get()
    name = f"inline-{hashlib.sha256(buffer.getvalue()).hexdigest()[:16]}.png"
    assert card.answer_html == f'A square <img src="{name}">'
    assert '<img alt="' in card.answer_rendered and 'src="/media/images/' in card.answer_rendered
    assert CachedImage.objects.get(url=name).is_cached
    assert again == "pictures: 0 new, 0 changed, 1 unchanged"


def test_importing_the_same_file_twice_changes_nothing(tmp_path, db):
    path = write(tmp_path, THREE_CARDS)
    run_import(path, "--deck", "basics")
    before = list(Card.objects.values_list("pk", "updated_at"))

    summary = run_import(path, "--deck", "basics")

    assert summary == "basics: 0 new, 0 changed, 3 unchanged"
    assert list(Card.objects.values_list("pk", "updated_at")) == before


def test_a_changed_card_is_updated_in_place(tmp_path, db):
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")
    card = Card.objects.get(deck__slug="basics", number=2)
    record_answer(card, "correct")

    edited = THREE_CARDS.replace("Stochastic gradient descent.", "SGD, one batch at a time.")
    summary = run_import(write(tmp_path, edited), "--deck", "basics")

    assert summary == "basics: 0 new, 1 changed, 2 unchanged"
    updated = Card.objects.get(pk=card.pk)
    assert updated.number == 2
    assert updated.answer_text == "SGD, one batch at a time."
    assert updated.attempt_questions.count() == 1


def test_a_changed_answer_changes_the_choices_stored_words(tmp_path, db):
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")
    assert Card.objects.get(number=2).choice_stems == "descent gradient stochastic"

    edited = THREE_CARDS.replace("Stochastic gradient descent.", "Batches, one at a time.")
    run_import(write(tmp_path, edited), "--deck", "basics")

    card = Card.objects.get(number=2)
    assert (card.choice_words, card.choice_stems) == ("batches time", "batch time")


def test_a_changed_question_is_still_found_by_its_guid(tmp_path, db):
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")
    card = Card.objects.get(deck__slug="basics", number=1)

    edited = THREE_CARDS.replace("What is a tensor?", "What is a tensor, exactly?")
    run_import(write(tmp_path, edited), "--deck", "basics")

    assert Card.objects.get(pk=card.pk).question_text == "What is a tensor, exactly?"
    assert Card.objects.count() == 3


CAPITALS = (
    "What is the capital of France?\tParis\n"
    "What is the capital of Spain?\tMadird\n"
    "What is the capital of Italy?\tRome\n"
)


def test_a_fixed_answer_in_a_file_without_guids_updates_the_card_in_place(tmp_path, db):
    run_import(write(tmp_path, CAPITALS), "--deck", "capitals")
    card = Card.objects.get(number=2)
    record_answer(card, "correct")

    fixed = CAPITALS.replace("Madird", "Madrid")
    summary = run_import(write(tmp_path, fixed), "--deck", "capitals")

    # Anki matches a note without a guid by its first field within its note type.
    assert summary == "capitals: 0 new, 1 changed, 2 unchanged"
    updated = Card.objects.get(pk=card.pk)
    assert (updated.number, updated.answer_html, updated.guid) == (2, "Madrid", card.guid)
    assert updated.attempt_questions.count() == 1
    assert run_import(write(tmp_path, fixed), "--deck", "capitals") == (
        "capitals: 0 new, 0 changed, 3 unchanged"
    )
    # A second note asking the same question is a new card, not a rewrite of the first.
    again = fixed + "What is the capital of Spain?\tMadrid, since 1561\n"
    assert run_import(write(tmp_path, again), "--deck", "capitals") == (
        "capitals: 1 new, 0 changed, 3 unchanged"
    )
    assert Card.objects.get(pk=card.pk).answer_html == "Madrid"


# Cards imported before colours were kept hold their text without them (as the plain lines
# below): a re-import of the file brings them back where it finds the card.
COLOURED = "Der, die or das Mädchen?\t<font color=red>die</font> is wrong, das is right\n"


def test_a_reimport_without_guids_brings_an_answers_colours_back_in_place(tmp_path, db):
    run_import(
        write(tmp_path, "Der, die or das Mädchen?\tdie is wrong, das is right\n"), "--deck", "d"
    )
    card = Card.objects.get()

    summary = run_import(write(tmp_path, COLOURED), "--deck", "d")

    assert summary == "d: 0 new, 1 changed, 0 unchanged"
    assert Card.objects.get(pk=card.pk).answer_html == (
        '<span style="color: red">die</span> is wrong, das is right'
    )


def test_a_reimport_with_guids_brings_a_questions_colours_back_in_place(tmp_path, db):
    plain = "#guid column:3\nWhich article goes with Mädchen?\tdas\tg-1\n"
    run_import(write(tmp_path, plain), "--deck", "d")
    card = Card.objects.get()

    coloured = plain.replace("Mädchen", '<font color="#0000ff">Mädchen</font>')
    summary = run_import(write(tmp_path, coloured), "--deck", "d")

    assert summary == "d: 0 new, 1 changed, 0 unchanged"
    assert 'style="color: #0000ff"' in Card.objects.get(pk=card.pk).question_html


def test_a_question_that_gains_colours_in_a_file_without_guids_updates_the_card(tmp_path, db):
    # Anki's duplicate check compares the first field with its HTML stripped.
    run_import(write(tmp_path, "Which article goes with Mädchen?\tdas\n"), "--deck", "d")
    card = Card.objects.get()
    record_answer(card, "correct")

    coloured = "Which article goes with <font color=blue>Mädchen</font>?\tdas\n"
    summary = run_import(write(tmp_path, coloured), "--deck", "d")

    assert summary == "d: 0 new, 1 changed, 0 unchanged"
    updated = Card.objects.get()
    assert (updated.pk, updated.guid) == (card.pk, card.guid)
    assert 'style="color: blue"' in updated.question_html
    assert updated.attempt_questions.count() == 1
    assert (
        run_import(write(tmp_path, coloured), "--deck", "d") == "d: 0 new, 0 changed, 1 unchanged"
    )


def test_a_question_that_gains_bold_or_line_breaks_updates_the_card(tmp_path, db):
    run_import(write(tmp_path, CAPITALS), "--deck", "capitals")

    formatted = CAPITALS.replace(
        "What is the capital of Spain?", "<b>What</b> is the capital of<br>Spain?"
    )
    summary = run_import(write(tmp_path, formatted), "--deck", "capitals")

    assert summary == "capitals: 0 new, 1 changed, 2 unchanged"
    assert Card.objects.get(number=2).question_html == "<b>What</b> is the capital of<br>Spain?"


def test_two_cards_whose_questions_differ_only_in_markup_stay_two(tmp_path, db):
    both = "What is x?\tOne.\n<b>What</b> is x?\tTwo.\n"
    run_import(write(tmp_path, both), "--deck", "d")

    # Each line finds its own card by its HTML, whatever the order.
    swapped = "<b>What</b> is x?\tTwo, fixed.\nWhat is x?\tOne, fixed.\n"
    assert run_import(write(tmp_path, swapped), "--deck", "d") == "d: 0 new, 2 changed, 0 unchanged"
    assert dict(Card.objects.values_list("number", "answer_html")) == {
        1: "One, fixed.",
        2: "Two, fixed.",
    }
    # A third markup of the question could be either card: it is a note of its own.
    third = "<i>What</i> is x?\tThree.\n"
    assert run_import(write(tmp_path, third), "--deck", "d") == "d: 1 new, 0 changed, 0 unchanged"


def test_a_line_whose_html_matches_a_card_keeps_it_from_a_reformatted_line(tmp_path, db):
    run_import(write(tmp_path, "What is x?\tOne.\n"), "--deck", "d")

    # The second line is the card as stored; the first, reformatted, is another note.
    both = "<b>What</b> is x?\tTwo.\nWhat is x?\tOne.\n"
    assert run_import(write(tmp_path, both), "--deck", "d") == "d: 1 new, 0 changed, 1 unchanged"
    assert Card.objects.get(number=1).question_html == "What is x?"


def test_questions_of_other_images_but_the_same_text_are_other_cards(tmp_path, db):
    run_import(
        write(tmp_path, 'Whose flag? <img src="https://a.example/fr.png">\tFrance\n'), "--deck", "d"
    )

    other = (
        'Whose flag? <img src="https://a.example/it.png">\tItaly\n'
        '<img src="https://a.example/de.png">\tGermany\n'
    )
    summary = run_import(write(tmp_path, other), "--deck", "d")

    assert summary == "d: 2 new, 0 changed, 0 unchanged"
    bold = 'Whose <b>flag</b>? <img src="https://a.example/fr.png">\tFrance\n'
    assert run_import(write(tmp_path, bold), "--deck", "d") == "d: 0 new, 1 changed, 0 unchanged"


def test_a_line_without_a_guid_never_takes_a_card_its_source_link_names(tmp_path, db):
    run_import(write(tmp_path, numbered(1, "Ours?", "").replace("\t\n", "\n")), "--deck", "d")

    summary = run_import(write(tmp_path, "Ours?\tAnother answer.\n"), "--deck", "d")

    assert summary == "d: 1 new, 0 changed, 0 unchanged"
    assert Card.objects.get(number=1).answer_text.startswith("An answer.")


def test_a_reworded_question_in_a_file_without_guids_is_a_new_card(tmp_path, db):
    run_import(write(tmp_path, CAPITALS), "--deck", "capitals")

    reworded = CAPITALS.replace("capital of Spain", "capital city of Spain")
    summary = run_import(write(tmp_path, reworded), "--deck", "capitals")

    assert summary == "capitals: 1 new, 0 changed, 2 unchanged"


def test_a_new_card_takes_the_next_free_number(tmp_path, db):
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")

    more = THREE_CARDS + "What is a ReLU?\tmax(0, x).\t\tg-4\n"
    summary = run_import(write(tmp_path, more), "--deck", "basics")

    assert summary == "basics: 1 new, 0 changed, 3 unchanged"
    assert Card.objects.get(guid="g-4").number == 4


def test_a_file_without_a_tags_column_leaves_the_tags_alone(tmp_path, db):
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")

    untagged = "What is a tensor?\tAn array with any number of axes.\n"
    summary = run_import(write(tmp_path, untagged), "--deck", "basics")

    # Without a guid column the card is found by its question, as Anki finds a note.
    assert summary == "basics: 0 new, 0 changed, 1 unchanged"
    assert Card.objects.get(guid="g-1").tags.get().name == "tensors"


def test_the_real_source_matches_the_loaded_fixture(fastai_deck):
    summary = run_import(SOURCE, "--deck", "fastai")

    assert summary == "fastai: 0 new, 0 changed, 79 unchanged"


def test_a_changed_source_card_keeps_its_number_pk_and_permalink(fastai_deck, tmp_path):
    card = fastai_deck.cards.get(number=2)
    permalink = card.get_absolute_url()
    text = SOURCE.read_text(encoding="utf-8").replace(
        "getting worse.", "getting worse, epoch after epoch."
    )

    summary = run_import(write(tmp_path, text), "--deck", "fastai")

    assert summary == "fastai: 0 new, 1 changed, 78 unchanged"
    updated = Card.objects.get(pk=card.pk)
    assert "epoch after epoch" in updated.answer_text
    assert updated.get_absolute_url() == permalink
    assert updated.tags.exists()


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("Q1\tA1\nno separator here\n", 2, "no tab separator"),
        ("Q1\tA1\n\tA2\n", 2, "empty question"),
        ("Q1\tA1\nQ2\t\n", 2, "empty answer"),
        ('Q1\tA1\n"unterminated\tA2\n', 2, "unterminated quoted field"),
        ("#guid column:3\nQ1\tA1\tg\nQ2\tA2\tg\n", 3, "the same note as line 2"),
        ("Q1\tA1\nQ2\t<img src=https://a.example/" + "x" * 500 + ">\n", 2, "longer than 500"),
        ("#guid column:3\nQ1\tA1\tg\nQ2\tA2\t" + "g" * 101 + "\n", 3, "guid is longer than 100"),
        (
            '#html:true\nQ1\tA1\nQ2\tA2 <a href="https://a.example/' + "x" * 500 + '">'
            "view answer on aiquizzes</a>\n",
            3,
            "source link is longer than 500",
        ),
    ],
)
def test_a_line_that_makes_no_card_is_listed_and_the_rest_imported(
    tmp_path, db, capsys, text, line, reason
):
    path = tmp_path / "deck.txt"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())

    summary = run_import(path, "--deck", "partial")

    assert Card.objects.get().question_html == ("Q2" if "same note" in reason else "Q1")
    assert summary.startswith("partial: 1 new, 0 changed, 0 unchanged, 1 ")
    err = capsys.readouterr().err
    assert f"{path}:{line}: " in err
    assert reason in err


def test_lines_skipped_for_one_reason_are_one_line_of_its_output_counting_them(
    tmp_path, db, capsys
):
    text = "Q1\tA1\n" + "".join(f"no separator {i}\n" for i in range(12)) + "Q2\t\n"
    path = write(tmp_path, text)

    summary = run_import(path, "--deck", "partial")

    assert summary == "partial: 1 new, 0 changed, 0 unchanged, 13 skipped"
    report = [
        line for line in capsys.readouterr().err.splitlines() if "separator guessed" not in line
    ]
    assert report == [
        f"{path}:2: 12 lines (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...): no tab separator: a "
        "card needs a question and an answer",
        f"{path}:14: empty answer",
    ]


def test_notes_repeated_are_counted_in_the_summary_though_told_on_one_line(tmp_path, db):
    text = "#separator:tab\nQ1\tA1\nQ2\tA2\nQ1\tA1\nQ2\tA2\nQ1\tA1\n"

    summary = run_import(write(tmp_path, text), "--deck", "repeats")

    assert summary == "repeats: 2 new, 0 changed, 0 unchanged, 3 merged"


# An AnKing deck's tags are paths, and some are longer than the site keeps a tag's name.
LONG_TAG = "#AK_Step1_v12::#SketchyPharm::01_Anti-Microbials::03_Antifungals::" + "x" * 60


def test_a_tag_too_long_to_keep_is_left_out_and_its_note_still_imported(tmp_path, db, capsys):
    path = write(
        tmp_path,
        "#separator:tab\n#html:false\n#tags column:3\n"
        f"Echinocandins act on?\tThe cell wall\t{LONG_TAG} pharm\n"
        "Azoles act on?\tErgosterol synthesis\tpharm\n",
    )

    summary = run_import(path, "--deck", "pharm")

    assert summary == "pharm: 2 new, 0 changed, 0 unchanged"
    card = Card.objects.get(question_html="Echinocandins act on?")
    assert list(card.tags.values_list("name", flat=True)) == ["pharm"]
    assert not Tag.objects.filter(name__startswith="#AK").exists()
    err = capsys.readouterr().err
    assert f"{path}:4: the tag '{LONG_TAG[:40]}'… is longer than 100 characters" in err
    assert "left out, the note imported without it" in err
    again = anki_import_plan(
        deck=Deck.objects.get(slug="pharm"), data=path.read_text(), source="x.txt"
    )
    assert again.summary == "0 new, 0 changed, 2 unchanged"


def test_a_note_of_cards_of_their_own_names_by_line_the_columns_no_card_shows(tmp_path, db, capsys):
    path = write(
        tmp_path,
        "#separator:tab\n#html:true\n#notetype column:1\n#guid column:2\n"
        "Cards of their own (2)\tg1\tHund\tdog\tdog\tHund\tDer Hund bellt.\n",
    )

    summary = run_import(path, "--deck", "own")

    assert summary == "own: 2 new, 0 changed, 0 unchanged"
    assert Card.objects.count() == 2
    assert f"{path}:5: column 7 left out: a note of 'Cards of their own (2)'" in (
        capsys.readouterr().err
    )


CLOZE_EXPORT = (
    "#separator:tab\n#html:true\n#notetype:Cloze\n#tags column:3\n#guid column:4\n"
    "{{c1::Paris}} is the capital of {{c2::France}}, on the {{c3::Seine}}.\t\tgeo\tg-1\n"
)


@pytest.mark.parametrize(
    "text",
    [CLOZE_EXPORT, "{{c1::Paris}} is the capital of {{c2::France}} on the {{c3::Seine}}.\n"],
)
def test_a_card_deleted_here_is_not_made_again_by_the_same_file(tmp_path, db, capsys, text):
    # A deleted cloze card came back at every re-import of its file.
    path = write(tmp_path, text)
    run_import(path, "--deck", "geo")
    cards_delete(cards=Card.objects.filter(card_ord=1))
    capsys.readouterr()

    summary = run_import(path, "--deck", "geo")

    assert summary == "geo: 0 new, 0 changed, 2 unchanged, 1 card deleted here kept deleted"
    assert sorted(Card.objects.values_list("card_ord", flat=True)) == [0, 2]
    line = 6 if text == CLOZE_EXPORT else 1
    assert (
        f"{path}:{line}: cloze 2 of the note (card 2) was deleted here and is kept deleted: the "
        "note says what it said then (a change to its text imports it again, as does removing "
        "it from the admin's Deleted cards)"
    ) in capsys.readouterr().err


def test_a_card_deleted_here_comes_back_when_its_note_changed(tmp_path, db):
    path = write(tmp_path, CLOZE_EXPORT)
    run_import(path, "--deck", "geo")
    cards_delete(cards=Card.objects.filter(card_ord=1))

    summary = run_import(
        write(tmp_path, CLOZE_EXPORT.replace("Seine", "river Seine")), "--deck", "geo"
    )

    assert summary == "geo: 1 new, 2 changed, 0 unchanged"
    assert sorted(Card.objects.values_list("card_ord", "number")) == [(0, 1), (1, 4), (2, 3)]


def staff_edits_answer(client, card, answer_html):
    """Save `card` with another answer through the admin's change page, as staff do."""
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    response = client.post(url, admin_form_data(client.get(url), answer_html=answer_html))
    assert response.status_code == 302, response.content


def staff_deletes(client, card):
    url = reverse("admin:quizzes_card_delete", args=[card.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def test_a_card_edited_then_deleted_here_is_not_made_again_by_the_file_it_came_from(
    tmp_path, client, staff, capsys
):
    # It was remembered by its edited text: the original file brought it back.
    path = write(tmp_path, THREE_CARDS)
    run_import(path, "--deck", "basics")
    client.force_login(staff)
    card = Card.objects.get(number=2)
    staff_edits_answer(client, card, "SGD: a batch at a time.")
    staff_deletes(client, card)
    capsys.readouterr()

    summary = run_import(path, "--deck", "basics")

    assert summary == "basics: 0 new, 0 changed, 2 unchanged, 1 card deleted here kept deleted"
    assert sorted(Card.objects.values_list("number", flat=True)) == [1, 3]
    assert f"{path}:6: the note's card (card 2) was deleted here" in capsys.readouterr().err


def test_a_card_edited_here_keeps_the_edit_when_its_file_is_imported_again(tmp_path, client, staff):
    # The file's note, unchanged, overwrote the edit.
    path = write(tmp_path, THREE_CARDS)
    run_import(path, "--deck", "basics")
    client.force_login(staff)
    staff_edits_answer(client, Card.objects.get(number=2), "SGD: a batch at a time.")

    summary = run_import(path, "--deck", "basics")

    assert summary == "basics: 0 new, 0 changed, 3 unchanged"
    assert Card.objects.get(number=2).answer_html == "SGD: a batch at a time."


def test_a_card_edited_here_and_in_the_file_keeps_the_edit_by_line(tmp_path, client, staff, capsys):
    path = write(tmp_path, THREE_CARDS)
    run_import(path, "--deck", "basics")
    client.force_login(staff)
    staff_edits_answer(client, Card.objects.get(number=2), "SGD: a batch at a time.")
    newer = THREE_CARDS.replace("Stochastic gradient descent.", "SGD.").replace(
        "any number of axes.", "any number of dimensions."
    )
    capsys.readouterr()

    summary = run_import(write(tmp_path, newer, "newer.txt"), "--deck", "basics")

    assert summary == "basics: 0 new, 1 changed, 1 unchanged, 1 card edited here kept as edited"
    assert list(Card.objects.values_list("answer_html", flat=True)) == [
        "An array with any number of dimensions.",
        "SGD: a batch at a time.",
        "A broadcast.",
    ]
    assert (
        f"{tmp_path / 'newer.txt'}:6: card 2 was edited here, and the file changed its note "
        "too: the edit is kept (delete the card here and import the file again to take the "
        "file's version, as a new card)"
    ) in capsys.readouterr().err
    staff_deletes(client, Card.objects.get(number=2))
    assert run_import(tmp_path / "newer.txt", "--deck", "basics") == (
        "basics: 1 new, 0 changed, 2 unchanged"
    )
    assert Card.objects.get(number=4).answer_html == "SGD."


def test_tags_staff_changed_here_stay_and_the_files_own_tag_changes_apply(tmp_path, client, staff):
    # The file's tags replaced the card's: a tag staff added went at every re-import.
    path = write(tmp_path, THREE_CARDS)
    run_import(path, "--deck", "basics")
    client.force_login(staff)
    card = Card.objects.get(number=2)
    important = Tag.objects.create(name="important", slug="important")
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    kept = [str(pk) for pk in card.tags.exclude(name="optim").values_list("pk", flat=True)]
    client.post(url, admin_form_data(client.get(url), tags=[*kept, str(important.pk)]))

    assert run_import(path, "--deck", "basics") == "basics: 0 new, 0 changed, 3 unchanged"
    assert sorted(card.tags.values_list("name", flat=True)) == ["important", "training"]

    newer = THREE_CARDS.replace("training optim", "training optim sgd")
    summary = run_import(write(tmp_path, newer, "newer.txt"), "--deck", "basics")

    assert summary == "basics: 0 new, 1 changed, 2 unchanged"
    assert sorted(card.tags.values_list("name", flat=True)) == ["important", "sgd", "training"]
    assert run_import(tmp_path / "newer.txt", "--deck", "basics") == (
        "basics: 0 new, 0 changed, 3 unchanged"
    )


def test_a_cloze_note_edited_here_keeps_the_edit_when_its_file_is_imported_again(
    tmp_path, client, staff
):
    path = write(tmp_path, CLOZE_EXPORT)
    run_import(path, "--deck", "geo")
    client.force_login(staff)
    # Its sibling cards follow the edit, as in Anki.
    staff_edits_answer(client, Card.objects.get(card_ord=0), "In Europe.")

    summary = run_import(path, "--deck", "geo")

    assert summary == "geo: 0 new, 0 changed, 3 unchanged"
    assert set(Card.objects.values_list("answer_html", flat=True)) == {"In Europe."}


def test_a_card_imported_before_its_import_was_remembered_takes_the_files_version(tmp_path, db):
    # Which part of it staff edited is not known: the file's note wins, as it always did.
    path = write(tmp_path, THREE_CARDS)
    run_import(path, "--deck", "basics")
    Card.objects.filter(number=2).update(imported_checksum="", answer_html="Edited before.")

    assert run_import(path, "--deck", "basics") == "basics: 0 new, 1 changed, 2 unchanged"
    assert Card.objects.get(number=2).answer_html == "Stochastic gradient descent."


def test_a_card_deleted_in_another_deck_is_made_in_this_one(tmp_path, db):
    path = write(tmp_path, CLOZE_EXPORT)
    run_import(path, "--deck", "geo")
    cards_delete(cards=Card.objects.filter(card_ord=1))

    assert run_import(path, "--deck", "other") == "other: 3 new, 0 changed, 0 unchanged"


def test_deeply_nested_markup_imports_and_markup_nested_too_deep_is_refused_by_line(
    tmp_path, db, capsys
):
    # Deeper than Python's recursion limit once parsed: it once aborted the whole import.
    divs = "<div>" * 332 + "deep" + "</div>" * 332
    unclosed = "<b><i>" * 166 + "bold"
    too_deep = "<div>" * 1000 + "lost"
    path = write(tmp_path, f"Divs\t{divs}\nUnclosed\t{unclosed}\nToo deep\t{too_deep}\n")

    summary = run_import(path, "--deck", "deep")

    assert summary == "deep: 2 new, 0 changed, 0 unchanged, 1 skipped"
    cards = Card.objects.order_by("number")
    assert [(card.question_text, card.answer_text) for card in cards] == [
        ("Divs", "deep"),
        ("Unclosed", "bold"),
    ]
    assert cards[0].answer_rendered.count("<div>") == 332
    assert f"{path}:3: HTML elements nested more than 500 deep" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("#separator:nonsense\nQ1\tA1\n", 1, "unknown separator"),
        ("#html:maybe\nQ1\tA1\n", 1, "#html must be true or false"),
        ("#guid column:x\nQ1\tA1\n", 1, "#guid column must be a column number"),
        ("just one field\nand another\n", 1, "no line of the file can become a card"),
        ("", 1, "no notes"),
    ],
)
def test_a_file_that_is_not_a_deck_names_the_reason_and_writes_nothing(
    tmp_path, db, text, line, reason
):
    path = write(tmp_path, text)

    with pytest.raises(CommandError) as error:
        run_import(path, "--deck", "broken")

    assert f"{path}:{line}: {reason}" in str(error.value)
    assert not Deck.objects.exists()
    assert not Card.objects.exists()


def test_a_windows_1252_file_is_imported_whole_and_the_report_says_so(tmp_path, db, capsys):
    path = tmp_path / "excel.txt"
    path.write_bytes(b"Caf\xe9\tcoffee\nTea\tth\xe9\nWater\twater\n")

    summary = run_import(path, "--deck", "drinks")

    assert summary == "drinks: 3 new, 0 changed, 0 unchanged"
    assert list(Card.objects.order_by("number").values_list("question_html", "answer_html")) == [
        ("Café", "coffee"),
        ("Tea", "thé"),
        ("Water", "water"),
    ]
    assert f"{path}: read as Windows-1252, not UTF-8" in capsys.readouterr().err


def test_a_utf16_file_from_excel_is_imported(tmp_path, db):
    path = tmp_path / "unicode.txt"
    path.write_bytes("\ufeffHund\tdog\r\nKatze\tcat\r\n".encode("utf-16-le"))

    summary = run_import(path, "--deck", "animals")

    assert summary == "animals: 2 new, 0 changed, 0 unchanged"
    assert Card.objects.get(number=2).question_html == "Katze"


def test_a_file_of_mixed_encodings_is_refused_whole_naming_the_line(tmp_path, db):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Grüße\tgreetings\n".encode() + b"Stra\xdfe\tstreet\n")

    with pytest.raises(CommandError) as error:
        run_import(path, "--deck", "mixed")

    assert f"{path}:2: not UTF-8 (byte 0xdf)" in str(error.value)
    assert "save it as 'CSV UTF-8'" in str(error.value)
    assert not Deck.objects.exists()
    assert not Card.objects.exists()


def test_a_last_column_of_sentences_is_kept_in_the_answer_and_reported(tmp_path, db, capsys):
    text = "Hund,dog,Der Hund bellt laut\nKatze,cat,Die Katze schläft\n"
    path = write(tmp_path, text, "vocab.csv")

    run_import(path, "--deck", "german")

    card = Card.objects.get(number=1)
    assert card.answer_html == "dog<br><br>Der Hund bellt laut"
    assert not Tag.objects.exists()
    err = capsys.readouterr().err
    assert f"{path}: column 3 appended to the answer, not read as tags" in err
    assert "'#tags column:3'" in err


def test_a_last_column_taken_as_tags_is_reported_with_the_way_to_keep_it(tmp_path, db, capsys):
    path = write(tmp_path, "What is DNA?\tDeoxyribonucleic acid\tbiology\n")

    run_import(path, "--deck", "science")

    assert Card.objects.get().tags.get().name == "biology"
    err = capsys.readouterr().err
    assert f"{path}: column 3 read as tags" in err
    assert "--question 1 --answer 2 --extra 3" in err

    run_import(path, "--deck", "kept", "--question", "1", "--answer", "2", "--extra", "3")

    kept = Card.objects.get(deck__slug="kept")
    assert kept.answer_html == "Deoxyribonucleic acid<br><br>biology"
    assert not kept.tags.exists()


def test_a_header_row_of_a_spreadsheet_is_not_a_card(tmp_path, db, capsys):
    text = "Question,Answer,Notes\nWhat is HTTP?,A protocol,see RFC 2616\nWhat is TCP?,TCP,\n"
    path = write(tmp_path, text, "sheet.csv")

    summary = run_import(path, "--deck", "web")

    assert summary == "web: 2 new, 0 changed, 0 unchanged"
    assert list(Card.objects.order_by("number").values_list("question_html", "answer_html")) == [
        ("What is HTTP?", "A protocol<br><br>see RFC 2616"),
        ("What is TCP?", "TCP"),
    ]
    assert not Tag.objects.exists()
    assert f"{path}:1: read as column names (Question, Answer, Notes)" in capsys.readouterr().err


def test_a_semicolon_csv_from_german_excel_is_split_on_semicolons(tmp_path, db, capsys):
    path = write(tmp_path, "der Hund;dog, hound\ndie Katze;cat, puss\n", "german.csv")

    run_import(path, "--deck", "german")

    card = Card.objects.get(number=1)
    assert (card.question_html, card.answer_html) == ("der Hund", "dog, hound")
    assert f"{path}: separator guessed: semicolon" in capsys.readouterr().err


def test_lines_starting_with_hash_are_notes_or_comments_named_by_line(tmp_path, db, capsys):
    text = (
        "# of protons in carbon,6\nok,fine\n#1 cause of death worldwide,heart disease\n# the end\n"
    )
    path = write(tmp_path, text, "hash.csv")

    summary = run_import(path, "--deck", "hash")

    assert summary == "hash: 2 new, 0 changed, 0 unchanged"
    assert list(Card.objects.order_by("number").values_list("question_html", flat=True)) == [
        "ok",
        "#1 cause of death worldwide",
    ]
    err = capsys.readouterr().err
    assert f"{path}:1: read as a comment, as Anki reads a line starting with '#'" in err
    assert f"{path}:4: read as a comment: it starts with '#' and has no comma separator" in err


def test_a_numbered_file_of_numeric_answers_imports_the_answers(tmp_path, db, capsys):
    path = write(tmp_path, "1,What is 6 x 7?,42\n2,What year did WW2 end?,1945\n", "n.csv")

    run_import(path, "--deck", "numbers")

    assert list(Card.objects.order_by("number").values_list("question_html", "answer_html")) == [
        ("What is 6 x 7?", "42"),
        ("What year did WW2 end?", "1945"),
    ]
    assert f"{path}: column 1 left out, for it holds only numbers" in capsys.readouterr().err


def test_an_optional_reversed_file_with_a_tags_column_makes_one_card_a_note(tmp_path, db):
    text = (
        "#separator:tab\n#html:true\n#notetype:Basic (optional reversed card)\n"
        "#tags column:3\ndie Katze\tthe cat\tgerman\nder Hund\tthe dog\t\n"
    )

    summary = run_import(write(tmp_path, text), "--deck", "german")

    assert summary == "german: 2 new, 0 changed, 0 unchanged"
    assert list(Card.objects.values_list("card_ord", flat=True)) == [0, 0]
    assert Card.objects.get(number=1).tags.get().name == "german"


def test_it_reads_comma_and_semicolon_files_with_quoted_fields(tmp_path, db):
    commas = '#separator:comma\n"A question, with a comma","An answer\nover two lines"\n'
    semicolons = "#separator:semicolon\n" + '"Tab\tinside";"say ""hi"""\n'

    run_import(write(tmp_path, commas, "a.txt"), "--deck", "commas")
    run_import(write(tmp_path, semicolons, "b.txt"), "--deck", "semicolons")

    assert Card.objects.get(deck__slug="commas").answer_html == "An answer<br>over two lines"
    card = Card.objects.get(deck__slug="semicolons")
    assert (card.question_html, card.answer_html) == ("Tab\tinside", 'say "hi"')


def test_the_html_false_header_escapes_markup(tmp_path, db):
    run_import(write(tmp_path, "#html:false\n<b>Q</b>\tA\n"), "--deck", "plain")

    assert Card.objects.get().question_html == "&lt;b&gt;Q&lt;/b&gt;"


def test_a_tags_header_applies_to_every_card(tmp_path, db):
    run_import(write(tmp_path, "#tags:fastai lesson1\nQ1\tA1\nQ2\tA2\n"), "--deck", "tagged")

    assert set(Tag.objects.values_list("name", flat=True)) == {"fastai", "lesson1"}
    assert all(card.tags.count() == 2 for card in Card.objects.all())


def test_tags_differing_only_in_case_are_one_tag_spelled_as_first_known_as_in_anki(tmp_path, db):
    # "Biology", "biology" and "BIOLOGY" made three tags (slugs biology, biology-2...),
    # which Anki holds as one: its .apkg export merged them, and importing that export
    # back changed the cards.
    Tag.objects.create(name="Python", slug="python")
    text = (
        "#separator:tab\n#tags column:3\n"
        "Q1\tA1\tBiology biology\nQ2\tA2\tBIOLOGY python\nQ3\tA3\tPYTHON Python\n"
    )
    path = write(tmp_path, text)

    run_import(path, "--deck", "tagged")

    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Biology", "Python"]
    assert {
        card.question_text: sorted(tag.name for tag in card.tags.all())
        for card in Card.objects.all()
    } == {"Q1": ["Biology"], "Q2": ["Biology", "Python"], "Q3": ["Python"]}
    assert run_import(path, "--deck", "tagged") == "tagged: 0 new, 0 changed, 3 unchanged"


def test_a_missing_file_is_an_error(tmp_path, db):
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "nope.txt", "--deck", "x")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        # A deck made with a slug no address can name: its pages could not be linked.
        (["--deck", "Meine Karten!"], "--deck 'Meine Karten!' is no slug"),
        (["--deck", ""], "--deck '' is no slug"),
        (["--deck", "d" * 101], "--deck is longer than 100 characters"),
        (["--deck", "d", "--name", "n" * 201], "--name is longer than 200 characters"),
    ],
)
def test_a_deck_the_site_cannot_hold_is_refused_before_anything_is_written(
    tmp_path, db, args, error
):
    with pytest.raises(CommandError, match=re.escape(error)):
        run_import(write(tmp_path, THREE_CARDS), *args)

    assert not Deck.objects.exists()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        # Column 0 was read as the last column and 99 as empty fields: "empty answer",
        # "empty question" on every line.
        (["--question", "0"], "argument --question: invalid"),
        (["--question", "1", "--answer", "-2"], "argument --answer: invalid"),
        (
            ["--question", "9"],
            "deck.txt:1: column 9 is no field of the file: its fields are columns 1, 2",
        ),
        (
            ["--question", "1", "--answer", "4"],
            "deck.txt:1: column 4 is no field of the file: its fields are columns 1, 2",
        ),
        (["--question", "1", "--answer", "2", "--extra", "3"], "deck.txt:1: column 3 is no field"),
        (
            ["--question", "2", "--answer", "2"],
            "the question and the answer need different columns",
        ),
    ],
)
def test_a_column_the_file_does_not_have_is_refused_by_number(tmp_path, db, args, error):
    with pytest.raises(CommandError, match=re.escape(error)):
        run_import(write(tmp_path, THREE_CARDS), "--deck", "d", *args)

    assert not Deck.objects.exists()


def test_a_guid_that_belongs_to_another_card_is_a_problem(tmp_path, db):
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")
    clash = (
        "#guid column:3\n"
        "Q\tA <a href='https://aiquizzes.com/questions/9'>view answer on aiquizzes</a>\tg-1\n"
    )

    with pytest.raises(CommandError, match=r"deck.txt:2: guid 'g-1' belongs to card 1, not 9"):
        run_import(write(tmp_path, clash), "--deck", "basics")


def numbered(number, question, guid, site="https://aiquizzes.com"):
    link = f"<a href='{site}/questions/{number}'>view answer on aiquizzes</a>"
    return f"{question}\tAn answer. {link}\t{guid}\n"


def test_another_decks_card_with_the_same_number_is_a_problem_not_an_update(tmp_path, db):
    run_import(write(tmp_path, "#guid column:3\n" + numbered(1, "Ours?", "ours-1")), "--deck", "d")
    theirs = "#guid column:3\n" + numbered(1, "Theirs?", "theirs-1", "https://other.example")

    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, theirs), "--deck", "d")

    assert "deck.txt:2: card 1 of this deck is another card (guid 'ours-1', not 'theirs-1')" in (
        str(error.value)
    )
    assert Card.objects.get().question_text == "Ours?"


def test_another_source_with_the_same_number_is_a_problem_for_a_card_without_a_guid(tmp_path, db):
    run_import(write(tmp_path, numbered(1, "Ours?", "").replace("\t\n", "\n")), "--deck", "d")
    theirs = "#guid column:3\n" + numbered(1, "Theirs?", "theirs-1", "https://other.example")

    with pytest.raises(CommandError, match=r"deck.txt:2: card 1 of this deck is another card"):
        run_import(write(tmp_path, theirs), "--deck", "d")

    assert Card.objects.get().question_text == "Ours?"


def test_a_guid_anki_gave_a_card_known_by_its_source_link_updates_it(tmp_path, db):
    run_import(write(tmp_path, numbered(1, "Ours?", "").replace("\t\n", "\n")), "--deck", "d")

    from_anki = "#guid column:3\n" + numbered(1, "Ours, edited in Anki?", "anki-guid")
    summary = run_import(write(tmp_path, from_anki), "--deck", "d")

    assert summary == "d: 0 new, 1 changed, 0 unchanged"
    card = Card.objects.get()
    assert (card.question_text, card.guid) == ("Ours, edited in Anki?", "anki-guid")


def test_a_numbered_card_with_its_own_guid_is_still_updated_in_place(tmp_path, db):
    run_import(write(tmp_path, "#guid column:3\n" + numbered(1, "Ours?", "ours-1")), "--deck", "d")

    edited = "#guid column:3\n" + numbered(1, "Ours, edited?", "ours-1")
    summary = run_import(write(tmp_path, edited), "--deck", "d")

    assert summary == "d: 0 new, 1 changed, 0 unchanged"
    assert Card.objects.get().question_text == "Ours, edited?"


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(tmp_path, db, settings):
    settings.QUIZSITE_IMPORT_MAX_BYTES = 100
    path = write(tmp_path, THREE_CARDS)

    with pytest.raises(CommandError) as error:
        run_import(path, "--deck", "basics")

    size = path.stat().st_size
    assert f"the file is {size} bytes, more than the 100 bytes one import takes" in str(error.value)
    assert not Deck.objects.exists()


def test_a_file_of_more_cards_than_the_limit_is_refused_naming_the_line(tmp_path, db, settings):
    settings.QUIZSITE_IMPORT_MAX_CARDS = 2

    with pytest.raises(CommandError, match=r"deck.txt:7: more than 2 notes"):
        run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")

    assert not Card.objects.exists()


def test_the_import_limits_default_to_200_mib_and_200000_notes():
    from quizsite import settings as defaults

    assert defaults.QUIZSITE_IMPORT_MAX_BYTES == 200 * 1024 * 1024
    assert defaults.QUIZSITE_IMPORT_MAX_CARDS == 200_000


def test_the_import_runs_no_query_per_card(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(size):
        deck = Deck.objects.create(name=f"d{size}", slug=f"d{size}")
        rows = "".join(
            f"Q{n} <b>{size}</b>?\tA{n} <img src=https://a.example/{size}/{n}.png>\tt{n % 3}\n"
            for n in range(size)
        )
        with CaptureQueriesContext(connection) as captured:
            anki_import_apply(deck=deck, data=rows, source="x.txt")
        assert deck.cards.count() == size
        return len(captured)

    # SQLite caps the parameters of one statement, so bulk writes come in batches: 290 more
    # cards (and their topic words' index rows) cost a few more statements, never one per card.
    few, many = queries(10), queries(300)
    assert many - few <= 300 // 25


@pytest.mark.parametrize("size", [10, 200])
def test_the_plan_runs_the_same_queries_for_any_number_of_cards(
    db, size, django_assert_max_num_queries
):
    deck = Deck.objects.create(name="Basics", slug="basics")
    rows = "".join(f"Question {n}?\tAnswer {n}.\ttag{n % 3}\tg-{n}\n" for n in range(size))
    text = "#tags column:3\n#guid column:4\n" + rows
    anki_import_apply(deck=deck, data=text, source="x.txt")
    edited = text.replace("Answer 1.", "Answer one.") + "A new one?\tYes.\t\tg-new\n"

    # The deck's cards, their tags, the site's tag names (for their spelling), and, for the
    # new card, the cards deleted here (a file without new cards reads none).
    with django_assert_max_num_queries(4):
        plan = anki_import_plan(deck=deck, data=edited, source="x.txt")

    assert (len(plan.new), len(plan.changed), len(plan.unchanged)) == (1, 1, size - 1)


@pytest.mark.parametrize("size", [10, 200])
def test_the_plan_finds_reformatted_questions_in_the_same_queries_for_any_size(
    db, size, django_assert_max_num_queries
):
    deck = Deck.objects.create(name="Basics", slug="basics")
    text = "".join(f"Question {n}?\tAnswer {n}.\n" for n in range(size))
    anki_import_apply(deck=deck, data=text, source="x.txt")
    reformatted = text.replace("Question", "<b>Question</b>").replace("Answer 1.", "Answer one.")

    # The deck's cards and their tags (no tags in the file: no spelling to look up).
    with django_assert_max_num_queries(2):
        plan = anki_import_plan(deck=deck, data=reformatted, source="x.txt")

    assert (len(plan.new), len(plan.changed), len(plan.unchanged)) == (0, size, 0)


def test_the_plan_writes_nothing(db):
    deck = Deck.objects.create(name="Basics", slug="basics")

    plan = anki_import_plan(deck=deck, data=THREE_CARDS, source="x.txt")

    assert plan.summary == "3 new, 0 changed, 0 unchanged"
    assert not Card.objects.exists()


def test_the_apply_is_one_transaction(db, monkeypatch):
    deck = Deck.objects.create(name="Basics", slug="basics")

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("quizzes.services.anki_io._links_write", fail)
    with pytest.raises(RuntimeError):
        anki_import_apply(deck=deck, data=THREE_CARDS, source="x.txt")

    assert not Card.objects.exists()
    assert not CardImage.objects.exists()


def test_the_command_takes_a_separator_and_a_column_mapping(tmp_path, db):
    path = write(tmp_path, "2_1;Hund;dog;der\n2_2;Katze;cat;die\n", "words.txt")

    summary = run_import(
        path, "--deck", "german", "--separator", "semicolon", "--question", "3", "--answer", "2",
        "--extra", "4",
    )  # fmt: skip

    assert summary == "german: 2 new, 0 changed, 0 unchanged"
    card = Card.objects.get(number=1)
    assert (card.question_html, card.answer_html) == ("dog", "Hund<br><br>der")


def test_the_command_shows_the_progress_of_a_big_import(tmp_path, db, capsys):
    rows = "#separator:tab\n" + "".join(f"Q{n}\tA{n}\n" for n in range(2500))

    run_import(write(tmp_path, rows), "--deck", "big")

    assert capsys.readouterr().err.splitlines() == [
        "writing 2500 cards",
        "written 1000 of 2500 cards (40%)",
        "written 2000 of 2500 cards (80%)",
        "written 2500 of 2500 cards (100%)",
    ]


def test_an_answer_column_without_a_question_column_is_an_error(tmp_path, db):
    with pytest.raises(CommandError, match="--answer and --extra need --question"):
        run_import(write(tmp_path, THREE_CARDS), "--deck", "d", "--answer", "2")


def test_a_large_import_refreshes_the_planners_statistics(tmp_path, db, monkeypatch):
    from django.db import connection

    from quizzes.services import anki_io

    monkeypatch.setattr(anki_io, "STATISTICS_REFRESH_CARDS", 2)
    analyzed = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: analyzed.append(sql) or execute(sql, *args)
    ):
        run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")

    statements = [sql for sql in analyzed if sql.startswith("ANALYZE")]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 0)
    assert Card.objects.filter(deck__slug="basics").count() == 3


def staff_edits(client, card, **changes):
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    response = client.post(url, admin_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.content


CAPITALS_FIXED = CAPITALS.replace("Madird", "Madrid")
CAPITALS_BY_GUID = (
    "#separator:tab\n#html:true\n#guid column:3\n"
    "What is the capital of France?\tParis\tg-fr\n"
    "What is the capital of Spain?\tMadird\tg-es\n"
    "What is the capital of Italy?\tRome\tg-it\n"
)


# Header-less files as a spreadsheet writes them (the second fixes a typo, so its card was
# found by its question and keeps the first file's guid), and Anki's export with guids.
@pytest.mark.parametrize(
    "files",
    [
        [CAPITALS],
        [CAPITALS, CAPITALS_FIXED],
        [CAPITALS_BY_GUID, CAPITALS_BY_GUID.replace("Madird", "Madrid")],
    ],
    ids=["without guids", "without guids, fixed since", "guid column"],
)
def test_a_question_staff_reworded_keeps_the_rewording_and_adds_no_card_on_reimport(
    tmp_path, client, staff, files
):
    # After a fixed typo the card was known neither by its guid (made from the first
    # file's text) nor by its question (reworded here): the file added it again beside it.
    for text in files:
        run_import(write(tmp_path, text), "--deck", "capitals")
    client.force_login(staff)
    staff_edits(
        client,
        Card.objects.get(number=2),
        question_html="Which city is the capital of <b>Spain</b>?",
        answer_html="Madrid, since 1561",
    )

    summary = run_import(write(tmp_path, files[-1]), "--deck", "capitals")

    assert summary == "capitals: 0 new, 0 changed, 3 unchanged"
    spain = Card.objects.get(number=2)
    assert (spain.question_text, spain.answer_text) == (
        "Which city is the capital of Spain?",
        "Madrid, since 1561",
    )


def test_a_note_the_file_rewords_after_staff_reworded_its_card_is_a_new_card(
    tmp_path, client, staff
):
    run_import(write(tmp_path, CAPITALS), "--deck", "capitals")
    run_import(write(tmp_path, CAPITALS_FIXED), "--deck", "capitals")
    client.force_login(staff)
    staff_edits(
        client, Card.objects.get(number=2), question_html="Spain's capital?", answer_html="Madrid"
    )

    reworded = CAPITALS_FIXED.replace("capital of Spain", "capital city of Spain")
    summary = run_import(write(tmp_path, reworded), "--deck", "capitals")

    assert summary == "capitals: 1 new, 0 changed, 2 unchanged"
    assert Card.objects.get(number=2).question_text == "Spain's capital?"


def test_a_question_staff_reworded_takes_the_files_fixed_answer_on_reimport(
    tmp_path, client, staff, capsys
):
    # The file fixed a typo in the answer after staff reworded the question: known neither
    # by the note's checksum nor by its question, the card came in again beside it.
    run_import(write(tmp_path, CAPITALS), "--deck", "capitals")
    client.force_login(staff)
    staff_edits(
        client, Card.objects.get(number=2), question_html="Which city is the capital of Spain?"
    )
    capsys.readouterr()

    summary = run_import(write(tmp_path, CAPITALS_FIXED, "fixed.txt"), "--deck", "capitals")

    assert summary == (
        "capitals: 0 new, 1 changed, 2 unchanged, 1 card edited here and in the file merged"
    )
    spain = Card.objects.get(number=2)
    assert (spain.question_text, spain.answer_text) == (
        "Which city is the capital of Spain?",
        "Madrid",
    )
    assert Card.objects.count() == 3
    assert (
        ":2: card 2 was edited here and the file changed its note too: the file's new answer "
        "is taken, the question kept as edited here"
    ) in capsys.readouterr().err
    # The same file again finds the card as it left it, and changes nothing.
    again = run_import(write(tmp_path, CAPITALS_FIXED, "fixed.txt"), "--deck", "capitals")
    assert again == "capitals: 0 new, 0 changed, 3 unchanged"


def test_an_answer_both_changed_keeps_staffs_wording_and_adds_no_card(
    tmp_path, client, staff, capsys
):
    run_import(write(tmp_path, CAPITALS), "--deck", "capitals")
    client.force_login(staff)
    staff_edits(
        client,
        Card.objects.get(number=2),
        question_html="Spain's capital?",
        answer_html="Madrid (since 1561)",
    )
    capsys.readouterr()
    both = CAPITALS_FIXED.replace("Madrid", "Madrid.")

    summary = run_import(write(tmp_path, both), "--deck", "capitals")

    # The file changed only the answer, which staff changed too: the edit stays whole.
    assert summary == "capitals: 0 new, 0 changed, 2 unchanged, 1 card edited here kept as edited"
    assert Card.objects.get(number=2).answer_text == "Madrid (since 1561)"
    assert Card.objects.count() == 3


def test_a_reversed_note_staff_reworded_takes_the_files_fixed_back(tmp_path, client, staff):
    reversed_note = "#notetype:Basic (and reversed card)\nHund\tdgo\nKatze\tcat\n"
    run_import(write(tmp_path, reversed_note), "--deck", "words")
    client.force_login(staff)
    # The reverse card asks the back; its answer is the note's first field, and the edit
    # gives the forward card its question too (the note's fields are shared).
    staff_edits(client, Card.objects.get(card_ord=1, answer_html="Hund"), answer_html="der Hund")

    summary = run_import(write(tmp_path, reversed_note.replace("dgo", "dog")), "--deck", "words")

    assert summary == (
        "words: 0 new, 2 changed, 2 unchanged, 2 cards edited here and in the file merged"
    )
    forward, backward = Card.objects.filter(
        card_ord__in=[0, 1], answer_html__contains="d"
    ).order_by("card_ord")
    assert (forward.question_html, forward.answer_html) == ("der Hund", "dog")
    assert (backward.question_html, backward.answer_html) == ("dog", "der Hund")
    assert Card.objects.count() == 4


def test_a_card_staff_reworded_takes_its_packages_fixed_answer_by_guid(tmp_path, client, staff):
    run_import(write(tmp_path, CAPITALS_BY_GUID), "--deck", "capitals")
    client.force_login(staff)
    staff_edits(client, Card.objects.get(guid="g-es"), question_html="Spain's capital?")

    fixed = CAPITALS_BY_GUID.replace("Madird", "Madrid")
    summary = run_import(write(tmp_path, fixed), "--deck", "capitals")

    assert summary == (
        "capitals: 0 new, 1 changed, 2 unchanged, 1 card edited here and in the file merged"
    )
    spain = Card.objects.get(guid="g-es")
    assert (spain.question_html, spain.answer_html) == ("Spain's capital?", "Madrid")


def test_a_card_edited_before_its_first_field_was_kept_keeps_the_whole_edit(
    tmp_path, client, staff
):
    run_import(write(tmp_path, CAPITALS_BY_GUID), "--deck", "capitals")
    Card.objects.update(imported_first_field="")  # imported before migration 0029
    client.force_login(staff)
    staff_edits(client, Card.objects.get(guid="g-es"), question_html="Spain's capital?")

    fixed = CAPITALS_BY_GUID.replace("Madird", "Madrid")
    summary = run_import(write(tmp_path, fixed), "--deck", "capitals")

    # Which side the file changed is not known: the edit stays whole, as before.
    assert summary == "capitals: 0 new, 0 changed, 2 unchanged, 1 card edited here kept as edited"
    assert Card.objects.get(guid="g-es").answer_html == "Madird"


def test_a_line_without_a_guid_never_updates_another_note_of_its_number(tmp_path, db):
    # Matched by the number in its link, it took card 1's guid and skipped the checks a
    # line with a guid goes through: another site's question 1 overwrote this deck's.
    run_import(write(tmp_path, "#guid column:3\n" + numbered(1, "Ours?", "ours-1")), "--deck", "d")
    theirs = numbered(1, "Theirs?", "", "https://other.example").replace("\t\n", "\n")

    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, theirs), "--deck", "d")

    assert (
        "deck.txt:1: card 1 of this deck is another card (source link "
        "'https://aiquizzes.com/questions/1', not 'https://other.example/questions/1')"
    ) in str(error.value)
    assert Card.objects.get().question_text == "Ours?"


def test_a_line_without_a_guid_whose_link_gives_another_cards_guid_is_a_problem(tmp_path, db):
    run_import(write(tmp_path, numbered(1, "Ours?", "").replace("\t\n", "\n")), "--deck", "d")
    Card.objects.update(number=7)  # renumbered here: card 7 is known by question 1's link
    deck = Deck.objects.get()
    Card.objects.create(deck=deck, number=1, question_html="Made here", answer_html="A")
    again = numbered(1, "Ours, edited?", "").replace("\t\n", "\n")

    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, again), "--deck", "d")

    guid = Card.objects.get(number=7).anki_guid
    assert f"deck.txt:1: guid {guid!r} belongs to card 7, not 1" in str(error.value)
    assert Card.objects.get(number=1).question_html == "Made here"


def test_the_lookups_of_guids_taken_elsewhere_go_in_batches_that_drop_and_repeat_nothing(
    tmp_path, db, monkeypatch
):
    # Five notes known by their text and five by their source link, in batches of two: a
    # batch dropped would leave a note the guid of the first deck's, which Anki merges.
    lines = [f"Question {n}?\tAnswer {n}\n" for n in range(5)]
    lines += [numbered(n, f"Linked {n}?", "").replace("\t\n", "\n") for n in range(1, 6)]
    text = "".join(lines)
    first = Deck.objects.create(name="First", slug="first")
    anki_import_apply(deck=first, data=text, source="deck.txt")
    taken = {card.anki_guid for card in first.cards.all()}
    monkeypatch.setattr("quizzes.services.anki_io._BATCH", 2)
    second = Deck.objects.create(name="Second", slug="second")

    with CaptureQueriesContext(connection) as queries:
        anki_import_apply(deck=second, data=text, source="deck.txt")

    guids = {card.anki_guid for card in second.cards.all()}
    assert (len(guids), guids & taken) == (10, set())
    lookups = [query["sql"] for query in queries if "SELECT" in query["sql"]]
    assert sum('"guid" IN (' in sql for sql in lookups) == 5  # of the ten notes' guids
    assert sum('"source_url" IN (' in sql for sql in lookups) == 3  # of the five links


def test_an_import_dates_the_cards_it_changes_and_leaves_the_others_dated(tmp_path, db):
    # The bulk update left the date of the card's last change: its note went to Anki
    # dated before the change, and Anki, which takes only a newer note, kept the old one.
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")
    long_ago = timezone.now() - timedelta(days=30)
    Card.objects.update(updated_at=long_ago)

    run_import(write(tmp_path, THREE_CARDS.replace("Stochastic", "Plain")), "--deck", "basics")

    changed = Card.objects.filter(updated_at__gt=long_ago).values_list("guid", flat=True)
    assert list(changed) == ["g-2"]


def test_the_imports_written_out_insert_writes_each_card_as_bulk_create_does():
    """An import inserts its new cards with play_sql.cards_insert, not the ORM's bulk_create
    (whose compiling took an eighth of an import): the same row, column by column, and each
    card given its id, in statements of as many rows as the backend takes parameters."""
    from quizzes.services import play_sql
    from tests.factories import rendered

    def cards(deck):
        return [
            rendered(
                Card(
                    deck=deck,
                    number=number,
                    question_html=f"<p>What does <code>f_{number}()</code> return?</p>",
                    answer_html="A <b>tensor</b>,<br>of rank 2." if number % 2 else "Yes.",
                    source_url=f"https://aiquizzes.com/questions/{number}",
                    guid=f"g-{number}",
                    card_ord=number % 3,
                    note_type="Cloze" if number == 3 else "Basic",
                    is_cloze=number == 3,
                    typed_answer="tensor" if number == 5 else "",
                    shuffle_key=1000 + number,
                )
            )
            for number in range(1, 61)
        ]

    written, by_orm = Deck.objects.create(name="A", slug="a"), Deck.objects.create(name="B")
    inserted = cards(written)
    with CaptureQueriesContext(connection) as queries:
        play_sql.cards_insert(inserted)
    Card.objects.bulk_create(cards(by_orm))

    assert [card.pk for card in inserted] == list(
        Card.objects.filter(deck=written).order_by("number").values_list("pk", flat=True)
    )
    assert all(not card._state.adding for card in inserted)
    fields = len([f for f in Card._meta.concrete_fields if not f.primary_key])
    assert len(queries) == -(-60 // connection.ops.bulk_batch_size([None] * fields, inserted))
    skipped = {"id", "deck", "created_at", "updated_at"}
    names = [f.attname for f in Card._meta.concrete_fields if f.name not in skipped]
    rows = [
        list(Card.objects.filter(deck=deck).order_by("number").values_list(*names))
        for deck in (written, by_orm)
    ]
    assert rows[0] == rows[1]
    assert len(rows[0]) == 60
    dates = Card.objects.filter(deck=written).values_list("created_at", "updated_at")
    assert all(created is not None and created == updated for created, updated in dates)
