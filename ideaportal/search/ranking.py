"""How well an idea answers a question, from their words: BM25F with weights from the whole portal.

A question is its words' stems, each with a weight (1 for the title's words, less for words only
in the details, less again for synonyms) and an IDF computed from how many of *all* the portal's
ideas have the word, so a word found in half the portal says little and a rare one says much,
however many candidates share it. An idea's title words count TITLE_BOOST times its body's, and
repeated words saturate (K1), with longer ideas discounted (B), as in Robertson's BM25F.

`similarity` divides the score by what an idea saying every word of the question in its title and
body would score, so it is comparable between questions: 1 means everything asked is there.
A question's word that no idea has (a typo, mostly) matches an idea's word spelled nearly the same.
No Flask, no database.
"""
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from .terms import STOPWORDS, stem, words

K1, B = 1.2, 0.75
TITLE_BOOST = 2.0
NEAR_SPELLING = 0.5  # trigram Jaccard from which an unknown word matches a known one ("keybord", "keyboard": 0.55)


@dataclass(frozen=True)
class Document:
    counts: Counter  # stem -> occurrences, a title's counted TITLE_BOOST times
    length: float


@dataclass(frozen=True)
class Question:
    weights: Mapping[str, float]  # stem -> how much it matters (own words and synonyms)
    idf: Mapping[str, float]  # stem -> inverse document frequency in the whole portal
    own: frozenset[str]  # the stems the question says itself (synonyms left out)
    near: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # own stem no idea has -> {look-alike: closeness}


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text) if word not in STOPWORDS]


@lru_cache(maxsize=20_000)
def document(title: str, body: str) -> Document:
    title_stems, body_stems = stems(title), stems(body)
    counts = Counter(body_stems)
    for term in title_stems:
        counts[term] += TITLE_BOOST
    return Document(counts, TITLE_BOOST * len(title_stems) + len(body_stems))


def inverse_frequency(ideas_with_word: float, total_ideas: float) -> float:
    """BM25's IDF, floored above zero: a word in most ideas still counts a little."""
    total = max(total_ideas, ideas_with_word, 1.0)
    return math.log(1 + (total - ideas_with_word + 0.5) / (ideas_with_word + 0.5))


def score(question: Question, idea: Document, average_length: float) -> float:
    norm = K1 * (1 - B + B * idea.length / max(average_length, 1.0))
    total = 0.0
    for term, weight in question.weights.items():
        count, closeness = idea.counts.get(term, 0.0), 1.0
        if not count and term in question.near:
            count, closeness = max(
                ((idea.counts[word], alike) for word, alike in question.near[term].items() if word in idea.counts),
                key=lambda pair: pair[1], default=(0.0, 0.0),
            )
        if count:
            total += weight * question.idf[term] * closeness * count * (K1 + 1) / (count + norm)
    return total


def best_possible(question: Question) -> float:
    """The score of an idea of average length with each of the question's own words once in title and body."""
    count = TITLE_BOOST + 1
    saturated = count * (K1 + 1) / (count + K1)
    return sum(question.weights[term] * question.idf[term] * saturated for term in question.own)


def similarity(question: Question, idea: Document, average_length: float) -> float:
    best = best_possible(question)
    return min(1.0, score(question, idea, average_length) / best) if best else 0.0


def near_spellings(unknown: set[str], vocabulary: set[str]) -> dict[str, dict[str, float]]:
    """{unknown stem: {stem of the vocabulary spelled nearly the same: closeness}} (trigram Jaccard)."""
    near = {}
    for term in unknown:
        grams = trigrams(term)
        near[term] = {
            word: alike for word in vocabulary
            if len(word) >= 4 and abs(len(word) - len(term)) <= 2
            and (alike := _jaccard(grams, trigrams(word))) >= NEAR_SPELLING
        }
    return near


@lru_cache(maxsize=50_000)
def trigrams(word: str) -> frozenset[str]:
    """A word's three-letter pieces, padded as PostgreSQL's pg_trgm pads them ("  w", " wo", "wor", ...)."""
    padded = f"  {word} "
    return frozenset(padded[index:index + 3] for index in range(len(padded) - 2))


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
