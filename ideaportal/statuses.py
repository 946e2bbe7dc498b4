"""An idea's status change, recorded in one place: the public timeline entry and the event followers hear about."""
from datetime import datetime

from sqlalchemy import insert, or_, update

from .extensions import db
from .models import Idea, StatusChange
from .notifications.events import StatusChanged
from .text import render_markdown
from .transaction import emit


def record_status_change(*, idea_id: int, from_status_id: int | None, to_status_id: int, actor_id: int | None,
                         response: str, now: datetime, merge_id: int | None = None) -> int:
    """Add the timeline entry (the response rendered once) and tell the idea's followers. Returns its id.

    The caller has already moved `idea.status_id`, inside the same unit of work. Does not commit.
    """
    response = response.strip()
    change_id = insert_status_change(idea_id=idea_id, from_status_id=from_status_id, to_status_id=to_status_id,
                                     actor_id=actor_id, response=response, now=now)
    emit(StatusChanged(idea_id=idea_id, status_change_id=change_id, actor_id=actor_id, merge_id=merge_id))
    return change_id


def insert_status_change(*, idea_id: int, from_status_id: int | None, to_status_id: int, actor_id: int | None,
                         response: str, now: datetime) -> int:
    """The timeline row alone, for history that nobody is told about (the demo's past).

    A move into the idea's current status also sets its status_changed_at, which the roadmap sorts by
    (the latest such move wins, whatever order history is written in); an update posted on the same
    status is news, not a move.
    """
    if from_status_id != to_status_id:
        db.session.execute(
            update(Idea)
            .where(Idea.id == idea_id, Idea.status_id == to_status_id,
                   or_(Idea.status_changed_at.is_(None), Idea.status_changed_at < now))
            .values(status_changed_at=now)
            .execution_options(synchronize_session=False)
        )
    return db.session.scalar(
        insert(StatusChange)
        .values(idea_id=idea_id, from_status_id=from_status_id, to_status_id=to_status_id, changed_by_id=actor_id,
                response=response, response_html=render_markdown(response) if response else "", created_at=now)
        .returning(StatusChange.id)
    )

