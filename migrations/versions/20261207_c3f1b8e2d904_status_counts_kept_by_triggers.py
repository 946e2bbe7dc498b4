"""Status counts kept by triggers: the roadmap reads its column counts instead of counting the ideas

The roadmap counted the public ideas in each of its statuses per request (seconds at a million
ideas, most of them in those statuses). `status_count` holds the public ideas per status and
category; triggers on `idea` move an idea's 1 from its old (status, category) to its new one when
the status, the category, hiding or merging changes it, in the transaction of the change. Votes
and comments do not fire them. The counts start from one count of the ideas.

Revision ID: c3f1b8e2d904
Revises: a47c2e9d1b36
Create Date: 2026-12-07 04:25:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c3f1b8e2d904"
down_revision = "a47c2e9d1b36"
branch_labels = None
depends_on = None

WATCHED = ("status_id", "category_id", "is_hidden", "merged_into_id")


def _public(row: str) -> str:
    return f"CASE WHEN {row}.is_hidden = FALSE AND {row}.merged_into_id IS NULL THEN 1 ELSE 0 END"


def _add(row: str, sign: str) -> str:
    return (
        f"INSERT INTO status_count (status_id, category_id, ideas) "
        f"VALUES ({row}.status_id, {row}.category_id, {sign}({_public(row)})) "
        f"ON CONFLICT (status_id, category_id) DO UPDATE SET ideas = status_count.ideas + excluded.ideas"
    )


def _changed(differs: str) -> str:
    return " OR ".join(f"OLD.{name} {differs} NEW.{name}" for name in WATCHED)


SQLITE = [
    f"CREATE TRIGGER status_count_after_insert AFTER INSERT ON idea BEGIN {_add('NEW', '')}; END",
    f"CREATE TRIGGER status_count_after_update AFTER UPDATE OF {', '.join(WATCHED)} ON idea "
    f"WHEN {_changed('IS NOT')} BEGIN {_add('OLD', '-')}; {_add('NEW', '')}; END",
    f"CREATE TRIGGER status_count_after_delete AFTER DELETE ON idea BEGIN {_add('OLD', '-')}; END",
]
POSTGRESQL = [
    f"""CREATE FUNCTION status_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN {_add('OLD', '-')}; END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add('NEW', '')}; END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER status_count_after_insert AFTER INSERT ON idea FOR EACH ROW EXECUTE FUNCTION status_count_change()",
    f"CREATE TRIGGER status_count_after_update AFTER UPDATE OF {', '.join(WATCHED)} ON idea FOR EACH ROW "
    f"WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION status_count_change()",
    "CREATE TRIGGER status_count_after_delete AFTER DELETE ON idea FOR EACH ROW EXECUTE FUNCTION status_count_change()",
]


def upgrade():
    op.create_table(
        "status_count",
        sa.Column("status_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ideas", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("status_id", "category_id", name=op.f("pk_status_count")),
    )
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)
    op.execute("INSERT INTO status_count (status_id, category_id, ideas) "
               f"SELECT status_id, category_id, SUM({_public('idea')}) FROM idea GROUP BY status_id, category_id")


def downgrade():
    for name in ("status_count_after_insert", "status_count_after_update", "status_count_after_delete"):
        op.execute(f"DROP TRIGGER {name}" + (" ON idea" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION status_count_change()")
    op.drop_table("status_count")
