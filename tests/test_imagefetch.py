import hashlib
import io
import random
import re
from functools import partial

import pytest
from PIL import Image, PngImagePlugin

from quizzes.imagefetch import (
    FetchRejected,
    ImageRejected,
    fetch_image,
    storage_name,
    verify_image,
)
from tests.factories import image_bytes, png_claiming_size
from tests.imageserver import STALL, ImageServer, Reply

CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_PIXELS = 1_000_000


# The size the assertions below expect back.
make_image = partial(image_bytes, size=(7, 5))


@pytest.fixture
def server():
    with ImageServer() as server:
        yield server


@pytest.fixture
def other_server():
    with ImageServer() as server:
        yield server


def noisy_png(width: int, height: int) -> bytes:
    pixels = random.Random(0).randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def fetch(url: str, server: ImageServer, **overrides):
    options = {
        "allowed_hosts": {server.host},
        "timeout": 2.0,
        "deadline": 10.0,
        "max_bytes": 1_000_000,
        "max_pixels": MAX_PIXELS,
    }
    return fetch_image(url, **(options | overrides))


def rejection(url: str, server: ImageServer, **overrides) -> str:
    with pytest.raises((FetchRejected, ImageRejected)) as excinfo:
        fetch(url, server, **overrides)
    return excinfo.value.reason


# verify_image


@pytest.mark.parametrize("declared", ["image/png", "IMAGE/PNG", "image/png; charset=binary"])
def test_it_ignores_case_and_parameters_of_the_declared_type(declared):
    verified = verify_image(make_image("PNG"), declared_content_type=declared, max_pixels=100)

    assert verified.content_type == "image/png"


@pytest.mark.parametrize("declared", [None, "", "application/octet-stream"])
def test_it_trusts_pillow_when_no_type_is_declared(declared):
    verified = verify_image(make_image("GIF"), declared_content_type=declared, max_pixels=100)

    assert (verified.format, verified.content_type, verified.extension) == (
        "GIF",
        "image/gif",
        "gif",
    )


def test_it_accepts_image_jpg_as_a_name_for_jpeg():
    verified = verify_image(make_image("JPEG"), declared_content_type="image/jpg", max_pixels=100)

    assert verified.content_type == "image/jpeg"


def test_it_rejects_a_declared_type_that_is_not_an_allowed_image_type():
    with pytest.raises(ImageRejected, match="'text/html' is not PNG, JPEG, GIF, WebP or SVG"):
        verify_image(make_image("PNG"), declared_content_type="text/html", max_pixels=100)


def test_it_rejects_formats_pillow_reads_but_the_site_does_not_allow():
    with pytest.raises(ImageRejected, match="not a PNG, JPEG, GIF, WebP or SVG image"):
        verify_image(make_image("BMP"), declared_content_type=None, max_pixels=100)


def test_it_rejects_an_empty_file():
    with pytest.raises(ImageRejected, match="empty"):
        verify_image(b"", declared_content_type="image/png", max_pixels=100)


def test_it_rejects_a_png_whose_checksum_is_wrong():
    data = bytearray(make_image("PNG"))
    data[data.index(b"IDAT") + 6] ^= 0xFF

    with pytest.raises(ImageRejected, match="broken PNG image"):
        verify_image(bytes(data), declared_content_type="image/png", max_pixels=100)


