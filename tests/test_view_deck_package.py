"""A deck as an Anki package for learners: built once per change of the decks, served as a
file, a big deck's built by the worker."""

import http.client
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from anki.collection import Collection, ImportAnkiPackageRequest
from django.urls import reverse
from django.utils.http import parse_http_date

from quizzes import caching
from quizzes.models import Card
from quizzes.services import deck_exports, deck_packages
from quizzes.services.card_editing import card_content_from_form, card_save_from_admin
from tests.servers import Gunicorn, site_env

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def packages_dir(settings, tmp_path):
    settings.QUIZSITE_PACKAGES_DIR = tmp_path / "packages"
    return settings.QUIZSITE_PACKAGES_DIR


def _url(deck) -> str:
    return reverse("deck_package", args=[deck.slug])


def _notes_read_by_anki(content: bytes, folder: Path) -> dict[str, list[str]]:
    package = folder / "download.apkg"
    package.write_bytes(content)
    reader = Collection(str(folder / "reader.anki2"))
    try:
        reader.import_anki_package(ImportAnkiPackageRequest(package_path=str(package)))
        return {
            note.fields[0]: list(note.fields)
            for note in map(reader.get_note, reader.find_notes(""))
        }
    finally:
        reader.close()


def test_anki_opens_the_download_with_every_card(client, deck, tmp_path):
    response = client.get(_url(deck))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="synthetic.apkg"'
    notes = _notes_read_by_anki(b"".join(response.streaming_content), tmp_path)
    assert len(notes) == deck.cards.count()
    first = deck.cards.get(number=1)
    assert notes[first.question_html][1] == first.answer_html


def test_the_deck_page_links_to_it(client, deck):
    assert _url(deck) in client.get(reverse("card_list", args=[deck.slug])).text


def _downloaded(client, deck) -> bytes:
    """The download's bytes, read to the end: the test client then closes the response
    (and its file) without closing the database connection, as `response.close()` would
    at the end of a request, under the test's transaction."""
    response = client.get(_url(deck))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _built(packages_dir, deck) -> list[Path]:
    folder = packages_dir / str(deck.pk)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_second_download_is_the_file_built_for_the_first(client, deck, packages_dir):
    _downloaded(client, deck)
    [built] = _built(packages_dir, deck)
    modified = built.stat().st_mtime_ns

    _downloaded(client, deck)

    assert _built(packages_dir, deck) == [built]
    assert built.stat().st_mtime_ns == modified


def test_a_change_of_a_card_is_in_the_next_download_and_the_old_file_goes(
    client, deck, packages_dir, tmp_path
):
    _downloaded(client, deck)
    [old] = _built(packages_dir, deck)
    card = deck.cards.get(number=1)
    content = card_content_from_form(question_html=card.question_html, answer_html="<p>Mended.</p>")
    card_save_from_admin(card=card, content=content)

    notes = _notes_read_by_anki(_downloaded(client, deck), tmp_path)
    assert notes[card.question_html][1] == "<p>Mended.</p>"
    assert not old.exists()
    assert len(_built(packages_dir, deck)) == 1


@pytest.mark.parametrize("next_number", [1, 2**63 - 1], ids=["lower", "higher"])
def test_the_old_file_goes_whether_the_new_version_number_is_higher_or_lower(
    client, deck, packages_dir, monkeypatch, next_number
):
    _downloaded(client, deck)
    [old] = _built(packages_dir, deck)
    monkeypatch.setattr(caching, "_fresh_number", lambda: next_number)
    caching.deck_pages_changed()

    _downloaded(client, deck)

    assert _built(packages_dir, deck) == [packages_dir / str(deck.pk) / f"{next_number}.apkg"]
    assert not old.exists()


def test_a_slower_build_of_an_older_version_leaves_the_current_package(deck, packages_dir):
    older = caching.deck_pages_version()
    caching.deck_pages_changed()
    current = deck_packages.deck_package_build(deck=deck, version=caching.deck_pages_version())

    slower = deck_packages.deck_package_build(deck=deck, version=older)

    assert current.exists()
    assert slower.exists()  # the build's own file, for the request that asked for it


