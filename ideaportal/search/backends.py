"""One search interface over two engines: SQLite FTS5 and PostgreSQL tsvector, chosen by the dialect.

`matching_ideas` and `any_of` return a subquery of (idea_id, rank), higher rank = better match,
to join to any query over ideas; `highlights` marks the matching words of a few ideas. Nothing
a person types reaches FTS5's MATCH unquoted, and PostgreSQL parses it with websearch_to_tsquery,
which accepts any text.
"""
from sqlalchemy import (
    Double,
    Integer,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)

from ..extensions import db
from ..models import Idea
from . import terms
from .marks import CLOSE, OPEN, Highlight, marked_excerpt, marked_title

# A word in the title counts as much as ten in the body (FTS5's bm25 column weights);
# PostgreSQL's ts_rank weighs A (title) 1.0 and B (body) 0.4 by default.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
SNIPPET_WORDS = 40

_fts = table("idea_fts", column("rowid", Integer))
_FTS = literal_column("idea_fts")
_vector = literal_column("idea.search_vector")
_english = literal_column("'english'::regconfig")


def _dialect() -> str:
    return db.engine.dialect.name


def matching_ideas(query_text: str | None):
    """(idea_id, rank) of every idea, hidden or not, matching web-search text; no rows when it has no words."""
    cleaned = terms.clean(query_text)
    if not terms.has_terms(cleaned):
        return _nothing()
    if _dialect() == "sqlite":
        return _sqlite_match(terms.fts5_query(cleaned))
    return _postgresql_match(func.websearch_to_tsquery(_english, cleaned))


def any_of(words: list[str], *, prefixes: frozenset[str] = frozenset(), titles_only: bool = False):
    """(idea_id, rank) of every idea with any of these words (those in `prefixes` also as word beginnings)."""
    if _dialect() == "sqlite":
        return _sqlite_match(terms.fts5_any(words, prefixes=prefixes, titles_only=titles_only))
    expression = terms.tsquery_any(words, prefixes=prefixes, titles_only=titles_only)
    return _postgresql_match(func.to_tsquery(_english, expression)) if expression else _nothing()


def document_frequencies(words: list[str], *, prefixes: frozenset[str] = frozenset()) -> dict[str, float]:
    """About how many ideas have each word (as a word beginning, for those in `prefixes`).

    SQLite counts in the index, exactly and cheaply. PostgreSQL estimates from the statistics
    ANALYZE keeps on the tsvector column (its most common lexemes); a word not among them is
    rarer than all of them, and counts as 0 here.
    """
    if not words:
        return {}
    if _dialect() == "sqlite":
        counts = [
            select(func.count()).select_from(_fts)
            .where(_FTS.op("MATCH")(terms.quote(word) + ("*" if word in prefixes else "")))
            .scalar_subquery()
            for word in words
        ]
        return dict(zip(words, db.session.execute(select(*counts)).one(), strict=True))
    rows = db.session.execute(_POSTGRESQL_FREQUENCIES, {
        "words": words, "prefixes": [word in prefixes for word in words],
    })
    return {word: float(estimate) for word, estimate in rows}


# Each word's lexeme, matched against the most common lexemes ANALYZE found (their share of rows).
_POSTGRESQL_FREQUENCIES = text("""
    WITH common AS (
        SELECT element.lexeme, element.share
        FROM pg_stats AS stats,
             unnest(stats.most_common_elems::text::text[], stats.most_common_elem_freqs) AS element(lexeme, share)
        WHERE stats.schemaname = current_schema() AND stats.tablename = 'idea' AND stats.attname = 'search_vector'
    ),
    asked AS (
        SELECT word, is_prefix, (SELECT min(lexeme) FROM unnest(to_tsvector('english', word))) AS lexeme
        FROM unnest(CAST(:words AS text[]), CAST(:prefixes AS boolean[])) AS asked(word, is_prefix)
    )
    SELECT asked.word,
           coalesce(sum(common.share), 0) * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'idea'::regclass)
    FROM asked
    LEFT JOIN common ON common.lexeme = asked.lexeme
                     OR (asked.is_prefix AND common.lexeme LIKE asked.lexeme || '%')
    GROUP BY asked.word
""")


def highlights(query_text: str | None, idea_ids: list[int], *, excerpt_chars: int) -> dict[int, Highlight]:
    """{idea id: its title and a body excerpt as safe HTML, the words matching the search in <mark>}."""
    cleaned = terms.clean(query_text)
    if not idea_ids or not terms.has_terms(cleaned):
        return {}
    if _dialect() == "sqlite":
        expression = terms.fts5_query(cleaned)
        query = (
            select(
                _fts.c.rowid,
                func.highlight(_FTS, 0, OPEN, CLOSE),
                func.snippet(_FTS, 1, OPEN, CLOSE, "…", SNIPPET_WORDS),
            )
            .where(_FTS.op("MATCH")(expression), _fts.c.rowid.in_(idea_ids))
        )
    else:
        tsquery = func.websearch_to_tsquery(_english, cleaned)
        marks = f"StartSel={OPEN}, StopSel={CLOSE}"
        query = select(
            Idea.id,
            func.ts_headline(_english, Idea.title, tsquery, f"{marks}, HighlightAll=true"),
            func.ts_headline(_english, Idea.body, tsquery, f"{marks}, MaxWords={SNIPPET_WORDS}, MinWords=15"),
        ).where(Idea.id.in_(idea_ids))
    return {
        idea_id: Highlight(marked_title(title), marked_excerpt(body, excerpt_chars))
        for idea_id, title, body in db.session.execute(query)
    }


def _sqlite_match(expression: str | None):
    if expression is None:
        return _nothing()
    rank = -func.bm25(_FTS, TITLE_WEIGHT, BODY_WEIGHT)  # bm25 is lower for better matches
    return (
        select(_fts.c.rowid.label("idea_id"), cast(rank, Double).label("rank"))
        .where(_FTS.op("MATCH")(expression))
        .subquery("search")
    )


def _postgresql_match(tsquery):
    # float8, so that a rank written into a page cursor compares equal when it comes back
    rank = cast(func.ts_rank(_vector, tsquery), Double)
    return (
        select(Idea.id.label("idea_id"), rank.label("rank"))
        .where(_vector.op("@@")(tsquery))
        .subquery("search")
    )


def _nothing():
    return (
        select(literal(0, Integer).label("idea_id"), literal(0.0, Double).label("rank"))
        .where(false())
        .subquery("search")
    )
