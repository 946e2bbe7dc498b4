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
import uuid
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
WORD_LENGTH = 32  # a shared word: uuid4().hex

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


def fresh(full_key: str):
    """What remember_for keeps under `full_key` while it is fresh, else None (it computes nothing)."""
    entry = app_cache().get(full_key)
    return entry[1] if entry is not None and entry[0] > time.time() else None


def shared_word(name: str) -> str:
    """A random word under `name` that every process of this installation reads alike; one is drawn when none is
    stored (never a fixed default, which could bring back entries keyed by it before an eviction)."""
    backend = app_cache()
    if isinstance(backend, FileSystemCache):
        return _read_word_file(name)
    current = backend.get(name)
    if current is None:
        backend.add(name, uuid.uuid4().hex, timeout=0)
        current = backend.get(name)
    return current


def new_shared_word(name: str) -> str:
    """Replace the word under `name` with a new random one, for every process at once."""
    word = uuid.uuid4().hex
    backend = app_cache()
    if isinstance(backend, FileSystemCache):
        _write_word_file(name, word)
    else:
        backend.set(name, word, timeout=0)
    return word


def _beside_the_cache(suffix: str) -> Path:
    """A path beside the file cache's folder, never in it: clear() and pruning take every file there for an entry."""
    folder = Path(current_app.config["CACHE_DIR"])  # Path drops a trailing "/", which would put it inside
    return folder.with_name(f"{folder.name}.{suffix}")


def _read_word_file(name: str) -> str:
    """With the file cache, a word is a file of its own, overwritten in place. Not a cache entry: cachelib writes
    an entry to a new file renamed over the old one, which ext4 makes wait for the data to reach the disk
    (about a millisecond, where this takes microseconds), and a word is written by every request that writes.
    A read that meets a write half done gets a word that is neither: whatever is keyed by it is a miss.
    A file that cannot be read is logged and read as a word of its own, which keys nothing (as cachelib reads
    an entry it cannot read as a miss): pages are then rendered, not served from a word no one can replace.
    """
    try:
        descriptor = os.open(_beside_the_cache(name), os.O_RDONLY)
        try:
            word = os.pread(descriptor, WORD_LENGTH, 0)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        return new_shared_word(name)
    except OSError:
        current_app.logger.exception("the cache's word %r cannot be read; nothing kept is used meanwhile", name)
        return uuid.uuid4().hex
    if len(word) < WORD_LENGTH:  # created by a process that has not written its word yet
        return new_shared_word(name)
    return word.decode("ascii", "replace")


def _write_word_file(name: str, word: str) -> None:
    """A word that cannot be written is logged, not raised (as cachelib's set): the request that wrote has
    committed by then, and its answer must say so."""
    path = _beside_the_cache(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(descriptor, word.encode("ascii"), 0)
        finally:
            os.close(descriptor)
    except OSError:
        current_app.logger.exception("the cache's word %r cannot be replaced; kept pages may be stale", name)


def take_lock(name: str) -> Callable[[], None] | None:
    """The lock called `name`, taken at once or not at all: a function that releases it, or None when another
    request, in any process, holds it."""
    backend = app_cache()
    if isinstance(backend, FileSystemCache):
        return _take_file_lock(_beside_the_cache("locks"), name)
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
