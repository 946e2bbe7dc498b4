"""Similar ideas: the public ideas that may already be what someone is about to post.

Two steps, both bounded whatever the size of the portal: the full-text index finds the
CANDIDATES best matches for any informative word of the title and body (stop words dropped,
the engine stems; the words so common that ranking every idea with them would be slow are left
to the second step), then `similarity.similarity` re-ranks them in Python by title trigrams and
stems. Nothing leaves the machine and no model is downloaded.
"""
from collections import Counter
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..ideas.queries import public_ideas, votes_open
from ..models import Campaign, Idea, Status, utcnow
from . import backends, similarity, terms

CANDIDATES = 50
MATCH_BUDGET = 10_000  # ideas the engine may rank for one request: the rarest words that fit (see terms.rare_first)
TEXT_CHARS = 1_000  # of a body: enough to say what an idea is about, and fast to compare
SUGGEST_ABOVE = 0.15  # shown while typing: loosely related is still useful
DUPLICATE_ABOVE = 0.35  # asked about on submit: probably the same idea (calibrated in docs/measurements.md)


@dataclass(frozen=True)
class SimilarIdea:
    id: int
    title: str
    status_slug: str
    status_label: str
    status_kind: str
    votes: int
    similarity: float  # 0..1
    votes_open: bool = True  # False in a Storm Session whose votes are final: nothing to "vote for instead"

    def as_dict(self) -> dict:
        return asdict(self)


def similar_ideas(title: str, body: str = "", *, limit: int = 5, typing: bool = False,
                  above: float = SUGGEST_ABOVE) -> list[SimilarIdea]:
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
    chosen, titles_only = terms.rare_first(backends.document_frequencies(words, prefixes=prefixes), MATCH_BUDGET)
    match = backends.any_of(chosen, prefixes=prefixes, titles_only=titles_only)
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
    if prefixes:  # compare as if the word were finished the way the candidates most often finish it
        title = title[:start] + _completion(unfinished, rows)
    query = similarity.profile(title, body)
    profiles = [similarity.profile(row.title, row.body) for row in rows]
    idf = similarity.inverse_frequencies([query, *profiles])
    scored = sorted(
        ((similarity.similarity(query, candidate, idf), row) for candidate, row in zip(profiles, rows, strict=True)),
        key=lambda pair: (-pair[0], -pair[1].id),
    )
    return [
        SimilarIdea(row.id, row.title, row.slug, row.label, row.kind, row.score, round(score, 3), bool(row.votes_open))
        for score, row in scored[:limit]
        if score >= above
    ]


def _completion(start: str, rows) -> str:
    endings = Counter(
        word for row in rows for word in terms.words(f"{row.title} {row.body}") if word.startswith(start)
    )
    return endings.most_common(1)[0][0] if endings else start


def near_duplicates(title: str, body: str) -> list[SimilarIdea]:
    """The public ideas so like this one that its author should look at them before posting."""
    return similar_ideas(title, body, above=DUPLICATE_ABOVE)
