"""The audit log: every staff action, recorded in the transaction that performs it."""
from .extensions import db
from .models import AuditEntry, utcnow


def record(
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Add one entry to the current transaction; the calling service commits it with its change.

    `action` is a dotted verb such as "idea.status" or "user.role"; `before` and `after` hold
    only the fields that changed, as JSON-safe values. `actor_id` None means the command line.
    """
    db.session.add(AuditEntry(
        actor_id=actor_id, action=action, target_type=target_type, target_id=target_id,
        before=before, after=after, created_at=utcnow(),
    ))
