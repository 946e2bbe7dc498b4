"""Inbox indexes for hidden and owned ideas: partial, in the inbox's order

Revision ID: b7c2e9a41f36
Revises: 8d41c0b7e2a5
Create Date: 2026-12-07 03:45:00.000000

The triage inbox's "hidden" view walked every idea of the chosen status (or all of them) to find
the few hidden ones: ix_idea_hidden holds only those, in the inbox's order (created_at, id). Its
"mine" view did the same on SQLite: ix_idea_owner_id held every idea's NULL owner, so its
statistics told the planner that one owner has most of the table. ix_idea_owned (owner_id,
created_at, id) holds only owned ideas and replaces it.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c2e9a41f36'
down_revision = '8d41c0b7e2a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_idea_hidden', 'idea', ['created_at', 'id'], unique=False,
                    sqlite_where=sa.text('is_hidden IS 1'), postgresql_where=sa.text('is_hidden IS true'))
    op.create_index('ix_idea_owned', 'idea', ['owner_id', 'created_at', 'id'], unique=False,
                    sqlite_where=sa.text('owner_id IS NOT NULL'), postgresql_where=sa.text('owner_id IS NOT NULL'))
    op.drop_index('ix_idea_owner_id', table_name='idea')


def downgrade():
    op.create_index('ix_idea_owner_id', 'idea', ['owner_id'], unique=False)
    op.drop_index('ix_idea_owned', table_name='idea')
    op.drop_index('ix_idea_hidden', table_name='idea')
