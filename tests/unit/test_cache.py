"""The shared cache of public aggregates (ideaportal/cache.py), in files and in Redis; no database is opened."""
import multiprocessing
import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from ideaportal import cache, create_app
from tests.conftest import TEST_CONFIG
from tests.services.test_mail_delivery import redis_url

FORK = multiprocessing.get_context("fork")  # the racing processes start with the test's app and patches


@pytest.fixture(params=["FileSystemCache", "RedisCache"])
def cache_type(request):
    if request.param == "RedisCache":
        return {"CACHE_TYPE": "RedisCache", "REDIS_URL": redis_url()}
    return {"CACHE_TYPE": "FileSystemCache"}


def make_app(cache_type, tmp_path, database="one"):
    """An app whose database (never opened) names its cache's prefix, its file cache under `tmp_path`."""
    url = f"sqlite:///{tmp_path}/{database}-{uuid.uuid4().hex}.db"
    app = create_app({**TEST_CONFIG, **cache_type, "SQLALCHEMY_DATABASE_URI": url,
                      "LEADERBOARD_CACHE_SECONDS": 60, "STATS_CACHE_SECONDS": 0})
    with app.app_context():
        cache.clear()
    return app


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)
    return compute


def test_redis_is_chosen_when_redis_url_is_set_and_files_otherwise(tmp_path):
    assert create_app({**TEST_CONFIG, "REDIS_URL": "redis://127.0.0.1:6379/15"}).config["CACHE_TYPE"] == "RedisCache"
    files = create_app(TEST_CONFIG)
    assert files.config["CACHE_TYPE"] == "FileSystemCache" and "/cache/ideaportal-" in files.config["CACHE_DIR"]


def test_a_value_is_reused_until_cleared_and_never_kept_for_zero_seconds(cache_type, tmp_path):
    app, compute = make_app(cache_type, tmp_path), counter()
    with app.app_context():
        assert cache.remember("board", compute, setting="LEADERBOARD_CACHE_SECONDS") == 1
        assert cache.remember("board", compute, setting="LEADERBOARD_CACHE_SECONDS") == 1
        assert cache.remember(("board", 1, None), compute, setting="LEADERBOARD_CACHE_SECONDS") == 2
        assert cache.remember("board", compute, setting="STATS_CACHE_SECONDS") == 3  # 0 seconds: computed each time
        cache.clear()
        assert cache.remember("board", compute, setting="LEADERBOARD_CACHE_SECONDS") == 4


def test_apps_on_two_databases_share_no_entry_and_two_apps_on_one_database_do(cache_type, tmp_path):
    one, other = make_app(cache_type, tmp_path, "one"), make_app(cache_type, tmp_path, "other")
    twin = create_app({**TEST_CONFIG, **cache_type, "SQLALCHEMY_DATABASE_URI": one.config["SQLALCHEMY_DATABASE_URI"],
                       "LEADERBOARD_CACHE_SECONDS": 60})  # a second process of the same installation
    with one.app_context():
        assert cache.remember("board", lambda: "one's board", setting="LEADERBOARD_CACHE_SECONDS") == "one's board"
    with other.app_context():
        assert cache.remember("board", lambda: "other's", setting="LEADERBOARD_CACHE_SECONDS") == "other's"
    with twin.app_context():
        assert cache.remember("board", lambda: "recomputed", setting="LEADERBOARD_CACHE_SECONDS") == "one's board"


def test_requests_for_one_missing_key_wait_for_one_computation_and_other_keys_do_not_wait(cache_type, tmp_path):
    app = make_app(cache_type, tmp_path)
    started, release = threading.Event(), threading.Event()
    computed, results = [], []

    def slow():
        computed.append("slow")
        started.set()
        assert release.wait(timeout=10)
        return "slow board"

    def ask():
        with app.app_context():
            results.append(cache.remember("slow", slow, setting="LEADERBOARD_CACHE_SECONDS"))

    first, second = threading.Thread(target=ask), threading.Thread(target=ask)
    first.start()
    assert started.wait(timeout=10)
    second.start()
    with app.app_context():  # this would hang if another key had to wait for "slow"
        assert cache.remember("quick", lambda: "quick board", setting="LEADERBOARD_CACHE_SECONDS") == "quick board"
    release.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert results == ["slow board", "slow board"] and computed == ["slow"]


