"""Download and verify images from untrusted URLs; pure Python, no Django.

``verify_image`` checks bytes from anywhere (a download, an admin upload) with Pillow, and
an SVG through its allow-list (quizzes.svg), which gives the bytes to store in its place.
``fetch_image`` downloads one image under these rules:

- Only ``http`` and ``https`` URLs without credentials, whose host is in ``allowed_hosts``.
  Hosts compare case-insensitively. An entry ``"host"`` allows that host on the scheme's
  default port only (80 for http, 443 for https); ``"host:port"`` allows exactly that port.
- A host name must resolve to public addresses only, and the connection goes to the address
  that was checked, so DNS cannot point an allowed name at 127.0.0.1 or 169.254.169.254. An IP
  literal in ``allowed_hosts`` (``"127.0.0.1:8000"``) is trusted as written.
- Redirects are followed by hand, each target checked like the first URL, at most
  ``max_redirects`` of them; a target that fails the checks is never contacted.
- ``timeout`` bounds the connection and every single read; ``deadline`` bounds the whole
  fetch, redirects, headers and body together, so a server that trickles a byte at a time
  cannot hold the caller for longer. ``max_bytes`` is enforced from the Content-Length header
  and again while the body streams in. Any status but 200 is refused.
- The fetch always goes direct: unlike ``urllib.request``, ``http.client`` never reads
  ``http_proxy``/``https_proxy``, so the environment cannot send the request (and with it the
  allow-list decision) through another machine.
"""

import contextlib
import hashlib
import http.client
import io
import ipaddress
import os
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from PIL import Image, UnidentifiedImageError

from quizzes.svg import SvgRejected, looks_like_svg, svg_cleaned

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}

# Pillow format name -> (content type, file extension)
IMAGE_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
SVG_CONTENT_TYPE = "image/svg+xml"
ACCEPTED_CONTENT_TYPES = (
    *(content_type for content_type, _ in IMAGE_FORMATS.values()),
    SVG_CONTENT_TYPE,
)
# Non-standard names still sent by some servers and browsers.
CONTENT_TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
}
# Types that say "some bytes" rather than naming a format: the bytes are trusted to Pillow,
# which is safe because the recorded content type is always the one Pillow found.
UNSPECIFIED_CONTENT_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})

_READ_SIZE = 64 * 1024


