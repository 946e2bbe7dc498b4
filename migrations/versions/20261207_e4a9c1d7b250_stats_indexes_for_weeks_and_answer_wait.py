"""Statistics indexes: ideas submitted and first answered by week, and the wait for a first answer in order

Revision ID: e4a9c1d7b250
Revises: b7c2e9a41f36
Create Date: 2026-12-07 11:30:00.000000

/stats (and the home page's median wait) counted the public ideas, the answered and the implemented
ones per request, sorted every answered idea by its wait to find the median, and read the last twelve
weeks' ideas through the table: seconds at a million ideas, paid once a minute by whichever request
found the cached copy expired. The counts now come from the stored site totals; these three partial
indexes, over public ideas only, serve the rest without reading the table: the weeks count a range of
ix_idea_public_new and ix_idea_public_answered, and the median walks ix_idea_answer_wait (ordered by
the wait itself) to its middle rank. Their last columns make them covering on SQLite.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4a9c1d7b250'
down_revision = 'b7c2e9a41f36'
branch_labels = None
depends_on = None

PUBLIC = {"sqlite": "is_hidden IS 0 AND merged_into_id IS NULL",
          "postgresql": "is_hidden IS false AND merged_into_id IS NULL"}
ANSWERED = " AND first_response_at IS NOT NULL"
WAIT = {"sqlite": "((julianday(first_response_at) - julianday(created_at)) * 86400.0)",
        "postgresql": "(EXTRACT(epoch FROM first_response_at - created_at)::double precision)"}


def upgrade():
    dialect = op.get_bind().dialect.name
    public, wait = PUBLIC[dialect], WAIT[dialect]
    where = {f"{dialect}_where": sa.text(public)}
    answered = {f"{dialect}_where": sa.text(public + ANSWERED)}
    op.create_index("ix_idea_public_new", "idea", ["created_at", "is_hidden", "merged_into_id"], **where)
    op.create_index("ix_idea_public_answered", "idea", ["first_response_at", "is_hidden", "merged_into_id"],
                    **answered)
    op.create_index("ix_idea_answer_wait", "idea",
                    [sa.text(wait), "first_response_at", "created_at", "is_hidden", "merged_into_id"], **answered)


def downgrade():
    op.drop_index("ix_idea_answer_wait", table_name="idea")
    op.drop_index("ix_idea_public_answered", table_name="idea")
    op.drop_index("ix_idea_public_new", table_name="idea")
