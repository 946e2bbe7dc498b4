"""The member's own data, for "download my data": everything the portal keeps about them, nobody else's."""
from sqlalchemy import select

from ..auth.rules import describe_device
from ..extensions import db
from ..models import (
    AccountSession,
    Comment,
    Idea,
    Notification,
    Status,
    Subscription,
    User,
    Vote,
)
from ..notifications import queries as notification_queries


def export(user_id: int) -> dict:
    """A JSON-ready document of the member's profile, ideas, comments, votes, follows, notifications,
    notification settings and sessions."""
    user = db.session.get(User, user_id)
    ideas = db.session.execute(
        select(Idea.id, Idea.title, Idea.body, Status.slug.label("status"), Idea.upvotes, Idea.downvotes,
               Idea.comment_count, Idea.created_at, Idea.updated_at, Idea.is_hidden)
        .join(Status, Status.id == Idea.status_id).where(Idea.author_id == user_id).order_by(Idea.id)
    )
    comments = db.session.execute(
        select(Comment.id, Comment.idea_id, Comment.body, Comment.is_official, Comment.created_at, Comment.edited_at,
               Comment.deleted_at).where(Comment.author_id == user_id).order_by(Comment.id)
    )
    votes = db.session.execute(select(Vote.idea_id, Vote.value, Vote.created_at).where(Vote.user_id == user_id)
                               .order_by(Vote.idea_id))
    follows = db.session.execute(select(Subscription.idea_id, Subscription.created_at)
                                 .where(Subscription.user_id == user_id).order_by(Subscription.idea_id))
    notifications = db.session.execute(
        select(Notification.id, Notification.kind, Notification.idea_id, Notification.created_at, Notification.read_at)
        .where(Notification.user_id == user_id).order_by(Notification.id)
    )
    sessions = db.session.execute(
        select(AccountSession.created_at, AccountSession.last_seen_at, AccountSession.user_agent, AccountSession.ip,
               AccountSession.ended_at).where(AccountSession.user_id == user_id).order_by(AccountSession.id)
    )
    return {
        "profile": {
            "username": user.username, "email": user.email, "role": user.role, "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_verified_at), "follows_what_they_take_part_in": user.auto_follow,
        },
        "ideas": [_row(row) for row in ideas],
        "comments": [_row(row) for row in comments],
        "votes": [_row(row) for row in votes],
        "follows": [_row(row) for row in follows],
        "notifications": [_row(row) for row in notifications],
        "email_settings": notification_queries.email_settings(user_id),
        "sessions": [{**_row(row), "device": describe_device(row.user_agent)} for row in sessions],
    }


def _row(row) -> dict:
    return {key: _iso(value) for key, value in row._asdict().items()}


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
