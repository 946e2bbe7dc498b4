"""The outbox's state machine: each message is claimed by one worker, sent, and marked; failures back off.

pending --claim--> sending --sent--> sent
                      |--fails--> pending (next attempt later) ... --N fails--> dead --admin retry--> pending
A message whose notification vanished (comment hidden or deleted, idea hidden, member gone) is cancelled.
A worker's claim is a lease: a worker that dies mid-send leaves a claim that expires, and the sweep
hands the message to another worker. Claims are conditional UPDATEs, so two workers never both send.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from ..extensions import db
from ..jobs import hand_over_after_commit
from ..models import OutboxMessage, User, utcnow
from ..transaction import use_case

LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Attempt:
    outcome: str  # sent | retry | dead | cancelled | skipped (another worker has it, or it is done)
    retry_in: float | None = None  # seconds, for retry


def retry_delay(attempts: int, *, base: float, ceiling: float) -> float:
    """Exponential back-off: base, 2·base, 4·base, ... capped at `ceiling` seconds."""
    return min(ceiling, base * 2 ** max(attempts - 1, 0))


@use_case
def claim(message_id: int, *, now: datetime | None = None) -> OutboxMessage | None:
    """Take a due message for sending, or None when it is not due, done, or another worker holds it."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(OutboxMessage.state == "pending",
                (OutboxMessage.state == "sending") & (OutboxMessage.claimed_until < now)),
            OutboxMessage.next_attempt_at <= now,
        )
        .values(state="sending", claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    return db.session.get(OutboxMessage, message_id, populate_existing=True) if claimed else None


@use_case
def finish(message_id: int, *, lease: datetime, outcome: str, error: str = "",
           now: datetime | None = None) -> Attempt:
    """Record how a claimed message's attempt ended: sent, cancelled, or failed (retry later, or dead).

    Only while this worker's claim (`lease`, the claim's `claimed_until`) still holds: a worker slower than
    its lease finds the message claimed by another, and records nothing ("skipped").
    """
    now = now or utcnow()
    held = (OutboxMessage.id == message_id, OutboxMessage.state == "sending", OutboxMessage.claimed_until == lease)
    if outcome in ("sent", "cancelled"):
        done = _update(held, state=outcome, claimed_until=None, sent_at=now if outcome == "sent" else None,
                       last_error=error)
        return Attempt(outcome if done else "skipped")
    attempts = db.session.scalar(select(OutboxMessage.attempts).where(*held))
    if attempts is None:
        return Attempt("skipped")
    config = current_app.config
    if attempts >= config["MAIL_MAX_ATTEMPTS"]:
        _update(held, state="dead", claimed_until=None, last_error=error[:2000])
        return Attempt("dead")
    delay = retry_delay(attempts, base=config["MAIL_RETRY_SECONDS"], ceiling=config["MAIL_RETRY_MAX_SECONDS"])
    _update(held, state="pending", claimed_until=None, last_error=error[:2000],
            next_attempt_at=now + timedelta(seconds=delay))
    return Attempt("retry", delay)


def _update(conditions, **values) -> bool:
    return db.session.execute(
        update(OutboxMessage).where(*conditions).values(**values).returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).one_or_none() is not None


def due_ids(*, now: datetime | None = None, grace: timedelta = timedelta(seconds=30), limit: int = 500) -> list[int]:
    """Messages the engine should have in hand but may not: pending and due a while ago, or with a lapsed lease."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(OutboxMessage.id)
        .where(or_(
            (OutboxMessage.state == "pending") & (OutboxMessage.next_attempt_at <= now - grace),
            (OutboxMessage.state == "sending") & (OutboxMessage.claimed_until < now),
        ))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ))


@use_case
def retry_dead(*, message_ids: list[int] | None = None, now: datetime | None = None) -> list[int]:
    """Give dead messages (these, or all) a fresh set of attempts. Returns the ids now pending."""
    query = update(OutboxMessage).where(OutboxMessage.state == "dead")
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    retried = list(db.session.scalars(
        query.values(state="pending", attempts=0, next_attempt_at=now or utcnow(), last_error="")
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ))
    hand_over_after_commit(retried)
    return retried


def summary() -> dict[str, int]:
    """How many messages are in each state."""
    rows = db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
    return {"pending": 0, "sending": 0, "sent": 0, "dead": 0, "cancelled": 0, **dict(rows.all())}


def dead_letters(limit: int = 100) -> list:
    """The newest dead letters, with their member's name (never their address) and last error."""
    return db.session.execute(
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.attempts, OutboxMessage.last_error,
               OutboxMessage.created_at, User.username)
        .join(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.state == "dead")
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()


def queue_account_mail(*, user_id: int, template: str, to_address: str | None = None) -> None:
    """A step: an account email (verify, reset, ...) to the member, or to `to_address`, sent after the commit."""
    message = OutboxMessage(user_id=user_id, kind="account", template=template, to_address=to_address,
                            state="pending", attempts=0, next_attempt_at=utcnow(), last_error="", created_at=utcnow())
    db.session.add(message)
    db.session.flush()
    hand_over_after_commit([message.id])


def recipient(message: OutboxMessage) -> User | None:
    user = db.session.get(User, message.user_id)
    return user if user is not None and user.is_active else None
