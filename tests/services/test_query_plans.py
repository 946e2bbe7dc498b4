"""Every list sort is served by its index, on both databases."""
import pytest
from sqlalchemy import func, select, text

from ideaportal.extensions import db
from ideaportal.ideas import queries
from ideaportal.leaderboard import queries as board
from ideaportal.models import Idea, User, utcnow
from ideaportal.triage import queries as triage
from tests import factories
from tests.helpers import fixture_empty_app  # noqa: F401 (fixture empty_app)


def plan(sql_query) -> str:
    compiled = sql_query.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            return "\n".join(str(row[-1]) for row in rows)
        # Tiny test tables make a sequential scan cheapest; ask what PostgreSQL would do at scale.
        connection.execute(text("SET enable_seqscan = off"))
        connection.execute(text("SET enable_sort = off"))
        rows = connection.execute(text(f"EXPLAIN {compiled}")).all()
        return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize("sort", sorted(queries.SORTS))
def test_each_sort_reads_its_index(app, sort):
    factories.idea()
    found = plan(queries.page_query(queries.ListFilter(sort=sort)).limit(21))
    assert f"ix_idea_{sort}" in found, found
    if db.engine.dialect.name == "sqlite":
        assert "USE TEMP B-TREE FOR ORDER BY" not in found, found


def test_the_inbox_finds_hidden_and_owned_ideas_through_their_own_indexes(empty_app):
    """Hidden and owned ideas are few: without ix_idea_hidden and ix_idea_owned the inbox's "hidden" and
    "mine" views walk every idea of the status to find them (an index over every idea's NULL owner made
    "mine" look like most of the table). A fresh database: statistics other tests left behind mislead."""
    from flask_migrate import upgrade

    upgrade()
    factories.idea()
    for filters, index in ((triage.InboxFilter(hidden=True), "ix_idea_hidden"),
                           (triage.InboxFilter(status=triage.ALL, hidden=True), "ix_idea_hidden"),
                           (triage.InboxFilter(status=triage.ALL, mine=True), "ix_idea_owned")):
        conditions = triage._conditions(filters, viewer_id=1, now=utcnow())
        found = plan(triage._row_query().where(*conditions).order_by(Idea.created_at, Idea.id).limit(21))
        assert index in found, (filters, found)
        if db.engine.dialect.name == "sqlite":
            assert "USE TEMP B-TREE FOR ORDER BY" not in found, found


def test_the_inbox_counts_read_at_most_past_the_cap(app):
    """The count is over a LIMIT: however many ideas wait, it stops reading after COUNT_CAP + 1."""
    factories.idea()
    conditions = triage._conditions(triage.InboxFilter(), viewer_id=1, now=utcnow())
    found = plan(select(func.count()).select_from(
        select(Idea.id).where(*conditions).limit(triage.COUNT_CAP + 1).subquery()))
    if db.engine.dialect.name == "sqlite":
        assert "SEARCH idea USING INDEX ix_idea_" in found and "SCAN idea" not in found, found
    else:
        assert "Limit" in found and "Seq Scan on idea" not in found, found


def test_a_members_rank_is_a_count_over_the_points_index(app):
    factories.idea()
    ahead = board._ranked_members().where(User.points > 5).subquery()
    found = plan(select(func.count()).select_from(ahead))
    assert "ix_user_points" in found, found
    if db.engine.dialect.name == "sqlite":
        assert "COVERING INDEX ix_user_points" in found, found
