"""Read side for following: which of some ideas a member follows."""
from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import Subscription

# Asked on every idea page a member opens (personal.py): built once, run below the ORM.
_FOLLOWED = select(Subscription.idea_id).where(Subscription.user_id == bindparam("user_id"),
                                               Subscription.idea_id.in_(bindparam("idea_ids", expanding=True)))


def followed(*, user_id: int, idea_ids: list[int]) -> list[int]:
    """The ideas among `idea_ids` that the member follows, in one query."""
    if not idea_ids:
        return []
    return list(db.session.connection().execute(_FOLLOWED, {"user_id": user_id, "idea_ids": list(idea_ids)}).scalars())
