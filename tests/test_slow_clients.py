"""Clients that stall halfway through a request hold one gunicorn thread each, not a whole
worker: the site under `make serve`'s gunicorn settings still answers everyone else."""

import socket

import httpx
import pytest

from tests.servers import Gunicorn, site_env

pytestmark = pytest.mark.own_processes


def stalled_upload(port: int) -> socket.socket:
    """A login POST that announces 100 kB and sends a few bytes, then nothing. It carries a
    CSRF cookie, so the CSRF check waits for the body instead of refusing at once."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n"
        b"Cookie: csrftoken=abcdefghijklmnopqrstuvwxyz012345\r\n\r\n"
        b"username=al"
    )
    return sock


def test_stalled_uploads_do_not_hold_the_site(tmp_path, site_var_dir):
    env = site_env(QUIZSITE_VAR_DIR=str(site_var_dir(tmp_path)))
    # One worker: with gunicorn's default sync workers, the first upload alone would hold
    # the whole site until the worker timeout.
    with Gunicorn(env=env, workers=1, threads=4) as site, httpx.Client(timeout=10) as client:
        stalled = [stalled_upload(site.port) for _ in range(2)]
        try:
            statuses = [client.get(site.url("/")).status_code for _ in range(5)]
        finally:
            for sock in stalled:
                sock.close()

    assert statuses == [200] * 5
