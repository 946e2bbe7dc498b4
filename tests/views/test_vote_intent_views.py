"""A visitor's vote survives logging in or registering: signed into the login page's address, named there,
cast by the login or registration POST, and refused cleanly (never a 500) when changed, expired or stale."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from ideaportal.extensions import db
from ideaportal.ideas.intents import KEPT, sign_intent
from ideaportal.models import Idea, Vote
from tests import factories


def press(client, idea_id: int, value: str = "1", back: str = "/ideas?sort=new", **headers) -> str:
    """A visitor presses a vote button; returns the login address they are sent to."""
    response = client.post(f"/ideas/{idea_id}/vote-intent", data={"value": value, "next": back}, headers=headers)
    if response.status_code == 401:
        return response.json["login_url"]
    assert response.status_code == 302
    return response.headers["Location"]


def login_fields(login_url: str) -> dict:
    query = parse_qs(urlsplit(login_url).query)
    return {name: values[0] for name, values in query.items()}


def log_in(client, user, login_url: str):
    return client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD,
                                            **login_fields(login_url)})


def my_vote(user_id: int, idea_id: int) -> int | None:
    return db.session.scalar(select(Vote.value).where(Vote.user_id == user_id, Vote.idea_id == idea_id))


@pytest.mark.parametrize("value, direction", [("1", "for"), ("-1", "against")])
def test_a_visitors_vote_is_named_on_the_login_page_and_cast_after_login(client, app, value, direction):
    idea = factories.idea(title="Keyboard shortcuts everywhere")
    voter = factories.user()
    login_url = press(client, idea.id, value)
    assert login_url.startswith("/auth/login?next=/ideas?sort%3Dnew&vote=")
    page = re.sub(r"\s+", " ", client.get(login_url).text)
    assert f"You'll vote {direction} “<a href=\"/ideas/{idea.id}-keyboard-shortcuts-everywhere\">" \
           "Keyboard shortcuts everywhere</a>” after logging in." in page
    assert '<input id="vote" name="vote" type="hidden" value="' in page  # the login form carries it
    response = log_in(client, voter, login_url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas?sort=new#idea-{idea.id}"
    assert my_vote(voter.id, idea.id) == int(value)
    assert f"Your vote {direction} “Keyboard shortcuts everywhere” was counted." in client.get("/ideas?sort=new").text


def test_with_javascript_the_401_names_a_login_url_that_keeps_the_vote(client, app):
    idea = factories.idea()
    voter = factories.user()
    login_url = press(client, idea.id, Accept="application/json")
    assert "vote=" in login_url
    log_in(client, voter, login_url)
    assert my_vote(voter.id, idea.id) == 1
    assert db.session.get(Idea, idea.id).score == 2


def test_the_vote_survives_the_way_to_registering(client, app):
    idea = factories.idea(title="Dark mode for reports")
    login_url = press(client, idea.id)
    login_page = client.get(login_url).text
    register_link = login_page.split('New here? <a href="')[1].split('"')[0].replace("&amp;", "&")
    assert "vote=" in register_link
    assert "after creating your account" in client.get(register_link).text
    response = client.post("/auth/register", data={
        "email": "newcomer@example.com", "username": "newcomer", "password": "violet tractor umbrella",
        "confirm": "violet tractor umbrella", **login_fields(register_link)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#idea-{idea.id}")
    newcomer = db.session.scalar(select(Vote.user_id).where(Vote.idea_id == idea.id, Vote.user_id != idea.author_id))
    assert newcomer is not None
    assert "Your vote for “Dark mode for reports” was counted." in client.get("/").text


@pytest.mark.parametrize("token", ["garbage", "", "x" * 300])
def test_a_changed_vote_is_refused_cleanly_and_the_login_still_works(client, app, token):
    idea = factories.idea()
    voter = factories.user()
    real = sign_intent(idea.id, 1)
    for forged in (token or real[:-2] + "xx", real.replace(".", "!", 1)):
        page = client.get("/auth/login", query_string={"next": "/ideas", "vote": forged})
        assert page.status_code == 200
        assert "could not be kept" in page.text
        response = client.post("/auth/login", data={"email": voter.email, "password": factories.PASSWORD,
                                                     "next": "/ideas", "vote": forged})
        assert response.status_code == 302 and response.headers["Location"] == "/ideas"
        assert KEPT.replace("'", "&#39;") in client.get("/ideas").text
        client.post("/auth/logout")
    assert my_vote(voter.id, idea.id) is None


def test_a_token_signed_for_another_purpose_or_shape_is_not_a_vote(client, app):
    from ideaportal import tokens

    idea = factories.idea()
    voter = factories.user()
    for forged in (tokens.sign("reset", [idea.id, 1]), tokens.sign("vote-intent", [idea.id, 5]),
                   tokens.sign("vote-intent", [idea.id, True]), tokens.sign("vote-intent", ["1", 1]),
                   tokens.sign("vote-intent", [idea.id])):
        response = client.post("/auth/login", data={"email": voter.email, "password": factories.PASSWORD,
                                                     "vote": forged})
        assert response.status_code == 302
        client.post("/auth/logout")
    assert my_vote(voter.id, idea.id) is None


def test_an_expired_vote_is_refused_cleanly(client, app, monkeypatch):
    idea = factories.idea()
    voter = factories.user()
    login_url = press(client, idea.id)
    monkeypatch.setitem(app.config, "VOTE_INTENT_SECONDS", -1)  # every token is older than that
    assert "could not be kept" in client.get(login_url).text
    assert log_in(client, voter, login_url).status_code == 302
    assert my_vote(voter.id, idea.id) is None


def test_a_vote_on_an_idea_hidden_meanwhile_is_not_cast(client, app):
    idea = factories.idea()
    voter = factories.user()
    login_url = press(client, idea.id)
    idea.is_hidden = True
    db.session.commit()
    assert "no longer open to votes" in client.get(login_url).text
    log_in(client, voter, login_url)
    assert my_vote(voter.id, idea.id) is None
    assert "no longer open to votes" in client.get("/").text


def test_a_withdrawal_is_not_kept(client, app):
    idea = factories.idea()
    assert "vote=" not in press(client, idea.id, "0")
