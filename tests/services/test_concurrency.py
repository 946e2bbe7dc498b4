"""Many members voting on one idea at once through gunicorn: no lost vote, no 5xx, no lock errors."""
import http.cookiejar
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ideaportal.extensions import db
from ideaportal.ideas import services
from ideaportal.models import Idea, Subscription, Vote
from tests import factories

VOTERS = 24
VOTES_EACH = 12
PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """Two gunicorn worker processes with four threads each, serving the test database."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "concurrency-test",
        "IDEAPORTAL_INSTANCE_PATH": str(tmp_path),
        "IDEAPORTAL_ARGON2_TIME_COST": "1",
        "IDEAPORTAL_ARGON2_MEMORY_COST": "8",
        "IDEAPORTAL_ARGON2_PARALLELISM": "1",
        "IDEAPORTAL_RATELIMIT_ENABLED": "false",
        "IDEAPORTAL_SESSION_COOKIE_SECURE": "false",  # plain http on loopback, as behind a TLS proxy
        "IDEAPORTAL_REMEMBER_COOKIE_SECURE": "false",
    }
    log = tmp_path / "gunicorn.log"
    server, base = start_gunicorn(["--workers", "2", "--threads", "4", "--worker-class", "gthread",
                                   "--error-logfile", "-"], env=env, port=port, log=log)
    yield base, log
    server.terminate()
    server.wait(timeout=10)


def start_gunicorn(options: list[str], *, env: dict, port: int, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn serving wsgi:app on a loopback port, once it answers; its output goes to `log`."""
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/auth/login", timeout=2)
            return server, base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)


class Member:
    """One browser-like client: its own cookies and CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def request(self, path: str, data: dict | None = None, json_reply: bool = False):
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if json_reply:
            request.add_header("Accept", "application/json")
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, email: str, password: str) -> int:
        _, page = self.request("/auth/login")
        self.token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        status, page = self.request("/auth/login", {"email": email, "password": password})
        # Logging in renews the CSRF token: take the new one from the page it lands on.
        self.token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        return status


def test_concurrent_mixed_votes_are_all_counted(app, gunicorn):
    base, log = gunicorn
    idea_id = factories.idea().id  # plain values only: the threads have no app context
    voters = [factories.user() for _ in range(VOTERS)]
    plans = {voter.email: [random.Random(index).choice([1, -1, 0]) for _ in range(VOTES_EACH)]
             for index, voter in enumerate(voters)}

    def vote_many(email: str) -> list[int]:
        member = Member(base)
        statuses = [member.log_in(email, factories.PASSWORD)]
        for value in plans[email]:
            status, body = member.request(f"/ideas/{idea_id}/vote", {"value": value}, json_reply=True)
            statuses.append(status)
            if status == 200:
                assert json.loads(body)["my_vote"] == value
        return statuses

    with ThreadPoolExecutor(max_workers=VOTERS) as pool:
        results = list(pool.map(vote_many, plans))

    statuses = [status for result in results for status in result]
    assert statuses == [200] * (VOTERS * (VOTES_EACH + 1)), sorted(set(statuses))  # a login, then the votes
    server_log = log.read_text()
    assert "database is locked" not in server_log and "Traceback" not in server_log, server_log[-3000:]

    db.session.expire_all()
    stored = db.session.get(Idea, idea_id)
    total = db.session.scalar(select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.idea_id == idea_id))
    final_votes = 1 + sum(plan[-1] for plan in plans.values())  # the author's own upvote, then each last vote
    assert stored.score == total == final_votes
    assert stored.upvotes - stored.downvotes == stored.score
    assert services.recount_all() == 0


def test_votes_during_merges_all_succeed_or_are_refused_and_counters_stay_exact(app):
    """Merges lock the two ideas, then move their votes; a vote claims its idea first too, and a deadlock's
    victim (a merge locks a second idea, a Storm Session vote its voter) runs again. Nothing but a domain
    refusal (the idea was merged away) may reach the voter or the product manager."""
    from ideaportal.errors import Conflict, NotFound
    from ideaportal.merges.services import merge_idea

    category, staff = factories.category(), factories.user(role="pm")
    pairs = [(factories.idea(category_row=category).id, factories.idea(category_row=category).id) for _ in range(6)]
    voters = [factories.user().id for _ in range(6)]
    session_app = app
    failures, refusals = [], []

    def vote(voter_id: int) -> None:
        rng = random.Random(voter_id)
        with session_app.app_context():
            for _ in range(30):
                idea_id = rng.choice([idea for pair in pairs for idea in pair])
                try:
                    services.cast_vote(idea_id=idea_id, voter_id=voter_id, value=rng.choice([1, -1, 0]))
                except (NotFound, Conflict) as error:
                    refusals.append(error)
                except Exception as error:  # noqa: BLE001 (any other failure is what this test is about)
                    failures.append(repr(error))
            db.session.remove()

    def merge() -> None:
        with session_app.app_context():
            for source, target in pairs:
                time.sleep(0.02)
                try:
                    merge_idea(source_id=source, target_id=target, actor_id=staff.id)
                except Conflict as error:
                    refusals.append(error)
                except Exception as error:  # noqa: BLE001
                    failures.append(repr(error))
            db.session.remove()

    with ThreadPoolExecutor(len(voters) + 1) as pool:
        for outcome in [pool.submit(merge), *(pool.submit(vote, voter) for voter in voters)]:
            outcome.result()
    assert failures == []
    db.session.expire_all()
    assert services.recount_all() == 0  # the counters agree with the votes


def test_one_member_voting_on_one_idea_from_many_tabs_at_once_leaves_one_vote_and_exact_counters(app):
    """Up, down and withdraw racing from the same member: each vote reads the old one after the claim, so none
    is counted twice or lost, and the member holds at most one vote row and follows the idea once."""
    idea_id, voter_id = factories.idea().id, factories.user().id
    failures, cast = [], []

    def vote(tab: int) -> None:
        rng = random.Random(tab)
        with app.app_context():
            for _ in range(15):
                value = rng.choice([1, -1, 0])
                try:
                    assert services.cast_vote(idea_id=idea_id, voter_id=voter_id, value=value).my_vote == value
                    cast.append(value)
                except Exception as error:  # noqa: BLE001 (any failure is what this test is about)
                    failures.append(repr(error))
            db.session.remove()

    with ThreadPoolExecutor(6) as pool:
        for outcome in [pool.submit(vote, tab) for tab in range(6)]:
            outcome.result()
    assert failures == [] and len(cast) == 90
    db.session.expire_all()
    held = db.session.scalars(select(Vote.value).where(Vote.idea_id == idea_id, Vote.user_id == voter_id)).all()
    assert len(held) <= 1
    stored = db.session.get(Idea, idea_id)
    assert stored.score == 1 + sum(held) == stored.upvotes - stored.downvotes
    assert db.session.scalar(select(func.count()).select_from(Subscription)
                             .where(Subscription.idea_id == idea_id, Subscription.user_id == voter_id)) == 1
    assert services.recount_all() == 0
