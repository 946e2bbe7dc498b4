"""Similar ideas: the public ideas that may already be what someone is about to post.

Three steps, each bounded whatever the size of the portal:
1. The question: the informative words of the title and details (stop words dropped), and the
   words that mean the same, from the domain's table (`synonyms`) and from the portal's own merges
   (`learned`). How many ideas have each word is looked up in the full-text index.
2. Candidates: the full-text engine finds the CANDIDATES ideas that best match any of the rarest of
   those words (title or body), weighted by their rarity in the whole portal; words so common that
   ranking every idea with them would be slow are left to step 3 (see `terms.rare_first`).
3. Ranking: `ranking.similarity` scores each candidate by BM25F against the whole question.

Suggestions are shown when they stand out (`shown`), and the submit form asks "is it one of
these?" only for strong ones (`near_duplicates`). Nothing leaves the machine.
"""
from collections import Counter
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from .. import cache
from ..extensions import db
from ..ideas.queries import public_ideas, votes_open
from ..models import Campaign, Idea, Status, utcnow
from . import backends, learned, ranking, synonyms, terms

CANDIDATES = 60
# Ideas the engine may rank for one request: the rarest words that fit (see terms.rare_first). FTS5
# ranks from its index alone; PostgreSQL visits each idea's row, so it gets fewer (measurements).
MATCH_BUDGET = {"sqlite": 10_000, "postgresql": 6_000}
TEXT_CHARS = 1_000  # of a body: enough to say what an idea is about, and fast to compare
TITLE_WORD, DETAIL_WORD = 1.0, 0.5  # a question's word matters so much in its title, so much only in its details
# Calibrated on the labelled tuning set through the endpoint (docs/measurements.md).
SHOW_ABOVE = 0.1  # shown while typing, when also SHOW_RELATIVE of the best suggestion
SHOW_RELATIVE = 0.5
ASK_ABOVE = 0.35  # asked about on submit: probably the same idea
RELATED, RELATED_ABOVE = 5, 0.2  # an idea's own text is a long question: loosely related ideas reach 0.15
CLOSED_NOTES = {"completed": "Already done: see how it was answered", "declined": "Declined: see why"}


@dataclass(frozen=True)
class SimilarIdea:
    id: int
    title: str
    status_slug: str
    status_label: str
    status_kind: str
    votes: int
    similarity: float  # 0..1: the share of what the question says that the idea says too
    votes_open: bool = True  # False in a Storm Session whose votes are final

    @property
    def closed_note(self) -> str | None:
        """Why a vote for it would not help, or None when "vote for this instead" is a good answer."""
        if not self.votes_open:
            return "Votes are final: its Storm Session closed"
        return CLOSED_NOTES.get(self.status_kind)

    def as_dict(self) -> dict:
        return asdict(self) | {"closed_note": self.closed_note}


def ranked(title: str, body: str = "", *, typing: bool = False, limit: int = 5) -> list[SimilarIdea]:
    """Up to `limit` public ideas most like this title and body, best first, however weak.

    `typing`: the title's last word may be unfinished, so it also matches as a word beginning.
    """
    title, body = title[:terms.MAX_QUERY_CHARS], body[:TEXT_CHARS]
    start, unfinished = terms.unfinished_word(title) if typing else (len(title), "")
    prefixes = frozenset([unfinished] if unfinished else [])
    own, extra = _question_words(title, body)
    weights = own | extra
    if not weights:
        return []
    budget = MATCH_BUDGET[db.engine.dialect.name]
    total = max(backends.idea_total(), 1)
    frequencies = backends.document_frequencies(list(weights), prefixes=prefixes, cap=budget, total=total)
    idf = {word: ranking.inverse_frequency(count, total) for word, count in frequencies.items()}
    chosen, too_common = terms.rare_first(frequencies, budget)
    if too_common:  # even the rarest word is in too many ideas to rank them all: take some with it in the title
        match = backends.first_in_titles(chosen, prefixes=prefixes, limit=2 * CANDIDATES)
    else:
        match = backends.weighted_match({word: weights[word] * idf[word] for word in chosen}, prefixes=prefixes,
                                        title_boost=ranking.TITLE_BOOST, limit=2 * CANDIDATES)
    with backends.without_parallel_workers():
        rows = db.session.execute(
            select(Idea.id, Idea.title, func.substr(Idea.body, 1, TEXT_CHARS).label("body"), Idea.score,
                   Status.slug, Status.label, Status.kind, votes_open(utcnow()).label("votes_open"))
            .join(match, match.c.idea_id == Idea.id)
            .join(Status, Idea.status_id == Status.id)
            .outerjoin(Campaign, Idea.campaign_id == Campaign.id)
            .where(public_ideas())
            .order_by(match.c.rank.desc(), Idea.id.desc())
            .limit(CANDIDATES)
        ).all()
    if unfinished:  # compare as if the word were finished the way the candidates most often finish it
        completed = _completion(unfinished, rows)
        own[completed], idf[completed] = own.pop(unfinished), idf.pop(unfinished)
        frequencies[completed] = frequencies.pop(unfinished)
    documents = [ranking.document(row.title, row.body) for row in rows]
    question = _question(own, extra, idf, frequencies, {term for document in documents for term in document.counts})
    average = sum(document.length for document in documents) / len(documents) if documents else 1.0
    scored = sorted(
        ((ranking.similarity(question, document, average), row) for document, row in zip(documents, rows, strict=True)),
        key=lambda pair: (-pair[0], -pair[1].id),
    )
    return [
        SimilarIdea(row.id, row.title, row.slug, row.label, row.kind, row.score, round(score, 3), bool(row.votes_open))
        for score, row in scored[:limit]
        if score > 0
    ]


