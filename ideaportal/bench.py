"""Synthetic data for benchmarks (`flask --app ideaportal bench seed`): set-based loads, every stored number exact.

The data is what the services would have written: each idea's counters, hot rank, last activity
and first response agree with its votes, comments and status changes (`counters check` finds no
drift), bodies carry the HTML their Markdown renders to, and the search index holds every idea.
Bench accounts do not follow ideas automatically, so no subscription or notification is owed; the
answers have no audit-log entries (the audit log is a record of what staff did, not a number).
Large loads (BULK_FROM ideas and up) drop the secondary indexes and the search trigger while they
insert and build them once at the end; PostgreSQL loads with COPY.
"""
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape

from sqlalchemy import func, insert, select, text

from . import rules
from .counters import recount_site_totals, recount_status_counts, store_points
from .extensions import db
from .models import Category, Idea, Status, User, utcnow
from .security import hash_password
from .text import idea_body, render_markdown

BATCH = 20_000  # ideas per transaction
BULK_FROM = 50_000  # from this many ideas, indexes are built once after the load instead of row by row
PASSWORD = "bench-password-2026"  # every bench account's, so that `make bench` can sign in
RARE_WORD, COMMON_WORD = "zeppelin", "export"  # in one idea in a thousand, and in half of them
WORDS = (
    "dark mode calendar sync offline access mobile app search filter report dashboard widget email digest "
    "reminder template workflow approval comment thread mention badge profile avatar password login single "
    "sign team folder archive tag label color theme keyboard shortcut import integration webhook api token "
    "invoice payment refund currency language translation timezone schedule meeting notes checklist upload "
    "attachment preview print share link permission role audit history backup restore chart graph kanban"
).split()
SENTENCES = tuple(f"{opening} {noun} would {verb} every week." for opening, noun, verb in (
    ("Agreed, the", "team", "use this"), ("Please add this; our", "support desk", "love it"),
    ("Same here: the", "sales team", "need it"), ("Plus one, our", "admins", "save hours with it"),
    ("We tried a workaround, but the", "customers", "still ask for it"),
))


@dataclass
class _Reference:
    """What every generated row refers to: accounts, categories, statuses."""

    user_ids: list[int]
    pm_id: int
    category_ids: list[int]
    status_kinds: dict[int, str]
    status_labels: dict[int, str]
    new_id: int
    planned_id: int
    rendered: dict[str, str] = field(default_factory=dict)


