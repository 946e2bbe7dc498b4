"""One search interface over two engines: SQLite FTS5 and PostgreSQL tsvector, chosen by the dialect.

`matching_ideas` and `weighted_match` return a subquery of (idea_id, rank), higher rank = better match,
to join to any query over ideas; `highlights` marks the matching words of a few ideas. Nothing
a person types reaches FTS5's MATCH unquoted, and PostgreSQL parses it with websearch_to_tsquery,
which accepts any text.
"""
import math
from contextlib import contextmanager

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

from .. import cache
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


def matching_ideas(query_text: str | None, *, newest: int | None = None):
    """(idea_id, rank) of the ideas, hidden or not, matching web-search text; no rows when it has no words.

    With `newest`, only the `newest` matches with the highest ids are ranked: both engines walk their
    index in id order and stop there, so a word found in half a million ideas costs what one found in
    `newest` ideas costs, instead of a rank for every match. A third column, `matches`, then says how
    many ideas match, counted up to `newest` + 1: more than `newest` means the ranking was cut.
    """
    cleaned = terms.clean(query_text)
    if not terms.has_terms(cleaned):
        return _nothing(counted=newest is not None)
    if _dialect() == "sqlite":
        return _sqlite_match(terms.fts5_query(cleaned), newest)
    return _postgresql_match(func.websearch_to_tsquery(_english, cleaned), newest)


def _newest(candidates, newest: int):
    """Of `candidates` (idea_id, rank, at most `newest` + 1 rows), the `newest` highest ids with `matches`."""
    numbered = select(
        candidates.c.idea_id,
        candidates.c.rank,
        func.count().over().label("matches"),
        func.row_number().over(order_by=candidates.c.idea_id.desc()).label("position"),
    ).subquery("numbered")
    return (
        select(numbered.c.idea_id, numbered.c.rank, numbered.c.matches)
        .where(numbered.c.position <= newest)
        .subquery("search")
    )


def document_frequencies(words: list[str], *, prefixes: frozenset[str] = frozenset(),
                         cap: int = 10_000, total: int | None = None) -> dict[str, float]:
    """How many ideas have each word (as a word beginning, for those in `prefixes`), counted up to `cap`;
    `total`, the ideas there are (`idea_total()`), when the caller has it already.

    SQLite counts in the index, stopping at `cap`. PostgreSQL would visit each counted idea's row,
    so it estimates the words that the statistics ANALYZE keeps on the tsvector column call common
    (its most common lexemes; Python's Snowball stemmer is PostgreSQL's `english` one), and counts
    the others only up to the least common of those: a few rows each.
    """
    if not words:
        return {}
    if _dialect() == "sqlite":
        expressions = [terms.quote(word) + ("*" if word in prefixes else "") for word in words]
        return dict(zip(words, _counts(_SQLITE_COUNT, expressions, cap), strict=True))
    common, analyzed, _ = _postgresql_statistics()
    # Autovacuum analyzes again after 10 % of the rows change: further off, the statistics are stale.
    total = idea_total() if total is None else total
    if not common or not 0.8 <= analyzed / max(total, 1) <= 1.25:
        common, analyzed = {}, 0.0
    estimates: dict[str, float] = {}
    for word in words:
        lexeme = terms.stem(word)
        share = (sum(found for name, found in common.items() if name.startswith(lexeme)) if word in prefixes
                 else common.get(lexeme, 0.0))
        if share:
            estimates[word] = share * analyzed
    # A word that is not among the common ones has fewer ideas than the least common of them.
    rarer_than = math.ceil(min(common.values()) * analyzed) if common else cap
    rare = [word for word in words if word not in estimates]
    queries = [terms.tsquery_any([word], prefixes=prefixes) or "" for word in rare]
    estimates |= dict(zip(rare, _counts(_POSTGRESQL_COUNT, queries, min(cap, rarer_than)), strict=True))
    return {word: float(estimates[word]) for word in words}


