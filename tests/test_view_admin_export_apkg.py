"""The deck list's "Export ... as an Anki package" and "... as an Anki file" actions: a small
deck downloads at once; a big one is built by the worker while a page shows its progress,
then offers the file to staff alone for a day."""

import http.client
import io
import os
import time
from urllib.parse import urlsplit
from zipfile import ZipFile

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from quizzes.models import Deck, ExportJob
from quizzes.services.anki_io import anki_import_apply, anki_import_plan, cards_export_anki
from quizzes.services.deck_exports import export_job_run

pytestmark = pytest.mark.django_db

DECKS = reverse("admin:quizzes_deck_changelist")
THREE_CARDS = (
    "#separator:tab\n#html:true\n#guid column:3\n"
    "What is a tensor?\tAn array with any number of axes.\tg-1\n"
    "What is SGD?\tStochastic gradient descent.\tg-2\n"
    "What is a batch?\tA slice of the data.\tg-3\n"
)


@pytest.fixture(autouse=True)
def folders(media_root, settings, tmp_path):
    settings.QUIZSITE_EXPORTS_DIR = tmp_path / "exports"
    return settings.QUIZSITE_EXPORTS_DIR


@pytest.fixture
def basics(db):
    deck = Deck.objects.create(name="Basics", slug="basics")
    anki_import_apply(deck=deck, data=THREE_CARDS, source="basics.txt")
    return deck


@pytest.fixture
def big(settings):
    """The deck's three cards count as a big deck."""
    settings.QUIZSITE_PACKAGE_IN_REQUEST_CARDS = 2


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def export(client, deck, **kwargs):
    return client.post(DECKS, {"action": "export_apkg", "_selected_action": [deck.pk]}, **kwargs)


def job_url(job):
    return reverse("admin:quizzes_deck_export_job", args=[job.pk])


def download_url(job):
    return reverse("admin:quizzes_deck_export_download", args=[job.pk])


