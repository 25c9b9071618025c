"""The admin's Anki import: upload, preview with separator and column mapping, confirm, and
the background import's progress and report."""

import sqlite3
import zipfile

import PIL.Image
import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import CachedImage, Card, Deck, DeletedCard, ImportJob
from quizzes.services.anki_io import anki_import_apply, import_job_run
from tests.editing_helpers import admin_form_data
from tests.factories import anki_package, image_bytes

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:quizzes_deck_import_anki")
THREE_CARDS = (
    "#separator:tab\n#html:true\n#tags column:3\n#guid column:4\n"
    "What is a tensor?\tAn array with any number of axes.\ttensors\tg-1\n"
    "What is SGD?\tStochastic gradient descent.\ttraining optim\tg-2\n"
    "What is a batch?\tA slice of the data.\t\tg-3\n"
)
VOCABULARY = "2_1,Hund,dog,der\n2_2,Katze,cat,die\n2_3,Maus,mouse,die\n"


@pytest.fixture(autouse=True)
def media(media_root):
    return media_root


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def basics(db):
    return Deck.objects.create(name="Basics", slug="basics")


def upload(client, deck, text, name="deck.txt"):
    data = text if isinstance(text, bytes) else text.encode()
    file = SimpleUploadedFile(name, data, content_type="text/plain")
    return client.post(IMPORT, {"deck": deck.pk, "file": file}, follow=True)


def job_url(job):
    return reverse("admin:quizzes_deck_import_job", args=[job.pk])


def chosen_options(preview) -> dict:
    """What the preview's form posts back: a text file's separator and columns, and the
    options the preview was built with."""
    data = {"previewed": preview.context["previewed"]}
    if (form := preview.context["options_form"]) is not None:
        data |= {name: form[name].value() for name in ("separator", "question", "answer")}
        data["extra"] = form["extra"].value() or []
    return {key: value for key, value in data.items() if value is not None}


def confirm(client, preview, **changes):
    """Import as staff do: with `changes`, "Update the preview" first, then Import."""
    path = preview.request["PATH_INFO"]
    if changes:
        preview = client.post(path, chosen_options(preview) | changes | {"action": "preview"})
    data = chosen_options(preview) | changes | {"action": "import"}
    return client.post(path, data, follow=True)


def test_the_deck_list_links_to_the_import_page(staff_client, basics):
    response = staff_client.get(reverse("admin:quizzes_deck_changelist"))

    assert IMPORT in response.text


def test_the_import_page_shows_an_upload_form_for_every_anki_format(staff_client, basics):
    response = staff_client.get(IMPORT)

    assert 'type="file"' in response.text
    assert 'accept=".txt,.csv,.tsv,.apkg,.colpkg"' in response.text


def test_an_upload_keeps_the_file_and_shows_a_preview_that_writes_nothing(staff_client, basics):
    response = upload(staff_client, basics, THREE_CARDS)

    job = ImportJob.objects.get()
    assert response.redirect_chain == [(job_url(job), 302)]
    assert job.status == ImportJob.Status.PREVIEWED
    assert "3 new, 0 changed, 0 unchanged" in response.text
    assert "What is SGD?" in response.text
    assert not Card.objects.exists()


def test_the_preview_keeps_a_card_staff_edited_and_names_one_the_file_changed_too(
    staff_client, basics
):
    confirm(staff_client, upload(staff_client, basics, THREE_CARDS))
    Card.objects.filter(guid="g-2").update(answer_html="SGD, edited here.")
    again = upload(staff_client, basics, THREE_CARDS.replace("any number of", "many"))

    # The answer staff wrote is no change the file brings.
    assert "0 new, 1 changed, 2 unchanged" in again.text
    newer = THREE_CARDS.replace("Stochastic gradient descent.", "SGD.")
    preview = upload(staff_client, basics, newer)

    assert "0 new, 0 changed, 2 unchanged, 1 card edited here kept as edited" in preview.text
    assert "line 6: card 2 was edited here, and the file changed its note too" in preview.text
    confirm(staff_client, preview)
    assert Card.objects.get(guid="g-2").answer_html == "SGD, edited here."


def test_the_preview_shows_a_card_reworded_here_and_fixed_in_the_file_as_it_will_be(
    staff_client, basics
):
    spain = "What is the capital of Spain?\tMadird\n"
    confirm(staff_client, upload(staff_client, basics, spain))
    card = basics.cards.get()
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    staff_client.post(
        url,
        admin_form_data(staff_client.get(url), question_html="Which city is Spain's capital?"),
    )

    preview = upload(staff_client, basics, spain.replace("Madird", "Madrid"))

    assert "0 new, 1 changed, 0 unchanged, 1 card edited here and in the file merged" in (
        preview.text
    )
    page = BeautifulSoup(preview.content, "html.parser")
    cells = [td.get_text(" ", strip=True) for td in page.select("table.import-plan tbody td")]
    assert cells[2:] == [
        "changed: answer; kept as edited here: question",
        "Which city is Spain's capital?",
        "Madrid",
    ]
    assert "the file's new answer is taken, the question kept as edited here" in page.text
    confirm(staff_client, preview)
    card.refresh_from_db()
    assert (card.question_html, card.answer_html) == ("Which city is Spain's capital?", "Madrid")


def test_the_preview_lists_changed_cards_with_what_changed(staff_client, basics):
    anki_import_apply(deck=basics, data=THREE_CARDS, source="x.txt")
    edited = THREE_CARDS.replace("Stochastic gradient descent.", "SGD.")

    response = upload(staff_client, basics, edited)

    assert "0 new, 1 changed, 2 unchanged" in response.text
    # Said as staff call it, not by the fields' names in the code ("answer_html").
    cells = [
        td.get_text(strip=True)
        for td in BeautifulSoup(response.content, "html.parser").select("table.import-plan td")
    ]
    assert "changed: answer" in cells


def test_the_preview_shows_a_fixed_answer_of_a_file_without_guids_as_a_change(staff_client, basics):
    anki_import_apply(
        deck=basics, data="Capital of Spain?\tMadird\nOf Italy?\tRome\n", source="x.txt"
    )

    response = upload(staff_client, basics, "Capital of Spain?\tMadrid\nOf Italy?\tRome\n")

    assert "0 new, 1 changed, 1 unchanged" in response.text
    assert "changed: answer" in response.text