def test_a_deck_whose_name_begins_alike_keeps_its_package(client, deck, make_deck, packages_dir):
    longer = make_deck(3, slug=f"{deck.slug}-verbs")
    _downloaded(client, longer)
    [kept] = _built(packages_dir, longer)
    card = deck.cards.get(number=1)
    content = card_content_from_form(question_html=card.question_html, answer_html="<p>New.</p>")
    card_save_from_admin(card=card, content=content)

    _downloaded(client, deck)

    assert kept.exists()


def test_a_big_deck_is_built_by_the_worker_asked_once(
    client, deck, settings, queued_tasks, packages_dir
):
    from django_tasks_db.models import DBTaskResult

    settings.QUIZSITE_PACKAGE_IN_REQUEST_CARDS = deck.cards.count() - 1

    first = client.get(_url(deck))
    second = client.get(_url(deck))

    assert first.status_code == second.status_code == 202
    assert first["Retry-After"] == "20"
    assert "on its way" in first.text
    assert '<meta http-equiv="refresh" content="20">' in first.text
    assert DBTaskResult.objects.count() == 1
    assert _built(packages_dir, deck) == []


def test_a_deck_with_many_pictures_is_built_by_the_worker(
    client, deck, queued_tasks, packages_dir, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    from quizzes.models import CachedImage, CardImage

    monkeypatch.setattr(deck_exports, "IN_REQUEST_IMAGE_BYTES", 1000)
    image = CachedImage.objects.create(
        url="https://example.org/big.png", status=CachedImage.Status.CACHED, byte_size=1001
    )
    CardImage.objects.create(card=deck.cards.first(), image=image, side="question", position=0)

    assert client.get(_url(deck)).status_code == 202
    assert DBTaskResult.objects.count() == 1


def test_once_the_worker_built_it_the_big_deck_downloads(client, deck, settings, packages_dir):
    from quizzes import caching
    from quizzes.tasks import deck_package_build_task

    settings.QUIZSITE_PACKAGE_IN_REQUEST_CARDS = deck.cards.count() - 1
    deck_package_build_task.call(deck.pk, caching.deck_pages_version())

    response = client.get(_url(deck))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="synthetic.apkg"'
    assert b"".join(response.streaming_content).startswith(b"PK")  # a zip, as .apkg is


def test_while_one_request_builds_it_the_others_are_told_it_is_on_its_way(
    client, deck, packages_dir
):
    from django.core.cache import cache

    from quizzes import caching

    # Another request is building it.
    cache.add(f"deck-package:{deck.pk}:{caching.deck_pages_version()}", 1)

    response = client.get(_url(deck))

    assert response.status_code == 202
    assert _built(packages_dir, deck) == []


def test_a_build_that_fails_lets_the_next_request_try(client, deck, monkeypatch):
    from quizzes.services import deck_packages

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(deck_packages, "deck_export_apkg", broken)
    with pytest.raises(OSError):
        client.get(_url(deck))
    monkeypatch.undo()

    assert _downloaded(client, deck).startswith(b"PK")


def test_an_unknown_deck_is_not_found(client, db):
    assert client.get(reverse("deck_package", args=["nope"])).status_code == 404


def test_it_refuses_post(client, deck):
    assert client.post(_url(deck)).status_code == 405
    assert Card.objects.count() == deck.cards.count()


# --- resuming a download: byte ranges, through a real HTTP server ---


def _fetch(base_url: str, path: str, method: str = "GET", **headers: str):
    """(status, headers as sent, body) of one request to a real server, read raw."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def served(live_server, deck):
    """The deck's package as the live server sends it whole: (url, headers, body)."""
    status, headers, body = _fetch(live_server.url, _url(deck))
    assert status == 200
    return live_server.url, headers, body


def test_a_whole_download_says_it_can_be_resumed_and_by_which_validators(served, deck):
    _, headers, body = served

    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Length"] == str(len(body))
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', headers["ETag"])
    assert parse_http_date(headers["Last-Modified"]) <= time.time()
    assert headers["Content-Disposition"] == 'attachment; filename="synthetic.apkg"'
    assert len(_notes_read_by_anki_bytes(body)) == deck.cards.count()


def test_a_download_cut_short_resumes_from_the_byte_it_stopped_at(served, deck):
    base, whole, body = served
    size = len(body)

    status, headers, rest = _fetch(
        base, _url(deck), Range="bytes=1000-", **{"If-Range": whole["ETag"]}
    )

    assert status == 206
    assert headers["Content-Range"] == f"bytes 1000-{size - 1}/{size}"
    assert headers["Content-Length"] == str(size - 1000)
    assert (headers["ETag"], headers["Accept-Ranges"]) == (whole["ETag"], "bytes")
    assert rest == body[1000:]


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=10-19", 10, 19),
        ("bytes=0-0", 0, 0),
        ("bytes=-5", -5, -1),
        ("bytes=5-999999999", 5, -1),
        ("BYTES = 7 - 8", 7, 8),
        # More digits than int() reads (4,300) were a 500.
        ("bytes=-" + "9" * 5000, 0, -1),
        ("bytes=3-" + "9" * 5000, 3, -1),
        ("bytes=" + "0" * 5000 + "4-5", 4, 5),
    ],
)
def test_each_kind_of_single_range_is_served_exactly(served, deck, asked, first, last):
    base, _, body = served
    size = len(body)
    first, last = first % size, last % size

    status, headers, part = _fetch(base, _url(deck), Range=asked)

    assert status == 206
    assert headers["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert headers["Content-Length"] == str(last - first + 1)
    assert part == body[first : last + 1]


def test_a_range_past_the_end_is_refused_with_the_files_size(served, deck):
    base, whole, body = served

    for asked in (f"bytes={len(body)}-", "bytes=-0", "bytes=" + "9" * 5000 + "-"):
        status, headers, said = _fetch(base, _url(deck), Range=asked)

        assert status == 416, asked
        assert headers["Content-Range"] == f"bytes */{len(body)}"
        assert headers["ETag"] == whole["ETag"]
        assert b"download it again from the start" in said


def test_a_refused_condition_or_range_is_said_in_the_sites_look(served, deck):
    # Django's own 412 is empty: a browser following the link showed a blank page.
    base, whole, body = served

    changed = _fetch(base, _url(deck), **{"If-Match": '"an-older-file"'})
    past = _fetch(base, _url(deck), Range=f"bytes={len(body)}-")

    assert changed[0] == 412
    assert b"The file has changed since the version your download asked for" in changed[2]
    assert (past[0], past[1]["Content-Range"]) == (416, f"bytes */{len(body)}")
    for status, headers, said in (changed, past):
        assert headers["Content-Type"].startswith("text/html"), status
        assert b'class="site-nav"' in said, status
        assert headers["ETag"] == whole["ETag"]


@pytest.mark.parametrize("asked", ["bytes=5-2", "bytes=0-1,5-6", "lines=1-2", "bytes=x-"])
def test_a_range_that_is_not_one_byte_range_gets_the_whole_file(served, deck, asked):
    base, _, body = served

    status, headers, whole = _fetch(base, _url(deck), Range=asked)

    assert (status, whole) == (200, body)
    assert "Content-Range" not in headers


def test_a_resume_after_the_deck_changed_gets_the_whole_new_file(served, deck):
    base, before, _ = served
    card = deck.cards.get(number=1)
    content = card_content_from_form(question_html=card.question_html, answer_html="<p>New.</p>")
    card_save_from_admin(card=card, content=content)

    status, headers, new = _fetch(
        base, _url(deck), Range="bytes=1000-", **{"If-Range": before["ETag"]}
    )

    # Never the new file's tail after the old file's head.
    assert status == 200
    assert "Content-Range" not in headers
    assert headers["ETag"] != before["ETag"]
    assert headers["Content-Length"] == str(len(new))
    assert _notes_read_by_anki_bytes(new)[card.question_html][1] == "<p>New.</p>"


def test_if_range_holds_for_the_files_date_and_never_for_a_weak_tag(served, deck):
    base, whole, body = served

    by_date = _fetch(base, _url(deck), Range="bytes=3-", **{"If-Range": whole["Last-Modified"]})
    weak = _fetch(base, _url(deck), Range="bytes=3-", **{"If-Range": f"W/{whole['ETag']}"})

    assert (by_date[0], by_date[2]) == (206, body[3:])
    assert (weak[0], weak[2]) == (200, body)


def test_head_says_what_a_get_would_send_and_sends_no_body(served, deck):
    base, whole, body = served

    status, headers, nothing = _fetch(base, _url(deck), "HEAD", Range="bytes=0-9")

    # A range is GET's alone (RFC 9110): HEAD tells the whole file.
    assert (status, nothing) == (200, b"")
    assert headers["Content-Length"] == str(len(body))
    assert {name: headers[name] for name in ("ETag", "Last-Modified", "Accept-Ranges")} == {
        name: whole[name] for name in ("ETag", "Last-Modified", "Accept-Ranges")
    }
    assert headers["Content-Disposition"] == whole["Content-Disposition"]


def test_a_download_the_browser_has_is_not_sent_again(served, deck):
    base, whole, _ = served

    status, headers, nothing = _fetch(base, _url(deck), **{"If-None-Match": whole["ETag"]})

    assert (status, nothing, headers["ETag"]) == (304, b"", whole["ETag"])


def _notes_read_by_anki_bytes(content: bytes) -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory() as folder:
        return _notes_read_by_anki(content, Path(folder))


@pytest.mark.own_processes
def test_gunicorn_resumes_a_download_byte_exact(tmp_path, site_var_dir):
    # gunicorn sends a file with sendfile from where it was left: a resume to the end takes
    # that way, a range within the file the sliced one.
    env = site_env(QUIZSITE_VAR_DIR=str(site_var_dir(tmp_path, synced=True)))
    path = "/decks/fastai/anki.apkg"
    with Gunicorn(env=env, workers=1, threads=2) as site:
        base = site.url()
        status, whole, body = _fetch(base, path)
        size = len(body)
        resumed = _fetch(base, path, Range=f"bytes={size // 2}-", **{"If-Range": whole["ETag"]})
        middle = _fetch(base, path, Range="bytes=100-199")
        past = _fetch(base, path, Range=f"bytes={size}-")
        head = _fetch(base, path, "HEAD")

    assert (status, whole["Content-Length"], whole["Accept-Ranges"]) == (200, str(size), "bytes")
    assert resumed[0] == 206
    assert resumed[1]["Content-Range"] == f"bytes {size // 2}-{size - 1}/{size}"
    assert resumed[1]["Content-Length"] == str(size - size // 2)
    assert body[: size // 2] + resumed[2] == body
    assert (middle[0], middle[1]["Content-Range"], middle[2]) == (
        206,
        f"bytes 100-199/{size}",
        body[100:200],
    )
    assert (past[0], past[1]["Content-Range"]) == (416, f"bytes */{size}")
    assert (head[0], head[1]["Content-Length"], head[2]) == (200, str(size), b"")
    assert len(_notes_read_by_anki_bytes(body)) > 70


def test_the_page_that_says_it_is_on_its_way_names_the_deck_apart(
    client, deck, make_deck, django_assert_num_queries
):
    from django.core.cache import cache

    make_deck(1, slug="synthetic-b", name="synthetic SYNTHETIC")
    cache.add(f"deck-package:{deck.pk}:{caching.deck_pages_version()}", 1)  # being built
    client.get(_url(deck))
    # As many queries as with one deck of the name: the decks' tree is kept.
    with django_assert_num_queries(1):
        response = client.get(_url(deck))
    assert response.status_code == 202
    assert "<title>Synthetic synthetic (synthetic) for Anki: on its way" in response.text
    assert "<h1>Synthetic synthetic (synthetic) for Anki: on its way</h1>" in response.text