def test_it_rejects_a_truncated_jpeg_that_verify_alone_lets_through():
    buffer = io.BytesIO()
    Image.effect_noise((128, 128), 64).save(buffer, format="JPEG")
    data = buffer.getvalue()

    with pytest.raises(ImageRejected, match="broken JPEG image"):
        verify_image(data[: len(data) // 2], declared_content_type="image/jpeg", max_pixels=20_000)


def test_it_rejects_a_header_over_the_pixel_limit_before_decoding():
    # The pixel data is garbage: decoding first would report a broken image instead.
    with pytest.raises(ImageRejected, match="5000x5000 is 25000000 pixels, more than"):
        verify_image(
            png_claiming_size(5000, 5000), declared_content_type=None, max_pixels=MAX_PIXELS
        )


def test_our_pixel_limit_speaks_first_above_pillows_own():
    # 100 megapixels: above Pillow's limit (about 89), where Pillow warns while opening.
    with pytest.raises(ImageRejected) as rejected:
        verify_image(
            png_claiming_size(10_000, 10_000), declared_content_type=None, max_pixels=25_000_000
        )

    assert rejected.value.reason == (
        "10000x10000 is 100000000 pixels, more than the limit of 25000000"
    )


def test_an_image_pillow_refuses_to_open_is_rejected_in_our_words():
    # 400 megapixels: above twice Pillow's limit, where Pillow raises without the size.
    with pytest.raises(ImageRejected) as rejected:
        verify_image(
            png_claiming_size(20_000, 20_000), declared_content_type=None, max_pixels=25_000_000
        )

    pillows_refusal = 2 * Image.MAX_IMAGE_PIXELS
    assert rejected.value.reason == (
        f"more than {pillows_refusal} pixels, more than the limit of 25000000"
    )


@pytest.mark.parametrize("side", [10_000, 20_000], ids=["pillow-warns", "pillow-raises"])
def test_pillows_own_limit_still_holds_above_a_higher_configured_one(side):
    with pytest.raises(ImageRejected) as rejected:
        verify_image(png_claiming_size(side, side), declared_content_type=None, max_pixels=10**12)

    assert f"more than the limit of {Image.MAX_IMAGE_PIXELS}" in rejected.value.reason
    assert "DOS" not in rejected.value.reason


def test_a_broken_image_reason_does_not_end_with_pillows_period(monkeypatch):
    def broken(self):
        raise SyntaxError("broken PNG file.")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "verify", broken)

    with pytest.raises(ImageRejected) as rejected:
        verify_image(make_image("PNG"), declared_content_type=None, max_pixels=100)

    assert rejected.value.reason == "broken PNG image: broken PNG file"


def test_it_names_stored_files_by_content_hash():
    verified = verify_image(make_image("WEBP"), declared_content_type=None, max_pixels=100)

    name = storage_name(verified)

    assert name == f"images/{verified.sha256[:2]}/{verified.sha256}.webp"


HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20" onload="alert(1)">'
    b'<script>alert(2)</script><rect width="40" height="20" fill="teal"/></svg>'
)


def test_an_svg_is_kept_as_its_drawing_with_the_size_of_its_viewbox():
    verified = verify_image(HOSTILE_SVG, declared_content_type="image/svg+xml", max_pixels=1000)

    assert (verified.format, verified.content_type, verified.extension) == (
        "SVG",
        "image/svg+xml",
        "svg",
    )
    assert (verified.width, verified.height) == (40, 20)
    assert verified.cleaned.startswith(b'<svg viewBox="0 0 40 20" width="40" height="20"')
    assert b"alert" not in verified.cleaned and b"<rect" in verified.cleaned
    # What is stored is what its name and size say.
    assert verified.sha256 == hashlib.sha256(verified.cleaned).hexdigest()
    assert verified.byte_size == len(verified.cleaned)
    assert storage_name(verified).endswith(".svg")


@pytest.mark.parametrize(
    ("data", "declared", "reason"),
    [
        (HOSTILE_SVG, "image/png", "declared content type image/png does not match the SVG data"),
        (b"<html><body>Sign in</body></html>", "image/png", "not a PNG, JPEG, GIF, WebP or SVG"),
        (b"<html><body>Sign in</body></html>", None, "its root is no <svg>"),
        (make_image("PNG"), "image/svg+xml", "image/svg+xml does not match the PNG data"),
        (HOSTILE_SVG, None, "an SVG of 40x20 is 800 pixels, more than the limit of 100"),
    ],
)
def test_an_svg_is_refused_where_a_bitmaps_checks_would_refuse_it(data, declared, reason):
    with pytest.raises(ImageRejected, match=re.escape(reason)):
        verify_image(data, declared_content_type=declared, max_pixels=100)


# fetch_image: images


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP"])
def test_it_fetches_and_describes_each_allowed_format(server, image_format):
    data = make_image(image_format, size=(7, 5))
    url = server.route("/picture", Reply.image(data, CONTENT_TYPES[image_format]))

    fetched = fetch(url, server)

    assert (fetched.url, fetched.final_url, fetched.data) == (url, url, data)
    verified = fetched.verified
    assert (verified.format, verified.content_type) == (image_format, CONTENT_TYPES[image_format])
    assert (verified.width, verified.height) == (7, 5)
    assert verified.byte_size == len(data)
    assert verified.sha256 == hashlib.sha256(data).hexdigest()


