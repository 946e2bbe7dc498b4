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


# What each action did, as the audit log reads it: "<who> <words> <target>".
ACTION_WORDS = {
    "idea.status": "changed the status of", "idea.owner": "set the owner of",
    "idea.category": "moved to another category", "idea.note": "added an internal note to",
    "idea.hide": "hid", "idea.unhide": "showed again", "idea.merge": "merged",
    "idea.unmerge": "unmerged", "comment.hide": "hid", "comment.unhide": "showed again",
    "flag.dismiss": "dismissed a report on", "user.role": "changed the role of",
    "user.deactivate": "deactivated", "user.reactivate": "reactivated", "user.delete": "deleted the account of",
    "user.release": "erased the never-confirmed account of", "campaign.create": "opened the Storm Session",
    "campaign.update": "edited the Storm Session",
}
_GENERIC = {"create": "created", "update": "edited", "move": "moved", "delete": "deleted"}


def action_words(action: str) -> str:
    """"idea.status" as "changed the status of"; an action this list does not know, as itself."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    kind, _, verb = action.partition(".")
    return f"{_GENERIC[verb]} the {kind}" if verb in _GENERIC else action
