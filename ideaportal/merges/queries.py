"""Read side for merges: the two ideas side by side, the voters they share, and why a merge would be refused."""
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from .. import rules
from ..errors import DomainError, Invalid, NotFound
from ..extensions import db
from ..models import Idea, Status, Subscription, User, Vote


@dataclass(frozen=True)
class MergeSide:
    id: int
    title: str
    author: str
    status_label: str
    status_slug: str
    status_kind: str
    upvotes: int
    downvotes: int
    score: int
    comment_count: int
    followers: int
    merged_into_id: int | None
    is_hidden: bool


@dataclass(frozen=True)
class MergePreview:
    source: MergeSide
    target: MergeSide | None = None
    shared_voters: int = 0  # voted on both: they keep their vote on the target
    moved_votes: int = 0  # voted on the source only: their vote moves to the target
    problem: DomainError | None = None  # why merging into this target would be refused


def merge_preview(source_id: int, target_id: int | None = None) -> MergePreview:
    """The source idea, and when `target_id` is given the target, their shared voters and any refusal.

    Raises NotFound when the source does not exist.
    """
    sides = _sides([source_id] if target_id is None else [source_id, target_id])
    if source_id not in sides:
        raise NotFound(f"There is no idea #{source_id}.")
    source = sides[source_id]
    if target_id is None:
        return MergePreview(source)
    target = sides.get(target_id)
    if target is None:
        return MergePreview(source, problem=Invalid(f"There is no idea #{target_id}. Check the number.", field="into"))
    on_target = aliased(Vote)
    shared, total = db.session.execute(
        select(
            func.count().filter(exists().where(on_target.idea_id == target_id, on_target.user_id == Vote.user_id)),
            func.count(),
        ).where(Vote.idea_id == source_id)
    ).one()
    problem = None
    try:
        rules.check_can_merge(
            source_id=source_id, target_id=target_id, source_merged_into=source.merged_into_id,
            source_has_merged_ideas=db.session.scalar(select(exists().where(Idea.merged_into_id == source_id))),
            target_merged_into=target.merged_into_id, target_hidden=target.is_hidden,
        )
    except DomainError as error:
        problem = error
    return MergePreview(source, target, shared, total - shared, problem)


def _sides(idea_ids: list[int]) -> dict[int, MergeSide]:
    followers = select(func.count()).where(Subscription.idea_id == Idea.id).scalar_subquery()
    rows = db.session.execute(
        select(
            Idea.id, Idea.title, User.username.label("author"), Status.label.label("status_label"),
            Status.slug.label("status_slug"), Status.kind.label("status_kind"), Idea.upvotes, Idea.downvotes,
            Idea.score, Idea.comment_count, followers.label("followers"), Idea.merged_into_id, Idea.is_hidden,
        )
        .join(User, Idea.author_id == User.id)
        .join(Status, Idea.status_id == Status.id)
        .where(Idea.id.in_(idea_ids))
    ).all()
    return {row.id: MergeSide(**row._asdict()) for row in rows}
