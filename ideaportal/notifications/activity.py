"""'My activity': the ideas a member wrote, voted on, follows and commented on, and what changed on them."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Comment, Idea, Status, StatusChange, Subscription, Vote

SECTION_SIZE = 20
SECTIONS = (
    ("mine", "My ideas"),
    ("voted", "Ideas I voted on"),
    ("following", "Ideas I follow"),
    ("commented", "Ideas I commented on"),
)


@dataclass(frozen=True)
class ActivityIdea:
    id: int
    title: str
    status_slug: str
    status_label: str
    status_kind: str
    score: int
    comment_count: int
    my_vote: int | None
    last_answer_at: datetime | None  # the latest status change or official answer
    changed: bool  # ...after the member last looked at this page


def my_activity(user_id: int, *, seen_at: datetime | None) -> dict[str, list[ActivityIdea]]:
    """Each section's ideas, most recent involvement first, at most SECTION_SIZE each."""
    my_comments = (
        select(Comment.idea_id, func.max(Comment.created_at).label("at"))
        .where(Comment.author_id == user_id, Comment.deleted_at.is_(None))
        .group_by(Comment.idea_id)
        .subquery()
    )
    involvement = {
        "mine": (Idea.author_id == user_id, Idea.created_at, None),
        "voted": (Vote.user_id == user_id, Vote.created_at, (Vote, Vote.idea_id == Idea.id)),
        "following": (Subscription.user_id == user_id, Subscription.created_at,
                      (Subscription, Subscription.idea_id == Idea.id)),
        "commented": (true(), my_comments.c.at, (my_comments, my_comments.c.idea_id == Idea.id)),
    }
    return {key: _section(user_id, *involvement[key], seen_at=seen_at) for key, _ in SECTIONS}


def _section(user_id: int, condition, moment, join, *, seen_at: datetime | None) -> list[ActivityIdea]:
    comment, vote = aliased(Comment), aliased(Vote)  # not the joined tables: these correlate with the idea only
    last_change = select(func.max(StatusChange.created_at)).where(StatusChange.idea_id == Idea.id).scalar_subquery()
    last_official = (
        select(func.max(comment.created_at))
        .where(comment.idea_id == Idea.id, comment.is_official.is_(True), comment.deleted_at.is_(None),
               comment.is_hidden.is_(False))
        .scalar_subquery()
    )
    my_vote = select(vote.value).where(vote.idea_id == Idea.id, vote.user_id == user_id).scalar_subquery()
    query = select(
        Idea.id, Idea.title, Status.slug, Status.label, Status.kind, Idea.score, Idea.comment_count,
        my_vote.label("my_vote"), last_change.label("last_change"), last_official.label("last_official"),
    ).join(Status, Status.id == Idea.status_id)
    if join is not None:
        query = query.join(*join)
    rows = db.session.execute(
        query.where(condition, Idea.is_hidden.is_(False))  # a merged idea stays, as a duplicate
        .order_by(moment.desc(), Idea.id.desc())
        .limit(SECTION_SIZE)
    )
    ideas = []
    for row in rows:
        moments = [moment for moment in (row.last_change, row.last_official) if moment is not None]
        last = max(moments) if moments else None
        ideas.append(ActivityIdea(
            row.id, row.title, row.slug, row.label, row.kind, row.score, row.comment_count, row.my_vote, last,
            changed=bool(seen_at and last and last > seen_at),
        ))
    return ideas
