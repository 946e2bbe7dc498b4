"""A visitor's vote survives logging in or registering: signed into the login page's address, named there,
cast by the login or registration POST, and refused cleanly (never a 500) when changed, expired or stale."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from ideaportal.extensions import db
from ideaportal.ideas.intents import KEPT, sign_intent
from ideaportal.models import Idea, User, Vote
from tests import factories
from tests.helpers import own_session_client, with_signature_changed
from tests.mail_server import fixture_smtp, run_jobs  # noqa: F401 (fixture smtp)


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
    for forged in (token or with_signature_changed(real), real.replace(".", "!", 1)):
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


def register_with_vote(client, login_url: str, email: str, username: str):
    register_link = client.get(login_url).text.split('New here? <a href="')[1].split('"')[0].replace("&amp;", "&")
    return client.post("/auth/register", data={
        "email": email, "username": username, "password": "violet tractor umbrella",
        "confirm": "violet tractor umbrella", **login_fields(register_link)})


def confirmation_link(smtp, app, address: str) -> str:
    run_jobs(app)
    [message] = smtp.inbox.to(address)
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/auth/verify/\S+)", text).group(1)


def test_with_verification_the_vote_waits_for_the_confirmed_address(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION", True)
    client = own_session_client(app)
    idea = factories.idea(title="Dark mode for reports")
    answer = register_with_vote(client, press(client, idea.id, "-1"), "nia@example.org", "nia")
    assert answer.status_code == 200 and "Check your email" in answer.text
    assert "waits for your confirmation" in answer.text
    nia = db.session.scalar(select(User).where(User.email == "nia@example.org"))
    assert my_vote(nia.id, idea.id) is None  # not before the address is confirmed
    link = confirmation_link(smtp, app, "nia@example.org")
    response = client.post(link, data={})
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}-dark-mode-for-reports#idea-{idea.id}"
    assert my_vote(nia.id, idea.id) == -1
    page = client.get(response.headers["Location"]).text  # the idea it was for
    assert "Your vote against “Dark mode for reports” was counted." in page
    assert "your email address is confirmed" in page


def test_a_vote_waiting_since_registering_is_cast_by_the_first_login_in_that_browser(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION", True)
    registering, mail_app = own_session_client(app), own_session_client(app)
    idea = factories.idea(title="Dark mode for reports")
    register_with_vote(registering, press(registering, idea.id), "nia@example.org", "nia")
    confirmed = mail_app.post(confirmation_link(smtp, app, "nia@example.org"), data={})
    assert confirmed.headers["Location"] == "/"  # another browser knows of no vote
    nia = db.session.scalar(select(User).where(User.email == "nia@example.org"))
    assert my_vote(nia.id, idea.id) is None
    login_page = registering.get("/auth/login").text
    assert "You'll vote for" in login_page  # named before logging in, and carried by the form
    vote = re.search(r'name="vote" type="hidden" value="([^"]+)"', login_page).group(1)
    response = registering.post("/auth/login", data={"email": "nia@example.org", "password": "violet tractor umbrella",
                                                       "vote": vote})
    assert response.status_code == 302
    assert my_vote(nia.id, idea.id) == 1
    registering.post("/auth/logout")
    registering.post("/auth/login", data={"email": "nia@example.org", "password": "violet tractor umbrella"})
    assert "You'll vote for" not in registering.get("/auth/login").text  # cast once: the session forgot it


def test_registering_an_address_that_has_an_account_says_the_same_and_casts_no_vote(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION", True)
    owner = factories.user()
    idea = factories.idea()
    client = own_session_client(app)
    answer = register_with_vote(client, press(client, idea.id), owner.email, "someoneelse")
    assert "Check your email" in answer.text and "waits for your confirmation" in answer.text
    run_jobs(app)
    assert my_vote(owner.id, idea.id) is None
