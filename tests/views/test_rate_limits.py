"""Limits that hold: keyed on the real client behind trusted proxies only, per member for writes, shared by
every worker through Redis, and answered with a page in the site's look and a Retry-After."""
import os
import time
import uuid

import pytest

from tests import factories
from tests.conftest import build_app, skip_or_fail
from tests.services.test_concurrency import Member as Browser
from tests.services.test_concurrency import free_port, start_gunicorn

WRONG = {"email": "someone@example.com", "password": "not the password"}


class Member(Browser):
    """A browser-like client with its own cookies and CSRF token (the portal's CSRF check is on)."""

    def log_in_page(self) -> None:
        import re

        _, page = self.request("/auth/login")
        self.token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)

    def wrong_login(self) -> int:
        status, _ = self.request("/auth/login", dict(WRONG))
        return status


def limited_app(database_url, **settings):
    return build_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                     LOGIN_RATE_LIMIT="3 per minute", **settings)


def login_statuses(client, count: int, **headers) -> list[int]:
    return [client.post("/auth/login", data=WRONG, headers=headers).status_code for _ in range(count)]


def test_behind_a_trusted_proxy_each_client_has_its_own_login_budget(database_url, app):
    limited = limited_app(database_url, TRUSTED_PROXIES=1)
    proxy = limited.test_client()
    proxy.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # every request arrives from the proxy
    assert login_statuses(proxy, 4, **{"X-Forwarded-For": "198.51.100.7"}) == [400, 400, 400, 429]
    # Another visitor behind the same proxy is not locked out by the first one's attempts.
    assert login_statuses(proxy, 1, **{"X-Forwarded-For": "198.51.100.8"}) == [400]


def test_without_trusted_proxies_a_forwarded_address_is_ignored(database_url, app):
    limited = limited_app(database_url)  # TRUSTED_PROXIES = 0: the header is the client's own claim
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    statuses = [client.post("/auth/login", data=WRONG, headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code
                for n in range(4)]
    assert statuses == [400, 400, 400, 429]  # a new made-up address each time does not buy more tries


def test_a_limited_answer_is_the_sites_page_with_retry_after(database_url, app):
    limited = limited_app(database_url)
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.10"
    login_statuses(client, 3)
    page = client.post("/auth/login", data=WRONG)
    assert page.status_code == 429 and "Slow down a little" in page.text and 'class="site-header"' in page.text
    assert 0 < int(page.headers["Retry-After"]) <= 60
    json = client.post("/auth/login", data=WRONG, headers={"Accept": "application/json"})
    assert json.status_code == 429 and json.json["error"]["code"] == "too_many_requests"


def test_writes_are_limited_per_member_wherever_they_come_from(database_url, app):
    limited = limited_app(database_url, VOTE_RATE_LIMIT="3 per minute")
    member, ideas = factories.user(), [factories.idea() for _ in range(4)]
    statuses = []
    for number, idea in enumerate(ideas):
        client = limited.test_client()  # a new address each time: the member is the key
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number + 20}"
        client.post("/auth/login", data={"email": member.email, "password": factories.PASSWORD})
        statuses.append(client.post(f"/ideas/{idea.id}/vote", data={"value": "1"}).status_code)
    assert statuses == [302, 302, 302, 429]
    other = limited.test_client()
    other.post("/auth/login", data={"email": factories.user().email, "password": factories.PASSWORD})
    assert other.post(f"/ideas/{ideas[0].id}/vote", data={"value": "1"}).status_code == 302


@pytest.mark.slow
def test_two_gunicorn_workers_share_one_limit_in_redis(database_url, app, tmp_path):
    """With REDIS_URL, the counters are in Redis: two worker processes together allow the limit, not twice it."""
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(redis_url).ping()
    except redis.RedisError as error:
        skip_or_fail(f"no Redis at {redis_url} ({error})")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "limit-test", "REDIS_URL": redis_url,
           "IDEAPORTAL_INSTANCE_PATH": str(tmp_path), "IDEAPORTAL_LOGIN_RATE_LIMIT": "6 per minute",
           "IDEAPORTAL_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "IDEAPORTAL_JOBS_BACKEND": "memory",
           "IDEAPORTAL_SESSION_COOKIE_SECURE": "false"}
    access_log = tmp_path / "access.log"
    server, base = start_gunicorn(["--workers", "2", "--access-logfile", str(access_log),
                                   "--access-logformat", "%(p)s %(m)s %(s)s"], env=env, port=port,
                                  log=tmp_path / "gunicorn.log")
    try:
        member = Member(base)
        member.log_in_page()
        # A new connection each; which worker accepts it is up to the kernel, and on a quiet machine the one that
        # just answered often takes the next too. So try until both have answered (a worker's pid heads its lines).
        statuses, workers = [], set()
        while len(statuses) < 10 or (len(workers) < 2 and len(statuses) < 60):
            statuses.append(member.wrong_login())
            time.sleep(0.05)
            workers = {line.split()[0] for line in access_log.read_text().splitlines() if " POST " in line}
        assert statuses == [400] * 6 + [429] * (len(statuses) - 6), statuses
        assert len(workers) == 2, "one worker served every attempt: nothing shows the limit is shared"
    finally:
        server.terminate()
        server.wait(timeout=10)
