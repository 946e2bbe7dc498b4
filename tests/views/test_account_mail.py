"""Accounts that people can recover, through a real SMTP server: confirming the address at sign-up, resetting a
forgotten password (a link that expires and works once), the per-account lock-out, and changing the address.
Nobody learns from the answers whether an address has an account."""
import re

import pytest
from sqlalchemy import func, select, update

from ideaportal.extensions import db
from ideaportal.models import Idea, User, utcnow
from tests import factories
from tests.helpers import own_session_client
from tests.mail_server import fixture_smtp, run_jobs  # noqa: F401 (fixture smtp)

PASSWORD = "a sturdy enough passphrase"


@pytest.fixture
def verifying(app, monkeypatch, smtp):
    """The app as shipped: sign-up confirms the address; mail goes to the test's SMTP server."""
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION", True)
    return smtp


def mails_to(smtp, app, address: str) -> list:
    run_jobs(app)
    return smtp.inbox.to(address)


def link_in(message, path: str) -> str:
    """The path of the first link to `path` in a message's text, for the test client."""
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"http://127\.0\.0\.1:5000({re.escape(path)}[^\s]+)", text).group(1)


def sign_up(client, email: str, username: str):
    return client.post("/auth/register", data={"email": email, "username": username, "password": PASSWORD,
                                               "confirm": PASSWORD})


def signed_in(client) -> bool:
    return "Log out" in client.get("/").text


def test_a_new_account_confirms_its_address_before_it_posts(app, verifying):
    client = own_session_client(app)
    answer = sign_up(client, "nia@example.org", "nia")
    assert answer.status_code == 200 and "Check your email" in answer.text and not signed_in(client)
    user = db.session.scalar(select(User).where(User.email == "nia@example.org"))
    assert user.email_verified_at is None
    # Unconfirmed, a member may log in and vote, but not post.
    client.post("/auth/login", data={"email": "nia@example.org", "password": PASSWORD})
    idea, category = factories.idea(), factories.category()
    assert client.post(f"/ideas/{idea.id}/vote", data={"value": "1"}).status_code == 302
    refused = client.post("/ideas/new", data={"title": "Offline maps for hikers", "body": "Please.",
                                               "category": category.id, "post_anyway": "y"})
    assert refused.status_code == 400 and "confirm your email address" in refused.text  # said on the form
    assert client.post(f"/ideas/{idea.id}/comments", data={"body": "Me too"}).status_code == 403
    [message] = mails_to(verifying, app, "nia@example.org")
    assert message["Subject"] == "Confirm your email address"
    link = link_in(message, "/auth/verify/")
    assert "Confirm my address" in client.get(link).text  # a GET (a link scanner's) changes nothing
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is None
    visitor = own_session_client(app)  # opened in another browser: confirms and signs in
    assert visitor.post(link).status_code == 302 and signed_in(visitor)
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    posted = client.post("/ideas/new", data={"title": "Offline maps for hikers", "body": "Please.",
                                              "category": category.id, "post_anyway": "y"})
    assert posted.status_code == 302
    again = own_session_client(app).post(link)  # the link signs nobody in a second time
    assert again.status_code == 400 and "already confirmed" in again.text


def test_confirming_ends_the_sessions_of_whoever_signed_up_with_the_address_first(app, verifying):
    squatter = own_session_client(app)
    sign_up(squatter, "victim@example.org", "victim")
    squatter.post("/auth/login", data={"email": "victim@example.org", "password": PASSWORD})
    assert signed_in(squatter)
    link = link_in(mails_to(verifying, app, "victim@example.org")[0], "/auth/verify/")
    owner = own_session_client(app)
    owner.post(link)
    assert signed_in(owner) and not signed_in(squatter)


