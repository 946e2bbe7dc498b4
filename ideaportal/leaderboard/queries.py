"""Read side for the leaderboard: net votes per rolling window, rising ideas, contributor points.

Windowed totals come from the votes alone: `SUM(vote.value)` over the votes cast since the window
began, read from the covering index `ix_vote_window (created_at, idea_id, value)`. All-time totals
use the stored score. Contributor points over every idea are stored in `user.points` (kept by
triggers on `idea`, see its migration): the board's leaders and a member's rank are read from
`ix_user_points`. Within a category or Storm Session they sum each author's public ideas there.
"""
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import case, func, literal, select

from .. import cache, rules
from ..errors import Invalid
from ..extensions import db
from ..ideas.queries import labelled_ideas, public_ideas
from ..models import Campaign, Category, Idea, Status, User, Vote

BOARD_SIZE = 10
SHORTLIST_FACTOR = 4  # ideas looked up per place on a board before falling back to a join
SHORTLIST_MAX = 1_000


@dataclass(frozen=True)
class Scope:
    """The ideas a board counts: every public idea, or those of one category and/or one campaign."""

    category_id: int | None = None
    category_slug: str | None = None
    category_name: str | None = None
    campaign_id: int | None = None
    campaign_slug: str | None = None
    campaign_title: str | None = None

    @property
    def narrowed(self) -> bool:
        return self.category_id is not None or self.campaign_id is not None


@dataclass(frozen=True)
class RankedIdea:
    id: int
    title: str
    author: str
    author_active: bool  # deactivated members have no profile to link to
    category_slug: str
    category_name: str
    status_slug: str
    status_label: str
    status_kind: str
    score: int  # lifetime votes (up minus down)
    created_at: datetime
    votes: int  # votes (up minus down) in the section's window (the lifetime score for all time)
    age_days: float | None = None  # on the rising board: what its weight is made of
    rising: float | None = None


@dataclass(frozen=True)
class Contributor:
    user_id: int
    username: str
    points: int
    net_votes: int
    ideas: int
    implemented: int
    partially_implemented: int
    rank: int  # equal points share a rank


@dataclass(frozen=True)
class Leaderboard:
    scope: Scope
    now: datetime
    week: list[RankedIdea] = field(default_factory=list)
    month: list[RankedIdea] = field(default_factory=list)
    all_time: list[RankedIdea] = field(default_factory=list)
    rising: list[RankedIdea] = field(default_factory=list)
    contributors: list[Contributor] = field(default_factory=list)


def resolve_scope(*, category: str | None = None, campaign: str | None = None) -> Scope:
    """The scope named by a category slug and/or a campaign slug. Raises Invalid for an unknown slug."""
    values: dict = {}
    if category:
        row = db.session.execute(select(Category.id, Category.name).where(Category.slug == category)).one_or_none()
        if row is None:
            raise Invalid(f"There is no category {category!r}. Choose one from the list.")
        values.update(category_id=row.id, category_slug=category, category_name=row.name)
    if campaign:
        row = db.session.execute(select(Campaign.id, Campaign.title).where(Campaign.slug == campaign)).one_or_none()
        if row is None:
            raise Invalid(f"There is no Storm Session {campaign!r}. Choose one from the list.")
        values.update(campaign_id=row.id, campaign_slug=campaign, campaign_title=row.title)
    return Scope(**values)


def leaderboard(scope: Scope, *, now: datetime, limit: int = BOARD_SIZE) -> Leaderboard:
    """Every section of the board for `scope` at `now`: top ideas per window, rising, contributors."""
    ranked = {
        "week": top_in_window("week", scope=scope, now=now, limit=limit),
        "month": top_in_window("month", scope=scope, now=now, limit=limit),
        "all_time": top_all_time(scope=scope, limit=limit),
        "rising": rising(scope=scope, now=now, limit=limit),
    }
    shown = idea_rows({idea_id for pairs in ranked.values() for idea_id, _ in pairs})
    sections = {name: [RankedIdea(**shown[idea_id], votes=votes) for idea_id, votes in pairs]
                for name, pairs in ranked.items()}
    sections["rising"] = [with_weight(idea, now) for idea in sections["rising"]]
    return Leaderboard(scope, now, **sections, contributors=top_contributors(scope=scope, limit=limit))


def with_weight(idea: RankedIdea, now: datetime) -> RankedIdea:
    """A rising idea with its age and weight (`rules.rising_score`), so the board shows why it ranks where it does."""
    age = rules.age_in_days(idea.created_at, now)
    return replace(idea, age_days=age, rising=rules.rising_score(idea.votes, age))


