"""Similar-idea suggestions as the submit page gets them, against a naive baseline and the previous method.

    .venv/bin/python benchmarks/bench_similar.py                       # the tuning set, SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_similar.py --held-out            # the set tuning never saw
    .venv/bin/python benchmarks/bench_similar.py --filler 100000 --databases sqlite   # timing at scale

For each database, in one run: a new database gets the labelled set's corpus, its hand-written
look-alikes and generated ones, all posted through the app's services. Then, over the set's
queries, hit@1, hit@5, precision@5, MRR and false alarms (metrics in ideaportal/search/evaluation.py) of

- "page": GET /ideas/similar?title=…&body=…&typing=1, the request the submit page makes while
  someone types, with its thresholds: exactly what people see;
- "ask on submit": the ideas the submit form asks about ("is it one of these?");
- "ranking, no threshold": the same ranking with every candidate kept;
- "naive shared words": the public ideas sharing the most words with the title and body;
- "previous method": the re-ranking this one replaced, with its own threshold (previous_similar.py).

Then the median time of one suggestion request through the endpoint, and with --filler N that many
extra ideas of random words (prose-like frequencies) to time it at scale.
"""
import argparse
import random
import statistics
from contextlib import ExitStack
from pathlib import Path
from pydoc_data.topics import topics as pydoc_topics

import previous_similar
from _timing import analyze, median_ms, migrated_app, postgresql_schema
from sqlalchemy import insert, select

from ideaportal.bench import _advance_postgresql_sequence
from ideaportal.extensions import db
from ideaportal.models import Category, Idea, Status, User
from ideaportal.search import evaluation, terms
from ideaportal.search.queries import ASK_ABOVE, near_duplicates, ranked, shown

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
TUNING = [DATA / "duplicate_pairs.json"]
HELD_OUT = [DATA / "similar_held_out.json"]
POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def add_filler(count: int, labelled: dict, seed: int = 1) -> None:
    """`count` ideas of random words, drawn as often as they occur in running text (Python's own
    documentation, 70%, and the labelled ideas, 30%), so common words are common and most are rare."""
    rng = random.Random(seed)
    labelled_words = [word for idea in labelled["corpus"] for word in terms.words(f"{idea['title']} {idea['body']}")]
    prose = terms.words(" ".join(pydoc_topics.values()))

    def draw(k: int) -> list[str]:
        return [rng.choice(prose) if rng.random() < 0.7 else rng.choice(labelled_words) for _ in range(k)]

    author_id = db.session.scalar(select(User.id))
    category_id = db.session.scalar(select(Category.id))
    status_id = db.session.scalar(select(Status.id).where(Status.slug == "new"))
    first = db.session.scalar(select(Idea.id).order_by(Idea.id.desc())) + 1
    for start in range(0, count, 5_000):
        rows = []
        for number in range(start, min(start + 5_000, count)):
            title = " ".join(draw(rng.randint(3, 8))).capitalize()
            body = " ".join(draw(rng.randint(15, 60))) + "."
            rows.append({"id": first + number, "title": title, "body": body, "body_html": f"<p>{body}</p>",
                         "author_id": author_id, "category_id": category_id, "status_id": status_id})
        db.session.execute(insert(Idea), rows)
        db.session.commit()
    _advance_postgresql_sequence()


def run(database: str, url: str | None, labelled: dict, args: argparse.Namespace) -> None:
    with migrated_app(url, ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=8, ARGON2_PARALLELISM=1) as app:
        lookalikes = labelled["lookalikes"] + evaluation.generated_lookalikes(labelled, per_idea=args.generated)
        ids = evaluation.load_corpus(labelled, lookalikes=lookalikes)
        if args.filler:
            add_filler(args.filler, labelled)
        analyze()
        total = db.session.scalar(select(db.func.count(Idea.id)))
        queries = labelled["queries"]
        print(f"\n## {database}: {total:,} ideas ({len(labelled['corpus'])} labelled, {len(lookalikes)} look-alikes:"
              f" {len(labelled['lookalikes'])} written, {len(lookalikes) - len(labelled['lookalikes'])} generated),"
              f" {sum(bool(q['duplicates']) for q in queries)} queries with duplicates,"
              f" {sum(not q['duplicates'] for q in queries)} new ideas\n")
        page = evaluation.endpoint(app.test_client())
        methods = {
            "page: GET /ideas/similar (typing=1)": page,
            "ask on submit": lambda title, body: [idea.id for idea in near_duplicates(title, body)],
            "ranking, no threshold": lambda title, body: [idea.id for idea in ranked(title, body, typing=True)],
            "naive shared words": evaluation.shared_words(),
            "previous method (as shown)": lambda title, body: previous_similar.similar_ideas(title, body, typing=True),
        }
        print(f"| {'method':<38} | hit@1 | hit@5 |  P@5 |  MRR | false alarms |")
        print(f"|{'-' * 40}|------:|------:|-----:|-----:|-------------:|")
        for name, rank in methods.items():
            m = evaluation.evaluate(rank, labelled, ids)
            print(f"| {name:<38} | {m.hit_at_1:5.2f} | {m.hit_rate:5.2f} | {m.precision:4.2f} | {m.mrr:4.2f} |"
                  f" {m.false_alarms:12.2f} |")
        print("\nask on submit at each threshold (the form asks from ASK_ABOVE):")
        print("| threshold | caught (hit@5) | false alarms |\n|---:|---:|---:|")
        ranked_once = {(q["title"], q["body"]): ranked(q["title"], q["body"]) for q in queries}
        for threshold in (0.25, 0.3, 0.35, 0.4, 0.45):
            m = evaluation.evaluate(lambda title, body, t=threshold: [
                idea.id for idea in shown(ranked_once[(title, body)], above=t)], labelled, ids)
            print(f"| {threshold:.2f}{' (used)' if threshold == ASK_ABOVE else ''} | {m.hit_rate:.2f} |"
                  f" {m.false_alarms:.2f} |")
        count = sum(len(page(q["title"], q["body"])) for q in queries) / len(queries)
        print(f"\nthe page shows {count:.1f} ideas per query on average")
        times = [median_ms(lambda q=query: page(q["title"], q["body"]), args.repeats) for query in queries]
        print(f"\none suggestion request through the endpoint: median {statistics.median(times):.1f} ms,"
              f" slowest query {max(times):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--postgresql-url", default=POSTGRESQL, help="a database where a schema is made and dropped")
    parser.add_argument("--held-out", action="store_true", help="the held-out set instead of the tuning set")
    parser.add_argument("--data", type=Path, nargs="*", help="labelled set files (default: the tuning set)")
    parser.add_argument("--generated", type=int, default=2, help="generated look-alikes per corpus idea")
    parser.add_argument("--filler", type=int, default=0, help="extra ideas of random words, to time it at scale")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    labelled = evaluation.load_set(*(args.data or (HELD_OUT if args.held_out else TUNING)))
    for database in args.databases.split(","):
        with ExitStack() as stack:
            url = stack.enter_context(postgresql_schema(args.postgresql_url)) if database == "postgresql" else None
            run(database, url, labelled, args)


if __name__ == "__main__":
    main()
