"""Small database helpers shared by the view tests: look-ups by slug, the audit trail, a statement counter."""
from contextlib import contextmanager

from sqlalchemy import event, select

from ideaportal.extensions import db
from ideaportal.models import AuditEntry, Status


def status_id(slug: str) -> int | None:
    return db.session.scalar(select(Status.id).where(Status.slug == slug))


def audit_actions() -> list[str]:
    """Every audit entry's action, oldest first."""
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@contextmanager
def count_queries():
    """Collect the SQL statements sent to the database inside the block."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