# How many ideas match one query, counting no further than :cap (a statement of one per word).
_SQLITE_COUNT = "(SELECT count(*) FROM (SELECT 1 FROM idea_fts WHERE idea_fts MATCH :q{n} LIMIT :cap))"
_POSTGRESQL_COUNT = ("(SELECT count(*) FROM (SELECT 1 FROM idea WHERE :q{n} <> ''"
                     " AND search_vector @@ to_tsquery('english', :q{n}) LIMIT :cap) AS found)")


def _counts(one: str, queries: list[str], cap: int) -> tuple[int, ...]:
    if not queries:
        return ()
    statement = text("SELECT " + ", ".join(one.format(n=number) for number in range(len(queries))))
    return tuple(db.session.execute(statement, {"cap": cap, **{f"q{n}": q for n, q in enumerate(queries)}}).one())


def idea_total() -> int:
    """About how many ideas there are: the span of their ids (ideas are seldom deleted), read from the
    primary key's two ends at once, where counting would read it all."""
    first, last = db.session.execute(select(func.min(Idea.id), func.max(Idea.id))).one()
    return last - first + 1 if last is not None else 0


def _postgresql_statistics() -> tuple[dict[str, float], float, float]:
    """({lexeme: share of ideas} of the most common lexemes ANALYZE found, the ideas it counted,
    the average number of lexemes of the newest ideas).

    Kept by each process for SEARCH_STATISTICS_SECONDS: they change slowly, and reading the pg_stats
    view costs milliseconds.
    """
    def read() -> tuple[dict[str, float], float, float]:
        total = db.session.scalar(text("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'idea'::regclass"))
        average = db.session.scalar(text(
            "SELECT avg(length(search_vector)) FROM (SELECT search_vector FROM idea ORDER BY id DESC LIMIT 1000) AS newest"
        ))
        return dict(db.session.execute(_POSTGRESQL_COMMON).all()), float(total or 0), float(average or 1) or 1.0

    return cache.remember("search_statistics", read, setting="SEARCH_STATISTICS_SECONDS")


_POSTGRESQL_COMMON = text("""
    SELECT element.lexeme, element.share
    FROM pg_stats AS stats,
         unnest(stats.most_common_elems::text::text[], stats.most_common_elem_freqs) AS element(lexeme, share)
    WHERE stats.schemaname = current_schema() AND stats.tablename = 'idea' AND stats.attname = 'search_vector'
      AND element.lexeme IS NOT NULL  -- the frequencies array ends with three summary numbers
""")


def weighted_match(weights: dict[str, float], *, prefixes: frozenset[str] = frozenset(), title_boost: float,
                   limit: int):
    """(idea_id, rank) of the `limit` ideas, hidden or not, that best match any of these words, as BM25
    ranks them with a word in the title worth 1 + `title_boost` in the body.

    SQLite: FTS5's bm25() over an OR of the words. PostgreSQL: one GIN lookup per word, each row
    scored as BM25 scores a word found once (the word's weight, the title boost, the idea's length
    against the average), the rows added up: the work is the number of ideas with the words, and
    the index is used for each word whatever the planner thinks of them together. Written as text:
    SQLAlchemy takes longer to compile a tree this size than PostgreSQL to run it.
    """
    if _dialect() == "sqlite":
        expression = terms.fts5_any(list(weights), prefixes=prefixes)
        if expression is None:
            return _nothing()
        rank = -func.bm25(_FTS, 1.0 + title_boost, 1.0)
        return (
            select(_fts.c.rowid.label("idea_id"), cast(rank, Double).label("rank"))
            .where(_FTS.op("MATCH")(expression))
            .order_by(rank.desc())
            .limit(limit)
            .subquery("search")
        )
    branches, values = [], {"boost": title_boost, "average": _postgresql_statistics()[2], "limit": limit}
    for number, (word, weight) in enumerate(weights.items()):
        if anywhere := terms.tsquery_any([word], prefixes=prefixes):
            branches.append(_POSTGRESQL_WORD.format(n=number))
            values |= {f"any{number}": anywhere, f"weight{number}": weight,
                       f"title{number}": terms.tsquery_any([word], prefixes=prefixes, titles_only=True)}
    if not branches:
        return _nothing()
    return (
        text(f"SELECT idea_id, CAST(sum(weight) AS float8) AS rank FROM ({' UNION ALL '.join(branches)}) AS found"
             " GROUP BY idea_id ORDER BY rank DESC LIMIT :limit")
        .bindparams(**values)
        .columns(idea_id=Integer, rank=Double)
        .subquery("search")
    )


