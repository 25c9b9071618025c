"""A deck as an Anki package for learners: built once per change of the decks, served as a
file, a big deck's built by the worker."""

from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageRequest
from django.urls import reverse

from quizzes import caching
from quizzes.models import Card
from quizzes.services import deck_packages
from quizzes.services.card_editing import card_content_from_form, card_save_from_admin

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
    from quizzes.services import deck_packages

    monkeypatch.setattr(deck_packages, "IN_REQUEST_IMAGE_BYTES", 1000)
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
