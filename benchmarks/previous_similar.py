"""The similar-ideas method before BM25F (kept to compare against in bench_similar.py, unchanged in effect).

Candidates: the FTS engine's best 50 for the rarest words of the question; re-ranked by a fixed mix
of title trigrams (0.35), title stems (0.25) and a TF-IDF cosine whose IDF came from the 50
candidates themselves (0.40); shown from 0.15.
"""
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select

from ideaportal.extensions import db
from ideaportal.ideas.queries import public_ideas
from ideaportal.models import Idea
from ideaportal.search import backends, terms
from ideaportal.search.terms import STOPWORDS, stem, words

CANDIDATES = 50
MATCH_BUDGET = 10_000
TEXT_CHARS = 1_000
SUGGEST_ABOVE = 0.15
TITLE_CHARS, TITLE_WORDS, ALL_WORDS = 0.35, 0.25, 0.40


@dataclass(frozen=True)
class Profile:
    title_grams: frozenset[str]
    title_stems: frozenset[str]
    stems: Counter


@lru_cache(maxsize=50_000)
def cached_stem(word: str) -> str:
    return stem(word)


def stems(text: str) -> list[str]:
    return [cached_stem(word) for word in words(text) if word not in STOPWORDS]


def trigrams(text: str) -> frozenset[str]:
    """Each informative word's three-letter pieces, padded as pg_trgm pads them ("  w", " wo", "wor", ...)."""
    grams = set()
    for word in words(text):
        if word in STOPWORDS:
            continue
        padded = f"  {word} "
        grams.update(padded[index:index + 3] for index in range(len(padded) - 2))
    return frozenset(grams)


def profile(title: str, body: str) -> Profile:
    title_stems = stems(title)
    return Profile(trigrams(title), frozenset(title_stems), Counter(title_stems * 2 + stems(body)))


def inverse_frequencies(profiles: Iterable[Profile]) -> dict[str, float]:
    """Smoothed IDF of each stem over these profiles."""
    profiles = list(profiles)
    counts = Counter(term for profile in profiles for term in profile.stems)
    total = len(profiles)
    return {term: math.log(1 + (total + 1) / (count + 0.5)) for term, count in counts.items()}


def similarity(query: Profile, candidate: Profile, idf: Mapping[str, float]) -> float:
    default = max(idf.values(), default=1.0)  # a word no candidate has is as rare as the rarest
    return (
        TITLE_CHARS * jaccard(query.title_grams, candidate.title_grams)
        + TITLE_WORDS * dice(query.title_stems, candidate.title_stems)
        + ALL_WORDS * cosine(query.stems, candidate.stems, idf, default)
    )


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def dice(a: frozenset, b: frozenset) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def cosine(a: Counter, b: Counter, idf: Mapping[str, float], default: float) -> float:
    def weight(counts: Counter, term: str) -> float:
        return (1 + math.log(counts[term])) * idf.get(term, default)

    shared = sum(weight(a, term) * weight(b, term) for term in a.keys() & b.keys())
    if not shared:
        return 0.0
    norm_a = math.sqrt(sum(weight(a, term) ** 2 for term in a))
    norm_b = math.sqrt(sum(weight(b, term) ** 2 for term in b))
    return shared / (norm_a * norm_b)


def similar_ideas(title: str, body: str = "", *, limit: int = 5, typing: bool = False,
                  above: float = SUGGEST_ABOVE) -> list[int]:
    """Up to `limit` public ideas like this title and body, most similar first, each scoring at least `above`.

    `typing`: the title's last word may be unfinished, so it also matches as a word beginning.
    """
    title, body = title[:terms.MAX_QUERY_CHARS], body[:TEXT_CHARS]
    title_words = terms.informative_words(title)
    words = list(dict.fromkeys(title_words + terms.informative_words(body)))[:terms.MAX_TERMS]  # title's first
    if not words:
        return []
    start, unfinished = terms.unfinished_word(title) if typing else (len(title), "")
    prefixes = frozenset([unfinished] if unfinished else [])
    chosen, titles_only = terms.rare_first(backends.document_frequencies(words, prefixes=prefixes, cap=10**9), MATCH_BUDGET)
    match = any_of(chosen, prefixes=prefixes, titles_only=titles_only)
    rows = db.session.execute(
        select(Idea.id, Idea.title, func.substr(Idea.body, 1, TEXT_CHARS).label("body"))
        .join(match, match.c.idea_id == Idea.id)
        .where(public_ideas())
        .order_by(match.c.rank.desc(), Idea.id.desc())
        .limit(CANDIDATES)
    ).all()
    if prefixes:  # compare as if the word were finished the way the candidates most often finish it
        title = title[:start] + _completion(unfinished, rows)
    query = profile(title, body)
    profiles = [profile(row.title, row.body) for row in rows]
    idf = inverse_frequencies([query, *profiles])
    scored = sorted(
        ((similarity(query, candidate, idf), row) for candidate, row in zip(profiles, rows, strict=True)),
        key=lambda pair: (-pair[0], -pair[1].id),
    )
    return [row.id for score, row in scored[:limit] if score >= above]


def _completion(start: str, rows) -> str:
    endings = Counter(
        word for row in rows for word in terms.words(f"{row.title} {row.body}") if word.startswith(start)
    )
    return endings.most_common(1)[0][0] if endings else start


def any_of(words: list[str], *, prefixes: frozenset[str] = frozenset(), titles_only: bool = False):
    """(idea_id, rank) of every idea with any of these words (those in `prefixes` also as word beginnings)."""
    if backends._dialect() == "sqlite":
        return backends._sqlite_match(terms.fts5_any(words, prefixes=prefixes, titles_only=titles_only))
    expression = terms.tsquery_any(words, prefixes=prefixes, titles_only=titles_only)
    return backends._postgresql_match(func.to_tsquery(backends._english, expression)) if expression else backends._nothing()