class ImageFetchError(Exception):
    """An image was refused; ``reason`` says why in words fit for a log or an admin page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImageRejected(ImageFetchError):
    """The bytes are not an acceptable image."""


class FetchRejected(ImageFetchError):
    """The URL, the connection or the HTTP response was refused."""


@dataclass(frozen=True, kw_only=True)
class VerifiedImage:
    format: str
    content_type: str
    width: int
    height: int
    byte_size: int
    sha256: str
    extension: str
    # The bytes to store in place of those checked: an SVG's, cleaned (None: those checked).
    cleaned: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, kw_only=True)
class FetchedImage:
    url: str
    final_url: str
    data: bytes = field(repr=False)
    verified: VerifiedImage


def verify_image(
    data: bytes, *, declared_content_type: str | None, max_pixels: int
) -> VerifiedImage:
    """Return what Pillow found in ``data`` (or what an SVG holds, cleaned), or raise
    ImageRejected.

    ``declared_content_type`` (parameters such as ``; charset`` ignored) must name the format
    Pillow finds; missing, empty or ``application/octet-stream`` leaves the decision to Pillow.
    """
    declared = _media_type(declared_content_type)
    if declared and declared not in {*ACCEPTED_CONTENT_TYPES, *UNSPECIFIED_CONTENT_TYPES}:
        raise ImageRejected(f"content type {_clip(declared)!r} is not PNG, JPEG, GIF, WebP or SVG")
    if not data:
        raise ImageRejected("the file is empty")
    if looks_like_svg(data):
        return _verified_svg(data, declared=declared, max_pixels=max_pixels)

    image_format = None
    limit = _pixel_limit(max_pixels)
    # Pillow warns about an image above its own pixel limit while opening it: silence that,
    # so the check below, which refuses the same images, speaks for both limits.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
                image_format = image.format
                width, height = image.size
                # The header alone gives the size: refuse before decoding a single pixel.
                if width * height > limit:
                    raise ImageRejected(
                        f"{width}x{height} is {width * height} pixels, "
                        f"more than the limit of {limit}"
                    )
                image.verify()
            # verify() leaves the image unusable; decoding a fresh copy also catches the
            # truncated JPEG, GIF and WebP files that verify() does not look into.
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                image.load()
        except ImageRejected:
            raise
        except Image.DecompressionBombError as exc:
            # Above twice its limit Pillow refuses to open the image at all, size unseen.
            raise ImageRejected(
                f"more than {2 * Image.MAX_IMAGE_PIXELS} pixels, more than the limit of {limit}"
            ) from exc
        except UnidentifiedImageError as exc:
            raise ImageRejected("not a PNG, JPEG, GIF, WebP or SVG image") from exc
        # Pillow raises many exception types on hostile input; like Django's ImageField,
        # treat any of them as a broken image.
        except Exception as exc:
            broken = f"broken {image_format} image" if image_format else "broken image"
            # A reason is a clause that a message ends with its own period: drop Pillow's.
            detail = _clip(str(exc).strip().rstrip(".")) or type(exc).__name__
            raise ImageRejected(f"{broken}: {detail}") from exc

    content_type, extension = IMAGE_FORMATS[image_format]
    if declared and declared not in UNSPECIFIED_CONTENT_TYPES and declared != content_type:
        raise ImageRejected(
            f"declared content type {declared} does not match the {image_format} data"
        )
    return VerifiedImage(
        format=image_format,
        content_type=content_type,
        width=width,
        height=height,
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        extension=extension,
    )


def _verified_svg(data: bytes, *, declared: str, max_pixels: int) -> VerifiedImage:
    """Markup as the SVG its allow-list keeps; its size, the one a page lays it out at,
    within the pixel limit a bitmap's is."""
    bitmap_declared = declared not in ("", SVG_CONTENT_TYPE, *UNSPECIFIED_CONTENT_TYPES)
    try:
        svg = svg_cleaned(data)
    except SvgRejected as error:
        # A web page where a bitmap was promised says nothing of SVG.
        reason = "not a PNG, JPEG, GIF, WebP or SVG image" if bitmap_declared else str(error)
        raise ImageRejected(reason) from None
    if bitmap_declared:
        raise ImageRejected(f"declared content type {declared} does not match the SVG data")
    limit = _pixel_limit(max_pixels)
    if svg.width * svg.height > limit:
        raise ImageRejected(
            f"an SVG of {svg.width}x{svg.height} is {svg.width * svg.height} pixels, "
            f"more than the limit of {limit}"
        )
    return VerifiedImage(
        format="SVG",
        content_type=SVG_CONTENT_TYPE,
        width=svg.width,
        height=svg.height,
        byte_size=len(svg.data),
        sha256=hashlib.sha256(svg.data).hexdigest(),
        extension="svg",
        cleaned=svg.data,
    )


def _pixel_limit(max_pixels: int) -> int:
    """Ours, or Pillow's own (about 89 megapixels) when that is lower: Pillow keeps it."""
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return min(max_pixels, pillow_limit) if pillow_limit else max_pixels


def storage_name(verified: VerifiedImage) -> str:
    """Path under the media root, by content hash: ``images/ab/ab12...<64 hex>.png``."""
    return f"images/{verified.sha256[:2]}/{verified.sha256}.{verified.extension}"


