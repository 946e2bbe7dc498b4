"""Every stored number, recomputed from its source rows: `flask --app ideaportal counters check|repair`.

What is stored and can drift: each idea's upvotes, downvotes and score (from its votes), its
comment_count (visible comments), its hot rank (from score and creation time), its
first_response_at (the first public answer: a status change with a response or an official
comment) and last_activity_at (never before its latest vote or comment; edits move it too, so only
"too early" is drift), status_changed_at (the latest move into its current status), the
plain-text excerpt of its body that cards show, each member's contributor points (from their public
ideas), on SQLite the full-text index of titles and bodies, the site totals' shares
(models.SiteTotal) and the public ideas per status and category (models.StatusCount). Triggers on
`idea` keep the points, shares and status counts. Everything else that looks like a total (the
windowed leaderboards, Storm Session vote budgets) is counted from the rows when it is read, so
nothing of it is stored to drift.
"""
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from sqlalchemy import (
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import DatabaseError

from . import rules
from .extensions import db
from .ideas.queries import counted_site_totals, site_totals
from .leaderboard.queries import author_totals
from .models import Comment, Idea, SiteTotal, StatusChange, StatusCount, User, Vote
from .text import IDEA_EXCERPT_CHARS, plain_text
from .transaction import use_case

EXAMPLES = 3
CHUNK = 500  # ids per UPDATE ... WHERE id IN (...)
HOT_TOLERANCE = 1e-6  # hot ranks are rounded to 7 decimals; a float column may keep a few more


@dataclass
class Drift:
    """One kind of stored number that disagrees with its rows: how many ideas (members, for points), a few of them."""

    kind: str
    count: int
    examples: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list, repr=False)


def check() -> list[Drift]:
    """Each kind of stored number that has drifted from its rows (an empty list: none). Changes nothing."""
    try:
        return _find()
    finally:
        db.session.rollback()


@use_case
def repair() -> list[Drift]:
    """Recompute every drifted number from its rows in one transaction; returns what had drifted."""
    search = _search_index_drift()  # before the lock: the check writes, on a connection of its own
    if db.session.get_bind().dialect.name == "postgresql":
        # Writers wait while the numbers are recomputed, so none moves between the count and the update.
        db.session.execute(text("LOCK TABLE vote, comment, status_change, idea IN SHARE MODE"))
    else:  # a write first takes SQLite's lock for the whole transaction
        db.session.execute(update(Idea).where(Idea.id == -1).values(score=Idea.score))
    found = _find(search=False) + ([search] if search.count else [])
    for drift in found:
        for chunk in _chunks(drift.ids):
            _REPAIRS[drift.kind](chunk)
    if any(drift.kind in ("votes", "hot rank") for drift in found):
        hot = _hot_rank_drift()
        for chunk in _chunks(hot.ids):
            _repair_hot_rank(chunk)
    return found


def _find(*, search: bool = True) -> list[Drift]:
    drifts = [_vote_drift(), _comment_drift(), _first_response_drift(), _last_activity_drift(), _hot_rank_drift(),
              _status_changed_drift(), _excerpt_drift(), _points_drift(), _site_totals_drift(), _status_count_drift()]
    # the kept totals last: they are repaired from the ideas, after the ideas' own numbers
    if search:
        drifts.append(_search_index_drift())
    return [drift for drift in drifts if drift.count]


def _votes():
    return (
        select(Vote.idea_id,
               func.sum(case((Vote.value == 1, 1), else_=0)).label("ups"),
               func.sum(case((Vote.value == -1, 1), else_=0)).label("downs"),
               func.max(Vote.created_at).label("latest"))
        .group_by(Vote.idea_id)
        .subquery()
    )


def _comments():
    visible = and_(Comment.deleted_at.is_(None), Comment.is_hidden.is_(False))
    return (
        select(Comment.idea_id, func.sum(case((visible, 1), else_=0)).label("visible"),
               func.max(Comment.created_at).label("latest"))
        .group_by(Comment.idea_id)
        .subquery()
    )


