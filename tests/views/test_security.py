"""Security defaults: headers on every response, CSRF on every POST, rate-limited login."""
import re

import pytest
from sqlalchemy import func, select

from ideaportal.extensions import db
from ideaportal.models import Idea
from ideaportal.security import CONTENT_SECURITY_POLICY
from tests import factories
from tests.conftest import build_app


def test_every_page_sends_a_strict_content_security_policy(client, app):
    for path in ("/", "/ideas", "/auth/login", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_script_or_style(client, app):
    idea = factories.idea()
    for path in ("/", "/ideas", f"/ideas/{idea.id}", "/auth/login", "/auth/register"):
        page = client.get(path, follow_redirects=True).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert "<style" not in page and " style=" not in page, path
        assert not re.search(r"\son[a-z]+=", page), path


def test_the_policy_is_one_string_with_no_wildcards():
    assert "*" not in CONTENT_SECURITY_POLICY


@pytest.fixture
def csrf_client(database_url):
    """An app with CSRF on, as in production."""
    app = build_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app.test_client()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register", "/auth/logout", "/ideas/new",
                                  "/ideas/1/vote", "/ideas/1/comments", "/comments/1/delete"])
def test_a_post_without_a_csrf_token_is_refused(csrf_client, app, path):
    response = csrf_client.post(path, data={"email": "a@example.com", "password": "x" * 12, "value": "1"})
    assert response.status_code == 400
    assert "This form had expired or came from another site" in response.text


def test_a_post_with_the_pages_csrf_token_is_accepted(csrf_client, app):
    user = factories.user()
    token = csrf_token(csrf_client.get("/auth/login").text)
    response = csrf_client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD,
                                                     "csrf_token": token})
    assert response.status_code == 302
    idea = factories.idea()
    page = csrf_client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    vote = csrf_client.post(f"/ideas/{idea.id}/vote", data={"value": "-1", "csrf_token": csrf_token(page)},
                            headers={"Accept": "application/json"})
    assert vote.status_code == 200 and vote.json["my_vote"] == -1


def test_a_signed_in_members_vote_without_the_token_is_refused_and_not_counted(csrf_client, app):
    """The vote view reads its form without a FlaskForm: the token is checked before it, for members too."""
    user = factories.user()
    token = csrf_token(csrf_client.get("/auth/login").text)
    csrf_client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    idea = factories.idea()
    for data in ({"value": "1"}, {"value": "1", "csrf_token": "forged"}):
        response = csrf_client.post(f"/ideas/{idea.id}/vote", data=data, headers={"Accept": "application/json"})
        assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).score == 1  # the author's own upvote only


def test_a_csrf_token_from_another_session_is_refused(csrf_client, database_url, app):
    other = build_app(database_url, WTF_CSRF_ENABLED=True).test_client()
    foreign_token = csrf_token(other.get("/auth/login").text)
    csrf_client.get("/auth/login")
    response = csrf_client.post("/auth/login", data={"email": "a@example.com", "password": "x" * 12,
                                                     "csrf_token": foreign_token})
    assert response.status_code == 400


def test_login_attempts_are_rate_limited(database_url, app):
    limited = build_app(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    statuses = [client.post("/auth/login", data={"email": "x@example.com", "password": "wrong password"}).status_code
                for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert "Slow down a little" in client.post("/auth/login", data={}).text
    assert client.get("/auth/login").status_code == 200  # reading the form is never limited


INVISIBLE = [chars * 4 for chars in ("\u200b\u200b", "\u2060\ufeff\u200d", " \u3164 \u115f ", "\u00ad\u034f", "\u202e\u202d")]


@pytest.mark.parametrize("text", INVISIBLE)
def test_titles_bodies_and_comments_with_nothing_visible_are_refused(client, auth, app, text):
    category = factories.category()
    auth.login(factories.user())
    response = client.post("/ideas/new", data={"title": text, "body": "Real words.", "category": category.id,
                                                "post_anyway": "y"})
    assert response.status_code == 400 and "no visible characters" in response.text
    response = client.post("/ideas/new", data={"title": "Real title", "body": text, "category": category.id,
                                                "post_anyway": "y"})
    assert response.status_code == 400 and "no visible characters" in response.text
    idea = factories.idea()
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": text})
    assert response.status_code == 400 and "no visible characters" in response.text
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 1


def test_signed_in_pages_are_private_and_hsts_follows_its_setting(client, auth, app, monkeypatch):
    assert "private" not in client.get("/").headers.get("Cache-Control", "")
    auth.login(factories.user())
    page = client.get("/")
    assert page.headers["Cache-Control"] == "private, no-store" and "Cookie" in page.headers["Vary"]
    assert "Strict-Transport-Security" not in page.headers
    monkeypatch.setitem(app.config, "HSTS_SECONDS", 31536000)
    assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_with_the_database_down_a_signed_in_member_gets_the_error_page_with_its_headers(client, auth, app):
    user = factories.user()
    auth.login(user)
    cookie = client.get_cookie("session").value
    down = build_app("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2", PROPAGATE_EXCEPTIONS=False)
    visitor = down.test_client()
    visitor.set_cookie("session", cookie)
    response = visitor.get("/")
    assert response.status_code == 500 and "Something went wrong on our side" in response.text
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
