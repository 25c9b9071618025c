"""The login lock sees each client's own address: behind a proxy through the address the
proxy appends to X-Forwarded-For, and without one through the connection, whatever a client
writes in that header. The settings come from QUIZSITE_PROXY_COUNT, read as at start-up."""

import runpy
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "quizsite" / "settings.py"
PROXY_ADDRESS = "10.0.0.2"
CLIENT_ADDRESS = "203.0.113.7"
OTHER_CLIENT_ADDRESS = "198.51.100.9"


@pytest.fixture
def proxy_count(request, settings, monkeypatch, tmp_path):
    """Applies the client-address settings that QUIZSITE_PROXY_COUNT gives at start-up."""
    monkeypatch.setenv("QUIZSITE_PROXY_COUNT", str(request.param))
    monkeypatch.setenv("QUIZSITE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    fresh = runpy.run_path(str(SETTINGS_FILE))
    for name, value in fresh.items():
        if name.startswith(("AXES_IPWARE_", "IPWARE_")):
            setattr(settings, name, value)
    return request.param


def log_in(*, password, forwarded_for=None, remote_addr=PROXY_ADDRESS):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return Client(REMOTE_ADDR=remote_addr).post(
        reverse("login"), {"username": "alice", "password": password}, headers=headers
    )


def lock_out(*, limit, **request):
    statuses = [log_in(password="wrong", **request).status_code for _ in range(limit)]
    assert statuses[-1] == 429, statuses


@pytest.mark.parametrize("proxy_count", [1], indirect=True)
def test_behind_one_proxy_failures_lock_that_client_only(proxy_count, alice, password, settings):
    lock_out(limit=settings.AXES_FAILURE_LIMIT, forwarded_for=CLIENT_ADDRESS)

    assert log_in(password=password, forwarded_for=OTHER_CLIENT_ADDRESS).status_code == 302
    assert log_in(password=password, forwarded_for=CLIENT_ADDRESS).status_code == 429


@pytest.mark.parametrize("proxy_count", [1], indirect=True)
def test_behind_one_proxy_a_written_header_does_not_unlock_the_client(
    proxy_count, alice, password, settings
):
    lock_out(limit=settings.AXES_FAILURE_LIMIT, forwarded_for=CLIENT_ADDRESS)

    # The client sent "X-Forwarded-For: 198.51.100.9"; the proxy appended the real address.
    spoofed = f"{OTHER_CLIENT_ADDRESS}, {CLIENT_ADDRESS}"
    assert log_in(password=password, forwarded_for=spoofed).status_code == 429


@pytest.mark.parametrize("proxy_count", [1], indirect=True)
def test_behind_one_proxy_a_written_header_cannot_lock_someone_else(
    proxy_count, alice, password, settings
):
    spoofed = f"{OTHER_CLIENT_ADDRESS}, {CLIENT_ADDRESS}"
    lock_out(limit=settings.AXES_FAILURE_LIMIT, forwarded_for=spoofed)

    assert log_in(password=password, forwarded_for=OTHER_CLIENT_ADDRESS).status_code == 302


@pytest.mark.parametrize("proxy_count", [2], indirect=True)
def test_behind_two_proxies_the_client_is_second_from_the_right(
    proxy_count, alice, password, settings
):
    outer_proxy = "192.0.2.1"
    lock_out(
        limit=settings.AXES_FAILURE_LIMIT,
        forwarded_for=f"{OTHER_CLIENT_ADDRESS}, {CLIENT_ADDRESS}, {outer_proxy}",
    )

    assert (
        log_in(
            password=password, forwarded_for=f"{OTHER_CLIENT_ADDRESS}, {outer_proxy}"
        ).status_code
        == 302
    )


@pytest.mark.parametrize("proxy_count", [0], indirect=True)
def test_without_a_proxy_a_spoofed_header_changes_nothing(proxy_count, alice, password, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(password="wrong", remote_addr=CLIENT_ADDRESS, forwarded_for=f"192.0.2.{attempt}")

    # Still locked whatever the header says: the connection's address is the client's.
    locked = log_in(password=password, remote_addr=CLIENT_ADDRESS, forwarded_for="192.0.2.200")
    assert locked.status_code == 429
    # And a header naming the locked address does not lock anyone else.
    other = log_in(
        password=password, remote_addr=OTHER_CLIENT_ADDRESS, forwarded_for=CLIENT_ADDRESS
    )
    assert other.status_code == 302
