"""Django's file cache, which looks at the size of its folder now and then instead of at
every write.

Without Redis the processes of one machine share the cache through a folder of files
(settings.CACHES). Django's FileBasedCache lists the whole folder before every write, to
cull it once it holds MAX_ENTRIES: with 4,900 entries (sessions are kept there, one per
learner signed in) a write took 6.4 ms, nearly all of it the listing, against 0.4 ms with
ten, and a signed-in quiz answer writes twice (`bench/cache_writes.py`). Here each thread's
cache looks once every CULL_EVERY writes: the folder may hold that many more entries per
thread than MAX_ENTRIES before a cull, never more.
"""

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100


class FileCache(FileBasedCache):
    _writes_since_cull = 0

    def _cull(self):
        # Django keeps one cache object per thread: no two threads share this count.
        self._writes_since_cull += 1
        if self._writes_since_cull < CULL_EVERY:
            return
        self._writes_since_cull = 0
        super()._cull()
