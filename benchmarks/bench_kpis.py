"""KPI dashboard benchmark: the whole /admin/kpis page and each of its queries, per period.

    .venv/bin/python benchmarks/bench_kpis.py --ideas 100000            # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_kpis.py --ideas 100000 --database-url postgresql+psycopg://...

Seeds synthetic ideas with `bench seed`, then gives them a history as the product team would:
every idea past `new` gets a status change to its status (planned and implemented ones a step
through `planned` first) and a first response some hours or days after it was submitted. Times
whole requests through the Flask test client (routing, login check, queries, template) as a
product manager, and each query alone; reports medians.
"""
import random
import time
from datetime import timedelta

from _timing import analyze, arguments, median_ms, seeded_app
from sqlalchemy import func, insert, select, update

from ideaportal.auth.services import register
from ideaportal.bench import BATCH
from ideaportal.extensions import db
from ideaportal.kpis import queries
from ideaportal.models import Idea, Status, StatusChange, utcnow

PASSWORD = "benchmark password 1"


def add_history(seed_value: int = 1) -> str:
    """Status changes and first responses for every idea that has left `new`, in bulk."""
    started = time.perf_counter()
    rng = random.Random(seed_value)
    statuses = {row.id: row for row in db.session.execute(select(Status.id, Status.slug, Status.kind))}
    new_id = next(row.id for row in statuses.values() if row.slug == "new")
    planned_id = next(row.id for row in statuses.values() if row.slug == "planned")
    rows = db.session.execute(select(Idea.id, Idea.status_id, Idea.created_at).where(Idea.status_id != new_id)).all()
    changes = 0
    for start in range(0, len(rows), BATCH):
        answers, history = [], []
        for idea_id, status_id, created in rows[start:start + BATCH]:
            answered = created + timedelta(hours=rng.lognormvariate(3.5, 1.2))  # median about 33 hours
            answers.append({"id": idea_id, "first_response_at": answered})
            previous = new_id
            if statuses[status_id].kind in queries.PLANNED_KINDS and status_id != planned_id:
                history.append(_change(idea_id, new_id, planned_id, answered))
                previous, answered = planned_id, answered + timedelta(days=rng.uniform(1, 60))
            history.append(_change(idea_id, previous, status_id, answered))
        db.session.execute(update(Idea), answers)
        db.session.execute(insert(StatusChange), history)
        db.session.commit()
        changes += len(history)
    return f"Answered {len(rows)} ideas with {changes} status changes in {time.perf_counter() - started:.1f} s."


def _change(idea_id: int, from_id: int, to_id: int, at) -> dict:
    return {"idea_id": idea_id, "from_status_id": from_id, "to_status_id": to_id, "changed_by_id": None,
            "response": "", "response_html": "", "created_at": at}


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=15).parse_args()
    with seeded_app(args, WTF_CSRF_ENABLED=False) as app:
        print(add_history())
        pm = register(email="kpi-bench@example.com", username="kpi_bench", password=PASSWORD, role="pm")
        analyze()
        client = app.test_client()
        assert client.post("/auth/login", data={"email": pm.email, "password": PASSWORD}).status_code == 302
        changes = db.session.scalar(select(func.count(StatusChange.id)))
        print(f"{db.engine.dialect.name}, {args.ideas:,} ideas, {changes:,} status changes,"
              f" median of {args.repeats}")
        print("request = the whole /admin/kpis page; the other columns time each query alone")
        print(f"{'period':<8} {'request':>9} {'per week':>9} {'funnel':>9} {'response':>9} {'categories':>11}")
        now = utcnow()
        for period in ("all", "365", "30"):
            since = queries.period_start(period, now)
            answered = queries.status_counts(since).answered
            request = median_ms(lambda: client.get(f"/admin/kpis?period={period}"), args.repeats)
            weeks = median_ms(lambda: queries.ideas_per_week(now=now), args.repeats)
            funnel = median_ms(lambda: queries.status_counts(since), args.repeats)
            response = median_ms(
                lambda: queries.response_percentiles(since, answered, (0.5, 0.9)), args.repeats
            )
            categories = median_ms(lambda: queries.top_categories(since), args.repeats)
            print(f"{period:<8} {request:>7.1f}ms {weeks:>7.1f}ms {funnel:>7.1f}ms {response:>7.1f}ms"
                  f" {categories:>9.1f}ms")
        assert client.get("/admin/kpis").status_code == 200


if __name__ == "__main__":
    main()
