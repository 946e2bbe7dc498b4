"""/healthz and /readyz for load balancers, and the request id carried by responses, logs and error pages."""
import json
import logging

import pytest

from ideaportal.extensions import limiter
from ideaportal.requestlog import LOGGER
from tests import factories
from tests.conftest import build_app


def test_healthz_answers_without_the_database_and_sets_no_cookie(app):
    broken = build_app("postgresql+psycopg://nobody@127.0.0.1:1/nothing")  # nothing listens on port 1
    response = broken.test_client().get("/healthz")
    assert response.status_code == 200 and response.text == "ok\n" and "Set-Cookie" not in response.headers


def test_readyz_says_ready_when_the_database_answers_and_503_with_a_short_reason_when_not(app, database_url):
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.text == "ready\n" and "Set-Cookie" not in ready.headers
    no_database = build_app("postgresql+psycopg://nobody@127.0.0.1:1/nothing").test_client().get("/readyz")
    assert no_database.status_code == 503 and no_database.text == "not ready: database unreachable (OperationalError)\n"
    no_redis = build_app(database_url, REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/readyz")
    assert no_redis.status_code == 503 and no_redis.text == "not ready: redis unreachable (ConnectionError)\n"
    assert "127.0.0.1" not in no_redis.text


def test_probes_are_never_rate_limited(database_url, app):
    limited = build_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                        RATELIMIT_DEFAULT="2 per minute")
    try:
        client = limited.test_client()
        assert {client.get(path).status_code for path in ["/healthz", "/readyz"] * 5} == {200}
        assert [client.get("/auth/login").status_code for _ in range(3)] == [200, 200, 429]  # the default holds
    finally:  # the limiter is one object for every app in the process: later apps must not inherit the default
        limiter.limit_manager.set_default_limits([])
        build_app(database_url)


@pytest.fixture(name="request_log")
def fixture_request_log(database_url, app, caplog):
    logged = build_app(database_url, REQUEST_LOG=True)
    logger = logging.getLogger(LOGGER)
    logger.addHandler(caplog.handler)
    yield logged, caplog
    logger.removeHandler(caplog.handler)


def test_each_request_gets_an_id_in_its_response_and_its_log_line(request_log):
    logged, caplog = request_log
    member = factories.user()
    client = logged.test_client()
    client.post("/auth/login", data={"email": member.email, "password": factories.PASSWORD})
    response = client.get("/ideas?sort=new")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and request_id != client.get("/ideas").headers["X-Request-ID"]
    line = next(record for record in caplog.records if record.request_id == request_id)
    assert line.fields == {**line.fields, "method": "GET", "path": "/ideas", "status": 200, "user_id": member.id}
    from ideaportal.requestlog import JsonLines

    assert json.loads(JsonLines().format(line))["request_id"] == request_id


def test_a_proxys_request_id_is_kept_only_behind_a_trusted_proxy(database_url, app):
    direct = build_app(database_url).test_client().get("/healthz", headers={"X-Request-ID": "lb-42"})
    assert direct.headers["X-Request-ID"] != "lb-42"  # anyone can send the header: not believed
    proxied = build_app(database_url, TRUSTED_PROXIES=1).test_client()
    assert proxied.get("/healthz", headers={"X-Request-ID": "lb-42"}).headers["X-Request-ID"] == "lb-42"
    forged = proxied.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert forged != "<script>" and len(forged) == 32


def test_an_error_page_quotes_its_request_id(app, client):
    response = client.get("/ideas/999999")
    assert response.status_code == 404
    assert f"<code>{response.headers['X-Request-ID']}</code>" in response.text

