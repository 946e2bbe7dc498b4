"""The read side of notifications: a member's list, the unread count, and what each one says."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Comment,
    Idea,
    Notification,
    NotificationSetting,
    Status,
    StatusChange,
    User,
)
from ..text import plain_text
from .kinds import DEFAULT_EMAIL, KINDS

EXCERPT = 280


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    idea_id: int
    idea_title: str
    headline: str  # one sentence, plain text
    excerpt: str  # the answer, response or comment, as plain text ("" when none)
    anchor: str  # the exact place on the idea's page: its status change or its comment ("" for the top)
    created_at: datetime
    read: bool


def unread_count(user_id: int) -> int:
    """The bell's number, on every page a member opens: one statement built once, run below the ORM."""
    return db.session.connection().execute(_UNREAD, {"user_id": user_id}).scalar_one()


def inbox(user_id: int, *, before: int | None = None, limit: int = 30, unread_only: bool = False) -> list[Item]:
    """A member's notifications, newest first, keyset-paged by id; hidden or deleted content drops out."""
    query = _items().where(Notification.user_id == user_id)
    if before is not None:
        query = query.where(Notification.id < before)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return [_item(row) for row in db.session.execute(query.order_by(Notification.id.desc()).limit(limit))]


def items(notification_ids: list[int]) -> list[Item]:
    """These notifications, oldest first, leaving out any whose content is no longer visible."""
    query = _items().where(Notification.id.in_(notification_ids)).order_by(Notification.id)
    return [_item(row) for row in db.session.execute(query)]


def email_settings(user_id: int) -> dict[str, str]:
    """The member's email choice for every kind: their own, or the default."""
    chosen = dict(db.session.execute(
        select(NotificationSetting.kind, NotificationSetting.email).where(NotificationSetting.user_id == user_id)
    ).all())
    return {kind: chosen.get(kind, DEFAULT_EMAIL[kind]) for kind in KINDS}


# Their own names, so that a query joining Comment and Idea still works. Made once: building an ORM
# alias costs about two milliseconds, and the unread count runs on every page a member opens.
_COMMENT, _IDEA = aliased(Comment), aliased(Idea)
_ACTOR, _TO_STATUS, _TARGET = aliased(User), aliased(Status), aliased(Idea)


def _visible():
    """The idea is public (not hidden) and the comment, if any, is neither hidden nor deleted."""
    comment, idea = _COMMENT, _IDEA
    comment_visible = (
        select(comment.id)
        .where(comment.id == Notification.comment_id, comment.is_hidden.is_(False), comment.deleted_at.is_(None))
        .exists()
    )
    idea_visible = select(idea.id).where(idea.id == Notification.idea_id, idea.is_hidden.is_(False)).exists()
    return and_(idea_visible, or_(Notification.comment_id.is_(None), comment_visible))


# Built once: composing it (the two EXISTS above) and running it through the ORM cost about ten times
# running it (docs/measurements.md, "Members' pages from one rendering").
_UNREAD = (select(func.count()).select_from(Notification)
           .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None), _visible()))


def _items():
    actor, to_status, target = _ACTOR, _TO_STATUS, _TARGET
    return (
        select(
            Notification.id, Notification.kind, Notification.idea_id, Notification.comment_id,
            Notification.status_change_id, Notification.created_at, Notification.read_at,
            Idea.title.label("idea_title"), Idea.merged_into_id, target.title.label("target_title"),
            actor.username.label("actor"), to_status.label.label("status_label"),
            StatusChange.response, Comment.body.label("comment_body"),
        )
        .join(Idea, Idea.id == Notification.idea_id)
        .outerjoin(target, target.id == Idea.merged_into_id)
        .outerjoin(actor, actor.id == Notification.actor_id)
        .outerjoin(StatusChange, StatusChange.id == Notification.status_change_id)
        .outerjoin(to_status, to_status.id == StatusChange.to_status_id)
        .outerjoin(Comment, Comment.id == Notification.comment_id)
        .where(_visible())
    )


def _item(row) -> Item:
    title = row.idea_title
    who = row.actor or "The product team"
    if row.kind == "status":
        headline, text = f"{who} moved “{title}” to {row.status_label}.", row.response
    elif row.kind == "merge":
        headline = f"“{title}” was merged into “{row.target_title or 'another idea'}”; you follow that idea now."
        text = row.response
    elif row.kind == "answer":
        headline, text = f"{who} of the product team answered “{title}”.", row.comment_body
    elif row.kind == "mention":
        headline, text = f"{who} mentioned you on “{title}”.", row.comment_body
    else:
        headline, text = f"{who} commented on “{title}”.", row.comment_body
    if row.comment_id:
        anchor = f"#comment-{row.comment_id}"
    elif row.status_change_id:
        anchor = f"#status-change-{row.status_change_id}"
    else:
        anchor = ""
    return Item(
        id=row.id, kind=row.kind, idea_id=row.idea_id, idea_title=title, headline=headline,
        excerpt=plain_text(text, EXCERPT) if text else "",
        anchor=anchor, created_at=row.created_at,
        read=row.read_at is not None,
    )
