"""An admin upload passes the checks a download does (image_upload_verify), and storing it
(image_store_upload) updates the cards that show the image."""

import hashlib
from functools import partial
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.imagefetch import ImageRejected
from quizzes.models import CachedImage, Card, CardImage
from quizzes.services.images import image_store_upload, image_upload_verify
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db


# The size the assertions below expect back.
make_image = partial(image_bytes, size=(30, 20))


@pytest.fixture
def image():
    return CachedImage.objects.create(
        url="https://aiquizzes.com/gcp_images/add_dim.png",
        status=CachedImage.Status.FAILED,
        last_error="HTTP 404 Not Found",
    )


def upload(image, data, declared_content_type):
    verified = image_upload_verify(data=data, declared_content_type=declared_content_type)
    image_store_upload(image=image, data=data, verified=verified)


@time_machine.travel("2026-03-01 12:00Z", tick=False)
def test_it_stores_an_upload_and_fills_in_the_same_fields(image, media_root):
    data = make_image("JPEG")

    upload(image, data, "image/jpeg")

    image.refresh_from_db()
    digest = hashlib.sha256(data).hexdigest()
    assert image.status == CachedImage.Status.CACHED
    assert image.file.name == f"images/{digest[:2]}/{digest}.jpg"
    assert (Path(media_root) / image.file.name).read_bytes() == data
    assert (image.width, image.height, image.byte_size) == (30, 20, len(data))
    assert (image.sha256, image.content_type) == (digest, "image/jpeg")
    assert image.last_error == ""
    assert image.fetched_at.isoformat() == "2026-03-01T12:00:00+00:00"


def test_the_recorded_type_is_the_one_pillow_found(image):
    upload(image, make_image("PNG"), None)

    assert image.content_type == "image/png"


@pytest.mark.parametrize(
    ("data", "declared", "reason"),
    [
        (b"MZ\x90\x00 not an image", "image/png", "not a PNG, JPEG, GIF, WebP or SVG image"),
        (make_image("PNG"), "image/jpeg", "does not match the PNG data"),
        (make_image("PNG"), "image/svg+xml", "svg.xml does not match the PNG data"),
        (make_image("BMP"), "", "not a PNG, JPEG, GIF, WebP or SVG image"),
        (b"", "image/png", "the file is empty"),
    ],
)
def test_it_rejects_what_a_download_would_reject(image, data, declared, reason):
    with pytest.raises(ImageRejected, match=reason):
        upload(image, data, declared)

    image.refresh_from_db()
    assert image.status == CachedImage.Status.FAILED
    assert not image.file


def test_it_rejects_too_many_pixels(image, settings):
    settings.QUIZSITE_IMAGE_MAX_PIXELS = 500

    with pytest.raises(ImageRejected, match="600 pixels, more than the limit of 500"):
        upload(image, make_image("PNG"), "image/png")


def test_it_rejects_a_file_over_the_size_limit(image, settings):
    settings.QUIZSITE_IMAGE_MAX_BYTES = 10

    with pytest.raises(ImageRejected, match="more than the limit of 10"):
        upload(image, make_image("PNG"), "image/png")


def test_the_cards_showing_the_image_show_the_upload(image, make_deck):
    card = make_deck(1).cards.get()
    card.question_html = f'<p>Look:</p><img src="{image.url}">'
    card.save()
    CardImage.objects.create(card=card, image=image, side="question", position=0)

    upload(image, make_image("PNG"), "image/png")

    card.refresh_from_db()
    assert f'<img alt="Screenshot: add dim" height="20" loading="lazy" src="{image.file.url}"' in (
        card.question_rendered
    )
    assert not Card.objects.filter(question_rendered__contains="Image not cached").exists()


def test_an_svg_is_stored_as_its_drawing_and_cards_show_it_at_its_size(image, make_deck):
    # Anki shows a deck's SVG diagrams; they were refused. What is stored is the allow-list's
    # copy (no script, no handler), named by its own hash.
    card = make_deck(1).cards.get()
    card.question_html = f'<img src="{image.url}">'
    card.save()
    CardImage.objects.create(card=card, image=image, side="question", position=0)
    hostile = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20" onload="alert(1)">'
        b'<script>alert(2)</script><circle cx="20" cy="10" r="9"/></svg>'
    )

    upload(image, hostile, "image/svg+xml")

    image.refresh_from_db()
    stored = image.file.read()
    digest = hashlib.sha256(stored).hexdigest()
    assert image.file.name == f"images/{digest[:2]}/{digest}.svg"
    assert b"alert" not in stored and b"<circle" in stored
    assert (image.width, image.height, image.content_type) == (40, 20, "image/svg+xml")
    assert (image.byte_size, image.sha256) == (len(stored), digest)
    card.refresh_from_db()
    assert f'height="20" loading="lazy" src="{image.file.url}" width="40"' in (
        card.question_rendered
    )


def test_the_cards_showing_the_image_are_dated_changed_once_it_is_stored_or_replaced(
    image, make_deck
):
    # Their Anki notes carry the file from then on, and Anki takes a note it has only from
    # a newer one: undated, the next package's note and file were left out.
    first, second, other = make_deck(3).cards.order_by("number")
    for card in (first, second):
        CardImage.objects.create(card=card, image=image, side="question", position=0)
    CardImage.objects.create(card=first, image=image, side="answer", position=0)
    before = other.updated_at

    def dates() -> list[str]:
        cards = Card.objects.filter(pk__in=[first.pk, second.pk]).order_by("number")
        return [card.updated_at.isoformat()[:10] for card in cards]

    stored = CaptureQueriesContext(connection)
    with time_machine.travel("2026-03-01 12:00Z", tick=False), stored:
        upload(image, make_image("PNG"), "image/png")
    with time_machine.travel("2026-03-02 12:00Z", tick=False):
        upload(image, make_image("PNG"), "image/png")  # the same bytes: nothing new to carry
    after_the_same = dates()
    with time_machine.travel("2026-03-03 12:00Z", tick=False):
        upload(image, make_image("JPEG"), "image/jpeg")

    dated = [query for query in stored.captured_queries if 'SET "updated_at"' in query["sql"]]
    assert len(dated) == 1
    assert after_the_same == ["2026-03-01", "2026-03-01"]
    assert dates() == ["2026-03-03", "2026-03-03"]
    assert Card.objects.get(pk=other.pk).updated_at == before
