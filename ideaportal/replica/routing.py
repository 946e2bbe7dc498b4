"""Which requests read the replica, read-your-writes after a write, and the fall back to the primary.

The replica may answer a GET of a public read page (READ_PAGES), and only its reads: the session check
that says who is signed in runs on the primary first (a logged-out session is dead at once, a deactivated
member signed out), and staff, whose pages decide what they do next, read the primary throughout. A POST,
the staff's and account pages, and the rest of a request once it has written (session.py) use the primary.

Read-your-writes: a response to a request that wrote rows a visitor may see (pages.note_a_write) sets a
cookie, READ_PRIMARY, that sends its browser's next requests to the primary for REPLICA_LAG_SECONDS, member
or visitor alike. It is set only on the writing response (a POST's redirect, almost always), never on a read
page, so visitors' kept pages stay cookie-free and shared.

Visitors' kept pages (pages.py): a write starts a new generation at once, but a page rendered from the
lagging replica in the next moments would be kept under that new generation and hide the write from every
visitor for up to PAGE_CACHE_SECONDS. So a write also notes when the replica should have caught up, and the
first read page asked for after that starts yet another generation (unless a later write did already):
pages rendered from the replica during the lag are thrown away once it has passed.

Unreachable: a request that may read the replica takes its connection first; if that fails, the failure is
logged and this process reads the primary for REPLICA_RETRY_SECONDS before trying again, so a replica that
is down costs one failed connection per process per interval, not a failed page.
"""
from dataclasses import dataclass
from time import time as now

from flask import Flask, current_app, g, request
from flask_login import current_user
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from .. import cache, pages
from ..extensions import db
from .session import BIND, READS_FROM_REPLICA

READ_PAGES = frozenset({*pages.PAGES, "campaigns.index", "campaigns.detail", "search.similar"})
READ_PRIMARY = "read_primary_until"  # the cookie: a Unix time until which this browser reads the primary
SETTLE = "replica:settle"  # in the shared cache: (when the replica should have the last write, its generation)
CONNECT_TIMEOUT = 2  # seconds: a replica host that does not answer must not hold a page for TCP's minutes


@dataclass
class ReplicaState:
    """One process's view of the replica: unreachable until `down_until`."""

    down_until: float = 0.0


def configure(app: Flask) -> None:
    """Before db.init_app: the replica as Flask-SQLAlchemy's bind BIND (the primary's engine options apply)."""
    url = app.config["REPLICA_DATABASE_URI"]
    if not url:
        return
    primary, replica = make_url(app.config["SQLALCHEMY_DATABASE_URI"]), make_url(url)
    if replica.get_backend_name() != primary.get_backend_name():  # search and counters pick their SQL by dialect
        raise ValueError(f"The replica must be a {primary.get_backend_name()} database, as the primary is.")
    bind = {"url": url}
    if replica.get_backend_name() == "postgresql":
        bind["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    app.config["SQLALCHEMY_BINDS"] = {**(app.config.get("SQLALCHEMY_BINDS") or {}), BIND: bind}


def init_app(app: Flask) -> None:
    """With a replica configured, choose each request's engine; without, add nothing to a request."""
    if not app.config["REPLICA_DATABASE_URI"]:
        return
    app.extensions[BIND] = ReplicaState()
    app.before_request(choose_engine)
    # Registered before pages.py's hook, so it runs after it (Flask runs them in reverse) and sees the new generation.
    app.after_request(read_primary_after_a_write)
    app.teardown_request(forget_choice)


def configured() -> bool:
    return BIND in current_app.extensions


def choose_engine() -> None:
    if request.endpoint in READ_PAGES and current_app.config["PAGE_CACHE_SECONDS"]:
        settle_kept_pages()
        # A kept page may have been rendered from the lagging replica: whoever just wrote gets theirs afresh.
        g.own_page = wrote_recently()
    db.session.info[READS_FROM_REPLICA] = replica_may_answer() and replica_connects()


def replica_may_answer() -> bool:
    """A GET of a public read page, by someone who has not just written and is not staff. Asking whether they
    are staff loads the signed-in member here, before the replica is chosen: the session check reads the primary."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in READ_PAGES or wrote_recently():
        return False
    return not current_user.is_staff


def wrote_recently() -> bool:
    until = request.cookies.get(READ_PRIMARY, "")
    return until.isdigit() and now() < int(until)


def replica_connects() -> bool:
    """Take the replica's connection for this request's session (it keeps it for its reads), or note why not."""
    state: ReplicaState = current_app.extensions[BIND]
    if now() < state.down_until:
        return False
    try:
        db.session.connection(bind_arguments={"bind": db.engines[BIND]})
    except DBAPIError as error:
        db.session.rollback()
        seconds = int(current_app.config["REPLICA_RETRY_SECONDS"])
        state.down_until = now() + seconds
        current_app.logger.warning("replica unreachable, reading the primary for %s s: %s", seconds, error)
        return False
    return True


def read_primary_after_a_write(response):
    if g.get("wrote"):
        seconds = int(current_app.config["REPLICA_LAG_SECONDS"])
        response.set_cookie(READ_PRIMARY, str(int(now()) + seconds), max_age=seconds, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_app.config["PAGE_CACHE_SECONDS"]:
            cache.app_cache().set(SETTLE, (now() + seconds, pages.generation()),
                                  timeout=seconds + int(current_app.config["PAGE_CACHE_SECONDS"]))
    return response


def settle_kept_pages() -> None:
    """Once the replica should have the last write, a new generation, unless a later write began one already."""
    settle = cache.app_cache().get(SETTLE)
    if settle is not None and now() >= settle[0] and pages.generation() == settle[1]:
        pages.new_generation()


def forget_choice(_error) -> None:
    db.session.info.pop(READS_FROM_REPLICA, None)


def replica_state() -> str | None:
    """For /readyz: None without a replica, else "ready" or why it is not, in a few words."""
    if not configured():
        return None
    try:
        with db.engines[BIND].connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as error:  # any failure means the pages read the primary; what failed is logged
        current_app.logger.warning("readyz: the replica is not reachable: %s", error)
        return f"unreachable ({type(error).__name__}), pages read the primary"
    return "ready"
