"""Status changed at, stored on the idea: the roadmap sorts by it instead of a correlated max() over history

The roadmap's cards, its done column and the implemented page found when each idea reached its
status with a max() over its status changes, per idea, per request. `idea.status_changed_at`
now holds it (statuses.insert_status_change sets it with each move); existing ideas get it from
their history here, a range of ids at a time, before the index the done column walks is built.

Revision ID: a47c2e9d1b36
Revises: 6d0e93a41c57
Create Date: 2026-12-07 04:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a47c2e9d1b36"
down_revision = "6d0e93a41c57"
branch_labels = None
depends_on = None

BATCH = 20_000  # ids per UPDATE


def upgrade():
    op.add_column("idea", sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
    idea = sa.table("idea", sa.column("id", sa.Integer), sa.column("status_id", sa.Integer),
                    sa.column("status_changed_at", sa.DateTime(timezone=True)))
    change = sa.table("status_change", sa.column("idea_id", sa.Integer), sa.column("from_status_id", sa.Integer),
                      sa.column("to_status_id", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)))
    moved = (
        sa.select(sa.func.max(change.c.created_at))
        .where(change.c.idea_id == idea.c.id, change.c.to_status_id == idea.c.status_id,
               sa.or_(change.c.from_status_id.is_(None), change.c.from_status_id != change.c.to_status_id))
        .scalar_subquery()
    )
    connection = op.get_bind()
    highest = connection.scalar(sa.select(sa.func.max(idea.c.id))) or 0
    for start in range(0, highest + 1, BATCH):
        connection.execute(idea.update().where(idea.c.id.between(start, start + BATCH - 1))
                           .values(status_changed_at=moved))
    op.create_index("ix_idea_reached", "idea", [sa.text("coalesce(status_changed_at, created_at)"), "id"])


def downgrade():
    op.drop_index("ix_idea_reached", table_name="idea")
    op.drop_column("idea", "status_changed_at")  # in place: a batch rebuild of the table would lose its triggers
