"""The cache every process of one installation shares (Flask-Caching): public aggregates and whole pages.

The leaderboard's windowed totals and contributor points, the public statistics and an idea page's related
ideas are the same for every visitor and, at a million ideas, take from tens of milliseconds to about a
second to compute; pages.py keeps whole anonymous pages here too. `remember` keeps a result for as many
seconds as a setting says (LEADERBOARD_CACHE_SECONDS, STATS_CACHE_SECONDS, ... in config.py; 0 turns it off).

Where it lives (CACHE_TYPE, chosen in init_app unless set):
- Redis when REDIS_URL is set: one cache for every process on every host.
- Otherwise files in instance/cache/ (Flask-Caching's FileSystemCache): every gunicorn worker on this machine
  reads and writes the same entries. Not Flask-Caching's "simple" cache: that is a dict inside each worker,
  so a vote answered by one worker would leave another worker serving its own, older copy of a page.

Every key starts with a prefix made from the database's address (in the file cache, a folder of its own),
so two apps on two databases (tests) never share an entry while all the processes of one installation do.

No stampede: when an entry is missing or expired, one request (whichever takes the entry's lock first)
computes it; the others get the expired value meanwhile, or, when there is none, wait for the one
computing it. The lock is atomic across processes: on Redis a key set with SET NX that expires by itself,
with the file cache an exclusive flock on a file of its own (in CACHE_DIR + ".locks"), which the kernel
releases when the holder's process dies. The file cache's own "add" would not do: it is a look, then a
write, so two workers missing at the same instant both took the lock.
"""
import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

from cachelib import FileSystemCache
from flask import Flask, current_app
from flask_caching import Cache

T = TypeVar("T")
STALE_FOR = 10  # an expired aggregate stays this many times its lifetime, to answer while one request recomputes
LOCK_SECONDS = 60  # a computation's lock in Redis expires by itself if its process died holding it
WAIT_SECONDS = 30  # a request waits at most this long for another's computation, then computes itself
POLL_SECONDS = 0.05

cache = Cache()


def init_app(app: Flask) -> None:
    """Fill in CACHE_TYPE and its place from REDIS_URL unless set, then bind Flask-Caching."""
    config = app.config
    prefix = "ideaportal-" + hashlib.sha256(config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
    if not config["CACHE_TYPE"]:
        config["CACHE_TYPE"] = "RedisCache" if config["REDIS_URL"] else "FileSystemCache"
    if config["CACHE_TYPE"] == "RedisCache":
        config.setdefault("CACHE_REDIS_URL", config["REDIS_URL"])
        config.setdefault("CACHE_KEY_PREFIX", prefix + ":")  # so that clear() deletes this app's keys only
    if config["CACHE_TYPE"] == "FileSystemCache" and not config["CACHE_DIR"]:
        config["CACHE_DIR"] = str(Path(app.instance_path) / "cache" / prefix)  # files have no prefix: a folder each
    cache.init_app(app)


def app_cache():
    """This application's cache backend (cachelib's interface: get, set, add, delete, clear)."""
    return cache.cache


def remember(key_: Hashable, compute: Callable[[], T], *, setting: str) -> T:
    """`compute()`, or its result from at most `app.config[setting]` seconds ago."""
    seconds = int(current_app.config[setting])
    if seconds <= 0:
        return compute()
    return remember_for(f"remember:{key_!r}", seconds, compute)


def remember_for(full_key: str, seconds: int, compute: Callable[[], T]) -> T:
    """The value under `full_key` if younger than `seconds`, else `compute()` stored anew (see the module's
    docstring for who computes and who waits)."""
    backend = app_cache()
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        entry = backend.get(full_key)  # (fresh until, value)
        if entry is not None and entry[0] > time.time():
            return entry[1]
        release = take_lock(full_key + ":computing")
        if release is not None:
            try:
                value = compute()
                backend.set(full_key, (time.time() + seconds, value), timeout=seconds * STALE_FOR)
                return value
            finally:
                release()
        if entry is not None:
            return entry[1]  # another request is recomputing it: this one answers with the expired value
        if time.monotonic() > deadline:
            return compute()
        time.sleep(POLL_SECONDS)


def take_lock(name: str) -> Callable[[], None] | None:
    """The lock called `name`, taken at once or not at all: a function that releases it, or None when another
    request, in any process, holds it."""
    backend = app_cache()
    if isinstance(backend, FileSystemCache):
        return _take_file_lock(Path(current_app.config["CACHE_DIR"] + ".locks"), name)
    if backend.add(name, 1, timeout=LOCK_SECONDS):  # Redis: SET NX, then an expiry
        return lambda: backend.delete(name)
    return None


def _take_file_lock(folder: Path, name: str) -> Callable[[], None] | None:
    """An exclusive, non-blocking flock on the file named after `name`'s hash. A lock held by a process that
    died is released by the kernel with its files, so none goes stale and none needs a timeout.

    The holder deletes the file before letting go, so lock files do not pile up, one per key ever computed.
    Someone who opened the file before that deletion may then lock the deleted one: having locked it, a
    request checks that the file is still the one under the name, and starts again when it is not.
    """
    # Beside the cache's folder, not in it: the cache's clear() and pruning take all there for entries.
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha256(name.encode()).hexdigest()
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        try:
            current = os.path.samestat(os.stat(path), os.fstat(descriptor))
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(descriptor)

    def release() -> None:
        try:
            os.unlink(path)
        finally:
            os.close(descriptor)
    return release


def clear() -> None:
    """Forget every entry of this application (tests; after restoring a database)."""
    app_cache().clear()
