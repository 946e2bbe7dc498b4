"""The per-process cache of public aggregates, without Flask or a database."""
import threading

from ideaportal.cache import TTLCache


def test_a_value_is_reused_until_it_expires_and_never_kept_for_zero_seconds():
    cache, calls = TTLCache(), []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.remember("board", 60, compute) == 1
    assert cache.remember("board", 60, compute) == 1
    assert cache.remember("other", 60, compute) == 2
    assert cache.remember("board", 0, compute) == 3  # 0 seconds: computed every time, stored never
    cache.clear()
    assert cache.remember("board", 60, compute) == 4


def test_requests_for_one_key_wait_for_one_computation_and_other_keys_do_not_wait():
    cache = TTLCache()
    started, release = threading.Event(), threading.Event()
    computed = []

    def slow():
        computed.append("slow")
        started.set()
        assert release.wait(timeout=10)
        return "slow board"

    results = []
    first = threading.Thread(target=lambda: results.append(cache.remember("slow", 60, slow)))
    second = threading.Thread(target=lambda: results.append(cache.remember("slow", 60, slow)))
    first.start()
    assert started.wait(timeout=10)
    second.start()
    # While "slow" is being computed, another key is answered at once (this would hang if it had to wait).
    assert cache.remember("quick", 60, lambda: "quick board") == "quick board"
    release.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert results == ["slow board", "slow board"] and computed == ["slow"]
