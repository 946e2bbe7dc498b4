"""List-page benchmark: first page vs a deep page, keyset cursor vs OFFSET, for every sort.

    .venv/bin/python benchmarks/bench_lists.py --ideas 100000            # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_lists.py --ideas 100000 --database-url postgresql+psycopg://...

Seeds synthetic ideas with `bench seed`, then times whole requests through the Flask test client
(routing, queries, template) and reports medians and ratios measured in the same run.
"""
from _timing import analyze, arguments, median_ms, seeded_app
from sqlalchemy import tuple_

from ideaportal.extensions import db
from ideaportal.ideas.queries import SORTS, _card_query, encode_cursor, public_ideas
from ideaportal.models import Idea

PAGE = 20


def main() -> None:
    parser = arguments(__doc__.splitlines()[0], repeats=30)
    parser.add_argument("--depth", type=int, default=2_000, help="page number of the deep page")
    args = parser.parse_args()
    with seeded_app(args) as app:
        analyze()
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