def test_an_expired_value_answers_while_one_request_recomputes_it(cache_type, tmp_path):
    app = make_app(cache_type, tmp_path)
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        assert release.wait(timeout=10)
        return "new board"

    with app.app_context():
        cache.app_cache().set("remember:'board'", (0, "old board"), timeout=60)  # expired, still kept
    results = []

    def ask():
        with app.app_context():
            results.append(cache.remember("board", slow, setting="LEADERBOARD_CACHE_SECONDS"))

    recomputing = threading.Thread(target=ask)
    recomputing.start()
    assert started.wait(timeout=10)
    with app.app_context():
        assert cache.remember("board", slow, setting="LEADERBOARD_CACHE_SECONDS") == "old board"  # did not wait
    release.set()
    recomputing.join(timeout=10)
    with app.app_context():
        assert results == ["new board"]
        assert cache.remember("board", slow, setting="LEADERBOARD_CACHE_SECONDS") == "new board"


def test_a_redis_lock_left_by_a_process_that_died_expires(tmp_path):
    app = make_app({"CACHE_TYPE": "RedisCache", "REDIS_URL": redis_url()}, tmp_path)
    with app.app_context():
        cache.app_cache().set("remember:'board':computing", 1, timeout=1)
        time.sleep(1.1)
        assert cache.remember("board", lambda: "computed", setting="LEADERBOARD_CACHE_SECONDS") == "computed"


def test_a_file_lock_held_by_a_process_that_died_is_free_at_once(tmp_path):
    app = make_app({"CACHE_TYPE": "FileSystemCache"}, tmp_path)

    def take_and_die():
        with app.app_context():
            os._exit(0 if cache.take_lock("remember:'board':computing") else 1)

    holder = FORK.Process(target=take_and_die)
    holder.start()
    holder.join(timeout=30)
    assert holder.exitcode == 0  # it held the lock when it died, without letting go
    with app.app_context():
        assert cache.remember("board", lambda: "computed", setting="LEADERBOARD_CACHE_SECONDS") == "computed"
        assert cache.take_lock("remember:'board':computing") is not None  # and the lock was let go after


def test_a_lock_is_held_by_one_request_at_a_time_and_free_once_released(cache_type, tmp_path):
    app = make_app(cache_type, tmp_path)
    with app.app_context():
        release = cache.take_lock("key")
        assert release is not None and cache.take_lock("key") is None and cache.take_lock("other key") is not None
        release()
        assert cache.take_lock("key") is not None


RACERS = 4


def test_processes_taking_one_lock_over_and_over_never_hold_it_together(cache_type, tmp_path):
    """The lock's own promise, hammered from real processes: of those that took it, never two at once.
    (The file cache's add() failed this: a look, then a write.)"""
    app = make_app(cache_type, tmp_path)
    holders, overlaps, taken, start = FORK.Value("i", 0), FORK.Value("i", 0), FORK.Value("i", 0), FORK.Barrier(3)

    def hammer():
        with app.app_context():
            start.wait(timeout=30)
            for _ in range(1000):
                release = cache.take_lock("key")
                if release is None:
                    continue
                with holders.get_lock():
                    holders.value += 1
                    taken.value += 1
                    overlaps.value += holders.value > 1
                with holders.get_lock():
                    holders.value -= 1
                release()

    racers = [FORK.Process(target=hammer) for _ in range(3)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=120)
    assert [racer.exitcode for racer in racers] == [0, 0, 0]
    assert taken.value >= 100 and overlaps.value == 0  # taken often, and never by two
    if cache_type["CACHE_TYPE"] == "FileSystemCache":  # each holder deleted its file: none piles up
        assert os.listdir(app.config["CACHE_DIR"] + ".locks") == []



