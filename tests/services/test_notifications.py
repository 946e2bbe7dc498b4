"""Notifications are written in the transaction of the change they tell of: each follower once, never the actor."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ideaportal.comments.services import add_comment, delete_comment, edit_comment
from ideaportal.errors import Invalid, NotFound, PermissionDenied
from ideaportal.extensions import db
from ideaportal.follows.services import unfollow
from ideaportal.ideas.services import cast_vote
from ideaportal.merges.services import merge_idea
from ideaportal.models import (
    Comment,
    Idea,
    Notification,
    OutboxMessage,
    Subscription,
    utcnow,
)
from ideaportal.moderation.services import set_comment_hidden
from ideaportal.notifications import queries, services
from ideaportal.settings.services import deactivate_user
from ideaportal.transaction import emit, unit_of_work
from ideaportal.triage.services import archive_stale, bulk_change_status, change_status
from tests import factories


def notified(**where) -> list[tuple[int, str]]:
    """(user_id, kind) of the notifications matching `where`, sorted."""
    query = select(Notification.user_id, Notification.kind)
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    return sorted(tuple(row) for row in db.session.execute(query))


def outbox_users() -> list[int]:
    return sorted(db.session.scalars(select(OutboxMessage.user_id)))


@pytest.fixture
def taking_part():
    """An idea with its author, a voter, a commenter, a bystander and a product manager."""
    author, voter, commenter, bystander = (factories.user() for _ in range(4))
    pm = factories.user(role="pm")
    idea = factories.idea(author=author, title="Offline maps")
    cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    add_comment(idea_id=idea.id, author_id=commenter.id, body="Yes please.")
    db.session.execute(Notification.__table__.delete())  # the comment told the author and voter: start afresh
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    return idea, author, voter, commenter, bystander, pm


def test_a_status_change_tells_the_author_a_voter_and_a_commenter_exactly_once(app, taking_part):
    idea, author, voter, commenter, bystander, pm = taking_part
    cast_vote(idea_id=idea.id, voter_id=commenter.id, value=1)  # the commenter also voted: still one notification
    change_id = change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Next quarter.")
    assert notified(event_key=f"status:{change_id}") == sorted(
        [(author.id, "status"), (voter.id, "status"), (commenter.id, "status")])
    assert outbox_users() == sorted([author.id, voter.id, commenter.id])  # status mail goes out at once by default
    item = queries.inbox(voter.id)[0]
    assert item.headline == f"{pm.username} moved “Offline maps” to Planned."
    assert item.excerpt == "Next quarter." and item.anchor == f"#status-change-{change_id}"


def test_the_actor_is_not_told_of_their_own_change(app, taking_part):
    idea, author, *_ = taking_part
    staff_author = factories.user(role="pm")
    own = factories.idea(author=staff_author)
    change_status(idea_id=own.id, actor_id=staff_author.id, status_slug="planned")
    assert notified(idea_id=own.id) == []


def test_a_refused_change_writes_no_notification(app, taking_part):
    idea, *_, pm = taking_part
    with pytest.raises(Invalid):
        bulk_change_status(idea_ids=[idea.id, 999_999], actor_id=pm.id, status_slug="planned")
    with pytest.raises(Invalid):  # not_planned needs a response
        bulk_change_status(idea_ids=[idea.id], actor_id=pm.id, status_slug="not_planned")
    assert notified() == [] and outbox_users() == []
    assert db.session.scalar(select(Idea.status_id).where(Idea.id == idea.id)) == idea.status_id


def test_an_exception_inside_a_unit_of_work_rolls_back_the_change_and_its_events(app, taking_part):
    idea, *_, pm = taking_part
    with pytest.raises(RuntimeError), unit_of_work():
        change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned")  # joins the outer unit
        raise RuntimeError("the outer use case failed after the change")
    db.session.expire_all()
    assert db.session.scalar(select(Idea.status_id).where(Idea.id == idea.id)) == idea.status_id
    assert notified() == []


def test_emit_outside_a_unit_of_work_is_a_programming_error(app):
    with pytest.raises(RuntimeError):
        emit(object())


def test_archiving_tells_followers_with_the_archive_response(app, taking_part):
    idea, author, voter, commenter, *_ = taking_part
    archived = archive_stale(months=6, now=utcnow() + timedelta(days=400))
    assert archived == [idea.id]
    assert [kind for _, kind in notified(idea_id=idea.id)] == ["status"] * 3
    assert "archived" in queries.inbox(author.id)[0].excerpt


def test_a_casual_staff_comment_is_not_an_answer_and_an_official_one_is(app, taking_part):
    idea, author, voter, commenter, _, pm = taking_part
    question = add_comment(idea_id=idea.id, author_id=pm.id, body="Which phone do you use?")
    assert db.session.scalar(select(Idea.first_response_at).where(Idea.id == idea.id)) is None
    assert {kind for _, kind in notified(event_key=f"comment:{question}")} == {"comment"}
    answer = add_comment(idea_id=idea.id, author_id=pm.id, body="We'll build it.", official=True)
    assert db.session.scalar(select(Idea.first_response_at).where(Idea.id == idea.id)) is not None
    assert notified(event_key=f"comment:{answer}") == sorted(
        [(author.id, "answer"), (voter.id, "answer"), (commenter.id, "answer")])
    with pytest.raises(PermissionDenied):
        add_comment(idea_id=idea.id, author_id=voter.id, body="Official!", official=True)


def test_comment_mail_waits_for_the_digest_by_default(app, taking_part):
    idea, author, voter, *_ = taking_part
    other = factories.user()
    add_comment(idea_id=idea.id, author_id=other.id, body="Me too.")
    assert set(db.session.scalars(select(Notification.email).where(Notification.kind == "comment"))) == {"digest"}
    assert outbox_users() == []


def test_a_mention_links_the_profile_and_tells_the_member_once(app, taking_part):
    idea, author, voter, commenter, bystander, pm = taking_part
    body = (f"@{bystander.username.upper()} and @{author.username} look, and me @{commenter.username} "
            f"and `@{voter.username}` and @nobody_here")
    comment_id = add_comment(idea_id=idea.id, author_id=commenter.id, body=body)
    comment = db.session.get(Comment, comment_id)
    assert f'<a href="/users/{bystander.username}"' in comment.body_html
    assert f"<code>@{voter.username}</code>" in comment.body_html and "@nobody_here" in comment.body_html
    assert notified(event_key=f"comment:{comment_id}") == sorted(
        [(bystander.id, "mention"), (author.id, "mention"), (voter.id, "comment")])  # never oneself
    edit_comment(comment_id=comment_id, editor_id=commenter.id,
                 body=f"@{bystander.username} @{author.username} and now @{pm.username}")
    assert notified(event_key=f"comment:{comment_id}", user_id=pm.id) == [(pm.id, "mention")]
    assert len(notified(event_key=f"comment:{comment_id}")) == 4  # nobody told twice


def test_a_deactivated_member_is_neither_mentioned_nor_told(app, taking_part):
    idea, author, voter, commenter, bystander, _ = taking_part
    admin = factories.user(role="admin")
    deactivate_user(user_id=voter.id, actor_id=admin.id)
    comment_id = add_comment(idea_id=idea.id, author_id=commenter.id, body=f"@{voter.username} ping")
    assert "<a " not in db.session.get(Comment, comment_id).body_html
    assert voter.id not in [user for user, _ in notified(event_key=f"comment:{comment_id}")]


def test_hidden_or_deleted_comments_vanish_from_notifications_and_their_mail_is_cancelled(app, taking_part):
    idea, author, voter, commenter, _, pm = taking_part
    hidden = add_comment(idea_id=idea.id, author_id=commenter.id, body=f"Spam for @{author.username}")
    deleted = add_comment(idea_id=idea.id, author_id=commenter.id, body=f"Oops @{author.username}")
    assert queries.unread_count(author.id) == 2
    set_comment_hidden(comment_id=hidden, actor_id=pm.id, hidden=True)
    delete_comment(comment_id=deleted, actor_id=commenter.id)
    assert queries.unread_count(author.id) == 0 and queries.inbox(author.id) == []


def test_merge_tells_the_duplicates_followers_who_then_follow_the_original_once(app, taking_part):
    source, author, voter, commenter, bystander, pm = taking_part
    target = factories.idea(author=bystander, title="Maps without a connection")
    cast_vote(idea_id=target.id, voter_id=voter.id, value=1)  # the voter follows both
    merge_idea(source_id=source.id, target_id=target.id, actor_id=pm.id)
    assert notified(idea_id=source.id) == sorted([(author.id, "merge"), (voter.id, "merge"), (commenter.id, "merge")])
    assert "merged into “Maps without a connection”" in queries.inbox(author.id)[0].headline
    followers = db.session.scalars(select(Subscription.user_id).where(Subscription.idea_id == target.id)).all()
    assert sorted(followers) == sorted({bystander.id, voter.id, author.id, commenter.id})
    change_id = change_status(idea_id=target.id, actor_id=pm.id, status_slug="planned")
    assert notified(event_key=f"status:{change_id}") == sorted(
        [(bystander.id, "status"), (voter.id, "status"), (author.id, "status"), (commenter.id, "status")])


def test_members_who_turn_automatic_following_off_do_not_follow_by_voting(app, taking_part):
    idea, *_ = taking_part
    quiet = factories.user()
    services.save_settings(user_id=quiet.id, email={}, auto_follow=False)
    cast_vote(idea_id=idea.id, voter_id=quiet.id, value=1)
    add_comment(idea_id=idea.id, author_id=quiet.id, body="Quietly agree.")
    assert db.session.scalar(select(func.count()).where(Subscription.user_id == quiet.id)) == 0


def test_an_unfollowed_idea_stays_unfollowed_until_the_member_takes_part_again(app, taking_part):
    idea, author, voter, *_, pm = taking_part
    unfollow(idea_id=idea.id, user_id=voter.id)
    cast_vote(idea_id=idea.id, voter_id=voter.id, value=-1)  # changing a vote is not taking part anew
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="under_review")
    assert voter.id not in [user for user, _ in notified()]


def test_email_settings_route_each_kind(app, taking_part):
    idea, author, voter, commenter, _, pm = taking_part
    services.save_settings(user_id=voter.id, email={"status": "daily"}, auto_follow=True)
    services.save_settings(user_id=commenter.id, email={"status": "never"}, auto_follow=True)
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned")
    emails = dict(db.session.execute(select(Notification.user_id, Notification.email)).all())
    assert emails == {author.id: "queued", voter.id: "digest", commenter.id: "none"}
    assert queries.email_settings(voter.id)["status"] == "daily"
    with pytest.raises(Invalid):
        services.save_settings(user_id=voter.id, email={"status": "hourly"}, auto_follow=True)


def test_a_digest_holds_each_members_waiting_items_once(app, taking_part):
    idea, author, voter, commenter, _, pm = taking_part
    other = factories.idea(author=author)
    first = add_comment(idea_id=idea.id, author_id=pm.id, body="Hello")
    second = add_comment(idea_id=other.id, author_id=commenter.id, body="Elsewhere")
    message_ids = services.queue_digests()
    digests = {row.user_id: row.digest_of for row in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(message_ids)))}
    waiting = lambda user, comment: db.session.scalar(  # noqa: E731
        select(Notification.id).where(Notification.user_id == user, Notification.comment_id == comment))
    assert digests == {
        author.id: sorted([waiting(author.id, first), waiting(author.id, second)]),
        voter.id: [waiting(voter.id, first)],
        commenter.id: [waiting(commenter.id, first)],
    }
    assert services.queue_digests() == []  # each item goes in one digest


def test_unsubscribe_silences_the_kind_and_cancels_waiting_mail(app, taking_part):
    idea, author, voter, commenter, _, pm = taking_part
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned")
    assert services.unsubscribe(user_id=voter.id, kind="status") == ["status"]
    states = dict(db.session.execute(select(OutboxMessage.user_id, OutboxMessage.state)).all())
    assert states == {author.id: "pending", voter.id: "cancelled", commenter.id: "pending"}
    assert queries.email_settings(voter.id)["status"] == "never"
    services.unsubscribe(user_id=author.id, kind="all")
    assert set(queries.email_settings(author.id).values()) == {"never"}
    with pytest.raises(NotFound):
        services.unsubscribe(user_id=author.id, kind="everything")


def test_reading_and_pruning(app, taking_part):
    idea, author, voter, commenter, _, pm = taking_part
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned")
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="in_progress")
    first, second = sorted(item.id for item in queries.inbox(voter.id))
    with pytest.raises(NotFound):
        services.mark_read(user_id=author.id, notification_id=first)  # not theirs
    services.mark_read(user_id=voter.id, notification_id=first)
    assert queries.unread_count(voter.id) == 1
    assert services.mark_all_read(user_id=voter.id) == 1 and queries.unread_count(voter.id) == 0
    assert services.prune(older_than=timedelta(days=90)) == 0
    assert services.prune(older_than=timedelta(days=90), now=utcnow() + timedelta(days=91)) == 2  # only read ones
    assert queries.unread_count(author.id) == 2
