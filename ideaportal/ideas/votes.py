"""A vote's SQL: built once at import, executed on the session's connection (no ORM work per vote).

Both databases first claim the idea, which serialises every writer of its votes: PostgreSQL locks its row
(`FOR NO KEY UPDATE`, the lock a merge takes first too: one lock order, so a vote and a merge queue rather
than deadlock); SQLite's claim is a write (moving `last_activity_at`), which takes its single write lock
before anything is read (a read first would fail with "database is locked" when another writer got in
between). The claim returns the idea's score as it stands, under that lock, or nothing when the idea is
missing, hidden or merged. The score then makes the new hot rank a Python computation (rules.hot_rank),
for each of the three old votes the voter may hold, so the counters and the hot rank move in one UPDATE.

PostgreSQL then writes everything else in one statement: the old vote read (exact: every writer of this
idea's votes waits for the claim, so the statement's snapshot, taken after it, holds the latest), the vote
deleted (withdraw) or upserted, the counters moved by the difference, the hot rank picked, the idea followed.
SQLite, without data-modifying CTEs, runs the same steps as separate statements; there they cost no round trip.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import rules
from ..models import Idea, Subscription, User, UTCDateTime, Vote

IDEA, VOTE, SUBSCRIPTION, USER = Idea.__table__, Vote.__table__, Subscription.__table__, User.__table__
IDEA_ID = bindparam("idea_id", type_=Integer)
VOTER_ID = bindparam("voter_id", type_=Integer)
VALUE = bindparam("value", type_=Integer)
NOW = bindparam("now", type_=UTCDateTime())
OPEN_IDEA = and_(IDEA.c.id == IDEA_ID, IDEA.c.is_hidden.is_(False), IDEA.c.merged_into_id.is_(None))
THE_VOTE = and_(VOTE.c.user_id == VOTER_ID, VOTE.c.idea_id == IDEA_ID)
CLAIMED = (IDEA.c.score, IDEA.c.created_at, IDEA.c.campaign_id, IDEA.c.status_id)
COUNTERS = (IDEA.c.score, IDEA.c.upvotes, IDEA.c.downvotes)


@dataclass(frozen=True)
class Claimed:
    score: int
    created_at: datetime
    campaign_id: int | None
    status_id: int


@dataclass(frozen=True)
class Written:
    old_value: int
    score: int
    upvotes: int
    downvotes: int


def activity_at(now):
    """`last_activity_at` moved to `now`, never back: a writer that waited for a lock may commit an earlier `now`."""
    return case((Idea.last_activity_at < now, now), else_=Idea.last_activity_at)


def _cast(insert):
    """The new vote (unless the value is 0), replacing the old one; an unchanged vote keeps its date, so re-voting
    cannot bump an idea up "trending"."""
    statement = insert(VOTE).from_select(
        ["user_id", "idea_id", "value", "created_at"], select(VOTER_ID, IDEA_ID, VALUE, NOW).where(VALUE != 0)
    )
    return statement.on_conflict_do_update(
        index_elements=["user_id", "idea_id"],
        set_={"value": statement.excluded.value,
              "created_at": case((VOTE.c.value == statement.excluded.value, VOTE.c.created_at),
                                 else_=statement.excluded.created_at)},
    )


def _follow(insert, *conditions):
    """A new vote follows the idea, unless the voter turned automatic following off (follows.auto_follow's rule)."""
    wants = select(USER.c.auto_follow).where(USER.c.id == VOTER_ID).scalar_subquery()
    return insert(SUBSCRIPTION).from_select(
        ["user_id", "idea_id", "created_at"], select(VOTER_ID, IDEA_ID, NOW).where(wants.is_(True), *conditions)
    ).on_conflict_do_nothing(index_elements=["user_id", "idea_id"])


def _counted(old_value):
    """The counters moved from the old vote (NULL: none) to VALUE, the hot rank picked for the new score."""
    held = func.coalesce(old_value, 0)
    return (
        update(IDEA).where(IDEA.c.id == IDEA_ID)
        .values(upvotes=IDEA.c.upvotes + case((VALUE == 1, 1), else_=0) - case((held == 1, 1), else_=0),
                downvotes=IDEA.c.downvotes + case((VALUE == -1, 1), else_=0) - case((held == -1, 1), else_=0),
                score=IDEA.c.score + VALUE - held,
                hot_rank=case((held == 1, bindparam("rank_if_up")), (held == -1, bindparam("rank_if_down")),
                              else_=bindparam("rank_if_none")),
                last_activity_at=activity_at(NOW))
        .returning(*COUNTERS)
    )


def _postgresql_vote():
    old = select(VOTE.c.value).where(THE_VOTE).cte("old")
    old_value = select(old.c.value).scalar_subquery()
    withdrawn = delete(VOTE).where(THE_VOTE, VALUE == 0).cte("withdrawn")
    voted = _cast(postgresql.insert).cte("voted")
    followed = _follow(postgresql.insert, VALUE != 0, ~select(old.c.value).exists()).cte("followed")
    counted = _counted(old_value).cte("counted")
    return (select(old_value.label("old_value"), *(counted.c[column.name] for column in COUNTERS))
            .add_cte(withdrawn, voted, followed))


CLAIM = {
    "postgresql": select(*CLAIMED).where(OPEN_IDEA).with_for_update(key_share=True),
    "sqlite": update(IDEA).where(OPEN_IDEA).values(last_activity_at=activity_at(NOW)).returning(*CLAIMED),
}
POSTGRESQL_VOTE = _postgresql_vote()
SQLITE_OLD = select(VOTE.c.value).where(THE_VOTE)
SQLITE_WITHDRAW = delete(VOTE).where(THE_VOTE)
SQLITE_CAST = _cast(sqlite.insert)
SQLITE_FOLLOW = _follow(sqlite.insert)
SQLITE_COUNT = _counted(bindparam("old_value", type_=Integer))


def claim(connection, *, idea_id: int, now: datetime) -> Claimed | None:
    """Serialise this idea's voters (see the module's docstring); None when it is closed to votes."""
    row = connection.execute(CLAIM[connection.dialect.name], {"idea_id": idea_id, "now": now}).one_or_none()
    return None if row is None else Claimed(*row)


def write(connection, claimed: Claimed, *, idea_id: int, voter_id: int, value: int, now: datetime) -> Written:
    """Replace the voter's vote with `value` and move the idea's counters and hot rank. After `claim`."""
    parameters = {"idea_id": idea_id, "voter_id": voter_id, "value": value, "now": now,
                  **{name: rules.hot_rank(claimed.score - old + value, claimed.created_at)
                     for name, old in (("rank_if_up", 1), ("rank_if_none", 0), ("rank_if_down", -1))}}
    if connection.dialect.name == "postgresql":
        row = connection.execute(POSTGRESQL_VOTE, parameters).one()
        return Written(row.old_value or 0, row.score, row.upvotes, row.downvotes)
    old_value = connection.execute(SQLITE_OLD, parameters).scalar() or 0
    if value:
        connection.execute(SQLITE_CAST, parameters)
        if not old_value:
            connection.execute(SQLITE_FOLLOW, parameters)
    elif old_value:
        connection.execute(SQLITE_WITHDRAW, parameters)
    row = connection.execute(SQLITE_COUNT, {**parameters, "old_value": old_value}).one()
    return Written(old_value, row.score, row.upvotes, row.downvotes)
