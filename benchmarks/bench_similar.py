"""Similar-idea suggestions on the labelled set: quality against substring matching, and speed.

    .venv/bin/python benchmarks/bench_similar.py                      # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_similar.py --database-url postgresql+psycopg://...
    .venv/bin/python benchmarks/bench_similar.py --filler 100000      # plus 100,000 ideas of random words

Loads tests/data/duplicate_pairs.json into a new database through the app's services, then
prints hit rate@5, recall@5, precision@5 and MRR (defined in ideaportal/search/evaluation.py)
for each method, what each submit threshold would catch and wrongly ask, and the median time of
one suggestion request's query and re-ranking.
"""
import argparse
import random
import statistics
from pathlib import Path
from pydoc_data.topics import topics as pydoc_topics

from _timing import analyze, median_ms, migrated_app
from sqlalchemy import insert, select

from ideaportal.bench import _advance_postgresql_sequence
from ideaportal.extensions import db
from ideaportal.ideas.queries import ListFilter, list_ideas
from ideaportal.models import Category, Idea, Status, User
from ideaportal.search import backends, evaluation, terms
from ideaportal.search.queries import DUPLICATE_ABOVE, similar_ideas

LIST_QUERIES = ["offline", "calendar sync", "app", "export data"]
DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "duplicate_pairs.json"


def add_filler(count: int, labelled: dict, kind: str, seed: int = 1) -> None:
    """`count` ideas of random words, to time the suggestions at scale and see what distractors do.

    "prose": words drawn as often as they occur in running text (Python's own documentation, 70%,
    and the labelled ideas, 30%), so common words are common and most words are rare.
    "salad": words drawn uniformly from the labelled ideas' vocabulary, so that every word of every
    query is in thousands of ideas: the worst case for the full-text step.
    """
    rng = random.Random(seed)
    labelled_words = [word for idea in labelled["corpus"] for word in terms.words(f"{idea['title']} {idea['body']}")]
    if kind == "salad":
        labelled_words = sorted(set(labelled_words))
        draw = lambda k: rng.choices(labelled_words, k=k)  # noqa: E731
    else:
        prose = terms.words(" ".join(pydoc_topics.values()))
        draw = lambda k: [rng.choice(prose) if rng.random() < 0.7 else rng.choice(labelled_words) for _ in range(k)]  # noqa: E731
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--filler", type=int, default=0, help="extra ideas of random words, to time it at scale")
    parser.add_argument("--filler-kind", choices=["prose", "salad"], default="prose")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    labelled = evaluation.load_set(args.data)

    with migrated_app(args.database_url, ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=8, ARGON2_PARALLELISM=1):
        ids = evaluation.load_corpus(labelled)
        if args.filler:
            add_filler(args.filler, labelled, args.filler_kind)
        analyze()
        total = db.session.scalar(select(db.func.count(Idea.id)))
        queries = labelled["queries"]
        print(f"{db.engine.dialect.name}: {total:,} ideas ({len(labelled['corpus'])} labelled), "
              f"{sum(bool(q['duplicates']) for q in queries)} queries with duplicates, "
              f"{sum(not q['duplicates'] for q in queries)} new ideas")
        print(f"{'method':<44} {'hit@5':>6} {'recall@5':>9} {'P@5':>6} {'MRR':>6}")
        for name, rank in evaluation.METHODS.items():
            metrics = evaluation.evaluate(rank, labelled, ids)
            print(f"{name:<44} {metrics.hit_rate:>6.2f} {metrics.recall:>9.2f} {metrics.precision:>6.2f}"
                  f" {metrics.mrr:>6.2f}")
        print(f"\nthreshold  caught  false alarms  precision   (submit asks at >= {DUPLICATE_ABOVE})")
        for row in evaluation.thresholds(labelled, ids, [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6]):
            print(f"{row.threshold:>9.2f} {row.caught:>7.2f} {row.false_alarms:>13.2f} {row.precision:>10.2f}")
        times = [
            median_ms(lambda q=query: similar_ideas(q["title"], q["body"], typing=True), args.repeats)
            for query in queries
        ]
        print(f"\none suggestion request (query + re-ranking): median {statistics.median(times):.1f} ms,"
              f" slowest query {max(times):.1f} ms")
        print("\n/ideas?q=... first page by relevance (query + highlights):")
        for q in LIST_QUERIES:
            matches = db.session.scalar(select(db.func.count()).select_from(backends.matching_ideas(q)))
            took = median_ms(lambda q=q: list_ideas(ListFilter(sort="relevance", q=q)), args.repeats)
            print(f"  {q!r:<24} {matches:>7,} matches {took:>8.1f} ms")


if __name__ == "__main__":
    main()
