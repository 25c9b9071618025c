"""Importing Anki plain-text files: the command, the admin's upload, preview and confirm."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from quizzes.models import Card, CardImage, Deck, Tag
from quizzes.services.anki_io import anki_import_apply, anki_import_plan
from tests.editing_helpers import record_answer

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "source" / "000_5b047ce6bb528336.txt"
IMPORT = reverse("admin:quizzes_deck_import_anki")

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


def test_a_changed_question_is_still_found_by_its_guid(tmp_path, db):
    run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")
    card = Card.objects.get(deck__slug="basics", number=1)

    edited = THREE_CARDS.replace("What is a tensor?", "What is a tensor, exactly?")
    run_import(write(tmp_path, edited), "--deck", "basics")

    assert Card.objects.get(pk=card.pk).question_text == "What is a tensor, exactly?"
    assert Card.objects.count() == 3


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

    # Without a guid column the card is new: nothing else identifies it.
    assert summary.startswith("basics: 1 new")
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
        ('Q1\tA1\n"quoted" extra\tA2\n', 2, "text after the closing quote"),
        ("#separator:nonsense\nQ1\tA1\n", 1, "unknown separator"),
        ("#html:maybe\nQ1\tA1\n", 1, "#html must be true or false"),
        ("#guid column:x\nQ1\tA1\n", 1, "must be a column number"),
        ("#columns:Front\tBack\nQ1\tA1\tB1\n", 2, "too many fields"),
        ("#guid column:3\nQ1\tA1\tg\nQ2\tA2\tg\n", 3, "duplicate guid"),
        ("Q1\tA1\nQ2\t<img src=https://a.example/" + "x" * 500 + ">\n", 2, "longer than 500"),
    ],
)
def test_a_malformed_file_names_the_line_and_writes_nothing(tmp_path, db, text, line, reason):
    path = write(tmp_path, text)

    with pytest.raises(CommandError) as error:
        run_import(path, "--deck", "broken")

    assert f"{path}:{line}: " in str(error.value)
    assert reason in str(error.value)
    assert not Deck.objects.exists()
    assert not Card.objects.exists()


def test_a_file_that_is_not_utf8_names_the_line(tmp_path, db):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Q1\tA1\nGr\xf6\xdfe\tA2\n".encode("latin-1"))

    with pytest.raises(CommandError, match=r"latin1.txt:2: not valid UTF-8"):
        run_import(path, "--deck", "broken")


def test_it_reads_comma_and_semicolon_files_with_quoted_fields(tmp_path, db):
    commas = '#separator:comma\n"A question, with a comma","An answer\nover two lines"\n'
    semicolons = "#separator:semicolon\n" + '"Tab\tinside";"say ""hi"""\n'

    run_import(write(tmp_path, commas, "a.txt"), "--deck", "commas")
    run_import(write(tmp_path, semicolons, "b.txt"), "--deck", "semicolons")

    assert Card.objects.get(deck__slug="commas").answer_html == "An answer\nover two lines"
    card = Card.objects.get(deck__slug="semicolons")
    assert (card.question_html, card.answer_html) == ("Tab\tinside", 'say "hi"')


def test_the_html_false_header_escapes_markup(tmp_path, db):
    run_import(write(tmp_path, "#html:false\n<b>Q</b>\tA\n"), "--deck", "plain")

    assert Card.objects.get().question_html == "&lt;b&gt;Q&lt;/b&gt;"


def test_a_tags_header_applies_to_every_card(tmp_path, db):
    run_import(write(tmp_path, "#tags:fastai lesson1\nQ1\tA1\nQ2\tA2\n"), "--deck", "tagged")

    assert set(Tag.objects.values_list("name", flat=True)) == {"fastai", "lesson1"}
    assert all(card.tags.count() == 2 for card in Card.objects.all())


def test_a_missing_file_is_an_error(tmp_path, db):
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "nope.txt", "--deck", "x")


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

    with pytest.raises(CommandError, match=r"deck.txt:7: more than 2 cards"):
        run_import(write(tmp_path, THREE_CARDS), "--deck", "basics")

    assert not Card.objects.exists()


def test_the_import_limits_default_to_2_mib_and_5000_cards():
    from quizsite import settings as defaults

    assert defaults.QUIZSITE_IMPORT_MAX_BYTES == 2 * 1024 * 1024
    assert defaults.QUIZSITE_IMPORT_MAX_CARDS == 5000


@pytest.mark.parametrize("size", [10, 200])
def test_the_plan_runs_the_same_queries_for_any_number_of_cards(
    db, size, django_assert_max_num_queries
):
    deck = Deck.objects.create(name="Basics", slug="basics")
    rows = "".join(f"Question {n}?\tAnswer {n}.\ttag{n % 3}\tg-{n}\n" for n in range(size))
    text = "#tags column:3\n#guid column:4\n" + rows
    anki_import_apply(deck=deck, data=text, source="x.txt")
    edited = text.replace("Answer 1.", "Answer one.") + "A new one?\tYes.\t\tg-new\n"

    with django_assert_max_num_queries(2):  # the deck's cards, then their tags
        plan = anki_import_plan(deck=deck, data=edited, source="x.txt")

    assert (len(plan.new), len(plan.changed), len(plan.unchanged)) == (1, 1, size - 1)