def run_worker():
    """`manage.py db_worker` itself: it closes the database connection as it finishes, so a
    test running it keeps no transaction open (django_db(transaction=True))."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def run_exports():
    """What the worker runs for each export waiting, without the worker."""
    for job in ExportJob.objects.filter(status="queued"):
        export_job_run(job_id=job.pk)


def notes_in(package: bytes) -> int:
    return len(anki_import_plan(deck=Deck(slug="back"), data=package, source="x.apkg").new)


def test_a_small_deck_downloads_at_once(staff_client, basics):
    response = export(staff_client, basics)

    assert response["Content-Disposition"] == 'attachment; filename="basics.apkg"'
    assert notes_in(response.content) == 3
    assert not ExportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_big_deck_is_built_by_the_worker_while_its_page_shows_progress(
    staff_client, basics, big, queued_tasks, folders, media_root
):
    # It was built inside the request: 30,000 cards with images outlasted gunicorn's 30 s.
    response = export(staff_client, basics)

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == job_url(job)
    waiting = staff_client.get(job_url(job))
    assert "Waiting for the background worker" in waiting.text
    assert 'hx-trigger="every 1s"' in waiting.text
    fragment = staff_client.get(job_url(job), headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="export-progress"')

    run_worker()

    done = staff_client.get(job_url(job), headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.text
    assert "Download basics.apkg" in done.text
    assert "3 notes" in done.text
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    download = staff_client.get(download_url(job))
    assert download["Content-Disposition"] == 'attachment; filename="basics.apkg"'
    package = b"".join(download.streaming_content)
    assert "collection.anki21b" in ZipFile(io.BytesIO(package)).namelist()
    assert notes_in(package) == 3
    # Not where the proxy serves media to anyone.
    assert [path.name for path in folders.iterdir()] == [job.file_name]
    assert not media_root.exists() or not list(media_root.rglob("*.apkg"))


def test_a_deck_asked_for_again_before_it_is_built_is_built_once(
    staff_client, basics, big, queued_tasks
):
    first = export(staff_client, basics)
    again = export(staff_client, basics)

    job = ExportJob.objects.get()
    assert first.url == again.url == job_url(job)
    run_exports()
    job.refresh_from_db()
    assert job.status == "done"
    export(staff_client, basics)
    assert ExportJob.objects.count() == 2  # finished, it is exported afresh


def test_an_export_the_worker_never_finished_does_not_hold_up_the_next(
    staff_client, basics, big, queued_tasks, folders
):
    # A worker killed while it built one left it "running", and its half-written file.
    with time_machine.travel("2026-12-01 09:00Z"):
        export(staff_client, basics)
    stuck = ExportJob.objects.get()
    ExportJob.objects.filter(pk=stuck.pk).update(status="running")
    folders.mkdir(parents=True)
    left_behind = folders / f"{stuck.pk}-0123456789abcdef.apkg.part"
    left_behind.write_bytes(b"half a package")
    day_old = time_machine.travel("2026-12-01 09:00Z", tick=False)
    with day_old:
        os.utime(left_behind, (time.time(), time.time()))

    with time_machine.travel("2026-12-01 09:45Z"):
        again = export(staff_client, basics)
    with time_machine.travel("2026-12-02 09:46Z"):
        export(staff_client, basics)

    assert again.url != job_url(stuck)
    assert not ExportJob.objects.filter(pk=stuck.pk).exists()
    assert not left_behind.exists()


def test_a_learner_and_a_guest_cannot_see_or_download_an_export(
    client, alice, basics, big, queued_tasks
):
    client.force_login(alice)
    export(client, basics)
    job = ExportJob.objects.create(deck=basics, total=3)
    client.logout()

    for who in (alice, None):
        if who:
            client.force_login(who)
        for url in (job_url(job), download_url(job)):
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))
    assert ExportJob.objects.count() == 1


def test_staff_without_the_decks_cannot_see_an_export(client, django_user_model, basics):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    job = ExportJob.objects.create(deck=basics, total=3)
    client.force_login(clerk)

    assert client.get(job_url(job)).status_code == 403
    assert client.get(download_url(job)).status_code == 403


def test_a_running_export_says_what_it_is_doing(staff_client, basics):
    job = ExportJob.objects.create(deck=basics, total=3000, status="running")
    reading = staff_client.get(job_url(job), headers={"HX-Request": "true"})
    ExportJob.objects.filter(pk=job.pk).update(done=1000)
    writing = staff_client.get(job_url(job), headers={"HX-Request": "true"})

    # It said "0 of 3000 cards written" while it read the cards before writing any.
    assert "Reading the deck's 3000 cards" in reading.text
    assert "1000 of 3000 cards written (33%)" in writing.text


def test_its_page_names_its_deck_apart_from_another_of_its_name(staff_client, basics):
    Deck.objects.create(name="basics", slug="basics-b")
    job = ExportJob.objects.create(deck=basics, total=3, status="failed", error="Disk full.")

    page = BeautifulSoup(staff_client.get(job_url(job)).text, "html.parser")

    assert page.title.get_text().startswith("Export Basics (basics) as an Anki package")
    assert page.select(".breadcrumbs a")[-1].get_text() == "Basics (basics)"
    assert page.h2.get_text() == "Basics (basics) could not be exported"


def test_a_download_asked_before_it_is_ready_says_so(staff_client, basics, big, queued_tasks):
    export(staff_client, basics)

    response = staff_client.get(download_url(ExportJob.objects.get()))

    assert response.status_code == 404
    assert "not ready" in response.text


def test_an_export_is_forgotten_with_its_file_a_day_later(
    staff_client, basics, big, queued_tasks, folders
):
    with time_machine.travel("2026-12-01 09:00Z"):
        export(staff_client, basics)
        run_exports()
    old = ExportJob.objects.get()
    assert (folders / old.file_name).is_file()

    with time_machine.travel("2026-12-02 09:01Z"):
        export(staff_client, basics)

    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert not (folders / old.file_name).exists()
    assert staff_client.get(job_url(old)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_export_that_fails_says_why_and_keeps_nothing(
    staff_client, basics, big, queued_tasks, folders
):
    folders.parent.mkdir(parents=True, exist_ok=True)
    folders.write_text("a file where the folder should be")
    export(staff_client, basics)

    run_worker()

    job = ExportJob.objects.get()
    page = staff_client.get(job_url(job))
    assert job.status == "failed"
    assert "could not be exported" in page.text
    assert "hx-trigger" not in page.text
    assert staff_client.get(download_url(job)).status_code == 404


def test_the_export_page_reads_a_few_rows(
    staff_client, basics, big, queued_tasks, django_assert_max_num_queries
):
    export(staff_client, basics)
    run_exports()
    job = ExportJob.objects.get()

    with django_assert_max_num_queries(6):
        staff_client.get(job_url(job), headers={"HX-Request": "true"})


def test_the_exports_list_leads_back_to_each_exports_page(
    client, editor, basics, big, queued_tasks, django_user_model
):
    # Once its page was left, an export could not be found again.
    client.force_login(editor)
    export(client, basics)
    job = ExportJob.objects.get()
    exports = reverse("admin:quizzes_exportjob_changelist")

    waiting = client.get(exports)
    run_exports()
    ready = client.get(exports)

    assert f'<a href="{job_url(job)}">queued, 0%</a>' in waiting.text
    assert f'<a href="{job_url(job)}">ready: basics.apkg (3 notes)</a>' in ready.text
    opened = client.get(reverse("admin:quizzes_exportjob_change", args=[job.pk]))
    assert opened.url == job_url(job)
    assert client.get(reverse("admin:quizzes_exportjob_add")).status_code == 403
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(exports).status_code == 403
    assert client.get(reverse("admin:quizzes_exportjob_change", args=[job.pk])).status_code == 403


# --- the text export (Anki's plain text), the same way above its own size ---


@pytest.fixture
def big_text(settings):
    """The deck's three cards count as a big deck for a text export."""
    settings.QUIZSITE_TEXT_EXPORT_IN_REQUEST_CARDS = 2


