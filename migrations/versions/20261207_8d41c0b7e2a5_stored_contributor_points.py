"""Stored contributor points: user.points, kept exact by triggers on idea, backfilled in batches

Revision ID: 8d41c0b7e2a5
Revises: c3f1b8e2d904
Create Date: 2026-12-07 03:50:00.000000

A member's points are the sum over their public ideas (not hidden, not merged) of the idea's score
plus its status bonus (rules.contributor_points, rules.STATUS_BONUS). The profile's rank needs
every member's points, so they are stored in `user.points` with the index `ix_user_points
(is_active, points)`: a rank is a count of the members above, the contributors board an index walk.

Triggers on `idea` move the author's points by the difference an insert, update or delete makes
to the idea's share, in the transaction of the write. Every path that moves points (a new idea, a
vote, a status change, hiding, a merge or unmerge, an account's deletion, a bulk update) writes
`idea`, so none can forget them. The triggers are created before the backfill: a write during the
backfill either lands before its batch (which then recounts it) or after (and adds its difference
to the recount). `flask --app ideaportal counters check|repair` compares them with the rows.

On SQLite a later migration that rebuilds `idea` with batch_alter_table drops these triggers with
the old table and must create them again (tests/services/test_points.py checks them at head).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8d41c0b7e2a5'
down_revision = 'c3f1b8e2d904'
branch_labels = None
depends_on = None

BATCH = 1_000  # members per backfill UPDATE
WATCHED = ("score", "status_id", "is_hidden", "merged_into_id", "author_id")


def share(row: str) -> str:
    """What the idea `row` (new or old) gives its author: nothing when hidden or merged."""
    return (
        f"CASE WHEN {row}.is_hidden OR {row}.merged_into_id IS NOT NULL THEN 0 ELSE {row}.score + COALESCE("
        f"(SELECT CASE slug WHEN 'implemented' THEN 50 WHEN 'partially_implemented' THEN 25 ELSE 0 END "
        f"FROM status WHERE status.id = {row}.status_id), 0) END"
    )


CHANGED = " OR ".join(f"old.{column} IS DISTINCT FROM new.{column}" for column in WATCHED)
SQLITE_UPGRADE = [
    f"""
    CREATE TRIGGER idea_points_after_insert AFTER INSERT ON idea BEGIN
        UPDATE "user" SET points = points + ({share('new')}) WHERE id = new.author_id;
    END
    """,
    f"""
    CREATE TRIGGER idea_points_after_delete AFTER DELETE ON idea BEGIN
        UPDATE "user" SET points = points - ({share('old')}) WHERE id = old.author_id;
    END
    """,
    f"""
    CREATE TRIGGER idea_points_after_update AFTER UPDATE OF {', '.join(WATCHED)} ON idea
    WHEN {CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN
        UPDATE "user" SET points = points - ({share('old')}) WHERE id = old.author_id;
        UPDATE "user" SET points = points + ({share('new')}) WHERE id = new.author_id;
    END
    """,
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER idea_points_after_update",
    "DROP TRIGGER idea_points_after_delete",
    "DROP TRIGGER idea_points_after_insert",
]
POSTGRESQL_UPGRADE = [
    f"""
    CREATE FUNCTION idea_points_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.author_id = NEW.author_id THEN
            UPDATE "user" SET points = points + ({share('NEW')}) - ({share('OLD')}) WHERE id = NEW.author_id;
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE "user" SET points = points - ({share('OLD')}) WHERE id = OLD.author_id;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            UPDATE "user" SET points = points + ({share('NEW')}) WHERE id = NEW.author_id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER idea_points_after_write AFTER INSERT OR DELETE ON idea "
    "FOR EACH ROW EXECUTE FUNCTION idea_points_change()",
    f"CREATE TRIGGER idea_points_after_update AFTER UPDATE OF {', '.join(WATCHED)} ON idea "
    f"FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION idea_points_change()",
]
POSTGRESQL_DOWNGRADE = [
    "DROP TRIGGER idea_points_after_update ON idea",
    "DROP TRIGGER idea_points_after_write ON idea",
    "DROP FUNCTION idea_points_change()",
]
BACKFILL = sa.text(f"""
    UPDATE "user" SET points = COALESCE((
        SELECT SUM({share('idea')}) FROM idea WHERE idea.author_id = "user".id
    ), 0)
    WHERE id BETWEEN :first AND :last
""")


def _run(statements: dict) -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in statements:
        raise NotImplementedError(f"Stored points are written for SQLite and PostgreSQL, not {dialect}.")
    for statement in statements[dialect]:
        op.execute(statement)


def upgrade():
    # Not batch_alter_table: rebuilding `user` on SQLite would lose its expression index on lower(username).
    op.add_column('user', sa.Column('points', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.create_index('ix_user_points', 'user', ['is_active', 'points'], unique=False)
    _run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})
    bind = op.get_bind()
    last = bind.execute(sa.text('SELECT max(id) FROM "user"')).scalar() or 0
    for first in range(1, last + 1, BATCH):
        bind.execute(BACKFILL, {"first": first, "last": first + BATCH - 1})


def downgrade():
    _run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
    op.drop_index('ix_user_points', table_name='user')
    op.drop_column('user', 'points')  # SQLite 3.35+ drops a column in place