def test_processes_racing_for_one_missing_key_compute_it_exactly_once(cache_type, tmp_path, monkeypatch):
    """Real processes, started together at a barrier. Whoever computes holds on until every other has tried
    the lock and been refused, so a lock two could take at once shows as a second computation."""
    app = make_app(cache_type, tmp_path)
    computations, refusals = FORK.Value("i", 0), FORK.Value("i", 0)
    take_lock, refused_here = cache.take_lock, []  # each forked process has its own list

    def counted_take_lock(name):
        release = take_lock(name)
        if release is None and not refused_here:
            refused_here.append(name)
            with refusals.get_lock():
                refusals.value += 1
        return release

    monkeypatch.setattr(cache, "take_lock", counted_take_lock)  # the forked processes inherit it

    def compute(key):
        with computations.get_lock():
            computations.value += 1
        deadline = time.monotonic() + 20  # a second computer would wait here for refusals that never come
        while refusals.value < RACERS - 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        return f"{key} board"

    for round_ in range(5):
        key, start, answers = f"race {round_}", FORK.Barrier(RACERS), FORK.Queue()
        computations.value = refusals.value = 0

        def race(key=key, start=start, answers=answers):
            with app.app_context():
                start.wait(timeout=30)
                answers.put(cache.remember(key, lambda: compute(key), setting="LEADERBOARD_CACHE_SECONDS"))

        racers = [FORK.Process(target=race) for _ in range(RACERS)]
        for racer in racers:
            racer.start()
        found = [answers.get(timeout=60) for _ in racers]
        for racer in racers:
            racer.join(timeout=30)
        assert [racer.exitcode for racer in racers] == [0] * RACERS
        assert found == [f"{key} board"] * RACERS and computations.value == 1


def test_a_shared_word_is_drawn_once_read_alike_by_every_process_and_replaced_for_all(cache_type, tmp_path):
    app = make_app(cache_type, tmp_path)
    twin = create_app({**TEST_CONFIG, **cache_type, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with app.app_context():
        first = cache.shared_word("generation")
        assert len(first) == 32 and cache.shared_word("generation") == first
    seen = FORK.Queue()

    def read_and_replace():
        with twin.app_context():
            seen.put(cache.shared_word("generation"))
            seen.put(cache.new_shared_word("generation"))
    other = FORK.Process(target=read_and_replace)
    other.start()
    read, replaced = seen.get(timeout=30), seen.get(timeout=30)
    other.join(timeout=30)
    assert read == first and replaced != first
    with app.app_context():
        assert cache.shared_word("generation") == replaced
        cache.clear()  # the entries go (and Redis's word with them: a new one is drawn, once)
        assert cache.shared_word("generation") == cache.shared_word("generation")
        assert cache.shared_word("other word") not in (replaced, first)


def test_a_word_file_missing_or_half_written_gets_a_new_word(tmp_path):
    app = make_app({"CACHE_TYPE": "FileSystemCache"}, tmp_path)
    with app.app_context():
        path = cache._beside_the_cache("generation")
        assert not path.exists()
        drawn = cache.shared_word("generation")
        assert path.read_text() == drawn
        assert path.parent == Path(app.config["CACHE_DIR"]).parent  # beside the entries, which clear() empties
        path.write_bytes(b"abc")  # a process created it and has not written its word yet
        redrawn = cache.shared_word("generation")
        assert redrawn != drawn and len(redrawn) == 32 and cache.shared_word("generation") == redrawn


def test_a_word_file_that_cannot_be_read_or_written_is_logged_and_keys_nothing(tmp_path, caplog):
    app = make_app({"CACHE_TYPE": "FileSystemCache"}, tmp_path)
    with app.app_context():
        path = cache._beside_the_cache("generation")
        path.mkdir(parents=True)  # what any file that cannot be read or written looks like here
        words = {cache.shared_word("generation") for _ in range(3)}
        assert len(words) == 3  # a word of its own each time: no kept entry is ever found by one
        cache.new_shared_word("generation")  # logged, not raised: the write it follows has committed
    assert "cannot be read" in caplog.text and "cannot be replaced" in caplog.text


def test_the_word_and_the_locks_live_beside_a_cache_dir_given_with_a_trailing_slash(tmp_path):
    folder = tmp_path / "entries"
    app = create_app({**TEST_CONFIG, "CACHE_TYPE": "FileSystemCache", "CACHE_DIR": f"{folder}/",
                      "CACHE_THRESHOLD": 2, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3"})
    with app.app_context():
        word = cache.shared_word("generation")
        release = cache.take_lock("key")
        release()
        for number in range(5):  # past the threshold: cachelib prunes the folder's files
            cache.app_cache().set(f"entry {number}", number)
        assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("entries")) == [
            "entries", "entries.generation", "entries.locks"]
        assert cache.shared_word("generation") == word
