"""Public pages benchmark: the home page, roadmap, ideas in action, statistics and Atom feeds.

    .venv/bin/python benchmarks/bench_public.py --ideas 100000            # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_public.py --ideas 100000 --database-url postgresql+psycopg://...

Seeds synthetic ideas with `bench seed` (every idea past `new` answered, with a status change to
its status), then gives a third of the status changes a longer public response. Times whole anonymous requests through the Flask test client and reports medians, with
the statistics cache off, then the home page and /stats again with it on (STATS_CACHE_SECONDS).
"""
from _timing import analyze, arguments, median_ms, seeded_app
from sqlalchemy import func, select, update

from ideaportal.extensions import db
from ideaportal.ideas.queries import site_totals
from ideaportal.models import Category, StatusChange
from ideaportal.stats.queries import answer_summary

RESPONSE = "Thanks for this. We have looked at it closely, and here is what we decided and why."


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=15).parse_args()

    with seeded_app(args, STATS_CACHE_SECONDS=0) as app:
        db.session.execute(
            update(StatusChange).where(StatusChange.id % 3 == 0)
            .values(response=RESPONSE, response_html=f"<p>{RESPONSE}</p>")
        )
        analyze()
        changes = db.session.scalar(select(func.count(StatusChange.id)))
        category = db.session.scalar(select(Category.slug).order_by(Category.id))
        answered_idea = db.session.scalar(select(func.max(StatusChange.idea_id)).where(StatusChange.response != ""))
        client = app.test_client()
        cursor = None
        for _ in range(3):  # a third page of the implemented ideas
            page = client.get("/implemented" + (f"?cursor={cursor}" if cursor else "")).text
            cursor = page.split("cursor=")[1].split('"')[0] if "cursor=" in page else None
        print(f"{db.engine.dialect.name}, {args.ideas:,} ideas, {changes:,} status changes, median of"
              f" {args.repeats} anonymous requests")
        pages = {
            "/ (home)": "/",
            "/roadmap": "/roadmap",
            f"/roadmap?category={category}": f"/roadmap?category={category}",
            "/implemented": "/implemented",
            "/implemented (page 4)": f"/implemented?cursor={cursor}",
            "/stats": "/stats",
            "/feeds/ideas.atom": "/feeds/ideas.atom",
            f"/feeds/categories/{category}.atom": f"/feeds/categories/{category}.atom",
            "/ideas/<id>/status.atom": f"/ideas/{answered_idea}/status.atom",
        }
        for label, path in pages.items():
            assert client.get(path).status_code == 200, path
            print(f"{label:<34} {median_ms(lambda path=path: client.get(path), args.repeats):>8.1f} ms")
        summary = median_ms(lambda: answer_summary(site_totals()), args.repeats)
        print(f"{'home answer summary (2 queries)':<34} {summary:>8.1f} ms")
        app.config["STATS_CACHE_SECONDS"] = 60
        for label, path in (("/ (home), cached median", "/"), ("/stats, cached", "/stats")):
            print(f"{label:<34} {median_ms(lambda path=path: client.get(path), args.repeats):>8.1f} ms")


if __name__ == "__main__":
    main()
