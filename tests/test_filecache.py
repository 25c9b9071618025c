"""The file cache (quizsite/filecache.py) culls its folder once every CULL_EVERY writes,
not at every write, and still keeps it near MAX_ENTRIES."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from quizsite import filecache
from quizsite.filecache import FileCache


@pytest.fixture
def listings(monkeypatch):
    """How many times a cache listed its folder."""
    counted = []
    list_files = FileCache._list_cache_files

    def counting(cache):
        counted.append(1)
        return list_files(cache)

    monkeypatch.setattr(FileCache, "_list_cache_files", counting)
    return counted


def test_writes_list_the_folder_once_every_cull_every(tmp_path, listings):
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 1000}})

    for number in range(3 * filecache.CULL_EVERY):
        cache.set(f"key-{number}", number)

    assert len(listings) == 3
    assert cache.get("key-0") == 0


def test_the_folder_stays_within_cull_every_of_max_entries(tmp_path, listings, monkeypatch):
    monkeypatch.setattr(filecache, "CULL_EVERY", 10)
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 30, "CULL_FREQUENCY": 3}})

    sizes = []
    for number in range(200):
        cache.set(f"key-{number}", number)
        sizes.append(len(list(tmp_path.glob("*.djcache"))))

    assert len(listings) == 20
    assert max(sizes) <= 30 + 10
    assert cache.get("key-199") == 199


def test_counts_from_many_threads_at_once_are_all_kept(tmp_path):
    # Each thread its own cache object on the one folder, as each process has.
    caches = [FileCache(str(tmp_path), {}) for _ in range(8)]
    caches[0].add("count", 0)

    def count(cache):
        for _ in range(50):
            cache.incr("count")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(count, caches))

    assert caches[0].get("count") == 8 * 50


def test_a_write_replacing_an_entry_renames_over_no_file(tmp_path, monkeypatch):
    # ext4 flushes a file renamed over another to disk in the writer's time.
    renamed_over = []
    rename = os.rename

    def watching(source, target):
        renamed_over.append(os.path.exists(target))
        rename(source, target)

    monkeypatch.setattr(os, "rename", watching)
    cache = FileCache(str(tmp_path), {})
    cache.set("version", 1)
    cache.set("version", 2)
    cache.set("version", 3)

    assert renamed_over == [False, False, False]
    assert cache.get("version") == 3
    assert len(list(tmp_path.glob("*.djcache"))) == 1
