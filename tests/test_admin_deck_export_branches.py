"""The deck list's exports of several decks: a deck with its subdecks (Anki's "export deck"
takes them), or decks ticked side by side, as one Anki package or text file in which each
deck stays a deck of its own; a big one built by the worker, as one deck's is."""

from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.importing.anki import parse_anki
from quizzes.models import CachedImage, Card, Deck, ExportJob, MediaFile, Tag
from quizzes.services.anki_io import anki_import_apply
from quizzes.services.deck_exports import decks_export_job_start, export_job_run
from tests.factories import image_bytes, package_decks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("exports_dir")]

DECKS = reverse("admin:quizzes_deck_changelist")
IMPORT = reverse("admin:quizzes_deck_import_anki")
PNG = image_bytes("PNG", (4, 3))
# Anki's tree as a course has it: each deck's notes (front, back, tags).
MEDICINE = {
    "Medicine": [("What is a vital sign?", "Pulse, breath, heat", "exam")],
    "Medicine::Cardiology": [
        ("Normal heart rate?", '60 to 100 a minute <img src="heart.png">', "exam heart"),
        ("What does an ECG record?", "The heart's electrical activity", ""),
    ],
    "Medicine::Cardiology::Drugs": [("What does a beta blocker slow?", "The heart", "drugs")],
    "Physics": [("What is inertia?", "Resistance to a change of motion", "")],
}


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def anki_package(folder: Path, decks: dict) -> bytes:
    """An .apkg of all `decks`, as Anki writes it, with heart.png among its media."""
    collection = Collection(str(folder / "source.anki2"))
    for deck, notes in decks.items():
        for front, back, tags in notes:
            note = collection.new_note(collection.models.by_name("Basic"))
            note["Front"], note["Back"] = front, back
            note.tags = tags.split()
            note.guid = front[:20]
            collection.add_note(note, collection.decks.id(deck))
    collection.media.write_data("heart.png", PNG)
    path = folder / "all.apkg"
    collection.export_anki_package(
        out_path=str(path), options=ExportAnkiPackageOptions(with_media=True), limit=None
    )
    collection.close()
    return path.read_bytes()


@pytest.fixture
def course(tmp_path):
    """Medicine, its subdecks and Physics, imported from Anki into a deck "Courses"."""
    top = Deck.objects.create(name="Courses", slug="courses")
    anki_import_apply(deck=top, data=anki_package(tmp_path, MEDICINE), source="all.apkg")
    return {deck.name.removeprefix("Courses::"): deck for deck in Deck.objects.all()}


def export(client, decks, action="export_apkg", **kwargs):
    chosen = [deck.pk for deck in decks]
    return client.post(DECKS, {"action": action, "_selected_action": chosen}, **kwargs)


def test_a_deck_exports_with_its_subdecks_each_a_deck_of_its_own(staff_client, course):
    response = export(staff_client, [course["Medicine"]])

    assert response["Content-Disposition"] == 'attachment; filename="courses-medicine.apkg"'
    assert package_decks(response.content) == {
        "Courses::Medicine": ["What is a vital sign?"],
        "Courses::Medicine::Cardiology": ["Normal heart rate?", "What does an ECG record?"],
        "Courses::Medicine::Cardiology::Drugs": ["What does a beta blocker slow?"],
    }
    assert not ExportJob.objects.exists()


def test_decks_ticked_side_by_side_are_one_package(staff_client, course):
    # Before, the action refused more than one deck ("Select one deck").
    response = export(staff_client, [course["Medicine::Cardiology::Drugs"], course["Physics"]])

    assert response["Content-Disposition"] == 'attachment; filename="decks.apkg"'
    assert package_decks(response.content) == {
        "Courses::Medicine::Cardiology::Drugs": ["What does a beta blocker slow?"],
        "Courses::Physics": ["What is inertia?"],
    }


def test_the_text_export_of_a_deck_takes_its_subdecks_in_its_deck_column(staff_client, course):
    response = export(staff_client, [course["Medicine::Cardiology"]], action="export_anki")

    assert (
        response["Content-Disposition"] == 'attachment; filename="courses-medicine-cardiology.txt"'
    )
    records = parse_anki(response.content, source="x.txt")
    assert {(record.anki_deck, record.question_text) for record in records} == {
        ("Courses::Medicine::Cardiology", "Normal heart rate?"),
        ("Courses::Medicine::Cardiology", "What does an ECG record?"),
        ("Courses::Medicine::Cardiology::Drugs", "What does a beta blocker slow?"),
    }


