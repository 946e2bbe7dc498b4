"""Notifications, notification settings, the mail outbox, and automatic following

Revision ID: 47aa0bcc229f
Revises: 20986158ab3b
Create Date: 2026-12-06 22:15:56.593782

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '47aa0bcc229f'
down_revision = '20986158ab3b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_setting',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('email', sa.String(length=12), nullable=False),
    sa.CheckConstraint("email IN ('immediately', 'daily', 'never')", name=op.f('ck_notification_setting_email')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_setting_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_setting'))
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('event_key', sa.String(length=40), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('status_change_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email', sa.String(length=8), nullable=False),
    sa.CheckConstraint("email IN ('none', 'queued', 'digest', 'digested')", name=op.f('ck_notification_email')),
    sa.CheckConstraint("kind IN ('status', 'merge', 'answer', 'comment', 'mention')", name=op.f('ck_notification_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_notification_actor_id_user')),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_notification_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_notification_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['status_change_id'], ['status_change.id'], name=op.f('fk_notification_status_change_id_status_change'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('user_id', 'event_key', name='uq_notification_user_id_event_key')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_digest', ['email', 'user_id'], unique=False, sqlite_where=sa.text("email = 'digest'"), postgresql_where=sa.text("email = 'digest'"))
        batch_op.create_index(batch_op.f('ix_notification_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index('ix_notification_inbox', ['user_id', 'read_at', 'id'], unique=False)
        batch_op.create_index('ix_notification_read_at', ['read_at'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('digest_of', sa.JSON(), nullable=True),
    sa.Column('template', sa.String(length=30), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('notification', 'digest', 'account')", name=op.f('ck_outbox_message_kind')),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'dead', 'cancelled')", name=op.f('ck_outbox_message_state')),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_outbox_message_notification_id_notification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outbox_message_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('notification_id', name=op.f('uq_outbox_message_notification_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)

    # Plain ALTER TABLE, not a batch copy: SQLite's reflection cannot see the expression index
    # uq_user_username_lower, so copying the table would drop it.
    op.add_column('user', sa.Column('auto_follow', sa.Boolean(), server_default=sa.text("true"), nullable=False))
    op.add_column('user', sa.Column('activity_seen_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    op.drop_column('user', 'activity_seen_at')  # SQLite 3.35+ drops a column in place, keeping the index
    op.drop_column('user', 'auto_follow')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_read_at')
        batch_op.drop_index('ix_notification_inbox')
        batch_op.drop_index(batch_op.f('ix_notification_idea_id'))
        batch_op.drop_index('ix_notification_digest', sqlite_where=sa.text("email = 'digest'"), postgresql_where=sa.text("email = 'digest'"))

    op.drop_table('notification')
    op.drop_table('notification_setting')
