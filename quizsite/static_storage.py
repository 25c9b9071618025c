"""The static files' storage in production: whitenoise's, with each file's address worked
out once per process."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class RememberedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Each `{% static %}` address looked up in the manifest once per process: a lookup is
    ~60 Python calls (the name cleaned, the manifest read, the address joined and quoted),
    and every page's head links four files. The manifest is read once, when the storage is
    made (a new one for changed settings), so an address cannot change under it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._addresses[name]
        except KeyError:
            # A file missing from the manifest raises here each time, as before.
            address = self._addresses[name] = super().url(name)
            return address

    def save_manifest(self):
        # collectstatic in this process: the addresses are the new manifest's from now on.
        super().save_manifest()
        self._addresses.clear()
