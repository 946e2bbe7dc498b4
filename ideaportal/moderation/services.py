"""Moderation use cases. Hiding keeps the content: it vanishes from public pages, lists and counters.

Members report (flag) ideas and comments once each; staff close the open reports on an item by
dismissing them or by hiding the item, in one transaction with the audit entry. Each public
function is one unit of work; hiding a reported item runs the hide inside the report's unit.
"""
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, rules
from ..errors import Conflict, NotFound
from ..extensions import db
from ..ideas.queries import public_ideas
from ..models import Comment, Flag, Idea, utcnow
from ..transaction import use_case

ALREADY_REPORTED = "You've already reported this; the moderators will look at it."


@use_case
def set_idea_hidden(*, idea_id: int, actor_id: int | None, hidden: bool) -> bool:
    """Hide an idea from (or return it to) public lists, pages and totals. Returns whether it changed.

    Raises NotFound.
    """
    changed = db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id, Idea.is_hidden.is_not(hidden))
        .values(is_hidden=hidden)
        .returning(Idea.id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if changed is None and db.session.scalar(select(Idea.id).where(Idea.id == idea_id)) is None:
        raise NotFound("There is no idea with that number.")
    if changed is not None:
        audit.record(
            actor_id=actor_id, action="idea.hide" if hidden else "idea.unhide", target_type="idea",
            target_id=idea_id, before={"is_hidden": not hidden}, after={"is_hidden": hidden},
        )
    return changed is not None


@use_case
def set_comment_hidden(*, comment_id: int, actor_id: int | None, hidden: bool) -> bool:
    """Hide a comment behind a placeholder (or show it again); the idea's comment_count follows.

    Returns whether it changed. Raises NotFound.
    """
    changed = db.session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.is_hidden.is_not(hidden))
        .values(is_hidden=hidden)
        .returning(Comment.idea_id, Comment.deleted_at)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if changed is None and db.session.get(Comment, comment_id) is None:
        raise NotFound("There is no comment with that number.")
    if changed is not None:
        if changed.deleted_at is None:  # a deleted comment is already out of the count
            db.session.execute(
                update(Idea)
                .where(Idea.id == changed.idea_id)
                .values(comment_count=Idea.comment_count + (-1 if hidden else 1))
                .execution_options(synchronize_session=False)
            )
        audit.record(
            actor_id=actor_id, action="comment.hide" if hidden else "comment.unhide", target_type="comment",
            target_id=comment_id, before={"is_hidden": not hidden}, after={"is_hidden": hidden},
        )
    return changed is not None


@dataclass(frozen=True)
class Flagged:
    id: int
    idea_id: int  # the idea, or the comment's idea: where the report was made


def flag_idea(*, idea_id: int, reporter_id: int, reason: str, note: str = "") -> Flagged:
    """Report someone else's public idea to the moderators, once per member.

    Raises Invalid (reason, note), NotFound (no such idea, or hidden or merged), PermissionDenied
    (one's own idea), Conflict (already reported).
    """
    return _flag(reporter_id=reporter_id, reason=reason, note=note, idea_id=idea_id)


def flag_comment(*, comment_id: int, reporter_id: int, reason: str, note: str = "") -> Flagged:
    """Report someone else's visible comment to the moderators, once per member.

    Raises Invalid, NotFound (no such comment, or deleted or hidden), PermissionDenied, Conflict.
    """
    return _flag(reporter_id=reporter_id, reason=reason, note=note, comment_id=comment_id)


def _flag(*, reporter_id: int, reason: str, note: str, idea_id: int | None = None,
          comment_id: int | None = None) -> Flagged:
    note = note.strip()
    rules.check_flag_report(reason=reason, note=note)
    # Writes first: the unique constraints decide "once per member", even for two tabs at once.
    try:
        return _insert_flag(reporter_id=reporter_id, reason=reason, note=note, idea_id=idea_id,
                            comment_id=comment_id)
    except IntegrityError:  # reported already, or no such item (a foreign key): say which, writing nothing
        _check_flaggable(reporter_id=reporter_id, idea_id=idea_id, comment_id=comment_id)
        raise Conflict(ALREADY_REPORTED) from None