def test_the_preview_shows_a_guessed_separator_and_lets_it_change(staff_client, basics):
    response = upload(staff_client, basics, "Q1;x,A1\nQ2;y,A2\n")

    assert response.context["options_form"]["separator"].value() == "semicolon"
    assert "Guessed from the file" in response.text

    again = staff_client.get(response.request["PATH_INFO"], {"separator": "comma"})

    assert again.context["options_form"]["separator"].value() == "comma"
    assert [p.record.question_html for p in again.context["plan"].new] == ["Q1;x", "Q2;y"]


def test_the_preview_reads_a_semicolon_csv_with_decimal_commas(staff_client, basics):
    response = upload(staff_client, basics, "Pi;3,14159\ne;2,71828\n", name="math.csv")

    assert response.context["options_form"]["separator"].value() == "semicolon"
    assert "separator guessed: semicolon" in response.text
    assert [p.record.answer_html for p in response.context["plan"].new] == ["3,14159", "2,71828"]


def test_the_preview_maps_columns_skipping_the_sort_number(staff_client, basics):
    response = upload(staff_client, basics, VOCABULARY, name="words.csv")

    form = response.context["options_form"]
    assert (form["question"].value(), form["answer"].value()) == (1, 2)
    assert "Hund" in response.text


def test_the_preview_takes_numbers_after_the_question_as_its_answer(staff_client, basics):
    response = upload(staff_client, basics, "1,What is 6 x 7?,42\n2,Ten squared?,100\n", "n.csv")

    form = response.context["options_form"]
    assert (form["question"].value(), form["answer"].value()) == (1, 2)
    assert "column 1 left out, for it holds only numbers" in response.text


def test_confirming_a_mapping_imports_it_and_the_deck_remembers_it(staff_client, basics):
    preview = upload(staff_client, basics, VOCABULARY, name="words.csv")

    response = confirm(staff_client, preview, question=2, answer=1, extra=[3])

    card = basics.cards.get(number=1)
    assert (card.question_html, card.answer_html) == ("dog", "Hund<br><br>der")
    assert response.redirect_chain[-1][0].endswith(f"?deck__id__exact={basics.pk}")
    basics.refresh_from_db()
    assert basics.import_settings == {
        "separator": ",",
        "mapping": {"question": 2, "answer": 1, "extra": [3]},
    }
    next_time = upload(staff_client, basics, VOCABULARY.replace("Maus", "Ratte"), name="w.csv")
    form = next_time.context["options_form"]
    assert (form["question"].value(), form["answer"].value()) == (2, 1)
    assert "0 new, 0 changed, 3 unchanged" not in next_time.text


def test_a_remembered_mapping_that_names_a_guid_or_deck_column_is_not_applied(staff_client, basics):
    # The deck remembered columns 2 and 3 of a spreadsheet; an Anki export's columns 2 and
    # 3 are its note type and deck: the preview showed "Basic" asking "Default", and the
    # import was refused ("1 is not one of the available choices").
    confirm(staff_client, upload(staff_client, basics, VOCABULARY, name="words.csv"))
    export = (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
        "#tags column:6\ng-1\tBasic\tDefault\tMaus\tmouse\tanimals\n"
    )

    preview = upload(staff_client, basics, export, name="export.txt")

    form = preview.context["options_form"]
    assert (form["question"].value(), form["answer"].value()) == (3, 4)
    confirm(staff_client, preview)
    assert basics.cards.get(guid="g-1").question_html == "Maus"


@pytest.mark.parametrize(
    "text", ["Maus\tmouse\nPferd\thorse\n", "Maus\tmouse; a small animal\nPferd\thorse\n"]
)
def test_a_remembered_separator_the_file_does_not_fit_leaves_the_guess(staff_client, basics, text):
    # The deck's last file was read as semicolons: a tab file was then split on ";" and
    # refused whole ("no ';' separator"), with no menu to choose another, or read wrong.
    confirm(staff_client, upload(staff_client, basics, "Frage;Antwort\nHund;dog, hound\n"))

    preview = upload(staff_client, basics, text, name="quizlet.txt")

    assert preview.context["options_form"]["separator"].value() == "tab"
    assert [planned.record.question_html for planned in preview.context["plan"].new] == [
        "Maus",
        "Pferd",
    ]


def test_a_remembered_separator_wins_where_the_guess_ties(staff_client, basics):
    preview = upload(staff_client, basics, "Q1;x,A1\nQ2;y,A2\n")
    confirm(staff_client, preview, separator="comma", question=0, answer=1)

    again = upload(staff_client, basics, "Q3;z,A3\n")

    assert again.context["options_form"]["separator"].value() == "comma"
    assert [p.record.question_html for p in again.context["plan"].new] == ["Q3;z"]


def test_a_text_file_refused_as_read_offers_another_separator(staff_client, basics):
    # Read as tabs, a file of colons made no card: the page said so, and offered no way
    # to read it otherwise (nor did "?separator=colon", tried only after the guess).
    refused = upload(staff_client, basics, "Hund: dog\nKatze: cat\n", name="words.txt")

    assert "no line of the file can become a card" in refused.text
    assert '<select name="separator"' in refused.text

    preview = staff_client.get(refused.request["PATH_INFO"], {"separator": "colon"})

    assert [p.record.answer_html for p in preview.context["plan"].new] == ["dog", "cat"]
    confirm(staff_client, preview)
    assert basics.cards.count() == 2


def test_a_refused_package_offers_no_separator(staff_client, basics):
    refused = upload(staff_client, basics, "not a zip", name="deck.apkg")

    assert "Nothing was written" in refused.text
    assert '<select name="separator"' not in refused.text


def test_the_preview_says_a_last_column_of_text_is_appended_to_the_answer(staff_client, basics):
    text = "Hund,dog,Der Hund bellt laut\nKatze,cat,Die Katze schläft\n"

    preview = upload(staff_client, basics, text, name="vocab.csv")

    assert "column 3 appended to the answer, not read as tags" in preview.text
    assert preview.context["options_form"]["extra"].value() == [2]
    confirm(staff_client, preview)
    assert basics.cards.get(number=1).answer_html == "dog<br><br>Der Hund bellt laut"


