"""A partial index of hidden ideas, for the triage inbox's "hidden" filter

Revision ID: b7c2e9a41f36
Revises: 8d41c0b7e2a5
Create Date: 2026-12-07 03:45:00.000000

Without it, the inbox's hidden view walked every idea of the chosen status (or all of them) to
find the few hidden ones. It holds only hidden ideas, in the inbox's order (created_at, id).
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


def downgrade():
    op.drop_index('ix_idea_hidden', table_name='idea')
