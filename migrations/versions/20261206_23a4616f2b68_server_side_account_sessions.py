"""Accounts: server-side sessions, email verification, and the login lock-out

Revision ID: 23a4616f2b68
Revises: 47aa0bcc229f
Create Date: 2026-12-06 22:36:20.111072

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '23a4616f2b68'
down_revision = '47aa0bcc229f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_session_token_hash'))
    )
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.create_index('ix_account_session_user', ['user_id', 'ended_at'], unique=False)

    # Plain ALTER TABLE, not a batch copy, which would drop SQLite's expression index on lower(username).
    op.add_column('user', sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('user', sa.Column('pending_email', sa.String(length=254), nullable=True))
    op.add_column('user', sa.Column('failed_logins', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('user', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    # Accounts made before verification existed keep every right they had.
    op.execute('UPDATE "user" SET email_verified_at = created_at')


def downgrade():
    for column in ('locked_until', 'failed_logins', 'pending_email', 'email_verified_at'):
        op.drop_column('user', column)
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.drop_index('ix_account_session_user')

    op.drop_table('account_session')
