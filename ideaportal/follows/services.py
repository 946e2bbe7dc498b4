"""Follow use cases. The UNIQUE (user_id, idea_id) key makes following twice change nothing."""
from dataclasses import asdict, dataclass

from sqlalchemy import Integer, delete, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from ..errors import NotFound
from ..extensions import db
from ..ideas.queries import public_ideas
from ..models import Idea, Subscription, UTCDateTime, utcnow


@dataclass(frozen=True)
class FollowState:
    following: bool
    followers: int

    def as_dict(self) -> dict:
        return asdict(self)


def follow(*, idea_id: int, user_id: int) -> FollowState:
    """Follow a public idea; following it again changes nothing. Raises NotFound (missing, hidden or merged)."""
    already = exists().where(Subscription.user_id == user_id, Subscription.idea_id == Idea.id)
    # Writes first, with the idea's visibility in the same statement, like a vote.
    new_row = select(literal(user_id, Integer), Idea.id, literal(utcnow(), UTCDateTime())).where(
        Idea.id == idea_id, public_ideas(), ~already
    )
    try:
        db.session.execute(insert(Subscription).from_select(["user_id", "idea_id", "created_at"], new_row))
    except IntegrityError:  # the same member's other request followed first: the outcome is the same
        db.session.rollback()
    return _commit_state(idea_id, user_id, public_only=True,
                         missing="There is no idea with that number, or it can no longer be followed.")


def unfollow(*, idea_id: int, user_id: int) -> FollowState:
    """Stop following an idea, even a merged or hidden one, so nobody is stuck. Raises NotFound."""
    db.session.execute(delete(Subscription).where(Subscription.user_id == user_id, Subscription.idea_id == idea_id))
    return _commit_state(idea_id, user_id, public_only=False, missing="There is no idea with that number.")


def _commit_state(idea_id: int, user_id: int, *, public_only: bool, missing: str) -> FollowState:
    """Whether the user follows the idea and how many do, in one query, then commit; no such idea rolls back."""
    followers = select(func.count()).where(Subscription.idea_id == Idea.id).scalar_subquery()
    following = exists().where(Subscription.idea_id == Idea.id, Subscription.user_id == user_id)
    query = select(followers, following).where(Idea.id == idea_id)
    if public_only:
        query = query.where(public_ideas())
    row = db.session.execute(query).one_or_none()
    if row is None:
        db.session.rollback()
        raise NotFound(missing)
    db.session.commit()
    return FollowState(following=bool(row[1]), followers=row[0])
