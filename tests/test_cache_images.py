"""`manage.py cache_images` against a real HTTP server on 127.0.0.1."""

import hashlib
import io
from functools import partial
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from quizzes.models import CachedImage
from tests.factories import image_bytes
from tests.imageserver import STALL, ImageServer, Reply

pytestmark = pytest.mark.django_db


# The size the assertions below expect back.
make_image = partial(image_bytes, size=(12, 8))


@pytest.fixture
def server(settings):
    with ImageServer() as server:
        settings.QUIZSITE_IMAGE_HOSTS = [server.host]
        settings.QUIZSITE_IMAGE_TIMEOUT = 0.5
        settings.QUIZSITE_IMAGE_DEADLINE = 10
        settings.QUIZSITE_IMAGE_MAX_BYTES = 100_000
        settings.QUIZSITE_IMAGE_MAX_PIXELS = 1_000_000
        yield server


@pytest.fixture
def other_server():
    with ImageServer() as server:
        yield server


def cache_images(*args) -> str:
    out = io.StringIO()
    call_command("cache_images", *args, stdout=out)
    return out.getvalue()


def pending(url: str) -> CachedImage:
    return CachedImage.objects.create(url=url)


def failure_of(image: CachedImage) -> str:
    image.refresh_from_db()
    assert image.status == CachedImage.Status.FAILED
    assert not image.file
    return image.last_error


@pytest.mark.parametrize(
    ("image_format", "content_type", "extension"),
    [
        ("PNG", "image/png", "png"),
        ("JPEG", "image/jpeg", "jpg"),
        ("GIF", "image/gif", "gif"),
        ("WEBP", "image/webp", "webp"),
    ],
)
def test_it_stores_each_allowed_format_by_content_hash(
    server, media_root, image_format, content_type, extension
):
    data = make_image(image_format)
    image = pending(server.route(f"/a.{extension}", Reply.image(data, content_type)))

    cache_images()

    image.refresh_from_db()
    digest = hashlib.sha256(data).hexdigest()
    assert image.status == CachedImage.Status.CACHED
    assert image.file.name == f"images/{digest[:2]}/{digest}.{extension}"
    assert (Path(media_root) / image.file.name).read_bytes() == data
    assert (image.width, image.height, image.byte_size) == (12, 8, len(data))
    assert (image.sha256, image.content_type) == (digest, content_type)
    assert image.fetched_at is not None
    assert image.last_error == ""


def test_it_prints_a_line_per_image_and_a_summary(server):
    pending(server.route("/ok.png", Reply.image(make_image("PNG"), "image/png")))
    pending(server.url("/missing.png"))

    output = cache_images()

    assert f"cached {server.url('/ok.png')} (12x8, " in output
    assert f"failed {server.url('/missing.png')}: HTTP 404" in output
    assert output.strip().endswith(
        "1 cached, 1 failed (run again with --retry-failed to try them again)."
    )


def test_a_second_run_does_nothing(server):
    pending(server.route("/ok.png", Reply.image(make_image("PNG"), "image/png")))
    pending(server.url("/missing.png"))
    cache_images()

    output = cache_images()

    assert output.strip() == "Nothing to fetch: no image is pending."
    assert len(server.requests) == 2


def test_retry_failed_fetches_the_failures_again(server):
    image = pending(server.url("/later.png"))
    cache_images()
    server.route("/later.png", Reply.image(make_image("PNG"), "image/png"))

    output = cache_images("--retry-failed")

    image.refresh_from_db()
    assert image.status == CachedImage.Status.CACHED
    assert image.last_error == ""
    assert "1 cached, 0 failed." in output


def test_two_images_with_the_same_bytes_share_one_file(server, media_root):
    data = make_image("PNG")
    first = pending(server.route("/one.png", Reply.image(data, "image/png")))
    second = pending(server.route("/two.png", Reply.image(data, "image/png")))

    cache_images()

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.file.name == second.file.name
    assert len(list(Path(media_root).rglob("*.png"))) == 1


def test_it_refuses_a_host_outside_the_allow_list(server, other_server):
    image = pending(other_server.route("/a.png", Reply.image(make_image("PNG"), "image/png")))

    cache_images()

    assert "is not in the allowed hosts" in failure_of(image)
    assert other_server.requests == []


def test_it_never_follows_a_redirect_to_a_host_outside_the_allow_list(server, other_server):
    target = other_server.route("/a.png", Reply.image(make_image("PNG"), "image/png"))
    image = pending(server.route("/moved.png", Reply.redirect(target)))

    cache_images()

    assert "is not in the allowed hosts" in failure_of(image)
    assert other_server.requests == []