def _answers():
    answers = union_all(
        select(StatusChange.idea_id, StatusChange.created_at).where(StatusChange.response != ""),
        select(Comment.idea_id, Comment.created_at).where(Comment.is_official.is_(True)),
    ).subquery()
    return select(answers.c.idea_id, func.min(answers.c.created_at).label("first")).group_by(answers.c.idea_id) \
        .subquery()


def _moved_at():
    """When the idea moved into its current status, from its history (an update on the same status is no move)."""
    return (
        select(func.max(StatusChange.created_at))
        .where(StatusChange.idea_id == Idea.id, StatusChange.to_status_id == Idea.status_id,
               or_(StatusChange.from_status_id.is_(None), StatusChange.from_status_id != StatusChange.to_status_id))
        .correlate(Idea)
        .scalar_subquery()
    )


def _collect(kind: str, query, describe, drifted=None) -> Drift:
    """The rows of `query` (those for which `drifted` is true, when the check is Python's) as a Drift."""
    drift = Drift(kind, 0)
    for row in db.session.execute(query.execution_options(yield_per=10_000)):
        if drifted is not None and not drifted(row):
            continue
        drift.count += 1
        drift.ids.append(row.id)
        if len(drift.examples) < EXAMPLES:
            drift.examples.append(describe(row))
    return drift


def _vote_drift() -> Drift:
    votes = _votes()
    ups, downs = func.coalesce(votes.c.ups, 0), func.coalesce(votes.c.downs, 0)
    query = (
        select(Idea.id, Idea.upvotes, Idea.downvotes, Idea.score, ups.label("ups"), downs.label("downs"))
        .outerjoin(votes, votes.c.idea_id == Idea.id)
        .where(or_(Idea.upvotes != ups, Idea.downvotes != downs, Idea.score != ups - downs))
        .order_by(Idea.id)
    )
    return _collect("votes", query, lambda row: (
        f"idea {row.id}: stored +{row.upvotes} -{row.downvotes} = {row.score}, "
        f"its votes +{row.ups} -{row.downs} = {row.ups - row.downs}"))


def _comment_drift() -> Drift:
    comments = _comments()
    visible = func.coalesce(comments.c.visible, 0)
    query = (
        select(Idea.id, Idea.comment_count, visible.label("visible"))
        .outerjoin(comments, comments.c.idea_id == Idea.id)
        .where(Idea.comment_count != visible)
        .order_by(Idea.id)
    )
    return _collect("comment counts", query, lambda row: (
        f"idea {row.id}: stored {row.comment_count}, {row.visible} visible comment(s)"))


def _first_response_drift() -> Drift:
    answers = _answers()
    query = (
        select(Idea.id, Idea.first_response_at, answers.c.first)
        .join(answers, answers.c.idea_id == Idea.id)
        .where(or_(Idea.first_response_at.is_(None), Idea.first_response_at > answers.c.first))
        .order_by(Idea.id)
    )
    return _collect("first response", query, lambda row: (
        f"idea {row.id}: stored {row.first_response_at}, first answered {row.first}"))


def _last_activity_drift() -> Drift:
    votes, comments = _votes(), _comments()
    query = (
        select(Idea.id, Idea.last_activity_at, votes.c.latest.label("vote"), comments.c.latest.label("comment"))
        .outerjoin(votes, votes.c.idea_id == Idea.id)
        .outerjoin(comments, comments.c.idea_id == Idea.id)
        .where(or_(Idea.last_activity_at < votes.c.latest, Idea.last_activity_at < comments.c.latest))
        .order_by(Idea.id)
    )
    return _collect("last activity", query, lambda row: (
        f"idea {row.id}: stored {row.last_activity_at}, latest vote {row.vote}, latest comment {row.comment}"))