def test_signing_up_with_a_known_address_looks_the_same_and_tells_its_owner(app, verifying):
    owner = factories.user(email="known@example.org", username="known")
    known = sign_up(own_session_client(app), "known@example.org", "someone_new").text
    fresh = sign_up(own_session_client(app), "fresh@example.org", "someone_else").text
    assert known.replace("known@example.org", "X") == fresh.replace("fresh@example.org", "X")
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "someone_new")) == 0
    [message] = mails_to(verifying, app, owner.email)
    assert message["Subject"] == "You already have an account" and "/auth/forgot" in message.as_string()


def test_a_reset_link_works_once_and_ends_every_session(app, verifying):
    user = factories.user(email="ravi@example.org", username="ravi")
    laptop = own_session_client(app)
    laptop.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    anyone = own_session_client(app)
    known = anyone.post("/auth/forgot", data={"email": "Ravi@Example.org"}).text
    unknown = anyone.post("/auth/forgot", data={"email": "nobody@example.org"}).text
    assert known.replace("Ravi@Example.org", "X") == unknown.replace("nobody@example.org", "X")
    [message] = mails_to(verifying, app, user.email)
    assert verifying.inbox.to("nobody@example.org") == []
    link = link_in(message, "/auth/reset/")
    assert "Choose a new password" in anyone.get(link).text
    weak = anyone.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "commonly used" in weak.text
    new = "a completely new passphrase"
    assert anyone.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert signed_in(anyone) and not signed_in(laptop)  # every old session ended
    again = own_session_client(app).get(link)
    assert again.status_code == 400 and "already been used" in again.text
    assert own_session_client(app).post("/auth/login", data={"email": user.email, "password": new}
                                        ).status_code == 302


def test_a_reset_link_expires(app, verifying, monkeypatch):
    user = factories.user()
    own_session_client(app).post("/auth/forgot", data={"email": user.email})
    link = link_in(mails_to(verifying, app, user.email)[0], "/auth/reset/")
    monkeypatch.setitem(app.config, "RESET_LINK_SECONDS", -1)  # as if its hour had passed
    expired = own_session_client(app).get(link)
    assert expired.status_code == 400 and "This link has expired" in expired.text


def test_wrong_passwords_from_anywhere_pause_the_account_and_tell_its_owner(app, verifying):
    user = factories.user(email="ola@example.org", username="ola")
    app.config["LOGIN_LOCKOUT_AFTER"] = 10
    for attempt in range(10):
        guesser = own_session_client(app)  # a new client each time, as from many addresses
        response = guesser.post("/auth/login", data={"email": user.email, "password": f"guess number {attempt}"})
        assert response.status_code == 400
    right = own_session_client(app).post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    assert right.status_code == 400 and "don&#39;t match an account" in right.text  # the same answer, locked
    [message] = mails_to(verifying, app, user.email)
    assert message["Subject"] == "Logins to your account are paused"
    db.session.execute(update(User).where(User.id == user.id).values(locked_until=utcnow().replace(year=2000)))
    db.session.commit()
    assert own_session_client(app).post("/auth/login", data={"email": user.email, "password": factories.PASSWORD}
                                        ).status_code == 302


def test_a_reset_lifts_the_lock_out(app, verifying):
    user = factories.user()
    db.session.execute(update(User).where(User.id == user.id).values(locked_until=utcnow().replace(year=2999)))
    db.session.commit()
    client = own_session_client(app)
    client.post("/auth/forgot", data={"email": user.email})
    link = link_in(mails_to(verifying, app, user.email)[0], "/auth/reset/")
    new = "another fine passphrase"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert own_session_client(app).post("/auth/login", data={"email": user.email, "password": new}
                                        ).status_code == 302


