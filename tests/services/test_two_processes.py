"""Two app processes (two gunicorn servers, as on two hosts) on one database and one cache: a login, a
cache invalidation and, with Redis, a rate limit hold across both. With the default file cache, the two
processes are on one machine and share instance/cache/."""
import os
import re
import uuid

import pytest

from tests import factories
from tests.services.test_concurrency import Member, free_port, start_gunicorn
from tests.services.test_mail_delivery import redis_url


@pytest.fixture(params=["files", "redis"])
def two_servers(request, database_url, app, tmp_path):
    """Servers A and B, one worker each, sharing the database, SECRET_KEY and the cache (and limits on Redis)."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "two-processes", "IDEAPORTAL_INSTANCE_PATH":
           str(tmp_path), "IDEAPORTAL_ARGON2_TIME_COST": "1", "IDEAPORTAL_ARGON2_MEMORY_COST": "8",
           "IDEAPORTAL_ARGON2_PARALLELISM": "1", "IDEAPORTAL_SESSION_COOKIE_SECURE": "false",
           "IDEAPORTAL_JOBS_BACKEND": "memory", "IDEAPORTAL_LOGIN_RATE_LIMIT": "4 per minute",
           "IDEAPORTAL_CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}:",
           "IDEAPORTAL_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    env.pop("REDIS_URL", None)
    if request.param == "redis":
        env["REDIS_URL"] = redis_url()
    servers, bases = [], []
    try:
        for name in "ab":
            server, base = start_gunicorn(["--workers", "1"], env=env, port=free_port(), log=tmp_path / f"{name}.log")
            servers.append(server)
            bases.append(base)
        yield request.param, *bases
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def score_on(page: str, idea_id: int) -> int:
    card = page[page.index(f'id="idea-{idea_id}"'):]
    return int(re.search(r'data-score[^>]*>([^<]+)<', card).group(1))


def on(member: Member, base: str) -> Member:
    """The same browser (cookies, token) talking to another server behind the load balancer."""
    member.base = base
    return member


@pytest.mark.slow
def test_a_login_a_vote_and_a_new_idea_hold_across_two_processes(two_servers):
    _, a, b = two_servers
    idea = factories.idea(title="Export the roadmap as a spreadsheet")
    category = factories.category()
    author = factories.user(username="sam")
    visitor = Member(b)
    status, page = visitor.request("/ideas?sort=new")
    assert status == 200
    before = score_on(page, idea.id)
    assert score_on(visitor.request("/ideas?sort=new")[1], idea.id) == before  # now kept in the shared cache

    member = Member(a)
    assert member.log_in(author.email, factories.PASSWORD) == 200
    status, account = on(member, b).request("/account")
    assert status == 200 and "Signed in as" in account and "sam" in account  # A's login, honoured by B

    assert on(member, a).request(f"/ideas/{idea.id}/vote", {"value": 1}, json_reply=True)[0] == 200
    assert score_on(visitor.request("/ideas?sort=new")[1], idea.id) == before + 1  # B's visitor sees A's vote

    status, _ = on(member, b).request("/ideas/new", {"title": "Keyboard shortcuts for triage", "category": category.id,
                                                     "body": "Move through the inbox without a mouse.",
                                                     "confirm_unique": "y"})
    assert status == 200
    assert "Keyboard shortcuts for triage" in on(visitor, a).request("/ideas?sort=new")[1]  # B's idea on A


@pytest.mark.slow
@pytest.mark.parametrize("two_servers", ["redis"], indirect=True)  # without Redis each process counts its own
def test_a_login_limit_counts_attempts_on_both_processes(two_servers):
    _, a, b = two_servers
    member = Member(a)
    _, page = member.request("/auth/login")
    member.token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    statuses = [on(member, (a, b)[attempt % 2]).request("/auth/login", {"email": "nobody@example.com",
                                                                       "password": "wrong"})[0]
                for attempt in range(6)]
    assert statuses == [400] * 4 + [429] * 2, statuses
