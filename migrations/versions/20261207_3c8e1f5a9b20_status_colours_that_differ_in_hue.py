"""Status colours that differ in hue: Partially implemented and Already offered no longer look like Implemented

Implemented, Partially implemented and Already offered were three dark greens. They become green,
lime and cyan (white text on each at least 4.99:1), but only where an admin has not chosen
another colour since.

Revision ID: 3c8e1f5a9b20
Revises: f712990cb43c
Create Date: 2026-12-07 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "3c8e1f5a9b20"
down_revision = "f712990cb43c"
branch_labels = None
depends_on = None

# slug: (the colour it was seeded with, the new one)
RECOLOURED = {
    "partially_implemented": ("#2d6a4f", "#4d7c0f"),
    "already_offered": ("#35605a", "#0e7490"),
}


def _recolour(direction: int) -> None:
    status = sa.table("status", sa.column("slug", sa.String), sa.column("colour", sa.String))
    for slug, colours in RECOLOURED.items():
        old, new = colours[::direction]
        op.execute(
            status.update()
            .where(status.c.slug == slug, sa.func.lower(status.c.colour) == old)
            .values(colour=new)
        )


def upgrade():
    _recolour(1)


def downgrade():
    _recolour(-1)
