"""Site totals kept by triggers: the home page sums 16 rows instead of counting every public idea

The home page and /stats counted every public idea, its votes and comments, the implemented and the
answered ones on each request: seconds at a million ideas. `site_total` holds those five numbers in
16 shares (shards). Triggers on `idea` add each changed idea's difference to the share of its id
modulo 16, in the transaction of the change, whatever code made it: every total is a sum over the
idea rows alone, so a trigger sees every change that moves one. Votes on different ideas then
seldom wait for the same row on PostgreSQL. The shares start from one count of the ideas.

Revision ID: 6d0e93a41c57
Revises: 8b51d2c7e4a0
Create Date: 2026-12-07 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "6d0e93a41c57"
down_revision = "8b51d2c7e4a0"
branch_labels = None
depends_on = None

SHARES = 16
TOTALS = ("ideas", "votes", "comments", "implemented", "answered")
WATCHED = ("is_hidden", "merged_into_id", "upvotes", "downvotes", "comment_count", "status_id", "first_response_at")


def _adds(row: str) -> list[str]:
    """What an idea row adds to each total (SQL over `row`, for SQLite and PostgreSQL alike)."""
    public = f"CASE WHEN {row}.is_hidden = FALSE AND {row}.merged_into_id IS NULL THEN 1 ELSE 0 END"
    return [
        public,
        f"({public}) * ({row}.upvotes + {row}.downvotes)",
        f"({public}) * {row}.comment_count",
        f"CASE WHEN {row}.status_id IN (SELECT id FROM status WHERE kind = 'completed') THEN {public} ELSE 0 END",
        f"CASE WHEN {row}.first_response_at IS NOT NULL THEN {public} ELSE 0 END",
    ]


def _add(shard: str, amounts: list[str]) -> str:
    return (
        f"INSERT INTO site_total (shard, {', '.join(TOTALS)}) VALUES ({shard}, {', '.join(amounts)}) "
        f"ON CONFLICT (shard) DO UPDATE SET "
        + ", ".join(f"{name} = site_total.{name} + excluded.{name}" for name in TOTALS)
    )


INSERTED = _add(f"NEW.id % {SHARES}", _adds("NEW"))
UPDATED = _add(f"NEW.id % {SHARES}", [f"({new}) - ({old})" for new, old in zip(_adds("NEW"), _adds("OLD"))])
DELETED = _add(f"OLD.id % {SHARES}", [f"-({old})" for old in _adds("OLD")])


def _changed(differs: str) -> str:
    return " OR ".join(f"OLD.{name} {differs} NEW.{name}" for name in WATCHED)


SQLITE = [
    f"CREATE TRIGGER site_total_after_insert AFTER INSERT ON idea BEGIN {INSERTED}; END",
    f"CREATE TRIGGER site_total_after_update AFTER UPDATE OF {', '.join(WATCHED)} ON idea "
    f"WHEN {_changed('IS NOT')} BEGIN {UPDATED}; END",
    f"CREATE TRIGGER site_total_after_delete AFTER DELETE ON idea BEGIN {DELETED}; END",
]
POSTGRESQL = [
    f"""CREATE FUNCTION site_total_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {INSERTED};
        ELSIF TG_OP = 'UPDATE' THEN {UPDATED};
        ELSE {DELETED};
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER site_total_after_insert AFTER INSERT ON idea FOR EACH ROW EXECUTE FUNCTION site_total_change()",
    f"CREATE TRIGGER site_total_after_update AFTER UPDATE OF {', '.join(WATCHED)} ON idea FOR EACH ROW "
    f"WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION site_total_change()",
    "CREATE TRIGGER site_total_after_delete AFTER DELETE ON idea FOR EACH ROW EXECUTE FUNCTION site_total_change()",
]


def upgrade():
    op.create_table(
        "site_total",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in TOTALS),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_site_total")),
    )
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)
    sums = ", ".join(f"COALESCE(SUM({amount}), 0)" for amount in _adds("idea"))
    op.execute(f"INSERT INTO site_total (shard, {', '.join(TOTALS)}) "
               f"SELECT idea.id % {SHARES}, {sums} FROM idea GROUP BY idea.id % {SHARES}")


def downgrade():
    for name in ("site_total_after_insert", "site_total_after_update", "site_total_after_delete"):
        op.execute(f"DROP TRIGGER {name}" + (" ON idea" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION site_total_change()")
    op.drop_table("site_total")