def fetch_image(
    url: str,
    *,
    allowed_hosts: Collection[str],
    timeout: float,
    max_bytes: int,
    max_pixels: int,
    deadline: float,
    max_redirects: int = 3,
) -> FetchedImage:
    """Download and verify the image at ``url``, or raise FetchRejected / ImageRejected."""
    allowed = _parse_allowed_hosts(allowed_hosts)
    expires_at = time.monotonic() + deadline
    current_url = url
    redirects = 0
    while True:
        target = _checked_url(current_url, allowed)
        response = _get(
            target, timeout=timeout, max_bytes=max_bytes, deadline=deadline, expires_at=expires_at
        )
        if response.status not in REDIRECT_STATUSES:
            break
        if not response.location:
            raise FetchRejected(f"HTTP {response.status} redirect without a Location header")
        if redirects == max_redirects:
            raise FetchRejected(f"too many redirects (more than {max_redirects})")
        redirects += 1
        current_url = urljoin(current_url, response.location)

    verified = verify_image(
        response.body, declared_content_type=response.content_type, max_pixels=max_pixels
    )
    return FetchedImage(url=url, final_url=current_url, data=response.body, verified=verified)


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _parse_allowed_hosts(allowed_hosts: Collection[str]) -> set[tuple[str, int | None]]:
    if isinstance(allowed_hosts, str):
        raise TypeError("allowed_hosts must be a collection of hosts, not one string")
    allowed = set()
    for entry in allowed_hosts:
        # Parsed by the same function as the URLs, so both sides agree on what the host is.
        split = urlsplit(f"//{entry}")
        try:
            port = split.port
        except ValueError:
            port = -1
        if not split.hostname or port == -1 or split.username or split.path or split.query:
            raise ValueError(f"invalid allowed host {entry!r}: expected 'host' or 'host:port'")
        allowed.add((split.hostname, port))
    return allowed


def _checked_url(url: str, allowed: set[tuple[str, int | None]]) -> _Target:
    split = urlsplit(url)
    scheme = split.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchRejected(f"only http and https URLs are allowed, not {_clip(url)!r}")
    host = split.hostname
    if not host:
        raise FetchRejected(f"no host in {_clip(url)!r}")
    try:
        port = split.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise FetchRejected(f"invalid port in {_clip(url)!r}") from exc
    is_default_port = port == DEFAULT_PORTS[scheme]
    if (host, port) not in allowed and not (is_default_port and (host, None) in allowed):
        shown = host if split.port is None else f"{host}:{port}"
        raise FetchRejected(f"host {_clip(shown)} is not in the allowed hosts")
    if split.username is not None or split.password is not None:
        raise FetchRejected("URLs with a user name or password are not allowed")
    return _Target(scheme=scheme, host=host, port=port, path=_request_path(split))


def _request_path(split: SplitResult) -> str:
    # Percent-encode spaces and non-ASCII; http.client refuses to send them raw.
    path = quote(split.path or "/", safe="/%:@!$&'()*+,;=")
    if split.query:
        path += "?" + quote(split.query, safe="/%:@!$&'()*+,;=?")
    return path


def _addresses(host: str, port: int) -> list[str]:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [host]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchRejected(f"cannot resolve {host}: {exc.strerror or exc}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        if not ipaddress.ip_address(address).is_global:
            raise FetchRejected(f"{host} resolves to {address}, which is not a public address")
    return addresses


def _connect(addresses: list[str], port: int, timeout: float) -> socket.socket:
    error = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to addresses already checked, never resolving the host name again."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        self.tls_context = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls_context)
        self.addresses = addresses

    def connect(self) -> None:
        sock = _connect(self.addresses, self.port, self.timeout)
        # The certificate is checked against the host name, not the address.
        self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)


class _Response(NamedTuple):
    status: int
    location: str | None = None
    content_type: str | None = None
    body: bytes = b""


