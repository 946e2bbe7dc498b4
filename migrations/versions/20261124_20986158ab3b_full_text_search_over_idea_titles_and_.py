"""Full-text search over idea titles and bodies

Revision ID: 20986158ab3b
Revises: 5f62ba57b8d9
Create Date: 2026-11-24 09:12:05.118204

SQLite: an FTS5 index with external content (the `idea` table itself), so the text is stored
once; three triggers keep it in step with every insert, title/body update and delete, and
`rebuild` indexes the ideas that already exist. PostgreSQL: a stored generated tsvector column
(title weighted A, body B) with a GIN index, which PostgreSQL keeps up to date by itself.

None of this is in the models (see ideaportal/search/schema.py). On SQLite a later migration
that rebuilds `idea` with batch_alter_table drops the triggers with the old table: such a
migration must create them again (tests/services/test_search.py checks them at head).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '20986158ab3b'
down_revision = '5f62ba57b8d9'
branch_labels = None
depends_on = None

SQLITE_UPGRADE = [
    """
    CREATE VIRTUAL TABLE idea_fts USING fts5(
        title, body,
        content='idea', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER idea_fts_after_insert AFTER INSERT ON idea BEGIN
        INSERT INTO idea_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    """
    CREATE TRIGGER idea_fts_after_delete AFTER DELETE ON idea BEGIN
        INSERT INTO idea_fts (idea_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END
    """,
    """
    CREATE TRIGGER idea_fts_after_update AFTER UPDATE OF title, body ON idea BEGIN
        INSERT INTO idea_fts (idea_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO idea_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    "INSERT INTO idea_fts (idea_fts) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER idea_fts_after_update",
    "DROP TRIGGER idea_fts_after_delete",
    "DROP TRIGGER idea_fts_after_insert",
    "DROP TABLE idea_fts",
]
POSTGRESQL_UPGRADE = [
    """
    ALTER TABLE idea ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX ix_idea_search_vector ON idea USING gin (search_vector)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX ix_idea_search_vector",
    "ALTER TABLE idea DROP COLUMN search_vector",
]


def _run(statements: dict) -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in statements:
        raise NotImplementedError(f"Full-text search is written for SQLite and PostgreSQL, not {dialect}.")
    for statement in statements[dialect]:
        op.execute(statement)


def upgrade():
    _run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})


def downgrade():
    _run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
