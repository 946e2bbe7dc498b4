"""Health checks for a load balancer or an orchestrator: /healthz (the process answers) and /readyz (it can
serve: the database answers and, when REDIS_URL is set, Redis does). Neither opens a session, sets a cookie
or counts against a rate limit, so a probe every second costs a request and nothing more.

A read replica (REPLICA_DATABASE_URI) is reported on a line of its own but never makes a process unready:
without it the pages read the primary (replica/routing.py), so taking the process out of rotation would
turn a slower site into a smaller one."""
from flask import Blueprint, current_app
from sqlalchemy import text

from ..extensions import db, limiter
from ..replica.routing import replica_state

bp = Blueprint("health", __name__)
PLAIN = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is alive. No database: a database outage must not get every app process restarted."""
    return "ok\n", 200, PLAIN


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready for traffic, or 503 with the first dependency that failed (its kind of error, never its address)."""
    for name, check in (("database", database_answers), ("redis", redis_answers)):
        try:
            check()
        except Exception as error:  # any failure means "not ready"; what failed is logged, and named briefly
            current_app.logger.warning("readyz: %s is not reachable: %s", name, error)
            db.session.rollback()
            return f"not ready: {name} unreachable ({type(error).__name__})\n", 503, PLAIN
    replica = replica_state()
    return "ready\n" + (f"replica: {replica}\n" if replica else ""), 200, PLAIN


def database_answers() -> None:
    db.session.execute(text("SELECT 1"))
    db.session.rollback()


def redis_answers() -> None:
    url = current_app.config["REDIS_URL"]
    if url:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