class _Watchdog:
    """Shuts a connection down when the deadline passes, which ends any read blocked on it
    at once; per-read timeouts alone let a server that trickles a byte at a time go on for
    days. The shutdown goes through a duplicate of the socket's descriptor, so it reaches a
    TLS connection underneath its SSL layer without touching that layer from this thread."""

    def __init__(self, sock: socket.socket, expires_at: float) -> None:
        self.expired = False
        self._handle = socket.socket(
            sock.family, sock.type, sock.proto, fileno=os.dup(sock.fileno())
        )
        self._timer = threading.Timer(max(0.0, expires_at - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired = True
        with contextlib.suppress(OSError):  # already closed by the other side
            self._handle.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._timer.cancel()
        self._handle.close()


def _get(
    target: _Target, *, timeout: float, max_bytes: int, deadline: float, expires_at: float
) -> _Response:
    """One GET that follows no redirect and returns a redirect or a 200 with its body."""
    remaining = expires_at - time.monotonic()
    if remaining <= 0:
        raise _past_deadline(deadline, target)
    addresses = _addresses(target.host, target.port)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    # A connection that takes its whole timeout still ends by the deadline.
    connection = connection_class(
        target.host, target.port, addresses=addresses, timeout=min(timeout, remaining)
    )
    response = None
    watchdog = None
    stage = "connecting to"
    try:
        connection.connect()
        connection.sock.settimeout(timeout)
        watchdog = _Watchdog(connection.sock, expires_at)
        stage = "waiting for a response from"
        connection.request(
            "GET",
            target.path,
            headers={
                "Accept": ", ".join(ACCEPTED_CONTENT_TYPES),
                "User-Agent": "quizsite-image-fetch/1",
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        if response.status in REDIRECT_STATUSES:
            result = _Response(response.status, location=response.getheader("Location"))
        elif response.status != 200:
            raise FetchRejected(f"HTTP {response.status} {_clip(response.reason)}")
        else:
            stage = "reading the body from"
            data = _read_body(response, max_bytes=max_bytes)
            result = _Response(
                response.status, content_type=response.getheader("Content-Type"), body=data
            )
        # A body without a length ends when the connection does, the watchdog's shutdown
        # included: only the flag tells a cut-off body from a whole one.
        if watchdog.expired:
            raise _past_deadline(deadline, target)
        return result
    except (OSError, http.client.HTTPException) as exc:
        if watchdog is not None and watchdog.expired:
            raise _past_deadline(deadline, target) from exc
        raise _connection_rejection(exc, stage=stage, timeout=timeout, target=target) from exc
    except FetchRejected:
        # The watchdog's shutdown can also end a body early ("body ended after ...").
        if watchdog is not None and watchdog.expired:
            raise _past_deadline(deadline, target) from None
        raise
    finally:
        if watchdog is not None:
            watchdog.stop()
        # The response holds its own reference to the socket: close both, or an unread
        # body keeps the connection open.
        if response is not None:
            response.close()
        connection.close()


def _past_deadline(deadline: float, target: _Target) -> FetchRejected:
    return FetchRejected(f"took longer than the deadline of {deadline:g} s for {target.netloc}")


def _connection_rejection(
    exc: OSError | http.client.HTTPException, *, stage: str, timeout: float, target: _Target
) -> FetchRejected:
    if isinstance(exc, TimeoutError):
        return FetchRejected(f"timed out after {timeout:g} s {stage} {target.netloc}")
    if isinstance(exc, OSError):
        return FetchRejected(
            f"connection error {stage} {target.netloc}: {_clip(exc.strerror or str(exc))}"
        )
    return FetchRejected(f"invalid HTTP response from {target.netloc}: {_clip(repr(exc))}")


def _read_body(response: http.client.HTTPResponse, *, max_bytes: int) -> bytes:
    declared_length = response.length  # http.client counts it down while reading
    if declared_length is not None and declared_length > max_bytes:
        raise FetchRejected(
            f"Content-Length {declared_length} is more than the limit of {max_bytes} bytes"
        )
    chunks = []
    received = 0
    while chunk := response.read1(min(_READ_SIZE, max_bytes + 1 - received)):
        received += len(chunk)
        if received > max_bytes:
            raise FetchRejected(f"body is more than the limit of {max_bytes} bytes")
        chunks.append(chunk)
    if declared_length is not None and received != declared_length:
        raise FetchRejected(f"body ended after {received} of {declared_length} bytes")
    return b"".join(chunks)


def _media_type(content_type: str | None) -> str:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return CONTENT_TYPE_ALIASES.get(media_type, media_type)


def _clip(text: str, limit: int = 100) -> str:
    """Keep server-controlled text in a reason short."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
