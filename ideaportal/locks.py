"""The one order in which a use case that writes several ideas takes its row locks on PostgreSQL.

Triggers on `idea` write shared rows as each idea changes: its author's `user` row (points), its share of
the site totals (`site_total`, id modulo 16) and its `status_count` rows, in that order (PostgreSQL fires
a row's triggers by name). A vote writes one idea, so it takes its idea, then the author, then the share.
A use case writing several ideas one statement after another (a bulk status change, a merge, an unmerge)
took those rows idea by idea: a bulk change could hold share 3 and wait for an author's row that a merge
held while the merge waited for share 3, and PostgreSQL aborted one of them. So these use cases take every
row they will write before writing any, in one global order, the order a vote takes its own: ideas by id,
then authors by id, then shares, then status counts by (status, category). Once all of them queue in that
order, none can hold a row another holds while waiting for one that other will take first.

A share or status count that has no row yet (a near-empty database) cannot be locked ahead: the trigger
inserts it. SQLite needs none of this: it has one writer at a time, and a read before its first write
would cost a transaction its lock.
"""
from collections.abc import Iterable

from sqlalchemy import select, tuple_

from .extensions import db
from .models import Idea, SiteTotal, StatusCount, User

SHARES = 16  # the site totals' shares: an idea writes the one of its id modulo this (migration 6d0e93a41c57)


def lock_for_writing(idea_ids: Iterable[int], *, new_status_ids: Iterable[int] = ()) -> None:
    """Lock these ideas and the rows their triggers will write, in the global order: their authors, their
    shares of the site totals, and the status counts of their statuses and of `new_status_ids` in their
    categories. Does nothing on SQLite."""
    if db.engine.dialect.name != "postgresql":
        return
    ideas = db.session.execute(
        select(Idea.id, Idea.author_id, Idea.status_id, Idea.category_id)
        .where(Idea.id.in_(sorted(set(idea_ids)))).order_by(Idea.id).with_for_update(key_share=True)
    ).all()
    statuses = {(idea.status_id, idea.category_id) for idea in ideas}
    statuses |= {(status_id, idea.category_id) for idea in ideas for status_id in new_status_ids}
    for query in (
        select(User.id).where(User.id.in_({idea.author_id for idea in ideas})).order_by(User.id),
        select(SiteTotal.shard).where(SiteTotal.shard.in_({idea.id % SHARES for idea in ideas}))
        .order_by(SiteTotal.shard),
        select(StatusCount.status_id).where(tuple_(StatusCount.status_id, StatusCount.category_id).in_(statuses))
        .order_by(StatusCount.status_id, StatusCount.category_id),
    ):
        db.session.execute(query.with_for_update(key_share=True))  # FOR NO KEY UPDATE: what their UPDATEs take