def test_the_preview_says_the_first_row_was_read_as_column_names(staff_client, basics):
    preview = upload(staff_client, basics, "Frage;Antwort\nPi;3,14159\ne;2,71828\n", "m.csv")

    assert "line 1: read as column names (Frage, Antwort), not as a note" in preview.text
    assert "2 new, 0 changed, 0 unchanged" in preview.text
    confirm(staff_client, preview)
    assert [card.question_html for card in basics.cards.order_by("number")] == ["Pi", "e"]


def test_the_same_column_for_question_and_answer_is_refused(staff_client, basics):
    preview = upload(staff_client, basics, VOCABULARY, name="words.csv")

    response = confirm(staff_client, preview, question=2, answer=2)

    assert response.status_code == 200
    assert not Card.objects.exists()


def test_confirming_imports_the_previewed_file_and_logs_it(staff_client, basics):
    preview = upload(staff_client, basics, THREE_CARDS)

    response = confirm(staff_client, preview)

    assert basics.cards.count() == 3
    assert "3 new, 0 changed, 0 unchanged" in response.text
    history = staff_client.get(reverse("admin:quizzes_deck_history", args=[basics.pk]))
    assert "Imported deck.txt: 3 new" in history.text
    assert ImportJob.objects.get().status == ImportJob.Status.DONE


def test_its_pages_name_the_deck_apart_from_another_of_its_name(
    staff_client, basics, settings, queued_tasks
):
    # Of two decks "Basics", staff saw "into Basics" and could not tell which.
    Deck.objects.create(name="basics", slug="basics-b")
    settings.QUIZSITE_IMPORT_BACKGROUND_CARDS = 3
    form = BeautifulSoup(staff_client.get(IMPORT).text, "html.parser")
    preview = upload(staff_client, basics, THREE_CARDS)

    queued = confirm(staff_client, preview)
    import_job_run(job_id=ImportJob.objects.get().pk)
    done = staff_client.get(queued.request["PATH_INFO"], headers={"HX-Request": "true"})

    options = {option.get_text() for option in form.select("#id_deck option")}
    assert options == {"---------", "Basics (basics)", "basics (basics-b)"}
    assert "Preview: deck.txt into Basics (basics)</h2>" in preview.text
    assert "Importing deck.txt into Basics (basics)</h2>" in queued.text
    assert "Imported deck.txt into Basics (basics)</h2>" in done.text
    settings.QUIZSITE_IMPORT_BACKGROUND_CARDS = 100
    imported = confirm(staff_client, upload(staff_client, basics, THREE_CARDS))
    assert "Imported deck.txt into Basics (basics): 0 new" in imported.text


def test_lines_that_make_no_card_are_listed_and_the_rest_imported(staff_client, basics):
    preview = upload(staff_client, basics, "Q1\tA1\nno separator\nQ3\t\n")

    assert "line 2: no tab separator" in preview.text
    assert "line 3: empty answer" in preview.text
    response = confirm(staff_client, preview)
    assert basics.cards.count() == 1
    # The messages on the deck's cards name the file: "Line 2: ..." named none.
    assert "Line 2 of deck.txt: no tab separator" in response.text
    assert "Line 3 of deck.txt: empty answer" in response.text


def test_lines_skipped_for_one_reason_are_listed_once_and_counted(staff_client, basics):
    text = "Q1\tA1\n" + "no separator\n" * 3 + "Q5\t\n"
    preview = upload(staff_client, basics, text)

    assert "line 2: 3 lines (lines 2, 3, 4): no tab separator" in preview.text
    assert "1 new, 0 changed, 0 unchanged, 4 skipped" in preview.text
    response = confirm(staff_client, preview)
    assert "Line 2 of deck.txt: 3 lines (lines 2, 3, 4): no tab separator" in response.text
    assert "Line 5 of deck.txt: empty answer" in response.text


def test_a_note_of_cards_of_their_own_with_columns_no_card_shows_is_listed(staff_client, basics):
    text = (
        "#separator:tab\n#html:true\n#notetype column:1\n#guid column:2\n"
        "Cards of their own (2)\tg1\tHund\tdog\tdog\tHund\tDer Hund bellt.\n"
    )
    preview = upload(staff_client, basics, text)

    reason = "column 7 left out: a note of &#x27;Cards of their own (2)&#x27; has 4 fields"
    assert f"line 5: {reason}" in preview.text
    response = confirm(staff_client, preview)
    assert basics.cards.count() == 2
    assert f"Line 5 of deck.txt: {reason}" in response.text


def test_a_cloze_card_staff_deleted_is_not_made_again_by_the_same_file(staff_client, basics):
    # It came back at every re-import of the file it came from.
    text = "#notetype:Cloze\n{{c1::Paris}} is the capital of {{c2::France}}.\t\n"
    confirm(staff_client, upload(staff_client, basics, text))
    card = basics.cards.get(card_ord=1)
    delete = reverse("admin:quizzes_card_delete", args=[card.pk])
    staff_client.post(delete, {"post": "yes"})

    preview = upload(staff_client, basics, text)

    assert "0 new, 0 changed, 1 unchanged, 1 card deleted here kept deleted" in preview.text
    assert "line 2: cloze 2 of the note (card 2) was deleted here and is kept deleted" in (
        preview.text
    )
    confirm(staff_client, preview)
    assert list(basics.cards.values_list("card_ord", flat=True)) == [0]


def test_cards_staff_deleted_from_the_list_are_not_made_again(staff_client, basics):
    confirm(staff_client, upload(staff_client, basics, THREE_CARDS))
    changelist = reverse("admin:quizzes_card_changelist")
    chosen = basics.cards.filter(number__in=[1, 3]).values_list("pk", flat=True)
    staff_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": list(chosen), "post": "yes"},
    )

    preview = upload(staff_client, basics, THREE_CARDS)

    assert "0 new, 0 changed, 1 unchanged, 2 cards deleted here kept deleted" in preview.text