def seed(*, ideas: int, users: int, votes_per_idea: int, comments_per_idea: int = 0, seed: int = 1,
         progress: Callable[[int], None] | None = None, bulk: bool | None = None) -> str:
    """Add `users` members (password PASSWORD), one product manager and `ideas` ideas over three years.

    Each idea gets up to `votes_per_idea` votes (about half that on average) and up to
    `comments_per_idea` comments; an idea past `new` has the status changes that took it there, each
    with a public answer. `progress` is called with the number of ideas written after each batch;
    `bulk` (default: from BULK_FROM ideas) rebuilds indexes and the search index once at the end.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    now = utcnow()
    reference = _reference(users, seed, now)
    loader = (_PostgresLoader if db.engine.dialect.name == "postgresql" else _SqliteLoader)()
    bulk = ideas >= BULK_FROM if bulk is None else bulk
    next_idea = (db.session.scalar(select(func.max(Idea.id))) or 0) + 1
    totals = dict.fromkeys(("vote", "comment", "status_change"), 0)
    if bulk:
        loader.drop_indexes()
    try:
        for start in range(0, ideas, BATCH):
            rows = _batch(rng, reference, now, first_id=next_idea + start, count=min(BATCH, ideas - start),
                          votes_per_idea=votes_per_idea, comments_per_idea=comments_per_idea)
            loader.begin()
            for table, table_rows in rows.items():
                loader.write(table, table_rows)
                totals[table] = totals.get(table, 0) + len(table_rows)
            db.session.commit()
            if progress:
                progress(min(BATCH, ideas - start))
    finally:
        if bulk:
            loader.restore_indexes(first_idea=next_idea)
        loader.reset()
    store_points(reference.user_ids)  # the loaders write ideas without the triggers that keep points
    recount_site_totals()  # the load may have skipped the triggers that keep these
    recount_status_counts()
    db.session.commit()
    loader.finish()
    return (f"Seeded {users:,} users, {ideas:,} ideas, {totals['vote']:,} votes, {totals['comment']:,} comments "
            f"and {totals['status_change']:,} status changes in {time.perf_counter() - started:.1f} s.")


def _reference(users: int, seed: int, now) -> _Reference:
    run = f"{seed}x{int(time.time())}"
    password_hash = hash_password(PASSWORD)
    accounts = [
        {"email": f"bench{index}-{run}@example.com", "username": f"b{index}-{run}"[:30],
         "password_hash": password_hash, "role": "member", "is_active": True, "created_at": now,
         "email_verified_at": now, "auto_follow": False}
        for index in range(users)
    ]
    accounts.append({**accounts[0], "email": f"benchpm-{run}@example.com", "username": f"pm-{run}"[:30],
                     "role": "pm"})
    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    db.session.execute(insert(User), accounts)
    user_ids = list(db.session.scalars(select(User.id).where(User.id >= first_user).order_by(User.id)))
    statuses = db.session.execute(select(Status.id, Status.slug, Status.kind, Status.label)).all()
    category_ids = _bench_categories()
    db.session.commit()
    return _Reference(
        user_ids=user_ids[:-1], pm_id=user_ids[-1], category_ids=category_ids,
        # A duplicate is only ever made by a merge, which this data has none of.
        status_kinds={row.id: row.kind for row in statuses if row.slug != rules.DUPLICATE_STATUS},
        status_labels={row.id: row.label for row in statuses},
        new_id=next(row.id for row in statuses if row.slug == rules.EDITABLE_STATUS),
        planned_id=next(row.id for row in statuses if row.slug == "planned"),
    )


def _html(reference: _Reference, source: str) -> str:
    """What the services store for `source`: rendered once per distinct text, checked against the renderer."""
    if source not in reference.rendered:
        reference.rendered[source] = render_markdown(source)
    return reference.rendered[source]


def _batch(rng: random.Random, reference: _Reference, now, *, first_id: int, count: int, votes_per_idea: int,
           comments_per_idea: int) -> dict[str, list[dict]]:
    """The rows of `count` ideas from `first_id` on, with their votes, comments and status history."""
    ideas, votes, comments, changes = [], [], [], []
    for idea_id in range(first_id, first_id + count):
        created = now - timedelta(seconds=rng.uniform(3_600, 3 * 365 * 86_400))
        age = (now - created).total_seconds()
        last_activity = created
        words = rng.sample(WORDS, 5)
        if idea_id % 1_000 == 0:
            words[2] = RARE_WORD
        title = " ".join(words).capitalize()
        body = f"It would help if {' '.join(rng.sample(WORDS, 8))}" + (f" and {COMMON_WORD}" if rng.random() < 0.5
                                                                        else "") + "."
        voters = rng.sample(reference.user_ids, min(len(reference.user_ids), rng.randint(0, votes_per_idea)))
        up = down = 0
        for voter in voters:
            value = 1 if rng.random() < 0.75 else -1
            up, down = up + (value == 1), down + (value == -1)
            voted = created + timedelta(seconds=rng.uniform(0, age))
            last_activity = max(last_activity, voted)
            votes.append({"user_id": voter, "idea_id": idea_id, "value": value, "created_at": voted})
        shown = rng.randint(0, comments_per_idea)
        for _ in range(shown):
            posted = created + timedelta(seconds=rng.uniform(0, age))
            last_activity = max(last_activity, posted)
            sentence = rng.choice(SENTENCES)
            comments.append({"idea_id": idea_id, "author_id": rng.choice(reference.user_ids), "body": sentence,
                             "body_html": _html(reference, sentence), "is_official": False, "created_at": posted,
                             "is_hidden": False})
        status_id = rng.choice(list(reference.status_kinds))
        first_response = moved = None
        if status_id != reference.new_id:
            answered = min(created + timedelta(hours=rng.lognormvariate(3.5, 1.2)), now)  # median about 33 hours
            first_response = answered
            steps = [status_id]
            if reference.status_kinds[status_id] in ("active", "completed") and status_id != reference.planned_id:
                steps.insert(0, reference.planned_id)
            previous = reference.new_id
            for step in steps:
                response = f"Thank you for the idea: it is {reference.status_labels[step].lower()} now."
                changes.append({"idea_id": idea_id, "from_status_id": previous, "to_status_id": step,
                                "changed_by_id": reference.pm_id, "response": response,
                                "response_html": _html(reference, response), "created_at": answered})
                moved = answered
                previous, answered = step, min(answered + timedelta(days=rng.uniform(1, 60)), now)
        ideas.append({
            "id": idea_id, "title": title, "body": body, "body_html": f"<p>{escape(body, quote=False)}</p>\n",
            "excerpt": body,
            "author_id": rng.choice(reference.user_ids), "category_id": rng.choice(reference.category_ids),
            "status_id": status_id, "upvotes": up, "downvotes": down, "score": up - down, "comment_count": shown,
            "hot_rank": rules.hot_rank(up - down, created), "created_at": created, "updated_at": created,
            "last_activity_at": last_activity, "first_response_at": first_response, "status_changed_at": moved,
            "is_hidden": False,
        })
    stored = {name: ideas[0][name] for name in ("body", "body_html", "excerpt")}
    assert stored == idea_body(ideas[0]["body"]), "bench bodies must render as the app would"
    return {"idea": ideas, "vote": votes, "comment": comments, "status_change": changes}


class _Loader:
    """Writes a batch's rows through the session's connection; drops and restores indexes around a bulk load."""

    tables = ("idea", "vote", "comment", "status_change")

    def __init__(self):
        self.saved: list[str] = []

    def raw(self):
        return db.session.connection().connection.driver_connection

    def columns(self, table: str, rows: list[dict]) -> list[str]:
        return list(rows[0])

    def begin(self) -> None:
        pass

    def reset(self) -> None:
        """The connection's settings back as they were, even after a failure."""

    def finish(self) -> None:
        pass


