"""Every list sort is served by its index, on both databases."""
import pytest
from sqlalchemy import text

from ideaportal.extensions import db
from ideaportal.ideas import queries
from tests import factories


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