def similar_ideas(title: str, body: str = "", *, limit: int = 5, typing: bool = False) -> list[SimilarIdea]:
    """The suggestions shown while someone types: those of the best `limit` that stand out."""
    return shown(ranked(title, body, typing=typing, limit=limit), above=SHOW_ABOVE)


def near_duplicates(title: str, body: str) -> list[SimilarIdea]:
    """The public ideas so like this one that its author should look at them before posting."""
    return shown(ranked(title, body), above=ASK_ABOVE)


def related_ideas(idea_id: int, title: str, body: str, *, limit: int = RELATED) -> list[SimilarIdea]:
    """The public ideas like this one (itself left out) that stand out, as suggestions do."""
    found = [idea for idea in ranked(title, body, limit=limit + 1) if idea.id != idea_id]
    return shown(found[:limit], above=RELATED_ABOVE)


def cached_related_ideas(idea_id: int, title: str, body: str) -> list[SimilarIdea]:
    """`related_ideas` for a public idea page, remembered for RELATED_CACHE_SECONDS."""
    return cache.remember(("related", idea_id), lambda: related_ideas(idea_id, title, body),
                          setting="RELATED_CACHE_SECONDS")


def shown(ideas: list[SimilarIdea], *, above: float, relative: float = SHOW_RELATIVE) -> list[SimilarIdea]:
    """The ideas scoring at least `above` and at least `relative` of the best one."""
    if not ideas:
        return []
    floor = max(above, relative * ideas[0].similarity)
    return [idea for idea in ideas if idea.similarity >= floor]


def _question_words(title: str, body: str) -> tuple[dict[str, float], dict[str, float]]:
    """({word as written: weight} of the question's own words, the same of their synonyms), MAX_TERMS each."""
    own = dict.fromkeys(_telling(body), DETAIL_WORD) | dict.fromkeys(_telling(title), TITLE_WORD)
    own = dict(list(own.items())[:terms.MAX_TERMS])
    extra = learned.expand(own)
    for words, weight in ((terms.words(body), DETAIL_WORD), (terms.words(title), TITLE_WORD)):
        for word in synonyms.expand(words):
            extra[word] = max(extra.get(word, 0.0), synonyms.TABLE_WEIGHT * weight)
    extra = {word: weight for word, weight in extra.items() if word not in own}
    return own, dict(sorted(extra.items(), key=lambda item: -item[1])[:terms.MAX_TERMS])


def _telling(text: str) -> list[str]:
    """The informative words, but not single letters ("I'd" leaves a "d")."""
    return [word for word in terms.informative_words(text) if len(word) > 1 or word.isdigit()]


def _question(own: dict[str, float], extra: dict[str, float], idf: dict[str, float],
              frequencies: dict[str, float], vocabulary: set[str]) -> ranking.Question:
    """The question in stems; a stem written several ways takes its best word's weight and IDF.
    Its own words that no idea has (typos, mostly) may match the candidates' near spellings."""
    weights: dict[str, float] = {}
    stem_idf: dict[str, float] = {}
    for word, weight in (own | extra).items():
        stem = terms.stem(word)
        if weight > weights.get(stem, 0.0):
            weights[stem], stem_idf[stem] = weight, idf[word]
    unknown = {terms.stem(word) for word in own if not frequencies[word]}
    return ranking.Question(weights, stem_idf, frozenset(terms.stem(word) for word in own),
                            ranking.near_spellings(unknown, vocabulary))


def _completion(start: str, rows) -> str:
    endings = Counter(
        word for row in rows for word in terms.words(f"{row.title} {row.body}") if word.startswith(start)
    )
    return endings.most_common(1)[0][0] if endings else start
