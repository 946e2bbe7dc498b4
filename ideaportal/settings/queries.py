"""Read side of the admin settings: users, statuses and categories with their use, the audit log."""
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, union
from sqlalchemy.orm import aliased

from .. import audit, rules
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import (
    AuditEntry,
    Category,
    Comment,
    Idea,
    IdeaMerge,
    Status,
    StatusChange,
    User,
)

USER_STATES = {"active": True, "deactivated": False}
SEARCH_MAX = 254
VALUE_MAX = 200  # characters of one audited value shown in the log


@dataclass(frozen=True)
class UserFilter:
    q: str = ""
    role: str | None = None
    state: str | None = None  # active | deactivated
    after: int | None = None  # keyset cursor: the last id of the previous page


@dataclass(frozen=True)
class Page:
    rows: list
    next_after: int | None


def list_users(filters: UserFilter, *, limit: int = 20) -> Page:
    """Users newest first, searched by email or username and filtered by role and state. Raises Invalid."""
    if filters.role and filters.role not in rules.ROLES:
        raise Invalid(f"Unknown role {filters.role!r}: use one of {', '.join(rules.ROLES)}.")
    if filters.state and filters.state not in USER_STATES:
        raise Invalid(f"Unknown state {filters.state!r}: use active or deactivated.")
    query = select(User).order_by(User.id.desc()).limit(limit + 1)
    needle = filters.q.strip().lower()[:SEARCH_MAX]
    if needle:
        query = query.where(or_(
            func.lower(User.username).contains(needle, autoescape=True),
            User.email.contains(needle, autoescape=True),
        ))
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.state:
        query = query.where(User.is_active.is_(USER_STATES[filters.state]))
    if filters.after is not None:
        query = query.where(User.id < filters.after)
    rows = list(db.session.scalars(query))
    return Page(rows[:limit], rows[limit - 1].id if len(rows) > limit else None)


def user_id_for_email(email: str) -> int:
    """Raises NotFound."""
    user_id = db.session.scalar(select(User.id).where(User.email == rules.normalise_email(email)))
    if user_id is None:
        raise NotFound(f"No account has the email {email!r}.")
    return user_id


@dataclass(frozen=True)
class StatusRow:
    status: Status
    ideas: int
    deletable: bool
    is_system: bool


def statuses() -> list[StatusRow]:
    """Every status in display order, with how many ideas have it and whether it may be deleted."""
    counts = dict(db.session.execute(select(Idea.status_id, func.count()).group_by(Idea.status_id)).all())
    in_history = set(db.session.scalars(union(
        select(StatusChange.to_status_id),
        select(StatusChange.from_status_id).where(StatusChange.from_status_id.is_not(None)),
        select(IdeaMerge.source_status_id),
    )))
    return [
        StatusRow(
            status=status,
            ideas=counts.get(status.id, 0),
            deletable=(status.slug not in rules.SYSTEM_STATUSES and not counts.get(status.id)
                       and status.id not in in_history),
            is_system=status.slug in rules.SYSTEM_STATUSES,
        )
        for status in db.session.scalars(select(Status).order_by(Status.position, Status.id))
    ]


def status_in_use(status_id: int) -> bool:
    """Whether an idea has this status now, had it, or would get it back on an unmerge."""
    return bool(db.session.scalar(select(or_(
        exists().where(Idea.status_id == status_id),
        exists().where(or_(StatusChange.to_status_id == status_id, StatusChange.from_status_id == status_id)),
        exists().where(IdeaMerge.source_status_id == status_id),
    ))))


def get_status(status_id: int) -> Status:
    """Raises NotFound."""
    return _get(Status, status_id, "status")


@dataclass(frozen=True)
class CategoryRow:
    category: Category
    ideas: int


def categories() -> list[CategoryRow]:
    counts = dict(db.session.execute(select(Idea.category_id, func.count()).group_by(Idea.category_id)).all())
    return [
        CategoryRow(category, counts.get(category.id, 0))
        for category in db.session.scalars(select(Category).order_by(Category.position, Category.id))
    ]


