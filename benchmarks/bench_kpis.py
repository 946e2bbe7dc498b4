"""KPI dashboard benchmark: the whole /admin/kpis page and each of its queries, per period.

    .venv/bin/python benchmarks/bench_kpis.py --ideas 100000            # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_kpis.py --ideas 100000 --database-url postgresql+psycopg://...

Seeds synthetic ideas with `bench seed`, which gives them a history as the product team would:
every idea past `new` has a status change to its status (planned and implemented ones a step
through `planned` first), the first with a public answer some hours or days after it was submitted. Times
whole requests through the Flask test client (routing, login check, queries, template) as a
product manager, and each query alone; reports medians.
"""

from _timing import analyze, arguments, median_ms, seeded_app
from sqlalchemy import func, select

from ideaportal.auth.services import register
from ideaportal.extensions import db
from ideaportal.kpis import queries
from ideaportal.models import StatusChange, utcnow

PASSWORD = "benchmark password 1"


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=15).parse_args()
    with seeded_app(args, WTF_CSRF_ENABLED=False) as app:
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
