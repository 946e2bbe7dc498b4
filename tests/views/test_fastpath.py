"""A visitor's kept page answered before Flask (ideaportal/fastpath.py): the same response Flask would give,
and every request whose answer could differ left to Flask."""
import logging
from contextlib import contextmanager

import pytest
from flask import request_started

from ideaportal import cache, pages
from ideaportal.replica.routing import READ_PRIMARY
from ideaportal.requestlog import LOGGER
from tests import factories
from tests.conftest import build_app

KEPT = ["/", "/ideas", "/ideas?sort=top&page=1", "/roadmap", "/implemented", "/leaderboard", "/stats",
        "/feeds/ideas.atom", "/users/reader"]
CHANGING_HEADERS = {"X-Request-ID", "Date"}  # a new id each request; the second may turn between two requests


@pytest.fixture(name="site")
def fixture_site(database_url, app):
    served = build_app(database_url, PAGE_CACHE_SECONDS=60)
    with served.app_context():
        cache.clear()
    return served


@pytest.fixture(name="idea")
def fixture_idea(app):
    factories.user(username="reader")
    return factories.idea(title="Dark mode for the dashboard")


@contextmanager
def flask_handled(app):
    """The paths of the requests that reached Flask's request handling while the block ran."""
    paths = []

    def note(sender, **extra):
        from flask import request

        paths.append(request.full_path.rstrip("?"))
    request_started.connect(note, app)
    try:
        yield paths
    finally:
        request_started.disconnect(note, app)


def comparable(response) -> tuple:
    headers = sorted((name, value) for name, value in response.headers.items() if name not in CHANGING_HEADERS)
    return response.status_code, headers, response.data


def test_a_kept_page_is_answered_without_flask_exactly_as_flask_answered_it(site, idea):
    paths = [*KEPT, f"/ideas/{idea.id}-dark-mode-for-the-dashboard"]
    with flask_handled(site) as handled:
        rendered = {path: site.test_client().get(path) for path in paths}
    assert handled == paths  # each rendered once, by Flask
    with flask_handled(site) as handled:
        answered = {path: site.test_client().get(path) for path in paths}
    assert handled == []
    for path in paths:
        assert rendered[path].status_code == 200, path
        assert comparable(answered[path]) == comparable(rendered[path]), path
        assert answered[path].headers["X-Request-ID"] != rendered[path].headers["X-Request-ID"]
        assert answered[path].headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_request_whose_answer_could_differ_goes_to_flask(site, idea):
    site.test_client().get("/ideas")  # kept
    member = factories.user()
    signed_in = site.test_client()
    signed_in.post("/auth/login", data={"email": member.email, "password": factories.PASSWORD})
    other_cookie = site.test_client()
    other_cookie.set_cookie("theme", "dark")  # not the app's: no reason to go to Flask
    just_wrote = site.test_client()
    just_wrote.set_cookie(READ_PRIMARY, "9999999999")
    remembered = site.test_client()
    remembered.set_cookie("remember_token", "1|abc")
    with flask_handled(site) as handled:
        assert "Signed in as" in signed_in.get("/ideas").text
        assert just_wrote.get("/ideas").status_code == 200
        assert remembered.get("/ideas").status_code == 200
        assert site.test_client().get("/ideas", headers={"Accept": "application/json"}).status_code == 200
        assert site.test_client().head("/ideas").status_code == 200
        assert site.test_client().get("/ideas", data="x=1").status_code == 200
        assert site.test_client().get("/ideas?sort=new").status_code == 200  # not kept yet
        assert other_cookie.get("/ideas").status_code == 200
    assert handled == ["/ideas"] * 6 + ["/ideas?sort=new"]


def test_after_a_write_or_once_expired_flask_renders_the_page_again(site, idea, monkeypatch):
    visitor = site.test_client()
    visitor.get("/ideas")
    with site.app_context():
        pages.new_generation()  # what any request that writes does after its response
    with flask_handled(site) as handled:
        visitor.get("/ideas")
        visitor.get("/ideas")
    assert handled == ["/ideas"]
    later = cache.time.time() + 61
    monkeypatch.setattr(cache.time, "time", lambda: later)
    with flask_handled(site) as handled:
        assert visitor.get("/ideas").status_code == 200
    assert handled == ["/ideas"]