def test_the_plan_writes_nothing(db):
    deck = Deck.objects.create(name="Basics", slug="basics")

    plan = anki_import_plan(deck=deck, data=THREE_CARDS, source="x.txt")

    assert plan.summary == "3 new, 0 changed, 0 unchanged"
    assert not Card.objects.exists()


def test_the_apply_is_one_transaction(db, monkeypatch):
    deck = Deck.objects.create(name="Basics", slug="basics")

    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr("quizzes.services.card_editing._card_images_sync", fail)
    with pytest.raises(RuntimeError):
        anki_import_apply(deck=deck, data=THREE_CARDS, source="x.txt")

    assert not Card.objects.exists()
    assert not CardImage.objects.exists()


# --- the admin page ---


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def basics(db):
    return Deck.objects.create(name="Basics", slug="basics")


def upload(staff_client, deck, text, name="deck.txt"):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/plain")
    return staff_client.post(IMPORT, {"deck": deck.pk, "file": file})


def test_the_deck_list_links_to_the_import_page(staff_client, basics):
    response = staff_client.get(reverse("admin:quizzes_deck_changelist"))

    assert IMPORT in response.text
    assert "Import Anki file" in response.text


def test_the_import_page_shows_an_upload_form(staff_client, basics):
    response = staff_client.get(IMPORT)

    assert response.status_code == 200
    assert 'type="file"' in response.text


def test_an_upload_shows_a_preview_and_writes_nothing(staff_client, basics):
    response = upload(staff_client, basics, THREE_CARDS)

    assert response.status_code == 200
    assert "3 new, 0 changed, 0 unchanged" in response.text
    assert "What is SGD?" in response.text
    assert 'name="payload"' in response.text
    assert not Card.objects.exists()


def test_the_preview_lists_changed_cards_with_what_changed(staff_client, basics):
    anki_import_apply(deck=basics, data=THREE_CARDS, source="x.txt")
    edited = THREE_CARDS.replace("Stochastic gradient descent.", "SGD.")

    response = upload(staff_client, basics, edited)

    assert "0 new, 1 changed, 2 unchanged" in response.text
    assert "changed: answer_html" in response.text


def test_confirming_imports_the_previewed_file(staff_client, basics):
    preview = upload(staff_client, basics, THREE_CARDS)
    payload = preview.context["confirm_form"]["payload"].value()

    response = staff_client.post(IMPORT, {"payload": payload}, follow=True)

    assert basics.cards.count() == 3
    assert "3 new, 0 changed, 0 unchanged" in response.text
    assert response.redirect_chain[-1][0].endswith(f"?deck__id__exact={basics.pk}")


def test_the_import_is_logged_in_the_decks_history(staff_client, basics):
    preview = upload(staff_client, basics, THREE_CARDS)
    staff_client.post(IMPORT, {"payload": preview.context["confirm_form"]["payload"].value()})

    history = staff_client.get(reverse("admin:quizzes_deck_history", args=[basics.pk]))

    assert "Imported deck.txt: 3 new" in history.text


def test_a_bad_file_shows_its_problems_with_line_numbers(staff_client, basics):
    response = upload(staff_client, basics, "Q1\tA1\nno separator\nQ3\t\n")

    assert response.status_code == 200
    assert "line 2: no tab separator" in response.text
    assert "line 3: empty answer" in response.text
    assert 'name="payload"' not in response.text
    assert not Card.objects.exists()


def test_a_tampered_payload_is_refused(staff_client, basics):
    preview = upload(staff_client, basics, THREE_CARDS)
    payload = preview.context["confirm_form"]["payload"].value()

    response = staff_client.post(IMPORT, {"payload": payload[:-3] + "xyz"})

    assert response.status_code == 200
    assert "altered" in response.text
    assert not Card.objects.exists()


def test_an_upload_over_the_byte_limit_is_refused_in_the_form(staff_client, basics, settings):
    settings.QUIZSITE_IMPORT_MAX_BYTES = 100

    response = upload(staff_client, basics, THREE_CARDS)

    assert response.status_code == 200
    size = len(THREE_CARDS.encode())
    assert response.context["upload_form"].errors["file"] == [
        f"Not imported: the file is {size} bytes, more than the 100 bytes one import takes: "
        "split it into smaller files."
    ]
    assert 'name="payload"' not in response.text
    assert not Card.objects.exists()


def test_an_upload_of_more_cards_than_the_limit_names_the_line(staff_client, basics, settings):
    settings.QUIZSITE_IMPORT_MAX_CARDS = 2

    response = upload(staff_client, basics, THREE_CARDS)

    assert "line 7: more than 2 cards, the most one import takes: split the file" in response.text
    assert 'name="payload"' not in response.text


def test_an_upload_without_a_file_shows_the_form_again(staff_client, basics):
    response = staff_client.post(IMPORT, {"deck": basics.pk})

    assert response.status_code == 200
    assert "This field is required" in response.text


def test_a_learner_cannot_import(client, alice, basics):
    client.force_login(alice)

    response = client.post(IMPORT, {"deck": basics.pk})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_editor_can_import(client, editor, basics):
    client.force_login(editor)

    preview = upload(client, basics, THREE_CARDS)
    client.post(IMPORT, {"payload": preview.context["confirm_form"]["payload"].value()})

    assert basics.cards.count() == 3


def test_staff_without_card_permissions_cannot_import(client, django_user_model, basics):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(clerk)

    assert client.get(IMPORT).status_code == 403