@pytest.mark.parametrize(
    "location", ["http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"]
)
def test_it_never_follows_a_redirect_to_a_metadata_address_or_a_file(server, location):
    image = pending(server.route("/moved.png", Reply.redirect(location)))

    cache_images()

    assert failure_of(image)


def test_it_follows_a_redirect_within_the_allow_list(server):
    server.route("/new.png", Reply.image(make_image("PNG"), "image/png"))
    image = pending(server.route("/old.png", Reply.redirect("/new.png", status=301)))

    cache_images()

    image.refresh_from_db()
    assert image.status == CachedImage.Status.CACHED


def test_it_records_a_404(server):
    image = pending(server.url("/missing.png"))

    cache_images()

    assert failure_of(image) == "HTTP 404 Not Found"


def test_it_rejects_a_non_image_served_with_an_image_content_type(server):
    image = pending(
        server.route("/fake.png", Reply.image(b"<html>not a picture</html>", "image/png"))
    )

    cache_images()

    assert "not a PNG, JPEG, GIF, WebP or SVG image" in failure_of(image)


def test_it_rejects_a_content_type_that_does_not_match_the_bytes(server):
    image = pending(server.route("/a.jpg", Reply.image(make_image("PNG"), "image/jpeg")))

    cache_images()

    assert "does not match the PNG data" in failure_of(image)


def test_it_stops_reading_an_oversized_body_while_it_streams(server):
    piece, total = b"\0" * 65536, 64 * 1024 * 1024
    reply = Reply(headers={"Content-Type": "image/png"}, body=[piece] * 1024)
    image = pending(server.route("/endless.png", reply))

    cache_images()

    assert failure_of(image) == "body is more than the limit of 100000 bytes"
    server.wait_until_idle()
    [request] = server.requests
    assert not request.finished
    assert request.bytes_sent < total


def test_it_refuses_an_oversized_content_length_before_reading(server):
    headers = {"Content-Type": "image/png", "Content-Length": "5000000"}
    image = pending(server.route("/huge.png", Reply(headers=headers, body=[STALL])))

    cache_images()

    assert "Content-Length 5000000 is more than the limit" in failure_of(image)


def test_it_gives_up_on_a_server_that_stalls_past_the_timeout(server):
    data = make_image("PNG")
    headers = {"Content-Type": "image/png", "Content-Length": str(len(data))}
    image = pending(server.route("/slow.png", Reply(headers=headers, body=[data[:20], STALL])))

    cache_images()

    assert "timed out after 0.5 s" in failure_of(image)


def test_it_gives_up_on_a_server_that_trickles_past_the_deadline(server, settings):
    settings.QUIZSITE_IMAGE_DEADLINE = 1
    trickling = Reply(headers={"Content-Type": "image/png"}, body=make_image("PNG"), trickle=0.01)
    image = pending(server.route("/trickle.png", trickling))
    after = pending(server.route("/zz-after.png", Reply.image(make_image("PNG"), "image/png")))

    output = cache_images()

    assert "took longer than the deadline of 1 s" in failure_of(image)
    after.refresh_from_db()
    assert after.status == CachedImage.Status.CACHED
    assert output.strip().endswith(
        "1 cached, 1 failed (run again with --retry-failed to try them again)."
    )


def test_it_rejects_a_decompression_bomb(server):
    buffer = io.BytesIO()
    Image.new("1", (5_000, 5_000)).save(buffer, format="PNG")  # 25 megapixels in a few KB
    image = pending(server.route("/bomb.png", Reply.image(buffer.getvalue(), "image/png")))

    cache_images()

    assert len(buffer.getvalue()) < 10_000
    assert "25000000 pixels, more than the limit of 1000000" in failure_of(image)


def test_a_failure_does_not_stop_the_images_after_it(server):
    broken = pending(server.url("/a-missing.png"))
    good = pending(server.route("/b-ok.png", Reply.image(make_image("GIF"), "image/gif")))

    cache_images()

    good.refresh_from_db()
    assert failure_of(broken)
    assert good.status == CachedImage.Status.CACHED


# The worker commits and closes its connection as it would in its own process.
@pytest.mark.django_db(transaction=True)
def test_in_the_background_the_worker_downloads_the_images(server, queued_tasks):
    image = pending(server.route("/cat.png", Reply.image(make_image("PNG"), "image/png")))

    output = cache_images("--background")

    assert output.startswith("Queued as task ")
    image.refresh_from_db()
    assert image.status == CachedImage.Status.PENDING
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    image.refresh_from_db()
    assert image.status == CachedImage.Status.CACHED
