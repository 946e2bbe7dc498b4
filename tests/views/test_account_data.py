"""A member's own data: the download holds theirs and no one else's; deleting the account keeps counters exact."""
import json

import pytest
from sqlalchemy import func, select

from ideaportal.comments.services import add_comment
from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote, recount_all
from ideaportal.models import Comment, Idea, Notification, Subscription, User, Vote
from ideaportal.triage.services import change_status
from tests import factories
from tests.helpers import own_session_client


@pytest.fixture
def member_with_history(app):
    """A member with an idea, a comment, votes, a follow and a notification; and someone else's data beside."""
    member, other, pm = factories.user(username="dana"), factories.user(username="eli"), factories.user(role="pm")
    mine = factories.idea(author=member, title="Dana's own idea")
    theirs = factories.idea(author=other, title="Eli's idea")
    cast_vote(idea_id=theirs.id, voter_id=member.id, value=1)
    cast_vote(idea_id=mine.id, voter_id=other.id, value=-1)
    add_comment(idea_id=theirs.id, author_id=member.id, body="Dana agrees.")
    add_comment(idea_id=theirs.id, author_id=other.id, body="Eli's own comment.")
    change_status(idea_id=theirs.id, actor_id=pm.id, status_slug="planned")
    return member, other, mine, theirs


def logged_in(app, user):
    client = own_session_client(app)
    assert client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return client


def test_the_download_holds_the_members_data_and_nobody_elses(app, member_with_history):
    member, other, mine, theirs = member_with_history
    response = logged_in(app, member).get("/account/export.json")
    assert response.headers["Content-Disposition"] == "attachment; filename=dana-data.json"
    data = json.loads(response.data)
    assert data["profile"]["username"] == "dana" and data["profile"]["email"] == member.email
    assert [idea["title"] for idea in data["ideas"]] == ["Dana's own idea"]
    assert [comment["body"] for comment in data["comments"]] == ["Dana agrees."]
    assert sorted((vote["idea_id"], vote["value"]) for vote in data["votes"]) == sorted([(mine.id, 1), (theirs.id, 1)])
    assert {follow["idea_id"] for follow in data["follows"]} == {mine.id, theirs.id}
    assert [note["kind"] for note in data["notifications"]] == ["comment", "status"]
    assert data["sessions"][0]["device"] and "eli" not in response.get_data(as_text=True)
    assert other.email not in response.get_data(as_text=True)


@pytest.mark.parametrize("content", ["keep", "remove"])
def test_deleting_the_account_erases_the_member_and_keeps_counters_exact(app, member_with_history, content):
    member, other, mine, theirs = member_with_history
    address = member.email
    client = logged_in(app, member)
    wrong = client.post("/account/delete", data={"password": "not it", "content": content})
    assert wrong.status_code == 400 and "That is not your password." in wrong.text
    assert client.post("/account/delete", data={"password": factories.PASSWORD, "content": content}
                       ).status_code == 302
    assert "Log out" not in client.get("/").text
    db.session.expire_all()
    gone = db.session.get(User, member.id)
    assert gone.username == f"former-member-{member.id}" and address != gone.email and not gone.is_active
    for model in (Vote, Subscription, Notification):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.user_id == member.id)) == 0
    assert recount_all() == 0  # every counter already agreed with the rows
    assert db.session.get(Idea, theirs.id).upvotes == 1  # the author's own vote; the member's is gone
    comment = db.session.scalar(select(Comment).where(Comment.author_id == member.id))
    idea = db.session.get(Idea, mine.id)
    if content == "keep":
        assert comment.body == "Dana agrees." and not idea.is_hidden and idea.title == "Dana's own idea"
        assert db.session.get(Idea, theirs.id).comment_count == 2
    else:
        assert comment.deleted and comment.body == "" and idea.is_hidden and "Dana" not in idea.title
        assert (idea.body, idea.body_html, idea.excerpt) == ("", "", "")
        assert db.session.get(Idea, theirs.id).comment_count == 1
    assert own_session_client(app).post("/auth/login", data={"email": address,
                                                             "password": factories.PASSWORD}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User).where(User.id == other.id)) == 1


def test_staff_accounts_are_closed_by_an_admin(app):
    pm = factories.user(role="pm")
    refused = logged_in(app, pm).post("/account/delete", data={"password": factories.PASSWORD, "content": "keep"})
    assert refused.status_code == 400 and "ask one to change your role" in refused.text


def test_an_unmerge_after_a_deletion_does_not_bring_the_deleted_members_votes_back(app):
    from ideaportal.merges.services import merge_idea, unmerge_idea

    member, pm = factories.user(), factories.user(role="pm")
    source, target = factories.idea(), factories.idea()
    cast_vote(idea_id=source.id, voter_id=member.id, value=1)
    merge_idea(source_id=source.id, target_id=target.id, actor_id=pm.id)
    logged_in(app, member).post("/account/delete", data={"password": factories.PASSWORD, "content": "keep"})
    unmerge_idea(idea_id=source.id, actor_id=pm.id)
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.user_id == member.id)) == 0
    assert recount_all() == 0
