"""Registration, login and logout through the test client."""
import html
import re

import pytest

from tests import factories


def register(client, **fields):
    data = {"email": "new@example.com", "username": "newbie", "password": "violet tractor umbrella",
            "confirm": "violet tractor umbrella", **fields}
    return client.post("/auth/register", data=data)


def test_register_logs_the_new_member_in(client):
    response = register(client)
    assert response.status_code == 302
    assert "Signed in as <a href=\"/users/newbie\"><strong>newbie</strong></a>" in client.get("/").text


def test_register_form_has_a_label_for_every_field(client):
    page = client.get("/auth/register").text
    for field in ("email", "username", "password", "confirm"):
        assert f'<label class="field__label" for="{field}">' in page
        assert f'id="{field}"' in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "like name@example.com"),
        ({"username": "a b"}, "username", "letters, digits"),
        ({"password": "short", "confirm": "short"}, "password", "at least 10"),
        ({"password": "password123", "confirm": "password123"}, "password", "commonly used"),
        ({"confirm": "something else entirely"}, "confirm", "don't match"),
    ],
)
def test_register_errors_appear_next_to_the_field_and_keep_the_input(client, fields, field, message):
    response = register(client, **fields)
    assert response.status_code == 400
    error = re.search(rf'<p class="field__error" id="{field}-error">([^<]*)</p>', response.text)
    assert error and message in html.unescape(error.group(1))
    assert 'value="new@example.com"' in response.text or fields.get("email") in response.text
    assert f'aria-describedby="{field}-help {field}-error"' in response.text or \
        f'aria-describedby="{field}-error"' in response.text


def test_register_refuses_a_taken_username_whatever_its_case(client, app):
    factories.user(username="Taken")
    response = register(client, username="TAKEN")
    assert response.status_code == 400
    assert "That username is taken" in response.text


def test_login_with_wrong_password_and_unknown_email_read_the_same(client, app):
    factories.user(email="lee@example.com")
    wrong = client.post("/auth/login", data={"email": "lee@example.com", "password": "wrong password!"})
    unknown = client.post("/auth/login", data={"email": "who@example.com", "password": "wrong password!"})
    assert wrong.status_code == unknown.status_code == 400
    message = "That email and password don&#39;t match an account."
    assert message in wrong.text and message in unknown.text
    assert 'value="lee@example.com"' in wrong.text


def test_login_follows_a_local_next_and_ignores_an_offsite_one(client, app):
    user = factories.user()
    response = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD,
                                                 "next": "/ideas?sort=top"})
    assert response.headers["Location"] == "/ideas?sort=top"
    client.post("/auth/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD,
                                                     "next": evil})
        assert response.headers["Location"] == "/"
        client.post("/auth/logout")


def test_remember_me_sets_an_httponly_samesite_cookie(client, app):
    user = factories.user()
    response = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD,
                                                 "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(cookie for cookie in cookies if cookie.startswith("remember_token="))
    session = next(cookie for cookie in cookies if cookie.startswith("session="))
    for cookie in (remember, session):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_outside_debug_and_testing(app):
    from ideaportal import create_app

    production = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["REMEMBER_COOKIE_SECURE"]
    assert not app.config["SESSION_COOKIE_SECURE"]


def test_logout_is_a_post_and_ends_the_session(client, auth, app):
    user = factories.user()
    auth.login(user)
    assert client.get("/auth/logout").status_code == 405
    signed_in = f'Signed in as <a href="/users/{user.username}"><strong>{user.username}</strong></a>'
    assert signed_in in client.get("/").text
    assert auth.logout().status_code == 302
    assert "Signed in as" not in client.get("/").text


def test_deactivated_members_lose_their_session(client, auth, app):
    from ideaportal.extensions import db

    user = factories.user()
    auth.login(user)
    user.is_active = False
    db.session.commit()
    assert "Signed in as" not in client.get("/").text
