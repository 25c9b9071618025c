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


@pytest.mark.parametrize(
    "request_kwargs",
    [
        # Refused by CommonMiddleware (the host) and FormCharsetMiddleware (the charset),
        # before any view: their 400 pages came without the two headers.
        {"path": "/", "HTTP_HOST": "evil.example"},
        {
            "path": "/quiz/quick/",
            "method": "POST",
            "data": "deck=x",
            "content_type": "application/x-www-form-urlencoded; charset=latin-1",
        },
        {"path": "/leaderboard"},  # the redirect to the address with its slash
    ],
    ids=["unknown host", "form charset", "slash redirect"],
)
def test_answers_made_before_any_view_refuse_framing_too(client, request_kwargs):
    kwargs = dict(request_kwargs)
    method = kwargs.pop("method", "GET").lower()
    response = getattr(client, method)(**kwargs)

    assert response.status_code in (301, 400)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
