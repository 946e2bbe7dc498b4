"""Helpers shared by the database tests: look-ups by slug, the audit trail, a statement counter, and
fixtures that a few modules share (a module imports the ones it uses by their `fixture_` name).
"""
from contextlib import contextmanager

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event, select

from ideaportal import cache
from ideaportal.extensions import db
from ideaportal.models import AuditEntry, Status
from tests import factories
from tests.conftest import build_app, fresh_database


class OwnSessionClient(FlaskClient):
    """A browser of its own. Requests in a test share the test's app context, and so Flask's `g`,
    where Flask-Login caches the loaded user; forgetting it makes each request load its user from
    its own session cookie, as separate requests in production do."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def with_signature_changed(token: str) -> str:
    """The token with its signature's first character changed, which always changes the signed bytes.

    (Its last characters may not: they carry padding bits that base64 decoding ignores.)
    """
    head, _, signature = token.rpartition(".")
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


def own_session_client(app) -> FlaskClient:
    return OwnSessionClient(app, app.response_class, use_cookies=True)


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


@pytest.fixture(name="author")
def fixture_author(app):
    """`writer`, the member who posts the ideas."""
    return factories.user(username="writer")


@pytest.fixture(name="pm")
def fixture_answering_pm(app):
    """`pat_pm`, a product manager who moves and answers ideas without logging in.

    It stands in for the logged-in `pm` of tests/conftest.py, so the client sees the pages as a visitor.
    """
    return factories.user(username="pat_pm", role="pm")


@pytest.fixture(name="uncached_leaderboard", autouse=True)
def fixture_uncached_leaderboard(app, monkeypatch):
    """Every request computes the leaderboard afresh (the cache itself is tested in tests/services)."""
    monkeypatch.setitem(app.config, "LEADERBOARD_CACHE_SECONDS", 0)
    cache.app_cache().clear()


@pytest.fixture(name="empty_app")
def fixture_empty_app(backend, tmp_path):
    """An app on a new database that no migration has touched yet, inside its app context."""
    with fresh_database(backend, tmp_path) as url:
        app = build_app(url)
        with app.app_context():
            yield app
            db.engine.dispose()


def deadlock_every_time(monkeypatch, unit_of_work: str) -> list[dict]:
    """Make the unit of work (dotted name) fail on every attempt as PostgreSQL fails a deadlock's victim;
    returns the attempts' arguments."""
    from sqlalchemy.exc import OperationalError

    class DeadlockDetected(Exception):
        sqlstate = "40P01"

    attempts = []

    def victim(**kwargs):
        attempts.append(kwargs)
        raise OperationalError("UPDATE idea ...", {}, DeadlockDetected("deadlock detected"))

    monkeypatch.setattr(unit_of_work, victim)
    return attempts
