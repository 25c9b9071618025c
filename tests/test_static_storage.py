"""The production static files' storage: whitenoise's, each address worked out once."""

import json

import pytest
from django.contrib.staticfiles.storage import ManifestFilesMixin

from quizsite.static_storage import RememberedManifestStaticFilesStorage
from tests.test_settings import PRODUCTION_ENV, run_manage


@pytest.fixture
def storage(tmp_path):
    manifest = {"paths": {"css/site.css": "css/site.0123abcd.css"}, "version": "1.1"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return RememberedManifestStaticFilesStorage(location=tmp_path, base_url="/static/")


@pytest.fixture
def lookups(monkeypatch):
    """The names looked up in the manifest."""
    looked_up = []
    stored_name = ManifestFilesMixin.stored_name

    def counting(storage, name):
        looked_up.append(name)
        return stored_name(storage, name)

    monkeypatch.setattr(ManifestFilesMixin, "stored_name", counting)
    return looked_up


def test_an_address_is_looked_up_in_the_manifest_once(storage, lookups):
    # ~60 Python calls a lookup, and every page's head links four files.
    addresses = [storage.url("css/site.css") for _ in range(3)]
    assert addresses == ["/static/css/site.0123abcd.css"] * 3
    assert lookups == ["css/site.css"]


def test_a_file_missing_from_the_manifest_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")


def test_a_new_manifest_gives_the_new_addresses(storage):
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    # As collectstatic run in this process leaves it.
    storage.hashed_files = {"css/site.css": "css/site.4567cdef.css"}
    storage.save_manifest()
    assert storage.url("css/site.css") == "/static/css/site.4567cdef.css"


def test_the_site_uses_it_in_production(tmp_path):
    show = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    shown = run_manage(tmp_path, "shell", "-c", show, **PRODUCTION_ENV)
    assert shown.returncode == 0, shown.stderr
    assert (
        shown.stdout.split()[-1] == "quizsite.static_storage.RememberedManifestStaticFilesStorage"
    )