def _status_changed_drift() -> Drift:
    moved = _moved_at()
    query = (
        select(Idea.id, Idea.status_changed_at, moved.label("moved"))
        .where(Idea.status_changed_at.is_distinct_from(moved))
        .order_by(Idea.id)
    )
    return _collect("status changed at", query, lambda row: (
        f"idea {row.id}: stored {row.status_changed_at}, moved into its status {row.moved}"))


def _hot_rank_drift() -> Drift:
    """Computed in Python (the formula is rules.hot_rank), from the stored score."""
    return _collect(
        "hot rank", select(Idea.id, Idea.score, Idea.created_at, Idea.hot_rank).order_by(Idea.id),
        lambda row: f"idea {row.id}: stored {row.hot_rank}, {rules.hot_rank(row.score, row.created_at)} "
                    f"for score {row.score}",
        lambda row: abs(row.hot_rank - rules.hot_rank(row.score, row.created_at)) > HOT_TOLERANCE,
    )


def _excerpt_drift() -> Drift:
    """Computed in Python (the excerpt is text.plain_text of the body)."""
    return _collect(
        "excerpts", select(Idea.id, Idea.body, Idea.excerpt).order_by(Idea.id),
        lambda row: f"idea {row.id}: stored excerpt {row.excerpt[:40]!r}",
        lambda row: row.excerpt != plain_text(row.body, IDEA_EXCERPT_CHARS),
    )


def _site_totals_drift() -> Drift:
    stored, counted = site_totals(), counted_site_totals()
    if stored == counted:
        return Drift("site totals", 0)
    return Drift("site totals", 1, [f"stored {stored}, counted {counted}"], [0])


def _counted_statuses():
    public = and_(Idea.is_hidden.is_(False), Idea.merged_into_id.is_(None))
    return (select(Idea.status_id, Idea.category_id, func.count().filter(public).label("ideas"))
            .group_by(Idea.status_id, Idea.category_id))


def _status_count_drift() -> Drift:
    stored = {(row.status_id, row.category_id): row.ideas
              for row in db.session.execute(select(StatusCount)).scalars() if row.ideas}
    counted = {(row.status_id, row.category_id): row.ideas for row in db.session.execute(_counted_statuses())
               if row.ideas}
    wrong = sorted(key for key in stored.keys() | counted.keys() if stored.get(key) != counted.get(key))
    return Drift("status counts", len(wrong), [
        f"status {status}, category {category}: stored {stored.get((status, category), 0)}, "
        f"counted {counted.get((status, category), 0)}" for status, category in wrong[:EXAMPLES]], [0] if wrong else [])


def _points_drift() -> Drift:
    """Members whose stored points differ from what their public ideas give (run after the idea counters' repair)."""
    totals = author_totals()
    expected = func.coalesce(totals.c.points, 0)
    query = (
        select(User.id, User.points, expected.label("expected"))
        .outerjoin(totals, totals.c.author_id == User.id)
        .where(User.points != expected)
        .order_by(User.id)
    )
    return _collect("points", query, lambda row: (
        f"member {row.id}: stored {row.points} points, their public ideas give {row.expected}"))


def _search_index_drift() -> Drift:
    """SQLite's FTS5 index against the ideas it indexes (PostgreSQL's vector is a generated column)."""
    if db.engine.dialect.name != "sqlite":
        return Drift("search index", 0)
    with db.engine.connect() as connection:
        try:
            connection.execute(text("INSERT INTO idea_fts (idea_fts, rank) VALUES ('integrity-check', 1)"))
        except DatabaseError as error:
            return Drift("search index", 1, [f"idea_fts: {error.orig}"], [0])
        finally:
            connection.rollback()
    return Drift("search index", 0)


def _repair_votes(ids: list[int]) -> None:
    ups = select(func.count()).where(Vote.idea_id == Idea.id, Vote.value == 1).scalar_subquery()
    downs = select(func.count()).where(Vote.idea_id == Idea.id, Vote.value == -1).scalar_subquery()
    _update(ids, upvotes=ups, downvotes=downs, score=ups - downs)


