"""Idea excerpts stored at write time: cards read the plain-text excerpt instead of rendering Markdown

Every card rendered its idea's Markdown through markdown-it and nh3 on every request. The excerpt is
now written with the body (text.idea_body); existing ideas get theirs here, a batch of ids at a time,
so that a million ideas never sit in memory at once.

Revision ID: 8b51d2c7e4a0
Revises: 3c8e1f5a9b20
Create Date: 2026-12-07 03:55:00
"""
import sqlalchemy as sa
from alembic import op

from ideaportal.text import IDEA_EXCERPT_CHARS, plain_text

revision = "8b51d2c7e4a0"
down_revision = "3c8e1f5a9b20"
branch_labels = None
depends_on = None

BATCH = 5_000  # ideas per read and per UPDATE


def upgrade():
    op.add_column("idea", sa.Column("excerpt", sa.Text(), server_default="", nullable=False))
    idea = sa.table("idea", sa.column("id", sa.Integer), sa.column("body", sa.Text), sa.column("excerpt", sa.Text))
    connection = op.get_bind()
    write = idea.update().where(idea.c.id == sa.bindparam("idea_id")).values(excerpt=sa.bindparam("text"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(idea.c.id, idea.c.body).where(idea.c.id > last).order_by(idea.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        excerpts = [{"idea_id": row.id, "text": plain_text(row.body, IDEA_EXCERPT_CHARS)} for row in rows]
        if excerpts := [excerpt for excerpt in excerpts if excerpt["text"]]:  # "" is the column's default
            connection.execute(write, excerpts)
        last = rows[-1].id


def downgrade():
    op.drop_column("idea", "excerpt")  # in place: a batch rebuild of the table would lose its search triggers