# BM25 for a word found once: weight × (K1 + 1) / (1 + K1 × (1 − B + B × length / average)), K1 = 1.2, B = 0.75.
_POSTGRESQL_WORD = (
    "SELECT id AS idea_id, :weight{n} * (1 + :boost * (search_vector @@ to_tsquery('english', :title{n}))::int)"
    " * 2.2 / (1 + 1.2 * (0.25 + 0.75 * length(search_vector) / :average)) AS weight"
    " FROM idea WHERE search_vector @@ to_tsquery('english', :any{n})"
)


def first_in_titles(words: list[str], *, prefixes: frozenset[str] = frozenset(), limit: int):
    """(idea_id, rank 0) of the first `limit` ideas found with any of these words in the title, unranked:
    for words so common that ranking every idea having them would cost too much."""
    if _dialect() == "sqlite":
        expression = terms.fts5_any(words, prefixes=prefixes, titles_only=True)
        found = select(_fts.c.rowid.label("idea_id")).where(_FTS.op("MATCH")(expression)) if expression else None
    else:
        expression = terms.tsquery_any(words, prefixes=prefixes, titles_only=True)
        found = select(Idea.id.label("idea_id")).where(_vector.op("@@")(func.to_tsquery(_english, expression))) \
            if expression else None
    if found is None:
        return _nothing()
    found = found.limit(limit).subquery()
    return select(found.c.idea_id, literal(0.0, Double).label("rank")).subquery("search")


@contextmanager
def without_parallel_workers():
    """PostgreSQL: run the statements inside on this connection alone. For a query of tens of
    milliseconds, starting parallel workers costs more than they save (measured: 28-40 ms alone
    against 50-65 ms with two workers on a 2-core machine; docs/measurements.md)."""
    if _dialect() == "sqlite":
        yield
        return
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    try:
        yield
    finally:
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather TO DEFAULT"))


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


def _sqlite_match(expression: str | None, newest: int | None):
    if expression is None:
        return _nothing(counted=newest is not None)
    rank = -func.bm25(_FTS, TITLE_WEIGHT, BODY_WEIGHT)  # bm25 is lower for better matches
    query = select(_fts.c.rowid.label("idea_id"), cast(rank, Double).label("rank")).where(_FTS.op("MATCH")(expression))
    if newest is None:
        return query.subquery("search")
    # FTS5 reads its doclists in rowid order and computes bm25 only for the rows it returns
    return _newest(query.order_by(_fts.c.rowid.desc()).limit(newest + 1).subquery("candidates"), newest)


def _postgresql_match(tsquery, newest: int | None):
    # float8, so that a rank written into a page cursor compares equal when it comes back
    rank = cast(func.ts_rank(_vector, tsquery), Double)
    if newest is None:
        return select(Idea.id.label("idea_id"), rank.label("rank")).where(_vector.op("@@")(tsquery)).subquery("search")
    # The ids first, the rank after: a top-N sort below the rank would rank every match before keeping `newest`.
    # For a common word the planner walks the primary key backwards and tests each row; for a rare one it reads GIN.
    ids = select(Idea.id).where(_vector.op("@@")(tsquery)).order_by(Idea.id.desc()).limit(newest + 1).subquery("ids")
    candidates = select(Idea.id.label("idea_id"), rank.label("rank")).join(ids, ids.c.id == Idea.id)
    return _newest(candidates.subquery("candidates"), newest)


def _nothing(*, counted: bool = False):
    columns = [literal(0, Integer).label("idea_id"), literal(0.0, Double).label("rank")]
    if counted:
        columns.append(literal(0, Integer).label("matches"))
    return select(*columns).where(false()).subquery("search")
