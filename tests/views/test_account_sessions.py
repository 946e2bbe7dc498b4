"""Sessions end on the server: a cookie copied before logout, a password change or "log out everywhere" signs
nobody in afterwards, whoever replays it; the account page lists sessions and ends them."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ideaportal.extensions import db
from ideaportal.models import AccountSession, utcnow
from ideaportal.settings.services import deactivate_user, reactivate_user
from tests import factories
from tests.conftest import build_app
from tests.helpers import own_session_client

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.5 Mobile/15E148 Safari/604.1")


def signed_in(client, user) -> bool:
    return f'Signed in as <a href="/users/{user.username}"><strong>{user.username}</strong></a>' in client.get("/").text


def log_in(app, user, *, remember=False, agent=FIREFOX):
    client = own_session_client(app)
    data = {"email": user.email, "password": factories.PASSWORD, **({"remember": "y"} if remember else {})}
    assert client.post("/auth/login", data=data, headers={"User-Agent": agent}).status_code == 302
    return client


def replay(app, source, *names):
    """A new client (another computer, say) holding copies of `source`'s cookies."""
    thief = own_session_client(app)
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def test_a_session_cookie_copied_before_logout_signs_nobody_in_after(app):
    user = factories.user()
    client = log_in(app, user)
    copy = replay(app, client, "session")
    assert signed_in(copy, user)  # the copy works while the session is open...
    client.post("/auth/logout")
    assert not signed_in(copy, user) and not signed_in(client, user)  # ...and not after logging out


def test_a_remember_me_cookie_is_refused_after_logout(app):
    user = factories.user()
    client = log_in(app, user, remember=True)
    assert signed_in(replay(app, client, "remember_token"), user)  # no session cookie: remember-me alone works
    later = replay(app, client, "remember_token")  # a copy taken before logging out, used after
    client.post("/auth/logout")
    assert not signed_in(later, user)


def test_each_login_has_its_own_random_remember_token(app):
    user = factories.user()
    first = log_in(app, user, remember=True).get_cookie("remember_token").value
    second = log_in(app, user, remember=True).get_cookie("remember_token").value
    assert first != second
    assert db.session.scalar(select(AccountSession.token_hash).limit(1)) not in first  # only a hash is stored


def test_changing_the_password_ends_every_other_session(app):
    user = factories.user()
    laptop, phone = log_in(app, user), log_in(app, user, remember=True, agent=PHONE)
    stolen = replay(app, phone, "session", "remember_token")
    copied_before = replay(app, laptop, "session")
    new = "a brand new passphrase"
    response = laptop.post("/account/password", data={"current": factories.PASSWORD, "password": new,
                                                      "confirm": new})
    assert response.status_code == 302
    assert "Your 1 other session ended." in laptop.get(response.headers["Location"]).text
    assert signed_in(laptop, user)
    assert not signed_in(phone, user) and not signed_in(stolen, user)
    assert not signed_in(copied_before, user)  # the changing browser's own old cookies end too
    fresh = own_session_client(app)
    assert fresh.post("/auth/login", data={"email": user.email, "password": new}).status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"current": "not my password", "password": "another long passphrase", "confirm": "another long passphrase"},
     "That is not your current password."),
    ({"current": factories.PASSWORD, "password": "password1234", "confirm": "password1234"},
     "commonly used passwords"),
    ({"current": factories.PASSWORD, "password": "another long passphrase", "confirm": "something else"},
     "The two passwords don"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(app, data, message):
    user = factories.user()
    client = log_in(app, user)
    other = log_in(app, user, agent=PHONE)
    response = client.post("/account/password", data=data)
    assert response.status_code == 400 and message in response.text
    assert signed_in(other, user)
    assert own_session_client(app).post("/auth/login", data={"email": user.email, "password": factories.PASSWORD}
                                  ).status_code == 302


def test_the_account_page_lists_sessions_and_ends_one_or_all_others(app):
    user = factories.user()
    laptop, phone, tablet = log_in(app, user), log_in(app, user, agent=PHONE), log_in(app, user, agent="curl/8.5")
    page = laptop.get("/account").text
    assert "Firefox on Linux" in page and "Safari on iPhone" in page and "curl" in page
    assert page.count("This session") == 1
    phone_session = db.session.scalar(select(AccountSession.id).where(AccountSession.user_id == user.id,
                                                                      AccountSession.user_agent == PHONE))
    assert laptop.post(f"/account/sessions/{phone_session}/end").status_code == 302
    assert not signed_in(phone, user) and signed_in(tablet, user)
    assert laptop.post(f"/account/sessions/{phone_session}/end").status_code == 404  # already ended
    laptop.post("/account/sessions/end-others")
    assert not signed_in(tablet, user) and signed_in(laptop, user)
    assert "Safari on iPhone" not in laptop.get("/account").text


def test_nobody_ends_someone_elses_session(app):
    owner, other = factories.user(), factories.user()
    victim = log_in(app, owner)
    session_id = db.session.scalar(select(AccountSession.id).where(AccountSession.user_id == owner.id))
    assert log_in(app, other).post(f"/account/sessions/{session_id}/end").status_code == 404
    assert signed_in(victim, owner)


def test_deactivation_ends_sessions_for_good(app):
    user, admin = factories.user(), factories.user(role="admin")
    client = log_in(app, user, remember=True)
    copy = replay(app, client, "session", "remember_token")
    deactivate_user(user_id=user.id, actor_id=admin.id)
    reactivate_user(user_id=user.id, actor_id=admin.id)
    assert not signed_in(client, user) and not signed_in(copy, user)  # reactivating revives no old cookie


def test_logging_in_renews_the_session_and_the_csrf_token(database_url, app):
    user = factories.user()
    strict = build_app(database_url, WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get("/auth/login").text).group(1)
    before = client.get_cookie("session").value
    client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert client.get_cookie("session").value != before
    after = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)
    with strict.test_request_context():
        from itsdangerous import URLSafeTimedSerializer

        serializer = URLSafeTimedSerializer(strict.secret_key, salt="wtf-csrf-token")
        assert serializer.loads(token) != serializer.loads(after)  # a new raw token, not just a new signature
    # The token from before login no longer passes.
    stale = client.post("/account/sessions/end-others", data={"csrf_token": token})
    assert stale.status_code == 400


@pytest.mark.parametrize("remember, moment, column", [
    (False, timedelta(days=2), "last_seen_at"),  # idle longer than SESSION_IDLE_SECONDS
    (True, timedelta(days=31), "created_at"),  # remembered longer than REMEMBER_COOKIE_DURATION
])
def test_sessions_end_on_their_own_after_a_while(app, remember, moment, column):
    user = factories.user()
    client = log_in(app, user, remember=remember)
    copy = replay(app, client, "session", *(["remember_token"] if remember else []))
    assert signed_in(copy, user)
    db.session.execute(update(AccountSession).where(AccountSession.user_id == user.id)
                       .values({column: utcnow() - moment}))
    db.session.commit()
    assert not signed_in(copy, user)
