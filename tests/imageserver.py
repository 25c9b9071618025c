"""A real threaded HTTP server on 127.0.0.1 for tests that download images.

    with ImageServer() as server:
        url = server.route("/cat.png", Reply.image(png_bytes, "image/png"))
        ...  # allowed_hosts={server.host}
        assert [request.path for request in server.requests] == ["/cat.png"]

A reply body is bytes (sent with a Content-Length unless the reply sets its own) or an
iterable of bytes streamed chunked or close-delimited; a STALL item makes the server go
silent until it stops, so a test can provoke a timeout without sleeping. A reply with
`trickle` set sends its whole response, status line and headers included, one byte at a time
with that many seconds between bytes, like a hostile server that never lets a read time out.
"""

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class _Stall(bytes):
    """A body item that makes the server stop writing until it shuts down."""


STALL = _Stall()


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    chunked: bool = False
    trickle: float | None = None

    @classmethod
    def image(cls, data: bytes, content_type: str) -> "Reply":
        return cls(headers={"Content-Type": content_type}, body=data)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> "Reply":
        return cls(status=status, headers={"Location": location})


NOT_FOUND = Reply(status=404, headers={"Content-Type": "text/plain"}, body=b"not found")


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    bytes_sent: int = 0  # body bytes the server managed to write
    finished: bool = False  # the whole body was written


class ImageServer:
    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._routes: dict[str, Reply] = {}
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._active = 0
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> "ImageServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def route(self, path: str, reply: Reply) -> str:
        """Serve `reply` at `path` (query string ignored); returns the full URL."""
        self._routes[path] = reply
        return self.url(path)

    def wait_until_idle(self, timeout: float = 5.0) -> None:
        """Wait for every request handler to finish, e.g. to read `bytes_sent` safely."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._active == 0, timeout):
                raise AssertionError(f"{self._active} request(s) still being served")

    def _started(self, request: ReceivedRequest) -> Reply:
        with self._idle:
            self._active += 1
            self.requests.append(request)
        return self._routes.get(urlsplit(request.path).path, NOT_FOUND)

    def _done(self) -> None:
        with self._idle:
            self._active -= 1
            self._idle.notify_all()


class _HTTPServer(ThreadingHTTPServer):
    owner: ImageServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def do_GET(self) -> None:
        owner = self.server.owner
        request = ReceivedRequest(self.command, self.path, dict(self.headers.items()))
        reply = owner._started(request)
        try:
            self._send(reply, request, owner._stopping)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as a size-limited client should
        finally:
            self.close_connection = True
            owner._done()

    def _send(self, reply: Reply, request: ReceivedRequest, stopping: threading.Event) -> None:
        if reply.trickle is not None:
            self._trickle(reply, request, stopping)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        header_names = {name.lower() for name in reply.headers}
        if isinstance(reply.body, bytes) and "content-length" not in header_names:
            self.send_header("Content-Length", str(len(reply.body)))
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()

        pieces = [reply.body] if isinstance(reply.body, bytes) else reply.body
        for piece in pieces:
            if piece is STALL:
                stopping.wait()
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if reply.chunked else piece)
            request.bytes_sent += len(piece)
        if reply.chunked:
            self.wfile.write(b"0\r\n\r\n")
        request.finished = True

    def _trickle(self, reply: Reply, request: ReceivedRequest, stopping: threading.Event) -> None:
        assert isinstance(reply.body, bytes), "a trickled reply has a bytes body"
        head = f"HTTP/1.1 {reply.status} OK\r\n"
        for name, value in reply.headers.items():
            head += f"{name}: {value}\r\n"
        head += "Connection: close\r\n\r\n"
        response = head.encode("latin-1") + reply.body
        for index in range(len(response)):
            if stopping.wait(reply.trickle):
                return
            self.wfile.write(response[index : index + 1])
            self.wfile.flush()
            if index >= len(head):
                request.bytes_sent += 1
        request.finished = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean
