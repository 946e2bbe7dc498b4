"""Comment use cases. The idea's comment_count moves in the same transaction, by a delta in SQL."""
from sqlalchemy import func, insert, select, update

from .. import rules
from ..errors import NotFound
from ..extensions import db
from ..ideas.queries import public_ideas
from ..models import Comment, Idea, User, utcnow
from ..text import render_markdown


def add_comment(*, idea_id: int, author_id: int, body: str) -> int:
    """Post a comment on a public idea; staff comments are official answers. Returns its id. Raises NotFound."""
    now = utcnow()
    official = rules.is_staff(db.session.scalar(select(User.role).where(User.id == author_id)) or "")
    counters = {"comment_count": Idea.comment_count + 1, "last_activity_at": now}
    if official:
        counters["first_response_at"] = func.coalesce(Idea.first_response_at, now)
    counted = db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id, public_ideas())
        .values(**counters)
        .returning(Idea.id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if counted is None:
        db.session.rollback()
        raise NotFound("There is no idea with that number, or it is closed to comments.")
    comment_id = db.session.scalar(
        insert(Comment)
        .values(
            idea_id=idea_id,
            author_id=author_id,
            body=body,
            body_html=render_markdown(body),
            is_official=official,
            created_at=now,
        )
        .returning(Comment.id)
    )
    db.session.commit()
    return comment_id


def edit_comment(*, comment_id: int, editor_id: int, body: str) -> Comment:
    """Change one's own comment. Raises NotFound, PermissionDenied."""
    comment = _get(comment_id)
    rules.check_can_change_comment(actor_id=editor_id, author_id=comment.author_id, deleted=comment.deleted)
    comment.body, comment.body_html, comment.edited_at = body, render_markdown(body), utcnow()
    db.session.commit()
    return comment


def delete_comment(*, comment_id: int, actor_id: int) -> Comment:
    """Soft-delete one's own comment, leaving a placeholder in the thread. Raises NotFound, PermissionDenied."""
    comment = _get(comment_id)
    rules.check_can_change_comment(actor_id=actor_id, author_id=comment.author_id, deleted=comment.deleted)
    deleted = db.session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.deleted_at.is_(None))
        .values(deleted_at=utcnow())
        .returning(Comment.is_hidden)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if deleted is not None and not deleted.is_hidden:  # a hidden comment is already out of the count
        db.session.execute(
            update(Idea)
            .where(Idea.id == comment.idea_id)
            .values(comment_count=Idea.comment_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return comment


def get_comment(comment_id: int) -> Comment:
    """A comment for display or editing. Raises NotFound."""
    return _get(comment_id)


def _get(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("There is no comment with that number.")
    return comment
