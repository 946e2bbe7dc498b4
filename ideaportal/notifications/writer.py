"""Turn a unit of work's events into notification rows, and mail into the outbox, in the same transaction.

The notifications are set-based SQL (INSERT ... SELECT over the idea's followers, RETURNING the
rows), and their mail one multi-row INSERT of the returned ids, so an idea with ten thousand
followers costs a few statements, not ten thousand, and none of them reads the growing tables. The UNIQUE (user_id, event_key)
key and the NOT EXISTS guard make each member hear of one event once, however many ways they took
part (author, voter, commenter, follower, mentioned).
"""
from datetime import datetime

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Idea,
    Notification,
    NotificationSetting,
    OutboxMessage,
    Subscription,
    User,
    UTCDateTime,
    utcnow,
)
from .events import CommentPosted, StatusChanged
from .kinds import DEFAULT_EMAIL


def write_notifications(events: list) -> list[int]:
    """Write each event's notifications and their immediate mail. Returns the new outbox message ids."""
    now = utcnow()
    queued = []
    for event in events:
        if isinstance(event, StatusChanged):
            queued += _status_changed(event, now)
        elif isinstance(event, CommentPosted):
            queued += _comment_posted(event, now)
        else:
            raise TypeError(f"no notifications for {event!r}")
    return _queue_mail(queued, now)


def _status_changed(event: StatusChanged, now: datetime) -> list[tuple[int, int]]:
    return _notify(_followers(event.idea_id), kind="merge" if event.merge_id else "status",
                   key=f"status:{event.status_change_id}", idea_id=event.idea_id, actor_id=event.actor_id,
                   status_change_id=event.status_change_id, now=now)


def _comment_posted(event: CommentPosted, now: datetime) -> list[tuple[int, int]]:
    common = {"key": f"comment:{event.comment_id}", "idea_id": event.idea_id, "actor_id": event.author_id,
              "comment_id": event.comment_id, "now": now}
    queued = []
    if event.mentioned_ids:  # first, so that a mentioned follower hears of the mention
        queued += _notify(select(User.id).where(User.id.in_(event.mentioned_ids)), kind="mention", **common)
    if not event.edited:
        queued += _notify(_followers(event.idea_id), kind="answer" if event.official else "comment", **common)
    return queued


def _followers(idea_id: int):
    return select(Subscription.user_id).where(Subscription.idea_id == idea_id)


def _notify(recipients, *, kind: str, key: str, idea_id: int, actor_id: int | None, now: datetime,
            comment_id: int | None = None, status_change_id: int | None = None) -> list[tuple[int, int]]:
    """Notify the active members `recipients` selects, except the actor and those told of `key` already,
    on a visible idea; each row's email state follows the member's setting for `kind`.

    Returns (notification id, member id) of the new rows whose member wants an email at once."""
    recipient = recipients.subquery()
    user_id = recipient.c[0]
    told = aliased(Notification)
    setting = (
        select(NotificationSetting.email)
        .where(NotificationSetting.user_id == user_id, NotificationSetting.kind == kind)
        .scalar_subquery()
    )
    choice = func.coalesce(setting, DEFAULT_EMAIL[kind])
    email = case((choice == "immediately", "queued"), (choice == "daily", "digest"), else_="none")
    rows = (
        select(
            user_id, literal(kind, String), literal(key, String), literal(idea_id, Integer),
            literal(comment_id, Integer), literal(status_change_id, Integer), literal(actor_id, Integer),
            literal(now, UTCDateTime()), email,
        )
        .join(User, and_(User.id == user_id, User.is_active.is_(True)))
        .where(
            exists().where(Idea.id == idea_id, Idea.is_hidden.is_(False)),
            ~exists().where(told.user_id == user_id, told.event_key == key),
        )
    )
    if actor_id is not None:
        rows = rows.where(user_id != actor_id)
    written = db.session.execute(insert(Notification).from_select(
        ["user_id", "kind", "event_key", "idea_id", "comment_id", "status_change_id", "actor_id", "created_at",
         "email"],
        rows,
    ).returning(Notification.id, Notification.user_id, Notification.email))
    return [(row.id, row.user_id) for row in written if row.email == "queued"]


def _queue_mail(queued: list[tuple[int, int]], now: datetime) -> list[int]:
    """One outbox message per new notification whose member wants its email at once. The rows are named
    by the ids the inserts returned: no query over the notifications (or the outbox) as they grow."""
    if not queued:
        return []
    return list(db.session.scalars(
        insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
        [{"user_id": user_id, "kind": "notification", "notification_id": notification_id, "state": "pending",
          "attempts": 0, "next_attempt_at": now, "last_error": "", "created_at": now}
         for notification_id, user_id in queued],
    ))