def test_an_unchanged_page_is_a_304_and_its_request_is_logged_with_its_id(database_url, app, idea, caplog):
    logged = build_app(database_url, PAGE_CACHE_SECONDS=60, REQUEST_LOG=True)
    with logged.app_context():
        cache.clear()
    visitor = logged.test_client()
    etag = visitor.get("/ideas").headers["ETag"]
    logger = logging.getLogger(LOGGER)
    logger.addHandler(caplog.handler)
    try:
        with flask_handled(logged) as handled:
            unchanged = visitor.get("/ideas", headers={"If-None-Match": etag})
            changed = visitor.get("/ideas", headers={"If-None-Match": '"another"'})
    finally:
        logger.removeHandler(caplog.handler)
    assert handled == []
    assert unchanged.status_code == 304 and unchanged.data == b"" and unchanged.headers["ETag"] == etag
    assert changed.status_code == 200 and changed.data
    lines = {record.request_id: record.fields for record in caplog.records if record.name == LOGGER}
    assert lines[unchanged.headers["X-Request-ID"]] == {
        **lines[unchanged.headers["X-Request-ID"]], "method": "GET", "path": "/ideas", "status": 304, "user_id": None}
    assert lines[changed.headers["X-Request-ID"]]["status"] == 200


def test_behind_a_proxy_it_sees_the_forwarded_host_address_and_request_id(database_url, app, idea, caplog):
    proxied = build_app(database_url, PAGE_CACHE_SECONDS=60, REQUEST_LOG=True, TRUSTED_PROXIES=1)
    with proxied.app_context():
        cache.clear()
    forwarded = {"X-Forwarded-Host": "ideas.example.com", "X-Forwarded-For": "203.0.113.9"}
    proxied.test_client().get("/ideas", headers=forwarded)
    logger = logging.getLogger(LOGGER)
    logger.addHandler(caplog.handler)
    try:
        with flask_handled(proxied) as handled:
            answered = proxied.test_client().get("/ideas", headers={**forwarded, "X-Request-ID": "lb-42"})
            other_host = proxied.test_client().get("/ideas", headers={"X-Forwarded-Host": "other.example.com"})
    finally:
        logger.removeHandler(caplog.handler)
    assert handled == ["/ideas"]  # another host's page is its own, rendered by Flask
    assert answered.status_code == 200 and answered.headers["X-Request-ID"] == "lb-42"
    assert other_host.status_code == 200
    line = next(record for record in caplog.records if record.request_id == "lb-42")
    assert line.fields["ip"] == "203.0.113.9"


def test_a_host_outside_trusted_hosts_is_refused_even_when_its_page_is_kept(site, database_url, idea):
    # `site` shares the cache (one database, one installation) but trusts any host: it keeps evil.example's page.
    assert site.test_client().get("/ideas", headers={"Host": "evil.example"}).status_code == 200
    strict = build_app(database_url, PAGE_CACHE_SECONDS=60, TRUSTED_HOSTS=["localhost"])
    assert strict.test_client().get("/ideas").status_code == 200
    with flask_handled(strict) as handled:
        refused = strict.test_client().get("/ideas", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "not trusted" in refused.text and handled == ["/ideas"]


def test_only_a_page_that_may_be_kept_reads_the_cache_before_flask(site, idea, monkeypatch):
    read = []
    fresh = cache.fresh
    monkeypatch.setattr(cache, "fresh", lambda key: read.append(key) or fresh(key))
    visitor = site.test_client()
    assert visitor.get("/healthz").status_code == 200  # answers while the cache cannot
    assert visitor.get("/static/css/site.css").status_code == 200
    assert visitor.get("/no-such-page").status_code == 404
    assert visitor.get("/auth/login").status_code == 200
    assert read == []
    assert visitor.get("/ideas").status_code == 200
    assert len(read) == 1


def test_a_cache_that_fails_here_leaves_the_answer_to_flask(site, idea, monkeypatch):
    site.test_client().get("/ideas")

    def broken(key):
        raise OSError("the cache's disk is gone")
    monkeypatch.setattr(cache, "fresh", broken)
    with flask_handled(site) as handled:
        assert site.test_client().get("/ideas").status_code == 200
    assert handled == ["/ideas"]