def _scoped(query, scope: Scope):
    query = query.where(public_ideas())
    if scope.category_id is not None:
        query = query.where(Idea.category_id == scope.category_id)
    if scope.campaign_id is not None:
        query = query.where(Idea.campaign_id == scope.campaign_id)
    return query


def window_totals(start: datetime, *, at_least: int = 1):
    """(idea_id, net) for ideas whose votes cast since `start` add up to `at_least` or more.

    Grouping by `idea_id + 0` keeps SQLite from walking all of `ix_vote_idea_id` to get the votes
    already grouped: the range on `ix_vote_window` (covering) reads only the window's votes.
    """
    idea_id = (Vote.idea_id + 0).label("idea_id")
    net = func.sum(Vote.value)
    return (
        select(idea_id, net.label("net"))
        .where(Vote.created_at >= start)
        .group_by(idea_id)
        .having(net >= at_least)
        .subquery("window_totals")
    )


def top_in_window(window: str, *, scope: Scope, now: datetime, limit: int = BOARD_SIZE) -> list[tuple[int, int]]:
    """(idea_id, net votes) of the ideas with the most net votes in the window; ties: lifetime score, newer idea."""
    totals = window_totals(rules.window_start(window, now))
    board = _from_shortlist(totals, scope, limit)
    return board if board is not None else _top_joined(totals, scope, limit)


def _from_shortlist(totals, scope: Scope, limit: int) -> list[tuple[int, int]] | None:
    """The board from the ideas with the most net votes alone, or None when that cannot be sure.

    Looking up a few ideas by id beats joining every idea with votes in the window (PostgreSQL
    does that with a scan of the whole idea table). The shortlist is every idea ranked in the top
    `limit * SHORTLIST_FACTOR` by net votes, ties at the cut included, so any idea left out has
    fewer net votes than all of those on it: once `limit` of them are public and in scope (or the
    shortlist is every idea with votes), they are the board.
    """
    place = func.rank().over(order_by=totals.c.net.desc())
    ranked = select(totals.c.idea_id, totals.c.net, place.label("place"), func.count().over().label("ideas"))
    ranked = ranked.subquery("ranked")
    shortlist = db.session.execute(
        select(ranked.c.idea_id, ranked.c.net, ranked.c.ideas)
        .where(ranked.c.place <= limit * SHORTLIST_FACTOR).limit(SHORTLIST_MAX + 1)
    ).all()
    if not shortlist:
        return []
    if len(shortlist) > SHORTLIST_MAX:  # one huge tie: let the database sort it out
        return None
    scores = {row.id: row.score for row in db.session.execute(
        _scoped(select(Idea.id, Idea.score).where(Idea.id.in_([row.idea_id for row in shortlist])), scope)
    )}
    kept = sorted(((int(row.net), scores[row.idea_id], row.idea_id) for row in shortlist if row.idea_id in scores),
                  reverse=True)
    if len(kept) < limit and len(shortlist) < shortlist[0].ideas:
        return None
    return [(idea_id, net) for net, _, idea_id in kept[:limit]]


def _top_joined(totals, scope: Scope, limit: int) -> list[tuple[int, int]]:
    """The board from every idea with votes in the window: for narrow scopes, where the shortlist falls short."""
    query = select(Idea.id, totals.c.net).join(totals, totals.c.idea_id == Idea.id)
    query = _scoped(query, scope).order_by(totals.c.net.desc(), Idea.score.desc(), Idea.id.desc()).limit(limit)
    return [(row.id, int(row.net)) for row in db.session.execute(query)]


def top_all_time(*, scope: Scope, limit: int = BOARD_SIZE) -> list[tuple[int, int]]:
    """(idea_id, score) of the ideas with the highest positive score; ties: newer idea first, as in /ideas?sort=top."""
    query = _scoped(select(Idea.id, Idea.score).where(Idea.score > 0), scope)
    return [tuple(row) for row in db.session.execute(query.order_by(Idea.score.desc(), Idea.id.desc()).limit(limit))]


def rising(*, scope: Scope, now: datetime, limit: int = BOARD_SIZE) -> list[tuple[int, int]]:
    """(idea_id, net votes in 7 days) ranked by `rules.rising_score`; ties: more net votes, newer idea.

    The candidates (ideas with at least RISING_MIN_NET net votes this week) are ranked in Python
    so that the formula lives in one place, rules.py.
    """
    totals = window_totals(rules.window_start("week", now), at_least=rules.RISING_MIN_NET)
    query = _scoped(select(Idea.id, Idea.created_at, totals.c.net).join(totals, totals.c.idea_id == Idea.id), scope)
    candidates = [
        (rules.rising_score(int(row.net), rules.age_in_days(row.created_at, now)), int(row.net), row.id)
        for row in db.session.execute(query)
    ]
    candidates.sort(reverse=True)
    return [(idea_id, net) for _, net, idea_id in candidates[:limit]]