def test_it_rejects_a_non_image_served_as_png(server):
    url = server.route("/fake.png", Reply.image(b"<html>hello</html>", "image/png"))

    assert rejection(url, server) == "not a PNG, JPEG, GIF, WebP or SVG image"


def test_it_rejects_a_png_served_as_jpeg(server):
    url = server.route("/picture.jpg", Reply.image(make_image("PNG"), "image/jpeg"))

    assert rejection(url, server) == "declared content type image/jpeg does not match the PNG data"


def test_it_rejects_a_truncated_png(server):
    data = make_image("PNG", size=(64, 64))
    url = server.route("/cut.png", Reply.image(data[:-30], "image/png"))

    assert "broken PNG image" in rejection(url, server)


def test_it_rejects_a_decompression_bomb_by_its_pixel_count(server):
    buffer = io.BytesIO()
    Image.new("1", (4000, 4000)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 10_000  # a few KB on the wire, 16 million pixels
    url = server.route("/bomb.png", Reply.image(buffer.getvalue(), "image/png"))

    assert "4000x4000 is 16000000 pixels" in rejection(url, server)


# fetch_image: sizes and timeouts


def test_it_rejects_a_content_length_over_the_limit_without_reading_the_body(server):
    # The body never comes: a client that tried to read it would time out instead.
    reply = Reply(headers={"Content-Type": "image/png", "Content-Length": "5000000"}, body=[STALL])
    url = server.route("/huge.png", reply)

    reason = rejection(url, server, max_bytes=1_000_000, timeout=5)

    assert reason == "Content-Length 5000000 is more than the limit of 1000000 bytes"


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_it_stops_reading_a_body_as_soon_as_it_passes_the_limit(server, chunked):
    piece, total = b"\0" * 65536, 64 * 1024 * 1024
    reply = Reply(headers={"Content-Type": "image/png"}, body=[piece] * 1024, chunked=chunked)
    url = server.route("/endless.png", reply)

    reason = rejection(url, server, max_bytes=100_000)

    assert reason == "body is more than the limit of 100000 bytes"
    server.wait_until_idle()
    [request] = server.requests
    assert not request.finished
    assert request.bytes_sent < total


def test_it_rejects_a_body_shorter_than_its_content_length(server):
    reply = Reply(headers={"Content-Type": "image/png", "Content-Length": "1000"}, body=[b"x" * 10])
    url = server.route("/short.png", reply)

    assert rejection(url, server) == "body ended after 10 of 1000 bytes"


def test_it_times_out_when_the_server_stalls_mid_body(server):
    data = make_image("PNG", size=(64, 64))
    headers = {"Content-Type": "image/png", "Content-Length": str(len(data))}
    url = server.route("/slow.png", Reply(headers=headers, body=[data[:100], STALL]))

    reason = rejection(url, server, timeout=0.5)

    assert reason == f"timed out after 0.5 s reading the body from {server.host}"


def test_a_server_trickling_its_headers_is_cut_off_at_the_deadline(server):
    # A byte every few milliseconds: no single read ever comes near the 5 s timeout.
    reply = Reply(headers={"Content-Type": "image/png"}, body=make_image("PNG"), trickle=0.005)
    url = server.route("/trickle.png", reply)

    reason = rejection(url, server, timeout=5, deadline=0.1)

    assert reason == f"took longer than the deadline of 0.1 s for {server.host}"
    server.wait_until_idle()
    assert not server.requests[0].finished


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "until-close"])
def test_a_server_trickling_its_body_is_cut_off_at_the_deadline(server, with_length):
    data = noisy_png(64, 64)  # about 12 KB that PNG cannot compress: 24 s at this rate
    headers = {"Content-Type": "image/png"}
    if with_length:
        headers["Content-Length"] = str(len(data))
    url = server.route("/trickle.png", Reply(headers=headers, body=data, trickle=0.002))

    reason = rejection(url, server, timeout=5, deadline=1.5)

    # Without a length the cut-off body would look whole but for the deadline's own check.
    assert reason == f"took longer than the deadline of 1.5 s for {server.host}"
    server.wait_until_idle()
    assert 0 < server.requests[0].bytes_sent < len(data)


