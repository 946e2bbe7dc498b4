"""Public pages benchmark: the home page, roadmap, ideas in action, statistics and Atom feeds.

    .venv/bin/python benchmarks/bench_public.py --ideas 100000            # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_public.py --ideas 100000 --database-url postgresql+psycopg://...

Seeds synthetic ideas with `bench seed` and the KPI benchmark's history (every idea past `new`
answered, with a status change to its status), then gives a third of the status changes a public
response. Times whole anonymous requests through the Flask test client and reports medians.
"""
import argparse
import tempfile
from pathlib import Path

from bench_kpis import add_history, median_ms
from flask_migrate import upgrade
from sqlalchemy import func, select, text, update

from ideaportal import create_app
from ideaportal.bench import seed
from ideaportal.extensions import db
from ideaportal.ideas.queries import site_totals
from ideaportal.models import Category, StatusChange
from ideaportal.stats.queries import answer_summary

RESPONSE = "Thanks for this. We have looked at it closely, and here is what we decided and why."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--votes-per-idea", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        url = args.database_url or f"sqlite:///{Path(instance) / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            print(seed(ideas=args.ideas, users=args.users, votes_per_idea=args.votes_per_idea))
            print(add_history())
            db.session.execute(
                update(StatusChange).where(StatusChange.id % 3 == 0)
                .values(response=RESPONSE, response_html=f"<p>{RESPONSE}</p>")
            )
            db.session.execute(text("ANALYZE"))
            db.session.commit()
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


if __name__ == "__main__":
    main()
