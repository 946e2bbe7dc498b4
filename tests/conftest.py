"""Fixtures for every tier: an app per database backend, a clean database per test, a live server.

Service and view tests take the `app` fixture and run once on SQLite and once on PostgreSQL
(when TEST_DATABASE_URL is set; otherwise the PostgreSQL runs are skipped with the reason).
With IDEAPORTAL_REQUIRE_ALL=1 a skipped test fails the run instead.
"""
import os
import tempfile
import threading
import uuid
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

os.environ.setdefault("IDEAPORTAL_INSTANCE_PATH", tempfile.mkdtemp(prefix="ideaportal-test-instance-"))

from ideaportal import create_app  # noqa: E402
from ideaportal.extensions import db  # noqa: E402

REQUIRE_ALL = os.environ.get("IDEAPORTAL_REQUIRE_ALL") == "1"
KEPT_TABLES = {"status", "alembic_version"}  # reference data written by the migrations
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "STATS_CACHE_SECONDS": 0,  # tests see every change at once; tests/services/test_stats.py tests the cache
    "RELATED_CACHE_SECONDS": 0,
    "SEARCH_STATISTICS_SECONDS": 0,
    "REQUEST_LOG": False,  # tests/views/test_health.py reads the request log
    "PAGE_CACHE_SECONDS": 0,  # tests write rows directly, as no request does; tests/views/test_page_cache.py turns it on
    "EMAIL_VERIFICATION": False,  # registering signs in at once; tests/views/test_account_mail.py turns it on
    "JOBS_BACKEND": "memory",  # tasks wait in memory; tests that deliver mail run them or start workers
    **FAST_HASHING,
}


def skip_or_fail(reason: str):
    if REQUIRE_ALL:
        pytest.fail(f"IDEAPORTAL_REQUIRE_ALL=1 but this test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Skips summed up by reason, one line each, rather than a line per skipped test."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: dict[str, int] = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    terminalreporter.section("skipped, by reason", sep="-")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{count:>5}  {reason}")
    if REQUIRE_ALL:
        terminalreporter.write_line(f"IDEAPORTAL_REQUIRE_ALL=1: {len(skipped)} test(s) were skipped", red=True)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if REQUIRE_ALL and reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1


def postgresql_schema_url(base_url: str, schema: str) -> str:
    """The same server and database, with every connection's search_path set to `schema`."""
    parts = urlsplit(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    query = (parts.query + "&" if parts.query else "") + urlencode({"options": f"-csearch_path={schema}"})
    return urlunsplit(parts._replace(query=query))


@contextmanager
def fresh_database(backend: str, directory):
    """An empty database on `backend`, dropped afterwards; yields its URL."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex}.sqlite3'}"
        return
    base_url = os.environ.get("TEST_DATABASE_URL")
    if not base_url:
        skip_or_fail("TEST_DATABASE_URL is not set, so the PostgreSQL variant did not run")
    admin = create_engine(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield postgresql_schema_url(base_url, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def build_app(database_url: str, **overrides):
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    """One migrated database per backend for the whole session."""
    with fresh_database(backend, tmp_path_factory.mktemp("db")) as url:
        migrate(build_app(url))
        yield url


@pytest.fixture(scope="session")
def session_app(database_url):
    app = build_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(session_app):
    """The backend's app inside an app context; every row a test wrote is deleted afterwards."""
    with session_app.app_context():
        yield session_app
        db.session.rollback()
        clean_tables()
        db.session.remove()


def clean_tables() -> None:
    """Delete every row a test wrote; put the statuses back as the migrations left them."""
    import importlib.util
    from pathlib import Path

    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                connection.execute(table.delete())
        for kept_by_triggers in ("site_total", "status_count"):  # again: deleting ideas wrote to them
            connection.execute(db.metadata.tables[kept_by_triggers].delete())
        def migration(name: str):
            path = Path(__file__).resolve().parent.parent / "migrations/versions" / name
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module

        recoloured = migration("20261207_3c8e1f5a9b20_status_colours_that_differ_in_hue.py").RECOLOURED
        status = db.metadata.tables["status"]
        seeded = {slug: (position, label, kind, recoloured.get(slug, (None, colour))[1], requires)
                  for position, (slug, label, kind, colour, requires)
                  in enumerate(migration("20261123_ed45b690384e_initial_schema.py").STATUSES)}
        connection.execute(status.delete().where(status.c.slug.not_in(list(seeded))))
        columns = ("position", "label", "kind", "colour", "requires_response")
        present = {row.slug: tuple(row[1:]) for row in connection.execute(
            status.select().with_only_columns(status.c.slug, *(status.c[name] for name in columns)))}
        for slug, seed in seeded.items():
            values = dict(zip(columns, seed))
            if slug not in present:  # a test deleted it
                connection.execute(status.insert().values(slug=slug, **values))
            elif present[slug] != seed:  # a test edited or moved it
                connection.execute(status.update().where(status.c.slug == slug).values(**values))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class LiveServer:
    """The app served by a real HTTP server in a thread, on a free loopback port."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """A migrated SQLite app with CSRF on, as a browser meets it."""
    with fresh_database("sqlite", tmp_path_factory.mktemp("live")) as url:
        app = build_app(url, WTF_CSRF_ENABLED=True)
        migrate(app)
        yield app


@pytest.fixture(scope="session")
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


class Auth:
    """Log the test client in and out through the real forms."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password=None, **extra):
        from tests.factories import PASSWORD

        return self.client.post(
            "/auth/login", data={"email": user.email, "password": password or PASSWORD, **extra}
        )

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


def logged_in(auth, *, username: str, role: str):
    from tests import factories

    user = factories.user(username=username, role=role)
    assert auth.login(user).status_code == 302
    return user


@pytest.fixture
def pm(auth):
    """A product manager, logged in."""
    return logged_in(auth, username="petra", role="pm")


@pytest.fixture
def admin(auth):
    """An admin, logged in."""
    return logged_in(auth, username="root_admin", role="admin")