def test_the_deadline_covers_every_redirect_together(server):
    reply = Reply.redirect("/next.png")
    server.route("/first.png", Reply(**{**reply.__dict__, "trickle": 0.002}))
    server.route("/next.png", Reply(**{**reply.__dict__, "trickle": 0.002}))

    reason = rejection(server.url("/first.png"), server, timeout=5, deadline=0.3, max_redirects=50)

    assert reason == f"took longer than the deadline of 0.3 s for {server.host}"


def test_it_reports_the_http_status_of_a_failed_response(server):
    assert rejection(server.url("/missing.png"), server) == "HTTP 404 Not Found"


def test_it_goes_direct_even_when_a_proxy_is_configured(server, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    url = server.route("/a.png", Reply.image(make_image("PNG"), "image/png"))

    assert fetch(url, server).verified.format == "PNG"


# fetch_image: which URLs and hosts


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://{host}/a.png",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "//{host}/a.png",
    ],
)
def test_it_rejects_schemes_other_than_http_and_https_before_connecting(server, url):
    reason = rejection(url.format(host=server.host), server)

    assert reason.startswith("only http and https URLs are allowed")
    assert server.requests == []


def test_it_reads_the_host_after_the_userinfo_of_a_url(server):
    reason = rejection(f"http://{server.host}@evil.example/a.png", server)

    assert reason == "host evil.example is not in the allowed hosts"
    assert server.requests == []


def test_it_rejects_credentials_even_for_an_allowed_host(server):
    reason = rejection(f"http://user:secret@{server.host}/a.png", server)

    assert reason == "URLs with a user name or password are not allowed"
    assert server.requests == []


def test_it_allows_a_host_without_port_only_on_the_default_port(server):
    reason = rejection(server.url("/a.png"), server, allowed_hosts={"127.0.0.1"})

    assert reason == f"host {server.host} is not in the allowed hosts"


def test_it_refuses_a_host_name_that_resolves_to_a_private_address(server):
    # Allowed by name (matched case-insensitively), but DNS points it at loopback.
    url = f"http://LocalHost:{server.port}/a.png"

    reason = rejection(url, server, allowed_hosts={f"LOCALHOST:{server.port}"})

    assert "localhost resolves to" in reason
    assert reason.endswith("which is not a public address")
    assert server.requests == []


def test_it_refuses_a_malformed_allow_list_entry(server):
    with pytest.raises(ValueError, match=re.escape("invalid allowed host 'http://example.com'")):
        fetch(server.url("/a.png"), server, allowed_hosts={"http://example.com"})


# fetch_image: redirects


def test_it_follows_a_redirect_within_the_allowed_hosts(server):
    data = make_image("PNG")
    final_url = server.route("/images/a.png", Reply.image(data, "image/png"))
    url = server.route("/old/a.png", Reply.redirect("/images/a.png", status=301))

    fetched = fetch(url, server)

    assert (fetched.url, fetched.final_url, fetched.data) == (url, final_url, data)
    assert [request.path for request in server.requests] == ["/old/a.png", "/images/a.png"]


def test_it_never_contacts_a_redirect_target_outside_the_allowed_hosts(server, other_server):
    other_url = other_server.route("/a.png", Reply.image(make_image("PNG"), "image/png"))
    url = server.route("/a.png", Reply.redirect(other_url))

    reason = rejection(url, server)

    assert reason == f"host {other_server.host} is not in the allowed hosts"
    assert other_server.requests == []


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/a.png",
        "http://127.0.0.1/a.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/a.png",
        "file:///etc/passwd",
    ],
)
def test_it_rejects_a_redirect_to_anything_but_the_allowed_host_and_port(server, location):
    url = server.route("/a.png", Reply.redirect(location.format(port=server.port), status=307))

    reason = rejection(url, server)

    assert "not in the allowed hosts" in reason or "only http and https" in reason
    assert len(server.requests) == 1


def test_it_gives_up_after_too_many_redirects(server):
    url = server.route("/loop.png", Reply.redirect("/loop.png"))

    reason = rejection(url, server, max_redirects=3)

    assert reason == "too many redirects (more than 3)"
    assert len(server.requests) == 4


def test_it_rejects_a_redirect_without_a_location(server):
    url = server.route("/nowhere.png", Reply(status=302))

    assert rejection(url, server) == "HTTP 302 redirect without a Location header"