def idea_rows(idea_ids: set[int]) -> dict[int, dict]:
    """What a board shows of each idea, for all sections at once."""
    if not idea_ids:
        return {}
    rows = db.session.execute(
        labelled_ideas(
            Idea.id, Idea.title, User.username.label("author"), User.is_active.label("author_active"), Idea.score,
            Idea.created_at,
        )
        .join(User, Idea.author_id == User.id)
        .where(Idea.id.in_(idea_ids))
    )
    return {row.id: row._asdict() for row in rows}


def author_totals(scope: Scope = Scope(), *, author_ids: list[int] | None = None):
    """Per author (of `author_ids`, or all): points, net votes, ideas and ideas shipped, as a subquery.

    The points are `rules.contributor_points` applied to SQL expressions, so the formula is written
    once. For all authors this reads every idea in the scope: grouping by `author_id + 0` makes
    SQLite scan the table once rather than visit each idea through `ix_idea_author_score`. For a
    few authors that index finds their ideas.
    """
    bonus_ids = {slug: status_id for slug, status_id in db.session.execute(
        select(Status.slug, Status.id).where(Status.slug.in_(rules.STATUS_BONUS)))}

    def count_of(slug: str):
        if slug not in bonus_ids:
            return literal(0)
        return func.sum(case((Idea.status_id == bonus_ids[slug], 1), else_=0))

    author_id = (Idea.author_id + 0).label("author_id")
    implemented, partially = count_of("implemented"), count_of("partially_implemented")
    net = func.sum(Idea.score)
    points = rules.contributor_points(net_votes=net, implemented=implemented, partially_implemented=partially)
    query = select(
        author_id, points.label("points"), net.label("net_votes"), func.count().label("ideas"),
        implemented.label("implemented"), partially.label("partially_implemented"),
    )
    if author_ids is not None:
        query = query.where(Idea.author_id.in_(author_ids))
    return _scoped(query, scope).group_by(author_id).subquery("author_totals")


def _contributors(totals):
    return (
        select(User.id, User.username, totals.c.points, totals.c.net_votes, totals.c.ideas,
               totals.c.implemented, totals.c.partially_implemented)
        .join(totals, totals.c.author_id == User.id)
        .where(User.is_active.is_(True), totals.c.points > 0)
    )


def top_contributors(*, scope: Scope = Scope(), limit: int = BOARD_SIZE) -> list[Contributor]:
    """Active members with the most points (more than 0). Equal points share a rank, listed earlier member first.

    Over every idea the leaders come from the stored points and only theirs are summed for the
    details; within a scope every author's ideas there are summed.
    """
    leaders = None if scope.narrowed else list(db.session.scalars(
        _ranked_members().order_by(User.points.desc(), User.id).limit(limit)))
    totals = author_totals(scope, author_ids=leaders)
    rows = db.session.execute(_contributors(totals).order_by(totals.c.points.desc(), User.id).limit(limit)).all()
    ranks = rules.competition_ranks([row.points for row in rows])
    return [Contributor(row.id, row.username, *(int(value) for value in row[2:]), rank=rank)
            for row, rank in zip(rows, ranks)]


def _ranked_members():
    """Active members with stored points above 0: a range of `ix_user_points`."""
    return select(User.id).where(User.is_active.is_(True), User.points > 0)


def contributor_rank(points: int) -> int | None:
    """The rank that `points` has among all contributors (1 + those with more points); None without points.

    A count over the range of `ix_user_points` above `points`, so it reads only the members ahead.
    """
    if points <= 0:
        return None
    ahead = _ranked_members().where(User.points > points).subquery()
    return 1 + db.session.scalar(select(func.count()).select_from(ahead))


def cached_leaderboard(scope: Scope, *, now: datetime) -> Leaderboard:
    """`leaderboard()` as computed at most LEADERBOARD_CACHE_SECONDS ago (see ideaportal/cache.py)."""
    return cache.remember(("board", scope.category_id, scope.campaign_id), lambda: leaderboard(scope, now=now),
                          setting="LEADERBOARD_CACHE_SECONDS")


def filter_choices() -> tuple[list, list]:
    """(categories, campaigns) for the board's filter form: (slug, name) pairs."""
    categories = db.session.execute(select(Category.slug, Category.name).order_by(Category.position, Category.name))
    campaigns = db.session.execute(select(Campaign.slug, Campaign.title).order_by(Campaign.starts_at.desc()))
    return list(categories), list(campaigns)
