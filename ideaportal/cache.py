"""A short-lived, per-process cache for public aggregates: no schema change, no extra server.

The leaderboard's windowed totals and contributor points, and the public statistics (the
status funnel, the median wait for a first answer), are the same for every visitor and, at a
million ideas, take from tens of milliseconds to about a second to aggregate. Each process keeps
the last result for as many seconds as a setting says (LEADERBOARD_CACHE_SECONDS,
STATS_CACHE_SECONDS in config.py; 0 turns it off). One request recomputes an expired entry while
the others in that process that want the same entry wait for it.
"""
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


class TTLCache:
    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[float, object]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()  # held only to look up or replace the dicts, never while computing

    def remember(self, key: Hashable, seconds: float, compute: Callable[[], T]) -> T:
        """The value stored under `key` if younger than `seconds`, else `compute()` stored anew.

        Requests for the same expired key wait for one computation; other keys do not wait for it.
        """
        if seconds <= 0:
            return compute()
        fresh = self._fresh(key)
        if fresh is not None:
            return fresh[1]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            fresh = self._fresh(key)  # another thread may have computed it while this one waited
            if fresh is not None:
                return fresh[1]
            value = compute()
            now = time.monotonic()
            with self._guard:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                self._entries[key] = (now + seconds, value)
            return value

    def _fresh(self, key: Hashable):
        entry = self._entries.get(key)
        return entry if entry is not None and entry[0] > time.monotonic() else None

    def clear(self) -> None:
        with self._guard:
            self._entries = {}


def app_cache() -> TTLCache:
    """This application's cache (one per app, so test apps on two databases never share entries)."""
    return current_app.extensions.setdefault("aggregate_cache", TTLCache())


def remember(key: Hashable, compute: Callable[[], T], *, setting: str) -> T:
    """`compute()`, or its result from at most `app.config[setting]` seconds ago."""
    return app_cache().remember(key, int(current_app.config[setting]), compute)
