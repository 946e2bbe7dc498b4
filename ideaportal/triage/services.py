"""Triage use cases: status changes with public answers, owners, categories, notes, archiving.

Each public function is one unit of work (`@use_case`): it commits once, or rolls back when it raises.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from .. import audit, rules
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..locks import lock_for_writing
from ..models import Category, Idea, StaffNote, Status, User, utcnow
from ..statuses import record_status_change
from ..text import render_markdown
from ..transaction import retrying_or_busy, use_case
from .queries import stale_condition

ARCHIVED_STATUS = "archived"
BUSY = "The database was too busy to change these ideas just now, so nothing was changed. Please try again."


@use_case
def change_status(*, idea_id: int, actor_id: int, status_slug: str, response: str = "",
                  now: datetime | None = None) -> int:
    """Move an idea to a status, with an optional public response. Returns the StatusChange id.

    Raises NotFound, Invalid (unknown status, missing response, duplicate, merged idea, no-op), Conflict.
    """
    status = _status(status_slug)
    current = _current([idea_id]).get(idea_id)
    if current is None:
        raise NotFound("There is no idea with that number.")
    return _apply(current, status, actor_id=actor_id, response=response, now=now or utcnow())


@dataclass(frozen=True)
class Answer:
    status_changed: bool
    owner_changed: bool
    category_changed: bool

    @property
    def changed(self) -> list[str]:
        return [name for name, changed in (("status", self.status_changed), ("owner", self.owner_changed),
                                           ("category", self.category_changed)) if changed]


@use_case
def answer(*, idea_id: int, actor_id: int, status_slug: str, response: str = "", owner_id: int | None,
           category_id: int, now: datetime | None = None) -> Answer:
    """The triage page's one form: the status (with a public response, which alone also counts as a
    change), the owner and the category, all saved or, on any refusal, none. Returns what changed.

    Raises NotFound, Invalid (as the three changes do, or when nothing would change), Conflict.
    """
    current = _current([idea_id]).get(idea_id)
    if current is None:
        raise NotFound("There is no idea with that number.")
    status = _status(status_slug)
    status_changed = status.id != current.status_id or bool(response.strip())
    if status_changed:
        change_status(idea_id=idea_id, actor_id=actor_id, status_slug=status_slug, response=response, now=now)
    owner_changed = assign_owner(idea_id=idea_id, actor_id=actor_id, owner_id=owner_id)
    category_changed = change_category(idea_id=idea_id, actor_id=actor_id, category_id=category_id)
    outcome = Answer(status_changed, owner_changed, category_changed)
    if not outcome.changed:
        raise Invalid("Nothing to save: change the status, write a response, or pick another owner or category.")
    return outcome


def bulk_change_status(*, idea_ids: list[int], actor_id: int, status_slug: str, response: str = "",
                       now: datetime | None = None) -> int:
    """Move several ideas to one status with the same response: all of them or, on any refusal, none.

    Returns how many moved. Raises Invalid or Conflict, naming the first idea at fault, and Conflict when
    the database stayed too busy to finish it (PostgreSQL chose it as a deadlock's victim three times).
    """
    return retrying_or_busy(lambda: _bulk_change_status(idea_ids=idea_ids, actor_id=actor_id,
                                                        status_slug=status_slug, response=response, now=now),
                            busy=BUSY)


@use_case
def _bulk_change_status(*, idea_ids: list[int], actor_id: int, status_slug: str, response: str,
                        now: datetime | None) -> int:
    if not idea_ids:
        raise Invalid("Select at least one idea with the checkboxes.", field="idea_ids")
    status = _status(status_slug)
    ids = sorted(set(idea_ids))
    current = _current(ids)
    missing = [idea_id for idea_id in ids if idea_id not in current]
    if missing:
        raise Invalid(f"There is no idea #{missing[0]}. Nothing was changed.", field="idea_ids")
    lock_for_writing(ids, new_status_ids=[status.id])
    now = now or utcnow()
    for idea_id in ids:
        try:
            _apply(current[idea_id], status, actor_id=actor_id, response=response, now=now)
        except (Invalid, Conflict) as error:
            raise type(error)(f"Idea #{idea_id}: {error.message} Nothing was changed.",
                              field=error.field or "idea_ids") from None
    return len(ids)


@use_case
def assign_owner(*, idea_id: int, actor_id: int, owner_id: int | None) -> bool:
    """Give the idea to an active product manager or admin, or to no one. Returns whether it changed.

    Raises NotFound, Invalid (the owner is not active staff).
    """
    if owner_id is not None and db.session.scalar(
        select(User.id).where(User.id == owner_id, User.role.in_(rules.STAFF_ROLES), User.is_active.is_(True))
    ) is None:
        raise Invalid("Choose an active product manager or admin.", field="owner_id")
    return _set_field(idea_id=idea_id, actor_id=actor_id, column="owner_id", value=owner_id, action="idea.owner")


@use_case
def change_category(*, idea_id: int, actor_id: int, category_id: int) -> bool:
    """Move the idea to another category. Returns whether it changed. Raises NotFound, Invalid."""
    if db.session.get(Category, category_id) is None:
        raise Invalid("Please choose one of the listed categories.", field="category")
    return _set_field(idea_id=idea_id, actor_id=actor_id, column="category_id", value=category_id,
                      action="idea.category")


@use_case
def add_note(*, idea_id: int, actor_id: int, body: str) -> int:
    """Add an internal note, seen by staff only. Returns its id. Raises NotFound, Invalid (empty)."""
    if not body.strip():
        raise Invalid("Write something in the note.", field="body")
    if db.session.scalar(select(Idea.id).where(Idea.id == idea_id)) is None:
        raise NotFound("There is no idea with that number.")
    note_id = db.session.scalar(
        insert(StaffNote)
        .values(idea_id=idea_id, author_id=actor_id, body=body, body_html=render_markdown(body), created_at=utcnow())
        .returning(StaffNote.id)
    )
    audit.record(actor_id=actor_id, action="idea.note", target_type="idea", target_id=idea_id,
                 after={"note_id": note_id})
    return note_id


def default_archive_response(months: int) -> str:
    return (
        f"This idea has had no votes or comments for {months} month{'s' if months != 1 else ''}, "
        "so we have archived it to keep the ideas people care about easy to find. "
        "If it still matters to you, submit it again and tell us what has changed."
    )


@use_case
def archive_stale(*, months: int, response: str | None = None, now: datetime | None = None) -> list[int]:
    """Archive public `new` ideas idle for `months` months, each with a public response. Returns their ids.

    Runs from the command line: the changes and audit entries have no actor. Raises Invalid (months < 1).
    """
    if months < 1:
        raise Invalid("Give at least one month.", field="months")
    response = (default_archive_response(months) if response is None else response).strip()
    new_id, archived_id = _status(rules.EDITABLE_STATUS).id, _status(ARCHIVED_STATUS).id
    now = now or utcnow()
    values = {"status_id": archived_id}
    if response:  # a public answer, as in _apply: counters and the site totals count it
        values["first_response_at"] = func.coalesce(Idea.first_response_at, now)
    archived = sorted(db.session.scalars(
        update(Idea)
        .where(stale_condition(months=months, now=now))
        .values(**values)
        .returning(Idea.id)
        .execution_options(synchronize_session=False)
    ).all())
    for idea_id in archived:
        record_status_change(idea_id=idea_id, from_status_id=new_id, to_status_id=archived_id, actor_id=None,
                             response=response, now=now)
        audit.record(actor_id=None, action="idea.status", target_type="idea", target_id=idea_id,
                     before={"status": rules.EDITABLE_STATUS}, after={"status": ARCHIVED_STATUS})
    return archived


def _apply(current, status: Status, *, actor_id: int, response: str, now: datetime) -> int:
    """One status change inside the caller's transaction."""
    rules.check_status_change(
        current=current.status_slug, target=status.slug, requires_response=status.requires_response,
        response=response, merged=current.merged_into_id is not None,
    )
    response = response.strip()
    values = {"status_id": status.id}
    if response:  # in SQL, so the first answer's time is never overwritten
        values["first_response_at"] = func.coalesce(Idea.first_response_at, now)
    moved = db.session.execute(
        update(Idea)
        .where(Idea.id == current.id, Idea.status_id == current.status_id, Idea.merged_into_id.is_(None))
        .values(**values)
        .returning(Idea.id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if moved is None:
        raise Conflict("Someone else changed this idea meanwhile. Reload the page and try again.")
    change_id = record_status_change(idea_id=current.id, from_status_id=current.status_id, to_status_id=status.id,
                                     actor_id=actor_id, response=response, now=now)
    audit.record(actor_id=actor_id, action="idea.status", target_type="idea", target_id=current.id,
                 before={"status": current.status_slug},
                 after={"status": status.slug, "status_change_id": change_id})
    return change_id


def _set_field(*, idea_id: int, actor_id: int, column: str, value, action: str) -> bool:
    old = db.session.execute(select(getattr(Idea, column)).where(Idea.id == idea_id)).one_or_none()
    if old is None:
        raise NotFound("There is no idea with that number.")
    if old[0] == value:
        return False
    db.session.execute(
        update(Idea).where(Idea.id == idea_id).values({column: value}).execution_options(synchronize_session=False)
    )
    audit.record(actor_id=actor_id, action=action, target_type="idea", target_id=idea_id,
                 before={column: old[0]}, after={column: value})
    return True


def _current(idea_ids: list[int]) -> dict:
    """The ideas' state, their rows locked in id order on PostgreSQL before any is written.

    Each status change also moves the author's stored points (a trigger updates their `user` row).
    Changing several ideas one statement at a time without these locks could hold an author's row
    while waiting for another of their ideas that a vote holds, the vote waiting for the same
    author's row: a deadlock. Locked first, a vote on any of them waits for the whole change; a bulk
    change then locks the other rows its triggers write (`locks.lock_for_writing`). FOR NO KEY UPDATE,
    as a vote and the UPDATE itself take: a stronger lock would also wait for rows merely referring to
    the idea (a comment being posted), which then wait for the idea.
    """
    rows = db.session.execute(
        select(Idea.id, Idea.status_id, Idea.merged_into_id, Status.slug.label("status_slug"))
        .join(Status, Idea.status_id == Status.id)
        .where(Idea.id.in_(idea_ids))
        .order_by(Idea.id)
        .with_for_update(of=Idea, key_share=True)
    )
    return {row.id: row for row in rows}


def _status(slug: str) -> Status:
    status = db.session.scalar(select(Status).where(Status.slug == slug))
    if status is None:
        raise Invalid("Please choose one of the listed statuses.", field="status")
    return status