def category_in_use(category_id: int) -> bool:
    return db.session.scalar(select(Idea.id).where(Idea.category_id == category_id).limit(1)) is not None


def get_category(category_id: int) -> Category:
    """Raises NotFound."""
    return _get(Category, category_id, "category")


def _get(model, row_id: int, noun: str):
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"There is no {noun} with that number.")
    return row


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # a username
    action: str = ""  # a prefix: "idea." or "user.role"
    target_type: str = ""
    target_id: int | None = None
    before: int | None = None  # keyset cursor: the last id of the previous page


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    actor: str | None  # None: the command line
    actor_known: bool  # False when the actor's account is gone
    action: str
    target_type: str
    target_id: int | None
    target_label: str | None  # an idea's title, a user's name, a status's label...
    target_idea_id: int | None  # the idea a comment belongs to
    changes: list[Change]

    @property
    def action_words(self) -> str:
        return audit.action_words(self.action)


def audit_log(filters: AuditFilter, *, limit: int = 50) -> Page:
    """Audit entries newest first, filtered by actor, action prefix and target, with readable targets."""
    actor, target_user = aliased(User), aliased(User)
    query = (
        select(
            AuditEntry, actor.username.label("actor_name"),
            func.coalesce(Idea.title, target_user.username, Status.label, Category.name).label("target_label"),
            Comment.idea_id.label("comment_idea_id"),
        )
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .outerjoin(Idea, _is_target(Idea, "idea"))
        .outerjoin(target_user, _is_target(target_user, "user"))
        .outerjoin(Status, _is_target(Status, "status"))
        .outerjoin(Category, _is_target(Category, "category"))
        .outerjoin(Comment, _is_target(Comment, "comment"))
        .order_by(AuditEntry.id.desc())
        .limit(limit + 1)
    )
    if filters.actor.strip():
        query = query.where(func.lower(actor.username) == filters.actor.strip().lower())
    if filters.action.strip():
        query = query.where(AuditEntry.action.startswith(filters.action.strip(), autoescape=True))
    if filters.target_type.strip():
        query = query.where(AuditEntry.target_type == filters.target_type.strip())
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    if filters.before is not None:
        query = query.where(AuditEntry.id < filters.before)
    rows = db.session.execute(query).all()
    entries = [
        AuditRow(
            id=entry.id, created_at=entry.created_at, actor=actor_name,
            actor_known=entry.actor_id is None or actor_name is not None,
            action=entry.action, target_type=entry.target_type, target_id=entry.target_id,
            target_label=target_label, target_idea_id=comment_idea_id,
            changes=describe_changes(entry.before, entry.after),
        )
        for entry, actor_name, target_label, comment_idea_id in rows[:limit]
    ]
    return Page(entries, rows[limit - 1].AuditEntry.id if len(rows) > limit else None)


def _is_target(model, target_type: str):
    return and_(AuditEntry.target_type == target_type, model.id == AuditEntry.target_id)


def audit_target_types() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.target_type).distinct().order_by(AuditEntry.target_type)))


def describe_changes(before: dict | None, after: dict | None) -> list[Change]:
    """Field by field, the value before and after, as text people read ("—" where there was none)."""
    before, after = before or {}, after or {}
    fields = [*before, *(key for key in after if key not in before)]
    return [
        Change(field.replace("_", " "), _shown(before, field), _shown(after, field))
        for field in fields
    ]


def _shown(values: dict, field: str) -> str:
    if field not in values:
        return "—"
    value = values[field]
    if value is None:
        return "none"
    if value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= VALUE_MAX else text[:VALUE_MAX - 1] + "…"


def badge_colours() -> list[tuple[str, str]]:
    """(slug, colour) of every status, for the badge stylesheet."""
    rows = db.session.execute(select(Status.slug, Status.colour).order_by(Status.position, Status.id))
    return [(slug, colour) for slug, colour in rows]