@use_case
def _insert_flag(*, reporter_id: int, reason: str, note: str, idea_id: int | None, comment_id: int | None) -> Flagged:
    flag_id = db.session.scalar(
        insert(Flag)
        .values(reporter_id=reporter_id, idea_id=idea_id, comment_id=comment_id, reason=reason, note=note,
                created_at=utcnow())
        .returning(Flag.id)
    )
    return Flagged(flag_id, _check_flaggable(reporter_id=reporter_id, idea_id=idea_id, comment_id=comment_id))


def _check_flaggable(*, reporter_id: int, idea_id: int | None, comment_id: int | None) -> int:
    """The reported item's idea id, when the public can see the item and the reporter is not its author.

    Raises NotFound, PermissionDenied."""
    target = _visible_target(idea_id=idea_id, comment_id=comment_id)
    if target is None:
        raise NotFound(f"There is no {'idea' if idea_id is not None else 'comment'} with that number. "
                       "It may have been removed.")
    rules.check_can_flag(reporter_id=reporter_id, author_id=target.author_id,
                         what="idea" if idea_id is not None else "comment")
    return target.idea_id


def _visible_target(*, idea_id: int | None, comment_id: int | None):
    """(author_id, idea_id) of an idea or comment the public can see, or None."""
    if idea_id is not None:
        query = select(Idea.author_id, Idea.id.label("idea_id")).where(Idea.id == idea_id, public_ideas())
    else:
        query = (
            select(Comment.author_id, Comment.idea_id)
            .join(Idea, Comment.idea_id == Idea.id)
            .where(Comment.id == comment_id, Comment.deleted_at.is_(None), Comment.is_hidden.is_(False),
                   Idea.is_hidden.is_(False))
        )
    return db.session.execute(query).one_or_none()


@use_case
def dismiss_idea_flags(*, idea_id: int, actor_id: int | None) -> int:
    """Close the idea's open reports as dismissed; the idea stays. Returns how many. Raises NotFound."""
    return _resolve(actor_id=actor_id, resolution="dismissed", idea_id=idea_id)


@use_case
def dismiss_comment_flags(*, comment_id: int, actor_id: int | None) -> int:
    """Close the comment's open reports as dismissed; the comment stays. Returns how many. Raises NotFound."""
    return _resolve(actor_id=actor_id, resolution="dismissed", comment_id=comment_id)


@use_case
def hide_flagged_idea(*, idea_id: int, actor_id: int | None) -> int:
    """Hide the idea and close its open reports as hidden, in one commit. Returns how many. Raises NotFound."""
    set_idea_hidden(idea_id=idea_id, actor_id=actor_id, hidden=True)
    return _resolve(actor_id=actor_id, resolution="hidden", idea_id=idea_id)


@use_case
def hide_flagged_comment(*, comment_id: int, actor_id: int | None) -> int:
    """Hide the comment and close its open reports as hidden, in one commit. Returns how many. Raises NotFound."""
    set_comment_hidden(comment_id=comment_id, actor_id=actor_id, hidden=True)
    return _resolve(actor_id=actor_id, resolution="hidden", comment_id=comment_id)


def _resolve(*, actor_id: int | None, resolution: str, idea_id: int | None = None,
             comment_id: int | None = None) -> int:
    target_type, target_id = ("idea", idea_id) if idea_id is not None else ("comment", comment_id)
    column = Flag.idea_id if idea_id is not None else Flag.comment_id
    resolved = db.session.execute(
        update(Flag)
        .where(column == target_id, Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor_id, resolution=resolution)
        .returning(Flag.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not resolved and db.session.get(Idea if idea_id is not None else Comment, target_id) is None:
        raise NotFound(f"There is no {target_type} with that number.")
    if resolved:
        audit.record(
            actor_id=actor_id, action="flag.dismiss" if resolution == "dismissed" else "flag.hide",
            target_type=target_type, target_id=target_id,
            before={"open_flags": len(resolved)}, after={"open_flags": 0, "resolution": resolution},
        )
    return len(resolved)
