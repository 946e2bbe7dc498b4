"""Synonyms the portal learns from its own merges: weak, bounded, and gone with an unmerge.

When a product manager merges idea S into idea T, they say that S's title and T's title ask for
the same thing. The title words that only one side uses ("night" in S, "dark" and "theme" in T,
when neither idea's text has the other's word) are likely to be other names for the same thing
in this portal. `learn` stores up to PER_SIDE such words of each title, rarest first, as pairs in
both directions, tied to the merge; `unlearn` deletes them when the merge is undone.

At search time `expand` turns the pairs that touch a question's words into extra words, each at
PER_MERGE of a word's weight for every active merge that taught it, at most MAX_WEIGHT: one merge
makes a hint, several agreeing merges a stronger one, never as strong as the word itself.
"""
from sqlalchemy import delete, func, insert, select

from ..extensions import db
from ..models import Idea, LearnedSynonym
from . import backends, terms

PER_SIDE = 3
PER_MERGE = 0.25
MAX_WEIGHT = 0.5
MIN_CHARS = 3


def learn(*, merge_id: int, source_id: int, target_id: int) -> int:
    """Store the word pairs that set the merged titles apart; returns how many pairs (one direction)."""
    ideas = {row.id: row for row in db.session.execute(
        select(Idea.id, Idea.title, Idea.body).where(Idea.id.in_([source_id, target_id]))
    )}
    source, target = ideas[source_id], ideas[target_id]
    source_only = _distinct_words(source.title, f"{target.title} {target.body}")
    target_only = _distinct_words(target.title, f"{source.title} {source.body}")
    frequencies = backends.document_frequencies(list(dict.fromkeys(source_only + target_only)))
    source_only, target_only = (
        sorted(side, key=lambda word: frequencies.get(word, 0))[:PER_SIDE] for side in (source_only, target_only)
    )
    pairs = [(a, b) for a in source_only for b in target_only]
    if pairs:
        db.session.execute(insert(LearnedSynonym), [
            {"merge_id": merge_id, "word": terms.stem(word), "synonym": synonym}
            for a, b in pairs for word, synonym in ((a, b), (b, a))
        ])
    return len(pairs)


def unlearn(merge_id: int) -> None:
    db.session.execute(delete(LearnedSynonym).where(LearnedSynonym.merge_id == merge_id))


def expand(weights: dict[str, float]) -> dict[str, float]:
    """{synonym: weight} learned for these {word: weight}, each at its share of the word that taught it."""
    stems: dict[str, float] = {}
    for word, weight in weights.items():
        stems[terms.stem(word)] = max(weight, stems.get(terms.stem(word), 0.0))
    if not stems:
        return {}
    rows = db.session.execute(
        select(LearnedSynonym.word, LearnedSynonym.synonym, func.count(LearnedSynonym.merge_id.distinct()))
        .where(LearnedSynonym.word.in_(stems))
        .group_by(LearnedSynonym.word, LearnedSynonym.synonym)
    ).all()
    found: dict[str, float] = {}
    for word, synonym, merges in rows:
        if terms.stem(synonym) not in stems:
            found[synonym] = max(found.get(synonym, 0.0), min(MAX_WEIGHT, PER_MERGE * merges) * stems[word])
    return found


def _distinct_words(title: str, other_text: str) -> list[str]:
    """The title's informative words whose stem the other idea's text does not have."""
    other = {terms.stem(word) for word in terms.words(other_text)}
    return [
        word for word in terms.informative_words(title)
        if len(word) >= MIN_CHARS and not word.isdigit() and terms.stem(word) not in other
    ]
