"""The card list's exports, as Anki's Browse exports the notes ticked: the selected cards, or
all those the filter matched across its pages, as one Anki package or text file in which
each deck stays a deck of its own; a big selection built by the worker."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.importing.anki import CLOZE, REVERSED, parse_anki
from quizzes.models import Card, Deck, ExportJob, Tag
from quizzes.services.anki_io import anki_import_apply, cards_export_anki
from quizzes.services.cards import tree_scopes_kept
from quizzes.services.deck_exports import cards_export_job_start, export_job_run, whole_notes
from tests.factories import anki_package, package_decks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("exports_dir")]

CARDS = reverse("admin:quizzes_card_changelist")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def big(settings):
    settings.QUIZSITE_PACKAGE_IN_REQUEST_CARDS = 2
    settings.QUIZSITE_TEXT_EXPORT_IN_REQUEST_CARDS = 2


def export(client, cards, action="export_apkg", **kwargs):
    chosen = [card.pk for card in cards]
    return client.post(CARDS, {"action": action, "_selected_action": chosen}, **kwargs)


def export_all(client, action="export_apkg", **filters):
    """ "Select all N" on the list filtered by `filters`: every card it matches, on any page."""
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    data = {"action": action, "select_across": "1", "index": "0", "_selected_action": "0"}
    return client.post(f"{CARDS}?{query}", data)


def run_exports():
    for job in ExportJob.objects.filter(status="queued"):
        export_job_run(job_id=job.pk)


def job_url(job):
    return reverse("admin:quizzes_deck_export_job", args=[job.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_cards_ticked_in_two_decks_are_one_package_each_deck_its_own(staff_client, make_deck):
    # The card list offered no package at all: only a text file.
    tensors, layers = make_deck(3, slug="tensors"), make_deck(3, slug="layers")
    chosen = [tensors.cards.get(number=2), layers.cards.get(number=1)]

    response = export(staff_client, chosen)

    assert response["Content-Disposition"] == 'attachment; filename="cards.apkg"'
    assert package_decks(response.content) == {
        "Synthetic layers": ["Question 1 about tensor1?"],
        "Synthetic tensors": ["Question 2 about tensor2?"],
    }
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("action", ["export_apkg", "export_anki"])
def test_all_the_cards_a_filter_matches_across_pages_are_built_by_the_worker(
    staff_client, make_deck, big, queued_tasks, action
):
    # The text export of 30,000 cards ran in the request, past gunicorn's 30 s.
    wanted, other = make_deck(120, slug="wanted"), make_deck(5, slug="other")

    response = export_all(staff_client, action, deck__id__exact=wanted.pk)

    job = ExportJob.objects.get()
    assert response.url == job_url(job)
    assert (job.holds, job.chosen, job.total, job.cards.count()) == ("cards", 120, 120, 120)
    assert not job.cards.filter(deck=other).exists()
    run_exports()
    page = staff_client.get(job_url(job)).text
    suffix = "apkg" if action == "export_apkg" else "txt"
    assert "120 cards: ready to download" in page
    assert f"Download cards.{suffix}" in page
    download = staff_client.get(reverse("admin:quizzes_deck_export_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    if action == "export_apkg":
        assert [len(fronts) for fronts in package_decks(content).values()] == [120]
    else:
        assert len(parse_anki(content, source="cards.txt")) == 120


@pytest.mark.parametrize("action", ["export_apkg", "export_anki"])
def test_starting_a_big_export_from_the_list_reads_as_many_rows_for_600_cards_as_for_300(
    staff_client, make_deck, big, queued_tasks, action
):
    # Both lists span pages: the list reads its first page (3 queries) before any action.
    staff_client.get(CARDS)  # the first request of a session reads its user
    counts = []
    decks = make_deck(300, slug="some"), make_deck(600, slug="many")
    tree_scopes_kept()  # the decks' tree the deck filter names them by, kept once they are made
    for deck in decks:
        with CaptureQueriesContext(connection) as queries:
            response = export_all(staff_client, action, deck__id__exact=deck.pk)
        assert response.status_code == 302
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert sorted(job.cards.count() for job in ExportJob.objects.all()) == [300, 600]


@pytest.mark.parametrize("kind", ["apkg", "txt"])
def test_starting_a_cards_export_reads_as_many_rows_for_300_cards_as_for_3(
    staff, make_deck, queued_tasks, kind
):
    counts = []
    for deck in (make_deck(3, slug="few"), make_deck(300, slug="many")):
        with CaptureQueriesContext(connection) as queries:
            job = cards_export_job_start(cards=deck.cards.all(), created_by=staff, kind=kind)
        counts.append(len(queries))
        assert job.cards.count() == deck.cards.count()

    assert counts[0] == counts[1]


def test_cards_deleted_before_the_worker_came_are_told_not_failed(
    staff_client, make_deck, big, queued_tasks
):
    deck = make_deck(5)
    export(staff_client, deck.cards.all())
    job = ExportJob.objects.get()
    deck.cards.filter(number__in=[1, 2]).delete()

    run_exports()

    job.refresh_from_db()
    assert (job.status, job.notes) == ("done", 3)
    assert (
        "2 of the 5 cards chosen were deleted after the export was asked for: "
        "the file holds the others"
    ) in staff_client.get(job_url(job)).text


def test_an_export_whose_cards_were_all_deleted_says_so(staff_client, make_deck, big, queued_tasks):
    deck = make_deck(3)
    export(staff_client, deck.cards.all(), action="export_anki")
    job = ExportJob.objects.get()
    deck.cards.all().delete()

    run_exports()

    page = staff_client.get(job_url(job))
    assert page.status_code == 200
    assert "3 cards could not be exported" in page.text
    assert "Every card of this export (3 cards) was deleted after it was asked for" in page.text
    assert f'<a href="{CARDS}">card list</a>' in page.text


def test_ids_of_cards_that_do_not_exist_are_said_so(staff_client, make_deck):
    make_deck(3)

    response = staff_client.post(
        CARDS, {"action": "export_apkg", "_selected_action": ["999999", "-1"]}, follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        "None of the selected cards exists any more: nothing to export."
    ]


@pytest.mark.parametrize(
    "chosen",
    [["tensor-1"], ["550e8400-e29b-41d4-a716-446655440000"], ["9" * 30], ["1.5"]],
    ids=["slug", "uuid", "past-the-column", "decimal"],
)
def test_ids_that_are_no_card_ids_are_refused_with_a_400(staff_client, make_deck, chosen):
    make_deck(3)

    response = staff_client.post(CARDS, {"action": "export_apkg", "_selected_action": chosen})

    assert response.status_code == 400
    assert "is not the id of a card. Nothing was changed." in response.text


def test_ten_thousand_ids_are_refused_with_a_400_that_says_what_to_do(staff_client, make_deck):
    make_deck(3)
    chosen = [str(number) for number in range(1, 10_001)]

    response = staff_client.post(CARDS, {"action": "export_apkg", "_selected_action": chosen})

    assert response.status_code == 400
    assert "It sent more than 1,000 fields." in response.text
    assert "Select all" in response.text
    assert not ExportJob.objects.exists()


def test_staff_who_may_see_decks_but_not_cards_cannot_download_an_export(
    client, django_user_model, make_deck, big, queued_tasks
):
    deck = make_deck(3)
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_deck"))
    client.force_login(clerk)
    job = ExportJob.objects.create(holds="cards", chosen=3, label="3 cards", file_stem="cards")
    job.cards.set(deck.cards.all())

    assert client.get(job_url(job)).status_code == 403
    download = reverse("admin:quizzes_deck_export_download", args=[job.pk])
    assert client.get(download).status_code == 403
    assert client.get(reverse("admin:quizzes_exportjob_changelist")).status_code == 403


def test_staff_who_may_only_see_cards_export_them(client, django_user_model, make_deck):
    deck = make_deck(3)
    reader = django_user_model.objects.create_user("reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_card"))
    client.force_login(reader)

    response = export(client, deck.cards.all())

    assert response["Content-Disposition"] == 'attachment; filename="cards.apkg"'
    assert Card.objects.count() == 3


@pytest.fixture
def notes_of_several_cards(tmp_path):
    """A deck of a reversed note (two cards), a cloze of two numbers and a Basic note."""
    deck = Deck.objects.create(name="Biology", slug="biology")
    notes = [
        (REVERSED, ["Cell", "Unit of life"]),
        (CLOZE, ["{{c1::Mito}}chon{{c2::dria}}", ""]),
        ("Basic", ["Plain", "Answer"]),
    ]
    package = anki_package(tmp_path, notes).read_bytes()
    anki_import_apply(deck=deck, data=package, source="small.apkg")
    return deck


def note_cards(deck) -> set[tuple[str, int, str]]:
    return set(deck.cards.values_list("note_type", "card_ord", "question_text"))


@pytest.mark.parametrize("action", ["export_apkg", "export_anki"])
def test_a_note_one_of_whose_cards_is_ticked_exports_whole(
    staff_client, notes_of_several_cards, action
):
    # The reverse card alone went out as a note with an empty first card, which Anki
    # skips; the second cloze number alone as the whole cloze, unsaid.
    deck = notes_of_several_cards
    before = note_cards(deck)
    reverse_card = deck.cards.get(note_type=REVERSED, card_ord=1)
    second_cloze = deck.cards.get(note_type=CLOZE, card_ord=1)

    response = export(staff_client, [reverse_card, second_cloze], action=action)

    if action == "export_apkg":
        assert package_decks(response.content) == {
            "Biology": ["Cell", "Cell", *["{{c1::Mito}}chon{{c2::dria}}"] * 2]
        }
    Card.objects.all().delete()
    deck.refresh_from_db()
    source = "cards.apkg" if action == "export_apkg" else "cards.txt"
    anki_import_apply(deck=deck, data=response.content, source=source)
    assert note_cards(deck) == {card for card in before if card[2] != "Plain"}
    told = staff_client.get(CARDS)
    assert (
        "2 cards not ticked came with the notes of cards ticked (a reverse card, another "
        "cloze number): Anki exports a note with all its cards."
    ) in messages_of(told)


def test_the_worker_exports_the_notes_of_the_cards_ticked_whole_and_says_so(
    staff_client, notes_of_several_cards, big, queued_tasks
):
    deck = notes_of_several_cards
    ticked = [deck.cards.get(note_type=REVERSED, card_ord=1), deck.cards.get(note_type="Basic")]
    ticked.append(deck.cards.get(note_type=CLOZE, card_ord=0))
    export(staff_client, ticked)
    job = ExportJob.objects.get()

    run_exports()

    job.refresh_from_db()
    assert (job.status, job.notes, job.total) == ("done", 3, 5)
    assert job.notice == (
        "2 cards not ticked came with the notes of cards ticked (a reverse card, another "
        "cloze number): Anki exports a note with all its cards"
    )
    download = staff_client.get(reverse("admin:quizzes_deck_export_download", args=[job.pk]))
    assert len(package_decks(b"".join(download.streaming_content))["Biology"]) == 5


@pytest.mark.parametrize("action", ["export_apkg", "export_anki"])
def test_cards_ticked_within_the_limit_whose_notes_go_over_it_go_to_the_worker(
    staff_client, notes_of_several_cards, big, queued_tasks, action
):
    # Two cards ticked, the limit 2: the request built a file of their four cards.
    deck = notes_of_several_cards
    ticked = [
        deck.cards.get(note_type=REVERSED, card_ord=1),
        deck.cards.get(note_type=CLOZE, card_ord=0),
    ]

    response = export(staff_client, ticked, action=action)

    job = ExportJob.objects.get()
    assert response.url == job_url(job)
    run_exports()
    job.refresh_from_db()
    assert job.status == "done"
    assert job.notice.startswith("2 cards not ticked came with the notes of cards ticked")


@pytest.mark.parametrize("kind", ["apkg", "txt"])
def test_a_selection_that_names_a_card_twice_counts_and_exports_it_once(
    staff, make_deck, queued_tasks, kind
):
    # Each card matched both tags: "6 cards", then "3 of the 6 cards chosen were deleted".
    deck = make_deck(3, tags=("layers", "tensors"))
    for card in deck.cards.all():
        card.tags.set(Tag.objects.all())
    chosen_twice = Card.objects.filter(tags__slug__in=["layers", "tensors"])
    assert chosen_twice.count() == 6

    job = cards_export_job_start(cards=chosen_twice, created_by=staff, kind=kind)
    assert (job.chosen, job.label, job.total, job.cards.count()) == (3, "3 cards", 3, 3)
    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.notes, job.notice) == ("done", 3, "")


@pytest.mark.parametrize("action", ["export_apkg", "export_anki"])
def test_a_note_whose_cards_sit_in_two_decks_comes_whole_from_either_deck(
    staff_client, notes_of_several_cards, action
):
    zoology = Deck.objects.create(name="Zoology", slug="zoology")
    reverse_card = notes_of_several_cards.cards.get(note_type=REVERSED, card_ord=1)
    Card.objects.filter(pk=reverse_card.pk).update(deck=zoology)

    response = export(staff_client, [reverse_card], action=action)

    if action == "export_apkg":
        assert package_decks(response.content) == {"Biology": ["Cell"], "Zoology": ["Cell"]}
    else:
        cards = parse_anki(response.content, source="cards.txt")
        assert sorted((card.question_html, card.answer_html) for card in cards) == [
            ("Cell", "Unit of life"),
            ("Unit of life", "Cell"),
        ]
    assert (
        "1 card not ticked came with the notes of cards ticked"
        in messages_of(staff_client.get(CARDS))[0]
    )


def test_a_card_ticked_brings_its_own_decks_sibling_not_a_copys(db):
    # A reversed note imported into two decks: the front card ticked in Year 1 brought
    # Year 2's reverse card too, which the export then left out and named as a copy.
    text = "#notetype:Basic (and reversed card)\n#guid column:3\nHund\tdog\thund-1\n"
    for slug in ("year-1", "year-2"):
        deck = Deck.objects.create(name=slug.title(), slug=slug)
        anki_import_apply(deck=deck, data=text, source="german.txt")
    front = Card.objects.get(deck__slug="year-1", card_ord=0)

    cards, notice = whole_notes(cards=Card.objects.filter(pk=front.pk))
    exported = cards_export_anki(cards=cards)

    assert sorted(cards.values_list("deck__slug", "card_ord")) == [("year-1", 0), ("year-1", 1)]
    assert notice.startswith("1 card not ticked came with the notes of cards ticked")
    assert (exported.notes, exported.notice) == (1, "")