def test_quizlets_rows_on_one_line_are_previewed_and_imported_as_notes(staff_client, basics):
    preview = upload(staff_client, basics, "Hund\tdog;Katze\tcat;Maus\tmouse;")

    assert "line 1: one line of 3 rows separated by" in preview.text
    assert "3 new, 0 changed, 0 unchanged" in preview.text
    confirm(staff_client, preview)
    assert list(basics.cards.values_list("question_text", "answer_text")) == [
        ("Hund", "dog"),
        ("Katze", "cat"),
        ("Maus", "mouse"),
    ]


def test_a_source_link_to_a_card_number_too_large_to_store_numbers_the_card_as_the_others(
    staff_client, basics
):
    link = '<a href="https://aiquizzes.com/questions/{}">view answer on aiquizzes</a>'
    text = (
        f"#html:true\nQ1\tA1 {link.format(4)}\nQ2\tA2 {link.format(99_999_999_999_999_999_999)}\n"
    )
    preview = upload(staff_client, basics, text)

    response = confirm(staff_client, preview)

    assert response.status_code == 200
    assert dict(basics.cards.values_list("question_text", "number")) == {"Q1": 4, "Q2": 5}


def test_markup_nested_too_deep_is_a_line_of_the_preview_not_an_error(staff_client, basics):
    preview = upload(staff_client, basics, "Q1\tA1\nQ2\t" + "<div>" * 1000 + "x\n")

    assert preview.status_code == 200
    assert "line 2: HTML elements nested more than 500 deep" in preview.text
    confirm(staff_client, preview)
    assert list(basics.cards.values_list("answer_text", flat=True)) == ["A1"]


def test_the_preview_and_the_result_list_each_package_image_left_out(
    staff_client, basics, tmp_path
):
    notes = [("Basic", ['Corrupt <img src="corrupt.png">', "A"]), ("Basic", ["Q", "A"])]
    package = anki_package(
        tmp_path, notes, {"corrupt.png": b"not a png", "ok.png": image_bytes("PNG", (2, 2))}
    )
    file = SimpleUploadedFile("small.apkg", package.read_bytes())
    preview = staff_client.post(IMPORT, {"deck": basics.pk, "file": file}, follow=True)

    reason = "image &#x27;corrupt.png&#x27; rejected: not a PNG, JPEG, GIF, WebP or SVG image"
    assert "2 new, 0 changed, 0 unchanged, 1 media file left out" in preview.text
    assert "line 1: note " in preview.text and reason in preview.text
    response = confirm(staff_client, preview)
    assert reason in response.text
    job = ImportJob.objects.get()
    assert job.report[0].endswith(
        "image 'corrupt.png' rejected: not a PNG, JPEG, GIF, WebP or SVG image"
    )


def test_a_packages_svg_image_is_previewed_and_imported(staff_client, basics, tmp_path):
    # What the preview found of each image is kept with the upload (as JSON): an SVG's
    # cleaned bytes with it made the preview fail.
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 4"><rect width="8"/></svg>'
    notes = [("Basic", ['A chart <img src="chart.svg">', "A"])]
    file = SimpleUploadedFile(
        "small.apkg", anki_package(tmp_path, notes, {"chart.svg": svg}).read_bytes()
    )
    preview = staff_client.post(IMPORT, {"deck": basics.pk, "file": file}, follow=True)

    assert "1 new, 0 changed, 0 unchanged" in preview.text
    confirm(staff_client, preview)
    image = CachedImage.objects.get(url="chart.svg")
    assert (image.is_cached, image.width, image.height) == (True, 8, 4)
    assert image.file.read().startswith(b'<svg viewBox="0 0 8 4" width="8" height="4"')


@pytest.fixture
def pillow_opens(monkeypatch):
    """The images Pillow opens, by their bytes (Pillow's own function, counted)."""
    opened = []
    real_open = PIL.Image.open

    def counted(fp, *args, **kwargs):
        opened.append(fp.getvalue() if hasattr(fp, "getvalue") else fp)
        return real_open(fp, *args, **kwargs)

    monkeypatch.setattr(PIL.Image, "open", counted)
    return opened


def test_a_packages_images_are_checked_once_per_upload(
    staff_client, basics, tmp_path, pillow_opens
):
    # Pillow read each image at the preview, again at the confirmation's preview and a
    # third time at the import itself.
    media = {"corrupt.png": b"not a png", "ok.png": image_bytes("PNG", (2, 2))}
    notes = [
        ("Basic", ['Corrupt <img src="corrupt.png">', "A"]),
        ("Basic", ['Fine <img src="ok.png">', "B"]),
    ]
    file = SimpleUploadedFile("small.apkg", anki_package(tmp_path, notes, media).read_bytes())
    preview = staff_client.post(IMPORT, {"deck": basics.pk, "file": file}, follow=True)
    opened_by_preview = len(pillow_opens)
    staff_client.get(preview.request["PATH_INFO"])

    confirm(staff_client, preview)

    assert {data for data in pillow_opens} == set(media.values())
    assert opened_by_preview > 0
    assert len(pillow_opens) == opened_by_preview
    assert CachedImage.objects.get(url="ok.png").is_cached
    assert basics.cards.count() == 2


