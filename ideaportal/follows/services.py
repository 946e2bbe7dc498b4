"""Follow use cases. The UNIQUE (user_id, idea_id) key makes following twice change nothing.

Members follow an idea by hand, or automatically when they submit, vote on or comment on it
(unless they turned that off in their notification settings); followers hear when it moves.
"""
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Integer, delete, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from ..errors import NotFound
from ..extensions import db
from ..ideas.queries import public_ideas
from ..models import Idea, Subscription, User, UTCDateTime, utcnow
from ..transaction import use_case


@dataclass(frozen=True)
class FollowState:
    following: bool
    followers: int

    def as_dict(self) -> dict:
        return asdict(self)


def follow(*, idea_id: int, user_id: int) -> FollowState:
    """Follow a public idea; following it again changes nothing. Raises NotFound (missing, hidden or merged)."""
    missing = "There is no idea with that number, or it can no longer be followed."
    try:
        return _follow(idea_id=idea_id, user_id=user_id, missing=missing)
    except IntegrityError:  # the same member's other request followed first: the outcome is the same
        return _state(idea_id, user_id, public_only=True, missing=missing)


@use_case
def _follow(*, idea_id: int, user_id: int, missing: str) -> FollowState:
    already = exists().where(Subscription.user_id == user_id, Subscription.idea_id == Idea.id)
    # Writes first, with the idea's visibility in the same statement, like a vote.
    new_row = select(literal(user_id, Integer), Idea.id, literal(utcnow(), UTCDateTime())).where(
        Idea.id == idea_id, public_ideas(), ~already
    )
    db.session.execute(insert(Subscription).from_select(["user_id", "idea_id", "created_at"], new_row))
    return _state(idea_id, user_id, public_only=True, missing=missing)


@use_case
def unfollow(*, idea_id: int, user_id: int) -> FollowState:
    """Stop following an idea, even a merged or hidden one, so nobody is stuck. Raises NotFound."""
    db.session.execute(delete(Subscription).where(Subscription.user_id == user_id, Subscription.idea_id == idea_id))
    return _state(idea_id, user_id, public_only=False, missing="There is no idea with that number.")


def auto_follow(*, idea_id: int, user_id: int, now: datetime) -> None:
    """Inside a vote, comment or submission: the member follows the idea, unless they follow it already
    or turned automatic following off. A member who unfollowed follows again when they take part again,
    as on most discussion sites. Does not commit."""
    wants = select(User.auto_follow).where(User.id == user_id).scalar_subquery()
    already = exists().where(Subscription.user_id == user_id, Subscription.idea_id == idea_id)
    db.session.execute(
        insert(Subscription).from_select(
            ["user_id", "idea_id", "created_at"],
            select(literal(user_id, Integer), literal(idea_id, Integer), literal(now, UTCDateTime()))
            .where(wants.is_(True), ~already),
        )
    )


def _state(idea_id: int, user_id: int, *, public_only: bool, missing: str) -> FollowState:
    """Whether the user follows the idea and how many do, in one query. Raises NotFound (no such idea)."""
    followers = select(func.count()).where(Subscription.idea_id == Idea.id).scalar_subquery()
    following = exists().where(Subscription.idea_id == Idea.id, Subscription.user_id == user_id)
    query = select(followers, following).where(Idea.id == idea_id)
    if public_only:
        query = query.where(public_ideas())
    row = db.session.execute(query).one_or_none()
    if row is None:
        raise NotFound(missing)
    return FollowState(following=bool(row[1]), followers=row[0])
