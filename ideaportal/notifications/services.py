"""Notification use cases: read them, choose how to hear, unsubscribe, and the scheduled digest and pruning."""
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from ..errors import Invalid, NotFound
from ..extensions import db
from ..jobs import hand_over_after_commit
from ..models import Notification, NotificationSetting, OutboxMessage, User, utcnow
from ..transaction import use_case
from .kinds import EMAIL_CHOICES, KINDS


@use_case
def mark_read(*, user_id: int, notification_id: int, now: datetime | None = None) -> None:
    """Mark one of the member's notifications read (a read one keeps its first reading). Raises NotFound."""
    found = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.user_id == user_id)
        .values(read_at=func.coalesce(Notification.read_at, now or utcnow()))
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if found is None:
        raise NotFound("There is no such notification.")


@use_case
def mark_all_read(*, user_id: int, now: datetime | None = None) -> int:
    """Mark every unread notification of the member read. Returns how many."""
    return len(db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ).all())


@use_case
def save_settings(*, user_id: int, email: dict[str, str], auto_follow: bool) -> None:
    """Store the member's email choice per kind and whether they follow what they take part in.

    Raises Invalid (an unknown kind or choice).
    """
    for kind, choice in email.items():
        if kind not in KINDS or choice not in EMAIL_CHOICES:
            raise Invalid(f"Choose one of: {', '.join(EMAIL_CHOICES)}.", field=kind)
    db.session.execute(delete(NotificationSetting).where(NotificationSetting.user_id == user_id,
                                                         NotificationSetting.kind.in_(list(email))))
    if email:
        db.session.execute(insert(NotificationSetting),
                           [{"user_id": user_id, "kind": kind, "email": choice} for kind, choice in email.items()])
    db.session.execute(update(User).where(User.id == user_id).values(auto_follow=bool(auto_follow))
                       .execution_options(synchronize_session=False))


@use_case
def unsubscribe(*, user_id: int, kind: str) -> list[str]:
    """Stop email of `kind` (or of every kind, for "all") for the member, from a signed link; no login needed.

    Mail already waiting for the member of those kinds is cancelled. Returns the kinds now silenced.
    Raises NotFound (no such member, or an unknown kind).
    """
    kinds = list(KINDS) if kind == "all" else [kind]
    if kind != "all" and kind not in KINDS or db.session.get(User, user_id) is None:
        raise NotFound("This unsubscribe link is not valid. Use the link from the most recent email.")
    save_settings(user_id=user_id, email={name: "never" for name in kinds},
                  auto_follow=db.session.scalar(select(User.auto_follow).where(User.id == user_id)))
    waiting = select(Notification.id).where(Notification.user_id == user_id, Notification.kind.in_(kinds))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.user_id == user_id, OutboxMessage.state == "pending",
               OutboxMessage.notification_id.in_(waiting))
        .values(state="cancelled", last_error="unsubscribed")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.kind.in_(kinds),
                                   Notification.email == "digest")
        .values(email="none").execution_options(synchronize_session=False)
    )
    return kinds


@use_case
def queue_digests(*, now: datetime | None = None) -> list[int]:
    """Gather each member's notifications waiting for the daily digest into one outbox message each.

    Each notification is claimed by a conditional UPDATE, so two runs at once never put it in two digests.
    Returns the new outbox message ids (handed to the job engine after the commit).
    """
    now = now or utcnow()
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.email == "digest")
        .values(email="digested")
        .returning(Notification.user_id, Notification.id)
        .execution_options(synchronize_session=False)
    ).all()
    by_member: dict[int, list[int]] = {}
    for user_id, notification_id in claimed:
        by_member.setdefault(user_id, []).append(notification_id)
    message_ids = [
        db.session.scalar(insert(OutboxMessage).values(
            user_id=user_id, kind="digest", digest_of=sorted(ids), state="pending", attempts=0,
            next_attempt_at=now, last_error="", created_at=now,
        ).returning(OutboxMessage.id))
        for user_id, ids in sorted(by_member.items())
    ]
    hand_over_after_commit(message_ids)
    return message_ids


@use_case
def prune(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete read notifications read more than `older_than` ago (with their sent mail). Returns how many."""
    cutoff = (now or utcnow()) - older_than
    return len(db.session.execute(
        delete(Notification).where(Notification.read_at < cutoff).returning(Notification.id)
    ).all())


@use_case
def mark_activity_seen(*, user_id: int, now: datetime | None = None) -> None:
    """Remember when the member last looked at "My activity", to mark what changed after."""
    db.session.execute(update(User).where(User.id == user_id).values(activity_seen_at=now or utcnow())
                       .execution_options(synchronize_session=False))

