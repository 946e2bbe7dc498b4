"""How alike two ideas are, from their words alone: 0 (nothing in common) to 1 (the same).

Three signals, each from 0 to 1, mixed by fixed weights (see docs/measurements.md):
- the titles' character trigrams (Jaccard, as PostgreSQL's pg_trgm, stop words left out): survives
  typos and word order;
- the titles' word stems (Dice): "exporting" and "export" count as the same word;
- all the words' stems, title counted twice, as TF-IDF vectors (cosine), where the IDF comes
  from the candidates themselves: a word most candidates share says little.
No Flask, no database.
"""
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .terms import STOPWORDS, stem, words

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
