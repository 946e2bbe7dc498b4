"""Measuring similar-idea suggestions on a labelled set (benchmarks/bench_similar.py and its test).

The set (tests/data/duplicate_pairs.json) has a corpus of ideas, and queries, each a title and
body someone might type, with the ids of the corpus ideas it duplicates. A method ranks ideas for
a query; on the queries that have duplicates, with k = 5:

- hit rate@k: the share of queries with at least one duplicate among the first k results;
- recall@k: the mean share of a query's duplicates found among the first k;
- precision@k: the mean share of the first k slots holding a duplicate (an empty slot counts as
  a miss, so with one or two duplicates per query the best possible is 0.2 to 0.4);
- MRR: the mean of 1 / the position of the first duplicate (0 when none is in the first k).
"""
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, select

from ..auth import services as auth_services
from ..extensions import db
from ..ideas import services as idea_services
from ..models import Category, Idea
from . import terms
from .queries import similar_ideas

K = 5
Ranker = Callable[[str, str], list[int]]


@dataclass(frozen=True)
class Metrics:
    queries: int
    hit_rate: float
    recall: float
    precision: float
    mrr: float


def load_set(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_corpus(labelled: dict, *, password: str = "labelled-set-password") -> dict[int, int]:
    """Post the corpus through the app's own services; returns {corpus id: idea id}."""
    author = auth_services.register(email="corpus@example.com", username="corpus", password=password)
    categories = {}
    for number, slug in enumerate(sorted({idea["category"] for idea in labelled["corpus"]})):
        category = Category(slug=f"corpus-{slug}", name=slug.replace("-", " ").title(), description="",
                            position=100 + number)
        db.session.add(category)
        db.session.flush()
        categories[slug] = category.id
    db.session.commit()
    return {
        idea["id"]: idea_services.submit_idea(
            author_id=author.id, title=idea["title"], body=idea["body"], category_id=categories[idea["category"]]
        ).id
        for idea in labelled["corpus"]
    }


def evaluate(rank: Ranker, labelled: dict, ids: dict[int, int]) -> Metrics:
    """The metrics above for `rank` over the queries that have duplicates."""
    hits = recall = precision = reciprocal = 0.0
    queries = [query for query in labelled["queries"] if query["duplicates"]]
    for query in queries:
        wanted = {ids[number] for number in query["duplicates"]}
        found = rank(query["title"], query["body"])[:K]
        positions = [position for position, idea_id in enumerate(found, 1) if idea_id in wanted]
        hits += bool(positions)
        recall += len(positions) / len(wanted)
        precision += len(positions) / K
        reciprocal += 1 / positions[0] if positions else 0.0
    count = len(queries)
    return Metrics(count, hits / count, recall / count, precision / count, reciprocal / count)


def similar_method(title: str, body: str) -> list[int]:
    return [idea.id for idea in similar_ideas(title, body, limit=K, above=0.0)]


def title_substring(title: str, body: str) -> list[int]:
    """Baseline: ideas whose title contains the typed title (case-insensitive), newest first."""
    pattern = f"%{_escape_like(title.strip())}%"
    return list(db.session.scalars(
        select(Idea.id).where(Idea.title.ilike(pattern, escape="\\")).order_by(Idea.id.desc()).limit(K)
    ))


def word_substrings(title: str, body: str) -> list[int]:
    """Baseline: ideas whose title contains any word of the typed title (stop words dropped), most words first."""
    found = [Idea.title.ilike(f"%{_escape_like(word)}%", escape="\\") for word in terms.informative_words(title)]
    if not found:
        return []
    hits = sum(case((condition, 1), else_=0) for condition in found)
    return list(db.session.scalars(
        select(Idea.id).where(hits > 0).order_by(hits.desc(), Idea.id.desc()).limit(K)
    ))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


METHODS: dict[str, Ranker] = {
    "similar ideas (FTS candidates, re-ranked)": similar_method,
    "title ILIKE %title%": title_substring,
    "title ILIKE %word% per word": word_substrings,
}


@dataclass(frozen=True)
class ThresholdRow:
    threshold: float
    caught: float  # share of duplicate queries shown a true duplicate at or above the threshold
    false_alarms: float  # share of new ideas shown anything at or above it
    precision: float  # share of the ideas shown at or above it that are true duplicates


def thresholds(labelled: dict, ids: dict[int, int], candidates: list[float]) -> list[ThresholdRow]:
    """What asking "is it one of these?" on submit would do at each threshold."""
    scored = []
    for query in labelled["queries"]:
        wanted = {ids[number] for number in query["duplicates"]}
        found = similar_ideas(query["title"], query["body"], limit=K, above=0.0)
        scored.append((wanted, [(idea.similarity, idea.id in wanted) for idea in found]))
    duplicates = [results for wanted, results in scored if wanted]
    novel = [results for wanted, results in scored if not wanted]
    rows = []
    for threshold in candidates:
        shown = [(score, good) for results in duplicates + novel for score, good in results if score >= threshold]
        rows.append(ThresholdRow(
            threshold,
            sum(any(good and score >= threshold for score, good in found) for found in duplicates) / len(duplicates),
            sum(any(score >= threshold for score, _ in results) for results in novel) / max(len(novel), 1),
            sum(good for _, good in shown) / len(shown) if shown else 1.0,
        ))
    return rows