def _repair_comments(ids: list[int]) -> None:
    visible = (
        select(func.count())
        .where(Comment.idea_id == Idea.id, Comment.deleted_at.is_(None), Comment.is_hidden.is_(False))
        .scalar_subquery()
    )
    _update(ids, comment_count=visible)


def _repair_first_response(ids: list[int]) -> None:
    answers = _answers()
    first = select(answers.c.first).where(answers.c.idea_id == Idea.id).scalar_subquery()
    _update(ids, first_response_at=first)


def _repair_last_activity(ids: list[int]) -> None:
    vote = select(func.max(Vote.created_at)).where(Vote.idea_id == Idea.id).scalar_subquery()
    comment = select(func.max(Comment.created_at)).where(Comment.idea_id == Idea.id).scalar_subquery()
    latest = case((func.coalesce(comment, Idea.last_activity_at) > func.coalesce(vote, Idea.last_activity_at),
                   func.coalesce(comment, Idea.last_activity_at)),
                  else_=func.coalesce(vote, Idea.last_activity_at))
    _update(ids, last_activity_at=case((latest > Idea.last_activity_at, latest), else_=Idea.last_activity_at))


def _repair_status_changed(ids: list[int]) -> None:
    _update(ids, status_changed_at=_moved_at())


def _repair_hot_rank(ids: list[int]) -> None:
    for row in db.session.execute(select(Idea.id, Idea.score, Idea.created_at).where(Idea.id.in_(ids))):
        _update([row.id], hot_rank=rules.hot_rank(row.score, row.created_at))


def store_points(user_ids: list[int]) -> None:
    """Set these members' stored points to what their public ideas give now. A step: the caller commits.

    Also for writers that load ideas without the triggers on `idea` (the benchmark's bulk seed).
    """
    for chunk in _chunks(user_ids):
        totals = author_totals(author_ids=chunk)
        points = dict(db.session.execute(select(totals.c.author_id, totals.c.points)).all())
        db.session.execute(update(User), [{"id": user_id, "points": int(points.get(user_id, 0))} for user_id in chunk])


def _repair_excerpts(ids: list[int]) -> None:
    for row in db.session.execute(select(Idea.id, Idea.body).where(Idea.id.in_(ids))):
        _update([row.id], excerpt=plain_text(row.body, IDEA_EXCERPT_CHARS))


def recount_site_totals(ids: list[int] | None = None) -> None:
    """The site totals counted again from the ideas, all in one share; the triggers add to the others as ideas
    change. For a repair, and after a bulk load that wrote ideas with the triggers off."""
    db.session.execute(delete(SiteTotal))
    db.session.execute(insert(SiteTotal).values(shard=0, **asdict(counted_site_totals())))


def recount_status_counts(ids: list[int] | None = None) -> None:
    """The public ideas per status and category counted again, as `recount_site_totals`."""
    db.session.execute(delete(StatusCount))
    db.session.execute(insert(StatusCount).from_select(["status_id", "category_id", "ideas"], _counted_statuses()))


def _repair_search_index(ids: list[int]) -> None:
    db.session.execute(text("INSERT INTO idea_fts (idea_fts) VALUES ('rebuild')"))


def _update(ids: list[int], **values) -> None:
    db.session.execute(
        update(Idea).where(Idea.id.in_(ids)).values(**values).execution_options(synchronize_session=False)
    )


_REPAIRS = {
    "votes": _repair_votes,
    "comment counts": _repair_comments,
    "first response": _repair_first_response,
    "last activity": _repair_last_activity,
    "hot rank": _repair_hot_rank,
    "status changed at": _repair_status_changed,
    "excerpts": _repair_excerpts,
    "points": store_points,
    "site totals": recount_site_totals,
    "status counts": recount_status_counts,
    "search index": _repair_search_index,
}


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]