class _SqliteLoader(_Loader):
    def begin(self) -> None:
        # Outside a transaction, where these pragmas take effect; reset() gives the connection its own back.
        self.raw().execute("PRAGMA synchronous=OFF")
        self.raw().execute("PRAGMA foreign_keys=OFF")

    def write(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        names = self.columns(table, rows)
        processors = [_sqlite_processor(table, name) for name in names]
        values = [tuple(process(row[name]) for name, process in zip(names, processors)) for row in rows]
        self.raw().executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", values
        )

    def drop_indexes(self) -> None:
        found = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ('idea', 'vote', 'comment', "
            "'status_change') AND (type = 'index' OR (type = 'trigger' AND name IN ('idea_fts_after_insert', "
            "'idea_points_after_insert', 'site_total_after_insert', 'status_count_after_insert')))"
        )).all()
        db.session.commit()
        for name, sql in found:
            kind = "TRIGGER" if sql.upper().startswith("CREATE TRIGGER") else "INDEX"
            db.session.execute(text(f"DROP {kind} {name}"))
            self.saved.append(sql)
        db.session.commit()

    def restore_indexes(self, *, first_idea: int) -> None:
        db.session.rollback()
        if any("idea_fts_after_insert" in sql for sql in self.saved):
            db.session.execute(text("INSERT INTO idea_fts (rowid, title, body) "
                                    "SELECT id, title, body FROM idea WHERE id >= :first"), {"first": first_idea})
        for sql in self.saved:
            db.session.execute(text(sql))
        db.session.commit()
        self.saved = []

    def reset(self) -> None:
        db.session.rollback()
        self.raw().execute("PRAGMA foreign_keys=ON")
        self.raw().execute("PRAGMA synchronous=NORMAL")

    def finish(self) -> None:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _sqlite_processor(table: str, name: str):
    """How SQLAlchemy would bind this column's values (datetimes as its text format, booleans as 0/1)."""
    column = db.metadata.tables[table].c[name]
    process = column.type.dialect_impl(db.engine.dialect).bind_processor(db.engine.dialect)
    return process or (lambda value: value)


class _PostgresLoader(_Loader):
    def begin(self) -> None:
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
        superuser = db.session.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        if superuser:  # the rows are consistent by construction: skip the per-row foreign-key triggers
            db.session.execute(text("SET LOCAL session_replication_role = replica"))

    def write(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        names = self.columns(table, rows)
        cursor = db.session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])

    def drop_indexes(self) -> None:
        found = db.session.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename IN ('idea', 'vote', 'comment', 'status_change') AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname"
            "  AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))"
        )).all()
        for name, sql in found:
            db.session.execute(text(f'DROP INDEX "{name}"'))
            self.saved.append(sql)
        db.session.commit()

    def restore_indexes(self, *, first_idea: int) -> None:
        db.session.rollback()
        db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for sql in self.saved:
            db.session.execute(text(sql))
        db.session.commit()
        self.saved = []

    def finish(self) -> None:
        # Explicit idea ids leave the sequence behind; move it past the highest id.
        _advance_postgresql_sequence()
        db.session.commit()
        # VACUUM as well as ANALYZE: an index-only scan (the statistics' partial indexes) skips the table only
        # for pages the visibility map marks all-visible, which after a bulk load only a vacuum does.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")  # every table: accounts and totals were written too


def _bench_categories() -> list[int]:
    ids = list(db.session.scalars(select(Category.id)))
    if not ids:
        for position, name in enumerate(["General", "Product", "Service"]):
            db.session.add(Category(slug=name.lower(), name=name, description="", position=position))
        db.session.flush()
        ids = list(db.session.scalars(select(Category.id)))
    return ids


def _advance_postgresql_sequence() -> None:
    """Explicit ids leave PostgreSQL's sequence behind; move it past the highest id."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            select(func.setval(func.pg_get_serial_sequence("idea", "id"), func.max(Idea.id)))
        )
        db.session.commit()
