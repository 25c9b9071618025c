"""Django's file cache, which looks at the size of its folder now and then instead of at
every write.

Without Redis the processes of one machine share the cache through a folder of files
(settings.CACHES). Django's FileBasedCache lists the whole folder before every write, to
cull it once it holds MAX_ENTRIES: with 4,900 entries (sessions are kept there, one per
learner signed in) a write took 6.4 ms, nearly all of it the listing, against 0.4 ms with
ten, and a signed-in quiz answer writes twice (`bench/cache_writes.py`). Here each thread's
cache looks once every CULL_EVERY writes: the folder may hold that many more entries per
thread than MAX_ENTRIES before a cull, never more.

Its `add` and `incr` hold a lock on the folder, across the machine's processes: Django's
are a read then a write, so two processes counting at once lost counts (12 guests starting
quizzes in parallel got 824 starts through a limit of 600 a minute) and version numbers
could move on by one where two writes asked for two.

A write replacing an entry removes it first, then moves the new file in: Django's renames
the new file over the old, and ext4 then flushes the new file's data to disk in the
writer's time (its `auto_da_alloc`, kept for files renamed over others): every signed-in
quiz answer replaces its learner's memory number so, which took 0.43-0.63 ms of CPU and
1.4-3.4 ms in all on this machine, against 0.28-0.56 and 0.8-2.2 with the removal first
(bench/HISTORY.md, round 17). A reader in between finds no entry, which every user of the
cache takes as a miss (a session is read from the database, a version number starts anew).
"""

import contextlib
import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

try:
    import fcntl
except ImportError:  # Windows: no lock (a development machine, one process)
    fcntl = None

CULL_EVERY = 100
# Not an entry: the cache lists and culls only the files ending in its own suffix.
LOCK_NAME = "lock"


class FileCache(FileBasedCache):
    _writes_since_cull = 0

    @contextlib.contextmanager
    def _locked(self):
        if fcntl is None:
            yield
            return
        os.makedirs(self._dir, exist_ok=True)
        # A file of its own per call: flock excludes other open files, even this process's.
        with open(os.path.join(self._dir, LOCK_NAME), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._locked():
            return super().incr(key, delta, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._key_to_file(key, version))
        super().set(key, value, timeout, version)

    def _cull(self):
        # Django keeps one cache object per thread: no two threads share this count.
        self._writes_since_cull += 1
        if self._writes_since_cull < CULL_EVERY:
            return
        self._writes_since_cull = 0
        super()._cull()
