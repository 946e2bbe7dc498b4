"""Moderation use cases. Hiding keeps the content: it vanishes from public pages, lists and counters."""
from sqlalchemy import select, update

from .. import audit
from ..errors import NotFound
from ..extensions import db
from ..models import Comment, Idea


def set_idea_hidden(*, idea_id: int, actor_id: int | None, hidden: bool, commit: bool = True) -> bool:
    """Hide an idea from (or return it to) public lists, pages and totals. Returns whether it changed.

    Raises NotFound. `commit=False` lets a larger use case (a flag decision) commit once.
    """
    changed = db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id, Idea.is_hidden.is_not(hidden))
        .values(is_hidden=hidden)
        .returning(Idea.id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if changed is None and db.session.scalar(select(Idea.id).where(Idea.id == idea_id)) is None:
        db.session.rollback()
        raise NotFound("There is no idea with that number.")
    if changed is not None:
        audit.record(
            actor_id=actor_id, action="idea.hide" if hidden else "idea.unhide", target_type="idea",
            target_id=idea_id, before={"is_hidden": not hidden}, after={"is_hidden": hidden},
        )
    if commit:
        db.session.commit()
    return changed is not None


def set_comment_hidden(*, comment_id: int, actor_id: int | None, hidden: bool, commit: bool = True) -> bool:
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
        db.session.rollback()
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
    if commit:
        db.session.commit()
    return changed is not None
