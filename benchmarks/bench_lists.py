"""List-page benchmark: first page vs a deep page, keyset cursor vs OFFSET, for every sort.

    .venv/bin/python benchmarks/bench_lists.py --ideas 100000            # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_lists.py --ideas 100000 --database-url postgresql+psycopg://...

Seeds synthetic ideas with `bench seed`, then times whole requests through the Flask test client
(routing, queries, template) and reports medians and ratios measured in the same run.
"""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text, tuple_

from ideaportal import create_app
from ideaportal.bench import seed
from ideaportal.extensions import db
from ideaportal.ideas.queries import SORTS, _card_query, encode_cursor, public_ideas
from ideaportal.models import Idea

PAGE = 20


def median_ms(action, repeats: int) -> float:
    action()  # warm caches and compiled statements
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--votes-per-idea", type=int, default=5)
    parser.add_argument("--depth", type=int, default=2_000, help="page number of the deep page")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        url = args.database_url or f"sqlite:///{Path(instance) / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            print(seed(ideas=args.ideas, users=args.users, votes_per_idea=args.votes_per_idea))
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            client = app.test_client()
            print(f"{db.engine.dialect.name}, {args.ideas:,} ideas, deep page = page {args.depth:,}")
            print("request = the whole /ideas page; query = the page's SQL alone")
            print(f"{'sort':<10} {'page 1':>9} {'deep page':>10} {'keyset query':>13} {'OFFSET query':>13} {'ratio':>7}")
            for sort, key in SORTS.items():
                order = (key.desc(), Idea.id.desc())
                depth_row = db.session.execute(
                    _card_query().where(public_ideas()).order_by(*order)
                    .offset(args.depth * PAGE - 1).limit(1)
                ).one()
                cursor = encode_cursor(getattr(depth_row, f"sort_{sort}"), depth_row.id)
                first = median_ms(lambda: client.get(f"/ideas?sort={sort}"), args.repeats)
                deep = median_ms(lambda: client.get(f"/ideas?sort={sort}&cursor={cursor}"), args.repeats)
                base = _card_query().where(public_ideas()).order_by(*order)
                keyset_query = base.where(
                    tuple_(key, Idea.id) < tuple_(getattr(depth_row, f"sort_{sort}"), depth_row.id)
                ).limit(PAGE + 1)
                offset_query = base.offset(args.depth * PAGE).limit(PAGE + 1)
                keyset = median_ms(lambda: db.session.execute(keyset_query).all(), args.repeats)
                offset = median_ms(lambda: db.session.execute(offset_query).all(), args.repeats)
                print(f"{sort:<10} {first:>7.1f}ms {deep:>8.1f}ms {keyset:>11.2f}ms {offset:>11.2f}ms"
                      f" {offset / keyset:>6.0f}x")


if __name__ == "__main__":
    main()