def export_text(client, deck, **kwargs):
    return client.post(DECKS, {"action": "export_anki", "_selected_action": [deck.pk]}, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_big_decks_text_export_is_written_by_the_worker(
    staff_client, basics, big_text, queued_tasks, folders
):
    # It was written inside the request: 30,000 cards took 5 s of a web worker.
    response = export_text(staff_client, basics)

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == job_url(job)
    assert job.kind == "txt"
    waiting = staff_client.get(job_url(job))
    assert "Export Basics as an Anki text file" in waiting.text
    assert "Waiting for the background worker" in waiting.text

    run_worker()

    done = staff_client.get(job_url(job), headers={"HX-Request": "true"})
    assert "Download basics.txt" in done.text and "3 notes" in done.text
    download = staff_client.get(download_url(job))
    assert download["Content-Disposition"] == 'attachment; filename="basics.txt"'
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    text = b"".join(download.streaming_content).decode()
    # The very file the request would have sent.
    assert text == cards_export_anki(cards=basics.cards.all(), deck_name="Basics").text
    assert len(anki_import_plan(deck=Deck(slug="back"), data=text, source="b.txt").new) == 3
    job.refresh_from_db()
    assert [path.name for path in folders.iterdir()] == [job.file_name]


def test_a_small_decks_text_export_downloads_at_once(staff_client, basics, big):
    """The package's size does not send the text to the worker: it has a size of its own."""
    response = export_text(staff_client, basics)

    assert response["Content-Disposition"] == 'attachment; filename="basics.txt"'
    assert not ExportJob.objects.exists()


def test_a_text_export_and_a_package_of_one_deck_are_two_exports(
    staff_client, basics, big, big_text, queued_tasks
):
    package = export(staff_client, basics)
    text = export_text(staff_client, basics)
    text_again = export_text(staff_client, basics)

    assert package.url != text.url == text_again.url
    assert sorted(ExportJob.objects.values_list("kind", flat=True)) == ["apkg", "txt"]


def test_a_big_text_export_tells_what_anki_makes_of_notes_of_cards_of_their_own(
    staff_client, big_text, queued_tasks
):
    deck = Deck.objects.create(name="Own", slug="own")
    own = "#notetype:Cards of their own (3)\n#guid column:7\nq1\ta1\tq2\ta2\tq3\ta3\tg1\n"
    anki_import_apply(deck=deck, data=own, source="own.txt")

    export_text(staff_client, deck)
    run_exports()

    page = staff_client.get(job_url(ExportJob.objects.get()))
    assert "own.txt: 1 note of a note type of the user&#x27;s own written as" in page.text
    assert "1 note," in page.text


def test_a_big_export_resumes_where_a_cut_download_stopped(
    live_server, staff_client, basics, big_text
):
    export_text(staff_client, basics)
    job = ExportJob.objects.get()
    address = urlsplit(live_server.url)
    cookie = f"sessionid={staff_client.cookies['sessionid'].value}"

    def fetch(**headers):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            connection.request("GET", download_url(job), headers={"Cookie": cookie, **headers})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    status, whole, text = fetch()
    resumed_status, resumed, rest = fetch(Range="bytes=40-", **{"If-Range": whole["ETag"]})

    assert (status, whole["Accept-Ranges"]) == (200, "bytes")
    assert text == cards_export_anki(cards=basics.cards.all(), deck_name="Basics").text.encode()
    assert resumed_status == 206
    assert resumed["Content-Range"] == f"bytes 40-{len(text) - 1}/{len(text)}"
    assert resumed["Content-Type"] == "text/plain; charset=utf-8"
    assert text[:40] + rest == text