@pytest.fixture
def big(settings):
    settings.QUIZSITE_PACKAGE_IN_REQUEST_CARDS = 1
    settings.QUIZSITE_TEXT_EXPORT_IN_REQUEST_CARDS = 1


def run_exports():
    for job in ExportJob.objects.filter(status="queued"):
        export_job_run(job_id=job.pk)


def job_url(job):
    return reverse("admin:quizzes_deck_export_job", args=[job.pk])


@pytest.mark.parametrize("action", ["export_apkg", "export_anki"])
def test_a_big_branch_is_built_by_the_worker_and_downloaded_from_its_page(
    staff_client, course, big, queued_tasks, action
):
    # Several decks' text file was written in the request, however big.
    response = export(staff_client, [course["Medicine"]], action=action)

    job = ExportJob.objects.get()
    assert response.url == job_url(job)
    assert (job.holds, job.chosen, job.total) == ("decks", 3, 4)
    assert "Waiting for the background worker" in staff_client.get(job_url(job)).text
    run_exports()
    page = staff_client.get(job_url(job))
    suffix = "apkg" if action == "export_apkg" else "txt"
    assert "Courses::Medicine and its 2 subdecks: ready to download" in page.text
    assert f"Download courses-medicine.{suffix}" in page.text
    download = staff_client.get(reverse("admin:quizzes_deck_export_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    if action == "export_apkg":
        assert sorted(package_decks(content)) == [
            "Courses::Medicine",
            "Courses::Medicine::Cardiology",
            "Courses::Medicine::Cardiology::Drugs",
        ]
    else:
        assert len(parse_anki(content, source="x.txt")) == 4
    exports = staff_client.get(reverse("admin:quizzes_exportjob_changelist"))
    assert "Courses::Medicine and its 2 subdecks" in exports.text


def test_a_deck_deleted_before_the_worker_came_is_told_not_failed(
    staff_client, course, big, queued_tasks
):
    export(staff_client, [course["Medicine::Cardiology::Drugs"], course["Physics"]])
    job = ExportJob.objects.get()
    course["Physics"].delete()

    run_exports()

    job.refresh_from_db()
    assert job.status == "done"
    assert job.notes == 1
    page = staff_client.get(job_url(job)).text
    assert (
        "1 of the 2 decks chosen was deleted after the export was asked for: "
        "the file holds the others"
    ) in page


def test_an_export_whose_decks_were_all_deleted_says_so(staff_client, course, big, queued_tasks):
    export(staff_client, [course["Medicine::Cardiology::Drugs"], course["Physics"]])
    job = ExportJob.objects.get()
    Deck.objects.filter(
        pk__in=[course["Medicine::Cardiology::Drugs"].pk, course["Physics"].pk]
    ).delete()

    run_exports()

    page = staff_client.get(job_url(job))
    assert page.status_code == 200
    assert "could not be exported" in page.text
    assert (
        "Every deck of this export (Courses::Medicine::Cardiology::Drugs, Courses::Physics) "
        "was deleted after it was asked for: there is nothing left to export."
    ) in page.text


def snapshot() -> dict[str, list[tuple]]:
    """The site's decks as a learner sees them: each card's question, answer, tags and the
    bytes of its images."""
    found: dict[str, list[tuple]] = {}
    cards = Card.objects.select_related("deck").prefetch_related("tags", "card_images__image")
    for card in cards.order_by("question_text"):
        images = tuple(Path(place.image.file.path).read_bytes() for place in card.card_images.all())
        tags = tuple(sorted(tag.name for tag in card.tags.all()))
        found.setdefault(card.deck.name, []).append(
            (card.question_text, card.answer_text, tags, images)
        )
    return found


def test_a_branch_exported_and_imported_into_an_empty_site_gives_back_the_same_decks(
    staff_client, course
):
    before = {
        name: cards for name, cards in snapshot().items() if name.startswith("Courses::Medicine")
    }
    assert before["Courses::Medicine::Cardiology"][0][3] == (PNG,)
    package = export(staff_client, [course["Medicine"]]).content
    for model in (Card, Deck, CachedImage, MediaFile, Tag):
        model.objects.all().delete()

    medicine = Deck.objects.create(name="Courses::Medicine", slug="medicine")
    anki_import_apply(deck=medicine, data=package, source="courses-medicine.apkg")

    assert snapshot() == before


def test_staff_who_may_not_see_cards_are_not_offered_the_exports(client, django_user_model, course):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_deck"))
    client.force_login(clerk)

    listing = client.get(DECKS)
    response = export(client, [course["Physics"]], follow=True)

    assert listing.status_code == 200
    assert "export_apkg" not in listing.text
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert not ExportJob.objects.exists()


def test_decks_deleted_since_the_list_was_loaded_are_said_so(staff_client, course):
    gone = course["Physics"]
    Deck.objects.filter(pk=gone.pk).delete()

    response = export(staff_client, [gone], follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "None of the selected decks exists any more: nothing to export."
    ]


def test_the_action_names_say_the_subdecks_come_too(staff_client, course):
    listing = staff_client.get(DECKS).text

    assert "Export the selected decks, with their subdecks, as an Anki package (.apkg)" in listing


def test_a_branch_asked_for_again_before_it_is_built_is_built_once(
    staff_client, course, big, queued_tasks
):
    first = export(staff_client, [course["Medicine"]])
    again = export(staff_client, [course["Medicine"]])
    other = export(staff_client, [course["Medicine::Cardiology"]])

    assert again.url == first.url
    assert other.url != first.url
    assert ExportJob.objects.count() == 2


@pytest.fixture
def namesakes(make_deck):
    """Two decks both named "Biology" (two teachers' of one course), then "Chemistry"."""
    for slug, name in (("bio-a", "Biology"), ("bio-b", "biology"), ("chem", "Chemistry")):
        deck = make_deck(2, slug=slug)
        Deck.objects.filter(pk=deck.pk).update(name=name)
        for card in deck.cards.all():  # the same words in each deck: a note of each
            Card.objects.filter(pk=card.pk).update(guid=f"{slug}-{card.number}")
    return list(Deck.objects.order_by("pk"))


RENAMED = (
    "Anki keeps one deck of a name: decks named as another here are exported under their "
    "slug, bio-b as 'biology (bio-b)'"
)


@pytest.mark.parametrize("action", ["export_apkg", "export_anki"])
def test_decks_of_the_same_name_stay_apart_the_second_under_its_slug(
    staff_client, namesakes, action
):
    # Anki ignores case: both went into one Anki deck "Biology", four cards mixed.
    response = export(staff_client, namesakes, action=action)

    if action == "export_apkg":
        assert {name: len(fronts) for name, fronts in package_decks(response.content).items()} == {
            "Biology": 2,
            "biology (bio-b)": 2,
            "Chemistry": 2,
        }
    else:
        records = parse_anki(response.content, source="decks.txt")
        assert sorted({record.anki_deck for record in records}) == [
            "Biology",
            "Chemistry",
            "biology (bio-b)",
        ]
    page = staff_client.get(DECKS).text
    assert RENAMED.replace("'", "&#x27;") in page


def test_an_export_of_a_deck_and_its_subdecks_names_it_apart_from_another_of_its_name(
    staff, make_deck, queued_tasks
):
    # "Biology and its 1 subdeck" said neither teacher's Biology it was.
    biology = make_deck(1, slug="bio-a", name="Biology")
    make_deck(1, slug="bio-b", name="biology")
    cells = make_deck(1, slug="cells", name="Biology::Cells")

    job = decks_export_job_start(decks=[biology, cells], created_by=staff)

    assert job.label == "Biology (bio-a) and its 1 subdeck"


def test_a_deck_named_as_another_decks_export_name_takes_a_number_too(staff_client, make_deck):
    # bio-b went out as "Biology (bio-b)", the name of the deck odd too: one Anki deck.
    for slug, name in (("bio-a", "Biology"), ("odd", "BIOLOGY (BIO-B)"), ("bio-b", "Biology")):
        Deck.objects.filter(pk=make_deck(1, slug=slug).pk).update(name=name)

    response = export(staff_client, Deck.objects.all())

    assert {name: len(fronts) for name, fronts in package_decks(response.content).items()} == {
        "Biology": 1,
        "BIOLOGY (BIO-B)": 1,
        "Biology (bio-b) 2": 1,
    }
    assert "bio-b as &#x27;Biology (bio-b) 2&#x27;" in staff_client.get(DECKS).text


def test_the_worker_tells_the_decks_it_exported_under_their_slug(
    staff_client, namesakes, big, queued_tasks
):
    export(staff_client, namesakes)
    run_exports()

    job = ExportJob.objects.get()
    assert (job.status, job.notice) == ("done", RENAMED)
    download = staff_client.get(reverse("admin:quizzes_deck_export_download", args=[job.pk]))
    decks = package_decks(b"".join(download.streaming_content))
    assert sorted(decks) == ["Biology", "Chemistry", "biology (bio-b)"]


def import_back(client, into: Deck, package: bytes, **choices):
    """The import page's upload of `package` into `into`, then its preview with `choices`."""
    file = SimpleUploadedFile("decks.apkg", package)
    upload = client.post(IMPORT, {"deck": into.pk, "file": file}, follow=True)
    return client.get(upload.request["PATH_INFO"], choices)


def test_decks_exported_together_and_imported_back_are_the_same_decks(staff_client, namesakes):
    # They came back as Inbox::Biology, Inbox::biology (bio-b) and Inbox::Chemistry, new
    # decks of copies of every card.
    inbox = Deck.objects.create(name="Inbox", slug="inbox")
    before = {deck.slug: sorted(deck.cards.values_list("pk", flat=True)) for deck in namesakes}
    package = export(staff_client, namesakes).content

    preview = import_back(staff_client, inbox, package)

    assert "0 new, 0 changed, 6 unchanged, in 3 decks (0 made)" in preview.text
    assert [(target.anki_name, target.deck.slug) for target in preview.context["plan"].decks] == [
        ("Biology", "bio-a"),
        ("Chemistry", "chem"),
        ("biology (bio-b)", "bio-b"),
    ]
    # Below the deck chosen, the notes already here are found where they are, by guid.
    below = import_back(staff_client, inbox, package, decks="below")
    assert "0 new, 0 changed, 6 unchanged, in 3 decks (0 made)" in below.text
    assert Deck.objects.count() == 4
    after = {deck.slug: sorted(deck.cards.values_list("pk", flat=True)) for deck in namesakes}
    assert after == before


def test_decks_exported_together_come_back_by_name_on_an_empty_site(staff_client, namesakes):
    chosen = [deck for deck in namesakes if deck.slug != "bio-b"]
    before = snapshot()
    del before["biology"]
    package = export(staff_client, chosen).content
    for model in (Card, Deck, Tag):
        model.objects.all().delete()
    inbox = Deck.objects.create(name="Inbox", slug="inbox")

    preview = import_back(staff_client, inbox, package)
    import_pressed = {"action": "import", "previewed": preview.context["previewed"]}
    done = staff_client.post(preview.request["PATH_INFO"], import_pressed, follow=True)

    assert "Imported decks.apkg: 4 new, 0 changed, 0 unchanged, in 2 decks (2 made)." in (
        str(message) for message in done.context["messages"]
    )
    assert snapshot() == before
    assert sorted(Deck.objects.values_list("slug", flat=True)) == ["biology", "chemistry", "inbox"]


@pytest.mark.parametrize("action", ["export_apkg", "export_anki"])
def test_one_anki_deck_imported_into_two_decks_goes_out_once_and_the_copies_are_named(
    staff_client, tmp_path, action
):
    package = anki_package(tmp_path, {"Physics": MEDICINE["Physics"]})
    for slug in ("physics-1", "physics-2"):
        deck = Deck.objects.create(name=slug.title(), slug=slug)
        anki_import_apply(deck=deck, data=package, source="physics.apkg")

    response = export(staff_client, Deck.objects.all(), action=action)

    if action == "export_apkg":
        assert package_decks(response.content) == {"Physics-1": ["What is inertia?"]}
    else:
        assert len(parse_anki(response.content, source="decks.txt")) == 1
    assert (
        "1 note left out, each a copy of a note of another deck the file holds (the same "
        "Anki guid, as when one Anki deck is imported into two decks here), as Anki keeps "
        "one note of a guid: physics-2 #1"
    ) in staff_client.get(DECKS).text