def several_decks(folder):
    """An export of "All Decks", as a package and as a text file with its deck column."""
    collection = Collection(str(folder / "decks.anki2"))
    for deck, front in [("Biology", "Cell?"), ("Biology::Genetics", "Gene?"), ("Chemistry", "pH?")]:
        note = collection.new_note(collection.models.by_name("Basic"))
        note["Front"], note["Back"] = front, "answer"
        collection.add_note(note, collection.decks.id(deck))
    package, text = folder / "all.apkg", folder / "all.txt"
    collection.export_anki_package(
        out_path=str(package), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.export_note_csv(
        out_path=str(text),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=True,
    )
    collection.close()
    return package, text


def deck_rows(preview) -> list[str]:
    """The preview's table of decks, a line a row."""
    rows = BeautifulSoup(preview.text, "html.parser").select("table.import-decks tbody tr")
    return [" ".join(cell.get_text(" ", strip=True) for cell in row.find_all("td")) for row in rows]


def test_the_previews_rows_name_the_deck_a_card_goes_to_apart_from_another_of_its_name(
    staff_client, basics, tmp_path
):
    # "new in Chemistry" of a Chemistry beside a chemistry: the rows said which no more
    # than the name, where the decks table beside them gave the address.
    Deck.objects.create(name="Chemistry", slug="chemistry")
    Deck.objects.create(name="chemistry", slug="chem-b")
    _, text = several_decks(tmp_path)

    uploaded = upload(staff_client, basics, text.read_bytes(), name=text.name)
    preview = staff_client.get(uploaded.request["PATH_INFO"], {"decks": "by_name"})

    cells = BeautifulSoup(preview.text, "html.parser").select("td")
    told = sorted(cell.get_text() for cell in cells if cell.get_text().startswith("new in "))
    assert told == ["new in Biology", "new in Biology::Genetics", "new in Chemistry (chemistry)"]


@pytest.mark.parametrize("kind", ["package", "text"])
def test_a_file_of_several_anki_decks_put_below_the_deck_previews_the_deck_each_becomes(
    staff_client, basics, tmp_path, kind
):
    # A text file's deck column (an export of "All Decks" as text) as a package's decks.
    package, text = several_decks(tmp_path)
    file = package if kind == "package" else text

    uploaded = upload(staff_client, basics, file.read_bytes(), name=file.name)
    preview = staff_client.get(uploaded.request["PATH_INFO"], {"decks": "below"})

    assert (
        "the notes come from 3 Anki decks (Biology, Biology::Genetics, Chemistry): each becomes "
        "a deck of its own here, named by its place in Anki&#x27;s tree below &#x27;Basics&#x27;"
    ) in preview.text
    assert "3 new, 0 changed, 0 unchanged, in 3 decks (3 made)" in preview.text
    assert deck_rows(preview) == [
        "Biology Basics::Biology (made by this import) /decks/basics-biology/ "
        "1 new, 0 changed, 0 unchanged",
        "Biology::Genetics Basics::Biology::Genetics (made by this import) "
        "/decks/basics-biology-genetics/ 1 new, 0 changed, 0 unchanged",
        "Chemistry Basics::Chemistry (made by this import) /decks/basics-chemistry/ "
        "1 new, 0 changed, 0 unchanged",
    ]
    assert "new in Basics::Biology::Genetics" in preview.text
    assert Deck.objects.count() == 1

    done = confirm(staff_client, preview, decks="below")

    assert done.request["PATH_INFO"] == reverse("admin:quizzes_deck_changelist")
    assert sorted(Deck.objects.values_list("slug", flat=True)) == [
        "basics",
        "basics-biology",
        "basics-biology-genetics",
        "basics-chemistry",
    ]
    uploaded = upload(staff_client, basics, file.read_bytes(), name=file.name)
    again = staff_client.get(uploaded.request["PATH_INFO"], {"decks": "below"})
    assert "0 new, 0 changed, 3 unchanged, in 3 decks (0 made)" in again.text
    assert "Basics::Chemistry</span> (already here, 1 card)<br>" in again.text


@pytest.mark.parametrize("kind", ["package", "text"])
def test_a_file_of_several_anki_decks_goes_by_their_names_as_anki_makes_them(
    staff_client, basics, tmp_path, kind
):
    # They all went below the deck chosen: Basics::Chemistry beside the course's Chemistry.
    chemistry = Deck.objects.create(name="chemistry", slug="chem")
    package, text = several_decks(tmp_path)
    file = package if kind == "package" else text

    preview = upload(staff_client, basics, file.read_bytes(), name=file.name)

    assert (
        "the notes come from 3 Anki decks (Biology, Biology::Genetics, Chemistry): each becomes "
        "the deck of its name here, made where there is none, as Anki makes them"
    ) in preview.text
    assert 'name="decks" value="by_name" checked' in preview.text
    assert deck_rows(preview) == [
        "Biology Biology (made by this import) /decks/biology/ 1 new, 0 changed, 0 unchanged",
        "Biology::Genetics Biology::Genetics (made by this import) /decks/biology-genetics/ "
        "1 new, 0 changed, 0 unchanged",
        "Chemistry chemistry (already here, 0 cards) /decks/chem/ 1 new, 0 changed, 0 unchanged",
    ]

    confirm(staff_client, preview, decks="by_name")

    assert dict(Deck.objects.values_list("slug", "name")) == {
        "basics": "Basics",
        "biology": "Biology",
        "biology-genetics": "Biology::Genetics",
        "chem": "chemistry",
    }
    assert list(chemistry.cards.values_list("question_text", flat=True)) == ["pH?"]
    assert not basics.cards.exists()
    again = upload(staff_client, basics, file.read_bytes(), name=file.name)
    assert "0 new, 0 changed, 3 unchanged, in 3 decks (0 made)" in again.text


def test_a_file_whose_notes_are_all_in_other_decks_says_no_deck_is_made(
    staff_client, basics, tmp_path
):
    package, _ = several_decks(tmp_path)
    below = upload(staff_client, basics, package.read_bytes(), name=package.name)
    confirm(staff_client, below, decks="below")

    # By their names now: the notes are found below Basics, where they stay.
    preview = upload(staff_client, basics, package.read_bytes(), name=package.name)

    # It said each "becomes the deck of its name here, made where there is none".
    assert (
        "the notes come from 3 Anki decks (Biology, Biology::Genetics, Chemistry), and every "
        "note is here already, in other decks: each is imported in the deck that holds it, "
        "and no deck is made"
    ) in preview.text
    assert "0 new, 0 changed, 3 unchanged, in 3 decks (0 made)" in preview.text
    assert [row.split(" (")[0] for row in deck_rows(preview)] == [
        "Biology Basics::Biology",
        "Biology::Genetics Basics::Biology::Genetics",
        "Chemistry Basics::Chemistry",
    ]


def test_a_deck_here_of_an_anki_decks_name_whose_notes_are_elsewhere_is_not_listed(
    staff_client, basics, tmp_path
):
    package, _ = several_decks(tmp_path)
    below = upload(staff_client, basics, package.read_bytes(), name=package.name)
    confirm(staff_client, below, decks="below")
    Deck.objects.create(name="Biology", slug="biology-here")

    preview = upload(staff_client, basics, package.read_bytes(), name=package.name)

    # It was listed as where Biology's notes go, "0 new, 0 changed, 0 unchanged".
    assert [row.split(" (")[0] for row in deck_rows(preview)] == [
        "Biology Basics::Biology",
        "Biology::Genetics Basics::Biology::Genetics",
        "Chemistry Basics::Chemistry",
    ]
    assert "0 new, 0 changed, 3 unchanged, in 3 decks (0 made)" in preview.text


def test_the_preview_marks_a_deck_already_here_with_the_cards_it_holds(
    staff_client, basics, tmp_path
):
    # "Chemistry /decks/chem/ 1 new" read as a deck to be made, or as the one chosen.
    chemistry = Deck.objects.create(name="Chemistry", slug="chem")
    for number in (1, 2):
        Card.objects.create(deck=chemistry, number=number, question_html=f"<p>Q{number}</p>")
    package, _ = several_decks(tmp_path)

    preview = upload(staff_client, basics, package.read_bytes(), name=package.name)

    assert deck_rows(preview)[2] == (
        "Chemistry Chemistry (already here, 2 cards) /decks/chem/ 1 new, 0 changed, 0 unchanged"
    )


CHANGED_SINCE_PREVIEW = (
    "The options were changed after the preview was shown: nothing was imported. This is "
    "the preview of the options chosen now: check it, then press Import."
)


def test_decks_placed_otherwise_than_previewed_are_previewed_again_not_imported(
    staff_client, basics, tmp_path
):
    # The radio flipped to "below" and Import pressed without "Update the preview": the
    # decks went below Basics, while the preview had shown them by their names.
    package, _ = several_decks(tmp_path)
    preview = upload(staff_client, basics, package.read_bytes(), name=package.name)
    assert "Chemistry Chemistry (made by this import) /decks/chemistry/" in deck_rows(preview)[2]

    again = staff_client.post(
        preview.request["PATH_INFO"],
        chosen_options(preview) | {"decks": "below", "action": "import"},
    )

    assert again.status_code == 200
    assert CHANGED_SINCE_PREVIEW in again.text
    assert list(Deck.objects.values_list("slug", flat=True)) == ["basics"]
    assert ImportJob.objects.get().status == ImportJob.Status.PREVIEWED
    assert "/decks/basics-chemistry/" in deck_rows(again)[2]
    assert 'name="decks" value="below" checked' in again.text
    done = staff_client.post(
        preview.request["PATH_INFO"],
        chosen_options(again) | {"decks": "below", "action": "import"},
        follow=True,
    )
    assert CHANGED_SINCE_PREVIEW not in done.text
    assert sorted(Deck.objects.values_list("slug", flat=True)) == [
        "basics",
        "basics-biology",
        "basics-biology-genetics",
        "basics-chemistry",
    ]


@pytest.mark.parametrize(
    "changes", [{"separator": "comma"}, {"question": 1, "answer": 0}], ids=["separator", "columns"]
)
def test_a_text_file_read_otherwise_than_previewed_is_previewed_again_not_imported(
    staff_client, basics, changes
):
    preview = upload(staff_client, basics, "Hund;dog, hound\nKatze;cat\n", name="words.txt")

    again = staff_client.post(
        preview.request["PATH_INFO"], chosen_options(preview) | changes | {"action": "import"}
    )

    assert CHANGED_SINCE_PREVIEW in again.text
    assert not Card.objects.exists()
    confirm(staff_client, again)
    question, answer = ("Hund;dog", "hound") if "separator" in changes else ("dog, hound", "Hund")
    assert basics.cards.values_list("question_html", "answer_html").first() == (question, answer)


def test_a_file_that_is_not_a_deck_shows_why_and_offers_no_import(staff_client, basics):
    response = upload(staff_client, basics, "just text\nand more\n")

    assert "cannot be imported" in response.text
    assert "no line of the file can become a card" in response.text
    assert 'value="import"' not in response.text
    assert not Card.objects.exists()


def damaged_package(folder, notes, damage: str):
    """A legacy .apkg of `notes` whose collection Anki opens, with the SQL `damage` done to
    it (a card of a template its note type lacks, a note of a note type it lacks)."""
    path = anki_package(folder, notes, legacy=True)
    collection = folder / "collection.anki21"
    with zipfile.ZipFile(path) as package:
        collection.write_bytes(package.read("collection.anki21"))
        entries = {name: package.read(name) for name in package.namelist()}
    with sqlite3.connect(collection) as database:
        database.execute(damage)
    database.close()
    entries["collection.anki21"] = collection.read_bytes()
    damaged = folder / "damaged.apkg"
    with zipfile.ZipFile(damaged, "w") as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return damaged


FIRST_NOTE = "(SELECT min(id) FROM notes)"


# Anki's import of an .apkg refuses a note of a note type it lacks, or with fewer fields;
# a .colpkg is opened as it is.
@pytest.mark.parametrize(
    "suffix, damage",
    [
        ("apkg", f"UPDATE cards SET ord = 7 WHERE nid = {FIRST_NOTE}"),
        ("colpkg", f"UPDATE cards SET ord = 7 WHERE nid = {FIRST_NOTE}"),
        ("colpkg", f"UPDATE cards SET ord = -1 WHERE nid = {FIRST_NOTE}"),
        ("colpkg", f"UPDATE notes SET mid = 12345 WHERE id = {FIRST_NOTE}"),
        ("colpkg", f"UPDATE notes SET flds = '' WHERE id = {FIRST_NOTE}"),
    ],
)
def test_a_package_note_that_does_not_match_its_note_type_is_skipped_and_said(
    staff_client, basics, tmp_path, suffix, damage
):
    notes = [("Basic", ["Damaged", "A"]), ("Basic", ["Whole", "B"])]
    package = damaged_package(tmp_path, notes, damage)
    file = SimpleUploadedFile(f"damaged.{suffix}", package.read_bytes())
    preview = staff_client.post(IMPORT, {"deck": basics.pk, "file": file}, follow=True)

    assert preview.status_code == 200
    assert "1 new, 0 changed, 0 unchanged, 1 skipped" in preview.text
    assert "damaged in the package: its note type, fields and card templates" in preview.text
    confirm(staff_client, preview)
    assert list(basics.cards.values_list("question_text", flat=True)) == ["Whole"]


def test_a_package_note_with_another_notes_guid_is_skipped_and_the_rest_imported(
    staff_client, basics, tmp_path
):
    notes = [("Basic", ["First", "A"]), ("Basic", ["Same guid", "B"]), ("Basic", ["Own", "C"])]
    damage = "UPDATE notes SET guid = 'same' WHERE id < (SELECT max(id) FROM notes)"
    package = damaged_package(tmp_path, notes, damage)
    file = SimpleUploadedFile("damaged.colpkg", package.read_bytes())
    preview = staff_client.post(IMPORT, {"deck": basics.pk, "file": file}, follow=True)

    assert "2 new, 0 changed, 0 unchanged, 1 skipped" in preview.text
    assert "line 2: note &#x27;same&#x27;: line 1&#x27;s note has this guid too" in preview.text
    response = confirm(staff_client, preview)
    assert response.status_code == 200
    questions = basics.cards.order_by("number").values_list("question_text", flat=True)
    assert list(questions) == ["First", "Own"]


def test_a_package_card_repeated_in_its_collection_is_imported_once(staff_client, basics, tmp_path):
    columns = "nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue"
    damage = (
        f"INSERT INTO cards (id, {columns}, odid, flags, data) "
        f"SELECT id + 1, {columns}, odid, flags, data FROM cards"
    )
    package = damaged_package(tmp_path, [("Basic", ["Q", "A"])], damage)
    file = SimpleUploadedFile("damaged.colpkg", package.read_bytes())
    preview = staff_client.post(IMPORT, {"deck": basics.pk, "file": file}, follow=True)

    assert "1 new, 0 changed, 0 unchanged" in preview.text
    response = confirm(staff_client, preview)
    assert response.status_code == 200
    assert basics.cards.get().question_text == "Q"


def test_a_package_whose_notes_all_do_not_match_their_note_types_shows_why(
    staff_client, basics, tmp_path
):
    package = damaged_package(tmp_path, [("Basic", ["Q", "A"])], "UPDATE cards SET ord = 7")
    file = SimpleUploadedFile("damaged.apkg", package.read_bytes())
    response = staff_client.post(IMPORT, {"deck": basics.pk, "file": file}, follow=True)

    assert response.status_code == 200
    assert "cannot be imported" in response.text
    assert "no note of the package can become a card" in response.text
    assert "damaged in the package" in response.text
    assert not Card.objects.exists()


def test_a_windows_1252_file_is_previewed_and_imported_whole(staff_client, basics):
    preview = upload(staff_client, basics, b"Caf\xe9\tcoffee\nTea\tth\xe9\nWater\twater\n")

    assert preview.status_code == 200
    assert "read as Windows-1252, not UTF-8" in preview.text
    assert "3 new, 0 changed, 0 unchanged" in preview.text
    confirm(staff_client, preview)
    assert [card.question_html for card in basics.cards.order_by("number")] == [
        "Café",
        "Tea",
        "Water",
    ]
    assert basics.cards.get(number=2).answer_html == "thé"


def test_a_file_of_mixed_encodings_is_refused_naming_the_line(staff_client, basics):
    data = "Grüße\tgreetings\n".encode() + b"Stra\xdfe\tstreet\n"

    response = upload(staff_client, basics, data)

    assert response.status_code == 200
    assert "line 2: not UTF-8 (byte 0xdf)" in response.text
    assert "save it as &#x27;CSV UTF-8&#x27;" in response.text
    assert 'value="import"' not in response.text
    assert not Card.objects.exists()


def test_an_upload_over_the_byte_limit_is_refused_in_the_form(staff_client, basics, settings):
    settings.QUIZSITE_IMPORT_MAX_BYTES = 100

    response = upload(staff_client, basics, THREE_CARDS)

    size = len(THREE_CARDS.encode())
    assert response.context["upload_form"].errors["file"] == [
        f"Not imported: the file is {size} bytes, more than the 100 bytes one import takes: "
        "split it into smaller files."
    ]
    assert not ImportJob.objects.exists()


def test_an_upload_of_another_kind_of_file_is_refused(staff_client, basics):
    response = upload(staff_client, basics, "x", name="deck.pdf")

    assert "is not a .txt, .csv, .tsv, .apkg, .colpkg file" in response.text


@pytest.mark.parametrize("name", ["deck.txt", "shared.apkg"])
def test_an_empty_upload_is_refused_by_name_saying_what_to_do(staff_client, basics, name):
    # Django's own "The submitted file is empty." named no file.
    response = upload(staff_client, basics, "", name=name)

    assert response.context["upload_form"].errors["file"] == [
        f"Not imported: {name} is empty (0 bytes). Export the deck from Anki again, or open "
        "the file to check it holds your cards, then upload it again."
    ]
    assert not ImportJob.objects.exists()


def test_an_upload_without_a_file_shows_the_form_again(staff_client, basics):
    response = staff_client.post(IMPORT, {"deck": basics.pk})

    assert response.status_code == 200
    assert "This field is required" in response.text


def test_an_unknown_job_is_a_404(staff_client, basics):
    response = staff_client.get(reverse("admin:quizzes_deck_import_job", args=[999]))

    assert response.status_code == 404


def test_a_big_import_runs_in_the_background_with_a_progress_bar(
    staff_client, basics, settings, queued_tasks
):
    settings.QUIZSITE_IMPORT_BACKGROUND_CARDS = 3
    preview = upload(staff_client, basics, THREE_CARDS)

    queued = confirm(staff_client, preview)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    assert not Card.objects.exists()
    assert "<progress" in queued.text
    assert 'hx-trigger="every 1s"' in queued.text
    fragment = staff_client.get(job_url(job), headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="import-progress"')

    import_job_run(job_id=job.pk)  # what `manage.py db_worker` does

    done = staff_client.get(job_url(job), headers={"HX-Request": "true"})
    assert "3 new, 0 changed, 0 unchanged" in done.text
    assert "hx-trigger" not in done.text
    assert basics.cards.count() == 3
    job.refresh_from_db()
    assert (job.done, job.total, job.percent) == (3, 3, 100)


def test_a_learner_cannot_import(client, alice, basics):
    client.force_login(alice)

    response = client.post(IMPORT, {"deck": basics.pk})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_editor_can_import(client, editor, basics):
    client.force_login(editor)

    confirm(client, upload(client, basics, THREE_CARDS))

    assert basics.cards.count() == 3


@pytest.fixture
def card_clerk(client, django_user_model):
    """Staff who may add and change cards, and only see decks."""
    clerk = django_user_model.objects.create_user("card-clerk", is_staff=True)
    codenames = ["add_card", "change_card", "view_card", "view_deck"]
    clerk.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(clerk)
    return client


@pytest.mark.parametrize("decks", ["by_name", "below"])
def test_staff_who_may_not_add_decks_cannot_run_an_import_that_makes_them(
    card_clerk, basics, tmp_path, decks
):
    # The upload asked only for the card permissions: the import made three decks.
    package, _ = several_decks(tmp_path)
    uploaded = upload(card_clerk, basics, package.read_bytes(), name=package.name)
    preview = card_clerk.get(uploaded.request["PATH_INFO"], {"decks": decks})
    refusal = (
        "This import makes 3 decks (Biology, Biology::Genetics, Chemistry), and your account "
        "lacks the permission to add decks (Quizzes | deck | Can add deck): nothing can be "
        "imported."
    )
    if decks == "below":
        refusal = refusal.replace(
            "(Biology, Biology::Genetics, Chemistry)",
            "(Basics::Biology, Basics::Biology::Genetics, Basics::Chemistry)",
        )
    assert refusal in BeautifulSoup(preview.text, "html.parser").get_text(" ")

    done = confirm(card_clerk, preview, decks=decks)

    assert done.status_code == 403
    assert refusal in BeautifulSoup(done.text, "html.parser").get_text(" ")
    assert list(Deck.objects.values_list("slug", flat=True)) == ["basics"]
    assert not Card.objects.exists()
    assert ImportJob.objects.get().status == ImportJob.Status.PREVIEWED


def test_staff_who_may_not_add_decks_import_into_decks_already_here(card_clerk, basics, tmp_path):
    for name in ("Biology", "Biology::Genetics", "Chemistry"):
        Deck.objects.create(name=name, slug=name.lower().replace("::", "-"))
    package, _ = several_decks(tmp_path)

    confirm(card_clerk, upload(card_clerk, basics, package.read_bytes(), name=package.name))

    assert Card.objects.count() == 3
    assert Deck.objects.count() == 4


def test_staff_without_card_permissions_cannot_import(client, django_user_model, basics):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(clerk)

    assert client.get(IMPORT).status_code == 403


def test_an_upload_waits_for_its_confirmation_under_a_name_nobody_can_guess(
    staff_client, client, basics, settings
):
    # It waited as media/imports/deck.txt, which the proxy serves to anyone at /media/.
    upload(staff_client, basics, THREE_CARDS, name="exam-questions.txt")
    upload(staff_client, basics, THREE_CARDS, name="exam-questions.txt")

    first, second = ImportJob.objects.order_by("pk")
    assert first.source_name == second.source_name == "exam-questions.txt"
    names = [job.upload.name for job in (first, second)]
    assert all("exam-questions" not in name for name in names)
    assert names[0] != names[1]
    assert all(len(name.removeprefix("imports/")) >= 24 for name in names)
    assert not (settings.MEDIA_ROOT / "imports" / "exam-questions.txt").exists()
    preview = staff_client.get(job_url(second))
    assert "3 new, 0 changed, 0 unchanged" in preview.text
    assert "exam-questions.txt" in preview.text


def test_an_upload_forgets_previews_left_unconfirmed_for_a_day(staff_client, basics):
    import time_machine

    with time_machine.travel("2026-01-01 12:00Z"):
        upload(staff_client, basics, THREE_CARDS)
    old = ImportJob.objects.get()

    with time_machine.travel("2026-01-02 12:01Z"):
        upload(staff_client, basics, THREE_CARDS, name="newer.txt")

    assert not ImportJob.objects.filter(pk=old.pk).exists()
    assert not old.upload.storage.exists(old.upload.name)


def test_the_deck_action_downloads_an_anki_package(staff_client, basics):
    import io
    from zipfile import ZipFile

    anki_import_apply(deck=basics, data=THREE_CARDS, source="x.txt")

    response = staff_client.post(
        reverse("admin:quizzes_deck_changelist"),
        {"action": "export_apkg", "_selected_action": [basics.pk]},
    )

    assert response["Content-Disposition"] == 'attachment; filename="basics.apkg"'
    assert "collection.anki21b" in ZipFile(io.BytesIO(response.content)).namelist()


def test_a_deletion_staff_forget_in_the_admin_lets_the_file_make_the_card_again(
    staff_client, basics
):
    text = "#notetype:Cloze\n{{c1::Paris}} is the capital of {{c2::France}}.\t\n"
    confirm(staff_client, upload(staff_client, basics, text))
    card = basics.cards.get(card_ord=1)
    staff_client.post(reverse("admin:quizzes_card_delete", args=[card.pk]), {"post": "yes"})
    deleted = DeletedCard.objects.get()
    listed = staff_client.get(reverse("admin:quizzes_deletedcard_changelist"))
    assert listed.status_code == 200
    assert basics.name in listed.text

    staff_client.post(
        reverse("admin:quizzes_deletedcard_delete", args=[deleted.pk]), {"post": "yes"}
    )
    preview = upload(staff_client, basics, text)

    assert "1 new, 0 changed, 1 unchanged" in preview.text
    confirm(staff_client, preview)
    assert sorted(basics.cards.values_list("card_ord", flat=True)) == [0, 1]


@pytest.mark.parametrize(
    ("name", "what_to_do"),
    [
        ("Spanish.apkg.zip", "Safari does) is still one: rename it to end in .apkg"),
        ("collection.anki2", "an Anki collection itself: export the deck from Anki as an .apkg"),
        ("words.xlsx", "save the spreadsheet as CSV first"),
    ],
)
def test_a_file_anki_users_have_instead_of_an_export_is_refused_saying_what_to_do(
    staff_client, basics, name, what_to_do
):
    response = upload(staff_client, basics, b"PK\x03\x04", name=name)

    (error,) = response.context["upload_form"].errors["file"]
    assert error.startswith(f"Not imported: {name} is not a .txt, .csv, .tsv, .apkg, .colpkg")
    assert what_to_do in error
    assert not ImportJob.objects.exists()