def test_changing_the_address_confirms_the_new_one_and_tells_the_old_one(app, verifying):
    user = factories.user(email="old@example.org", username="mover")
    client = own_session_client(app)
    client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    wrong = client.post("/account/email", data={"email": "new@example.org", "password": "not it"})
    assert wrong.status_code == 400 and "That is not your password." in wrong.text
    assert client.post("/account/email", data={"email": "New@Example.org", "password": factories.PASSWORD}
                       ).status_code == 302
    [notice] = mails_to(verifying, app, "old@example.org")
    assert "new@example.org" in notice.get_body(("plain",)).get_content()
    [confirm] = verifying.inbox.to("new@example.org")
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "old@example.org"  # nothing changes before the link
    link = link_in(confirm, "/account/email/")
    assert client.post(link).status_code == 302
    db.session.expire_all()
    moved = db.session.get(User, user.id)
    assert (moved.email, moved.pending_email) == ("new@example.org", None) and moved.email_verified_at
    assert own_session_client(app).post(link).status_code == 400  # used
    assert own_session_client(app).post("/auth/login", data={"email": "new@example.org",
                                                             "password": factories.PASSWORD}).status_code == 302


def test_an_unconfirmed_member_can_ask_for_the_link_again(app, verifying):
    sign_up(own_session_client(app), "late@example.org", "late")
    client = own_session_client(app)
    client.post("/auth/login", data={"email": "late@example.org", "password": PASSWORD})
    assert "not confirmed yet" in client.get("/account").text
    client.post("/auth/verify/resend")
    assert len(mails_to(verifying, app, "late@example.org")) == 2
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


def test_an_address_change_says_whether_the_address_is_taken_only_to_its_mailbox(app, verifying):
    user, taken = factories.user(), factories.user(email="taken@example.org")
    client = own_session_client(app)
    client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    asked = client.post("/account/email", data={"email": taken.email, "password": factories.PASSWORD})
    assert asked.status_code == 302  # the same answer as for a free address
    link = link_in(mails_to(verifying, app, taken.email)[0], "/account/email/")
    refused = own_session_client(app).post(link)
    assert refused.status_code == 409 and "belongs to another account" in refused.text


def test_a_password_change_drops_an_address_change_asked_for_before(app, verifying):
    """Whoever knew the old password asked to move the account to their address; the owner changes the password."""
    user = factories.user()
    intruder = own_session_client(app)
    intruder.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    intruder.post("/account/email", data={"email": "intruder@example.org", "password": factories.PASSWORD})
    link = link_in(mails_to(verifying, app, "intruder@example.org")[0], "/account/email/")
    owner = own_session_client(app)
    owner.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    new = "the owner's new passphrase"
    owner.post("/account/password", data={"current": factories.PASSWORD, "password": new, "confirm": new})
    refused = intruder.post(link)
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).email == user.email


def test_names_kept_for_deleted_accounts_cannot_be_chosen(app, verifying):
    response = sign_up(own_session_client(app), "fm@example.org", "Former-Member-7")
    assert response.status_code == 400 and "kept for deleted accounts" in response.text


def test_an_address_never_confirmed_is_released_for_its_owner(app, verifying):
    from datetime import timedelta

    from ideaportal.account.services import release_unconfirmed
    from ideaportal.ideas.services import recount_all

    squatter = own_session_client(app)
    sign_up(squatter, "owner@example.org", "squatter")
    squatter.post("/auth/login", data={"email": "owner@example.org", "password": PASSWORD})
    idea = factories.idea()
    squatter.post(f"/ideas/{idea.id}/vote", data={"value": "1"})
    squatter_id = db.session.scalar(select(User.id).where(User.username == "squatter"))
    assert release_unconfirmed() == []  # within the week its link lasts
    later = utcnow() + timedelta(seconds=app.config["VERIFY_LINK_SECONDS"] + 60)
    assert release_unconfirmed(now=later) == [squatter_id]
    assert not signed_in(squatter) and recount_all() == 0
    assert db.session.get(Idea, idea.id).upvotes == 1  # the author's own vote only
    sign_up(own_session_client(app), "owner@example.org", "the_owner")  # the address is free again
    assert db.session.scalar(select(User.id).where(User.username == "the_owner")) is not None
