"""Measuring similar-idea suggestions on a labelled set (benchmarks/bench_similar.py and its tests).

A set (tests/data/*.json) has a corpus of ideas, queries (a title and body someone might type,
with the ids of the corpus ideas it duplicates, none for a new idea) and look-alikes: ideas that
reuse the corpus's words for other requests, posted beside it as distractors. `generated_lookalikes`
makes more by recombining the corpus's own sentences. A method ranks ideas for a query; on the
queries that have duplicates, with k = 5:

- hit@1 and hit@k: the share of queries with a duplicate first, or among the first k results;
- precision@k: the mean share of the first k slots holding a duplicate (an empty slot counts as
  a miss, so with one or two duplicates per query the best possible is 0.2 to 0.4);
- MRR: the mean of 1 / the position of the first duplicate (0 when none is in the first k).

On the queries without duplicates, `false_alarms` is the share shown anything at all.
"""
import json
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..auth import services as auth_services
from ..extensions import db
from ..ideas import services as idea_services
from ..ideas.queries import public_ideas
from ..models import Category, Idea
from . import terms

K = 5
Ranker = Callable[[str, str], list[int]]
SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Metrics:
    queries: int
    hit_at_1: float
    hit_rate: float  # hit@K
    precision: float
    mrr: float
    false_alarms: float  # share of new ideas (no duplicate) shown anything


def load_set(*paths: Path) -> dict:
    """One labelled set from one or more files (their corpus ids must not collide)."""
    merged = {"corpus": [], "queries": [], "lookalikes": []}
    for path in paths:
        labelled = json.loads(path.read_text(encoding="utf-8"))
        for key in merged:
            merged[key] += labelled.get(key, [])
    ids = [idea["id"] for idea in merged["corpus"]]
    if len(ids) != len(set(ids)):
        raise ValueError("corpus ids collide between the files")
    return merged


def generated_lookalikes(labelled: dict, *, per_idea: int = 2, seed: int = 7) -> list[dict]:
    """Ideas that reuse a corpus idea's framing for another request: its title with the rarer half of its
    words (the request, mostly) replaced by title words of other ideas of its category, and a body of
    sentences from two ideas of other categories. They share vocabulary with the corpus, not requests."""
    rng = random.Random(seed)
    frequency = Counter(word for idea in labelled["corpus"]
                        for word in set(terms.informative_words(f"{idea['title']} {idea['body']}")))
    by_category: dict[str, list[dict]] = {}
    for idea in labelled["corpus"]:
        by_category.setdefault(idea["category"], []).append(idea)
    made = []
    for idea in labelled["corpus"]:
        others = [other for other in by_category[idea["category"]] if other is not idea]
        elsewhere = [other for other in labelled["corpus"] if other["category"] != idea["category"]]
        own = set(terms.informative_words(f"{idea['title']} {idea['body']}"))
        replacements = [word for other in others for word in terms.informative_words(other["title"])
                        if word not in own and len(word) > 2]
        request = sorted(terms.informative_words(idea["title"]), key=lambda word: frequency[word])
        request = set(request[:max(1, len(request) // 2)])
        for _ in range(per_idea if len(others) >= 2 and replacements else 0):
            title = " ".join(rng.choice(replacements) if terms.words(token) and terms.words(token)[0] in request
                             else token for token in idea["title"].split())
            body = " ".join(rng.choice(SENTENCE.split(source["body"])) for source in rng.sample(elsewhere, 2))
            made.append({"category": idea["category"], "title": title[:1].upper() + title[1:], "body": body})
    return made


def load_corpus(labelled: dict, *, lookalikes: list[dict] = (), password: str = "labelled-set-password",
                ) -> dict[int, int]:
    """Post the corpus, then the look-alikes, through the app's own services; returns {corpus id: idea id}."""
    author = auth_services.register(email="corpus@example.com", username="corpus", password=password,
                                    verified=True)
    categories = {}
    for number, slug in enumerate(sorted({idea["category"] for idea in [*labelled["corpus"], *lookalikes]})):
        category = Category(slug=f"corpus-{slug}", name=slug.replace("-", " ").title(), description="",
                            position=100 + number)
        db.session.add(category)
        db.session.flush()
        categories[slug] = category.id
    db.session.commit()

    def post(idea: dict) -> int:
        return idea_services.submit_idea(author_id=author.id, title=idea["title"], body=idea["body"],
                                         category_id=categories[idea["category"]]).id

    ids = {idea["id"]: post(idea) for idea in labelled["corpus"]}
    for idea in lookalikes:
        post(idea)
    return ids


def evaluate(rank: Ranker, labelled: dict, ids: dict[int, int]) -> Metrics:
    """The metrics above for `rank`."""
    hits = first = precision = reciprocal = alarms = 0.0
    queries = [query for query in labelled["queries"] if query["duplicates"]]
    novel = [query for query in labelled["queries"] if not query["duplicates"]]
    for query in queries:
        wanted = {ids[number] for number in query["duplicates"]}
        found = rank(query["title"], query["body"])[:K]
        positions = [position for position, idea_id in enumerate(found, 1) if idea_id in wanted]
        hits += bool(positions)
        first += positions[:1] == [1]
        precision += len(positions) / K
        reciprocal += 1 / positions[0] if positions else 0.0
    for query in novel:
        alarms += bool(rank(query["title"], query["body"]))
    count = len(queries)
    return Metrics(count, first / count, hits / count, precision / count, reciprocal / count,
                   alarms / max(len(novel), 1))


def endpoint(client, *, typing: bool = True) -> Ranker:
    """The suggestions exactly as the submit page asks for them: GET /ideas/similar, JSON."""
    def rank(title: str, body: str) -> list[int]:
        response = client.get("/ideas/similar", query_string={"title": title, "body": body, "typing": "1" * typing},
                              headers={"Accept": "application/json"})
        assert response.status_code == 200, response.status_code
        return [idea["id"] for idea in response.get_json()["ideas"]]
    return rank


def shared_words() -> Ranker:
    """Naive baseline: the public ideas sharing the most distinct words (stop words dropped) with the
    title and body, newest first among equals. Reads every public idea once, then ranks in memory."""
    ideas = [
        (idea_id, set(terms.informative_words(f"{title} {body}")))
        for idea_id, title, body in db.session.execute(select(Idea.id, Idea.title, Idea.body).where(public_ideas()))
    ]

    def rank(title: str, body: str) -> list[int]:
        asked = set(terms.informative_words(f"{title} {body}"))
        scored = sorted(((len(asked & words), idea_id) for idea_id, words in ideas), reverse=True)
        return [idea_id for shared, idea_id in scored[:K] if shared]
    return rank
