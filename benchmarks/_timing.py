"""What the benchmarks share: their common options, a migrated (and seeded) app, median timings."""
import argparse
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from ideaportal import create_app
from ideaportal.bench import seed
from ideaportal.extensions import db


def median_ms(action, repeats: int) -> float:
    """The median of `repeats` timed runs of `action`, in milliseconds, after one untimed run."""
    action()  # warm caches and compiled statements
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def arguments(description: str, *, repeats: int) -> argparse.ArgumentParser:
    """A parser with the options every benchmark takes; a benchmark adds its own before parsing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--votes-per-idea", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    return parser


@contextmanager
def migrated_app(database_url: str | None, **config):
    """The app on `database_url` (else a temporary SQLite file), migrated, inside its app context.

    `config` adds to the benchmark configuration.
    """
    with tempfile.TemporaryDirectory() as instance:
        url = database_url or f"sqlite:///{Path(instance) / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                          **config})
        with app.app_context():
            upgrade()
            yield app


@contextmanager
def seeded_app(args: argparse.Namespace, **config):
    """`migrated_app` on `--database-url`, seeded with `bench seed` from the common options."""
    with migrated_app(args.database_url, **config) as app:
        print(seed(ideas=args.ideas, users=args.users, votes_per_idea=args.votes_per_idea))
        yield app


@contextmanager
def postgresql_schema(base_url: str):
    """A new, empty schema in the PostgreSQL database at `base_url`, dropped afterwards; yields a URL
    whose connections use it."""
    admin = create_engine(base_url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    parts = urlsplit(base_url)
    query = (parts.query + "&" if parts.query else "") + urlencode({"options": f"-csearch_path={schema}"})
    try:
        yield urlunsplit(parts._replace(query=query))
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def analyze() -> None:
    """Refresh the planner's statistics once the data is loaded. PostgreSQL also vacuums, which empties
    the GIN index's pending list: bulk-loaded ideas wait there, and every search reads all of it, until
    autovacuum comes by (tens of milliseconds per word at 100,000 fresh ideas)."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
