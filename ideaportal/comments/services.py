"""Comment use cases. The idea's comment_count moves in the same transaction, by a delta in SQL.

A staff member's comment is an official answer only when they say so (`official=True`); only an
official answer counts as the idea's first response. Followers and @mentioned members hear of it.
"""
from sqlalchemy import func, insert, select, update

from .. import rules
from ..auth.services import check_may_post
from ..errors import NotFound, PermissionDenied
from ..extensions import db
from ..follows.services import auto_follow
from ..ideas.queries import public_ideas
from ..ideas.votes import activity_at
from ..models import Comment, Idea, User, utcnow
from ..notifications.events import CommentPosted
from ..notifications.mentions import render_with_mentions
from ..text import check_visible
from ..transaction import emit, use_case


@use_case
def add_comment(*, idea_id: int, author_id: int, body: str, official: bool = False) -> int:
    """Post a comment on a public idea; with `official`, a staff member's answer. Returns its id.

    The author follows the idea (unless they turned automatic following off). Raises NotFound,
    PermissionDenied (an official answer from someone who is not staff), Invalid (nothing visible in it).
    """
    check_may_post(author_id)
    check_visible(body, field="body", what="comment")
    now = utcnow()
    if official and not rules.is_staff(db.session.scalar(select(User.role).where(User.id == author_id)) or ""):
        raise PermissionDenied("Only the product team can post an official answer.", field="official")
    counters = {"comment_count": Idea.comment_count + 1, "last_activity_at": activity_at(now)}
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
        raise NotFound("There is no idea with that number, or it is closed to comments.")
    body_html, mentioned = render_with_mentions(body)
    comment_id = db.session.scalar(
        insert(Comment)
        .values(idea_id=idea_id, author_id=author_id, body=body, body_html=body_html, is_official=official,
                created_at=now)
        .returning(Comment.id)
    )
    auto_follow(idea_id=idea_id, user_id=author_id, now=now)
    emit(CommentPosted(idea_id=idea_id, comment_id=comment_id, author_id=author_id, official=official,
                       mentioned_ids=frozenset(mentioned)))
    return comment_id


@use_case
def edit_comment(*, comment_id: int, editor_id: int, body: str) -> Comment:
    """Change one's own comment; members newly @mentioned in it hear of it. Raises NotFound, PermissionDenied."""
    comment = _get(comment_id)
    rules.check_can_change_comment(actor_id=editor_id, author_id=comment.author_id, deleted=comment.deleted)
    check_visible(body, field="body", what="comment")
    comment.body, comment.edited_at = body, utcnow()
    comment.body_html, mentioned = render_with_mentions(body)
    if mentioned and not comment.is_hidden:  # each member hears once per comment: see notifications.writer
        emit(CommentPosted(idea_id=comment.idea_id, comment_id=comment.id, author_id=comment.author_id,
                           official=comment.is_official, mentioned_ids=frozenset(mentioned), edited=True))
    return comment


@use_case
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
    return comment


def get_comment(comment_id: int) -> Comment:
    """A comment for display or editing. Raises NotFound."""
    return _get(comment_id)


def _get(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("There is no comment with that number.")
    return comment
