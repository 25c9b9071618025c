import pytest

pytestmark = pytest.mark.django_db


def test_pages_forbid_inline_and_foreign_scripts(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_admin_keeps_its_own_inline_assets(client):
    assert "Content-Security-Policy" not in client.get("/admin/login/").headers


def test_pages_refuse_framing_and_sniffing(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
