"""Read side for ideas: keyset-paginated lists, one idea with its thread, site totals."""
import base64
import binascii
import json
import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select, tuple_
from sqlalchemy.orm import joinedload

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import (
    Campaign,
    Category,
    Comment,
    Idea,
    SiteTotal,
    Status,
    StatusChange,
    Subscription,
    User,
    Vote,
    utcnow,
)
from ..search import backends as search
from ..search.marks import Highlight
from ..text import IDEA_EXCERPT_CHARS
from ..web import MAX_ID

SORTS = {
    "hot": Idea.hot_rank,
    "top": Idea.score,
    "new": Idea.created_at,
    "discussed": Idea.comment_count,
}
SORT_LABELS = {"hot": "Hot", "top": "Top", "new": "New", "discussed": "Most discussed"}
RELEVANCE = "relevance"  # a sort only for searches: best match first
SEARCH_SORT_LABELS = {RELEVANCE: "Best match", **SORT_LABELS}
# A search ranks at most this many of its newest matches (all of them for a rarer word): a word found in
# half of a million ideas would otherwise rank half a million rows per page. The page says when it cut.
SEARCH_NEWEST = 1_000


@dataclass(frozen=True)
class IdeaCard:
    id: int
    title: str
    excerpt: str
    score: int
    upvotes: int
    downvotes: int
    comment_count: int
    created_at: datetime
    author_id: int  # for the avatar's colour
    author: str
    author_active: bool  # a deactivated member has no profile, so the name is not linked
    answered: bool  # the team has given an official answer
    category_slug: str
    category_name: str
    status_slug: str
    status_label: str
    status_kind: str
    votes_open: bool  # False once its Storm Session closed with its votes final
    my_vote: int = 0


@dataclass(frozen=True)
class IdeaPage:
    cards: list[IdeaCard]
    next_cursor: str | None
    highlights: dict[int, Highlight] = field(default_factory=dict)  # a search's matches, by idea id
    searched_newest: int | None = None  # a search with more matches than it ranked: the number it ranked


@dataclass(frozen=True)
class MergedThread:
    """The comments of an idea merged into this one, which stay on it and are shown here."""

    idea_id: int
    title: str
    comments: list[Comment]


@dataclass(frozen=True)
class IdeaDetail:
    idea: Idea
    comments: list[Comment]
    timeline: list[tuple[StatusChange, Status, str | None]]
    votes_open: bool = True  # False once its Storm Session closed with its votes final
    my_vote: int = 0
    following: bool = False
    followers: int = 0
    merged_threads: list[MergedThread] = field(default_factory=list)
    merged_into: tuple[int, str] | None = None  # (id, title) of the idea this one was merged into

    @property
    def latest_answer(self) -> tuple[str, datetime, str | None, str] | None:
        """(anchor, when, by whom, safe HTML) of the newest official word on the idea: a status change
        with a public response, or a staff comment marked official; None when the team has not answered."""
        answers = [
            (f"status-change-{change.id}", change.created_at, username, change.response_html)
            for change, _, username in self.timeline if change.response_html
        ] + [
            (f"comment-{comment.id}", comment.created_at, comment.author.username, comment.body_html)
            for comment in self.comments if comment.is_official and not comment.is_hidden and not comment.deleted
        ]
        return max(answers, key=lambda answer: answer[1], default=None)


@dataclass(frozen=True)
class SiteTotals:
    ideas: int = 0
    votes: int = 0
    comments: int = 0
    implemented: int = 0  # in a `completed` status: implemented in full or in part
    answered: int = 0  # with an official answer (a response on a status change, or an official comment)


@dataclass(frozen=True)
class ListFilter:
    sort: str = "hot"
    category: str | None = None
    status: str | None = None
    cursor: str | None = None
    q: str | None = None  # search text: only the ideas matching it (none, when it has no words)
    campaign: int | None = None  # a Storm Session's id: only its ideas
    author_id: int | None = None  # one member's ideas (their profile)


def public_ideas():
    return and_(Idea.is_hidden.is_(False), Idea.merged_into_id.is_(None))


def labelled_ideas(*columns):
    """A select of `columns` over ideas with each idea's category and status, named as the cards read them.

    Adds category_slug, category_name, status_slug, status_label and status_kind.
    """
    return (
        select(
            *columns,
            Category.slug.label("category_slug"),
            Category.name.label("category_name"),
            Status.slug.label("status_slug"),
            Status.label.label("status_label"),
            Status.kind.label("status_kind"),
        )
        .join(Category, Idea.category_id == Category.id)
        .join(Status, Idea.status_id == Status.id)
    )


def votes_open(now: datetime):
    """Whether votes on the idea may still change: `not campaigns.rules.votes_final(...)` in SQL.

    Needs `campaign` outer-joined on `Idea.campaign_id`.
    """
    return or_(Idea.campaign_id.is_(None), Campaign.voting_after_close, Campaign.ends_at > now)


def list_ideas(filters: ListFilter, *, viewer_id: int | None = None, limit: int = 20,
               now: datetime | None = None) -> IdeaPage:
    """One page of public ideas in the chosen order. Raises Invalid for an unknown sort or a broken cursor.

    Two steps: the page's ids from the idea table alone (an index walk, or the ranked matches of a
    search), then the cards of just those ids. Joined in one statement, a search's author, category
    and status lookups ran for every ranked match instead of for the twenty shown.
    """
    rows = db.session.execute(page_query(filters).limit(limit + 1)).all()
    ids = [row.id for row in rows[:limit]]
    found = {row.id: row for row in db.session.execute(_card_query(now).where(Idea.id.in_(ids)))}
    cards = _cards([found[idea_id] for idea_id in ids], viewer_id)
    next_cursor = encode_cursor(rows[limit - 1].sort_key, rows[limit - 1].id) if len(rows) > limit else None
    if filters.q is not None:
        return IdeaPage(cards, next_cursor, search.highlights(filters.q, ids, excerpt_chars=IDEA_EXCERPT_CHARS),
                        searched_newest=searched_newest(rows))
    return IdeaPage(cards, next_cursor)


def newest_matches(query_text: str):
    """(idea_id, rank, matches) of the SEARCH_NEWEST newest ideas matching a search, hidden ones too: the bounded
    search of the ideas list and of the triage inbox."""
    return search.matching_ideas(query_text, newest=SEARCH_NEWEST)


def searched_newest(rows) -> int | None:
    """SEARCH_NEWEST when rows joined to `newest_matches` were drawn from more matches than it ranked, else None."""
    return SEARCH_NEWEST if rows and rows[0].matches > SEARCH_NEWEST else None


def page_query(filters: ListFilter):
    """(id, sort_key) of the public ideas the filters choose, in page order, after the cursor; without a limit."""
    if filters.sort not in SORTS and not (filters.sort == RELEVANCE and filters.q is not None):
        raise Invalid(f"Unknown sort {filters.sort!r}: use one of {', '.join(SORTS)}.")
    key = SORTS.get(filters.sort)
    query = select(Idea.id)
    if filters.q is not None:
        match = newest_matches(filters.q)
        query = query.join(match, match.c.idea_id == Idea.id).add_columns(match.c.matches)
        key = match.c.rank if filters.sort == RELEVANCE else key
    query = query.add_columns(key.label("sort_key")).where(public_ideas())
    if filters.category:
        query = query.where(Idea.category_id == select(Category.id).where(Category.slug == filters.category)
                            .scalar_subquery())
    if filters.status:
        query = query.where(Idea.status_id == select(Status.id).where(Status.slug == filters.status).scalar_subquery())
    if filters.campaign is not None:
        query = query.where(Idea.campaign_id == filters.campaign)
    if filters.author_id is not None:
        query = query.where(Idea.author_id == filters.author_id)
    if filters.cursor:
        after_key, after_id = decode_cursor(filters.cursor, filters.sort)
        query = query.where(tuple_(key, Idea.id) < tuple_(after_key, after_id))
    return query.order_by(key.desc(), Idea.id.desc())


def _card_query(now: datetime | None = None):
    return (
        labelled_ideas(
            Idea.id,
            Idea.title,
            Idea.excerpt,
            Idea.score,
            Idea.upvotes,
            Idea.downvotes,
            Idea.comment_count,
            Idea.created_at,
            Idea.author_id,
            User.username.label("author"),
            User.is_active.label("author_active"),
            Idea.first_response_at.is_not(None).label("answered"),
            votes_open(now or utcnow()).label("votes_open"),
        )
        .join(User, Idea.author_id == User.id)
        .outerjoin(Campaign, Idea.campaign_id == Campaign.id)
    )


def _cards(rows, viewer_id: int | None) -> list[IdeaCard]:
    votes = my_votes(viewer_id, [row.id for row in rows])
    fields = IdeaCard.__dataclass_fields__
    return [
        IdeaCard(
            **{name: getattr(row, name) for name in fields if name != "my_vote"},
            my_vote=votes.get(row.id, 0),
        )
        for row in rows
    ]


# A member's votes on the ideas of a page, asked on every page a member opens: built once, run below the ORM.
_MY_VOTES = select(Vote.idea_id, Vote.value).where(Vote.user_id == bindparam("viewer_id"),
                                                   Vote.idea_id.in_(bindparam("idea_ids", expanding=True)))


def my_votes(viewer_id: int | None, idea_ids: list[int]) -> dict[int, int]:
    """The viewer's vote on each of these ideas, in one query."""
    if viewer_id is None or not idea_ids:
        return {}
    rows = db.session.connection().execute(_MY_VOTES, {"viewer_id": viewer_id, "idea_ids": list(idea_ids)})
    return {idea_id: value for idea_id, value in rows}


def encode_cursor(sort_value, idea_id: int) -> str:
    value = sort_value.isoformat() if isinstance(sort_value, datetime) else sort_value
    raw = json.dumps([value, idea_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str):
    """The (sort value, id) a page starts after. Raises Invalid when the cursor was not made by us for this sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, idea_id = json.loads(raw)
        if not _is_int(idea_id) or not 0 <= idea_id <= MAX_ID:
            raise ValueError
        if sort == "new":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
        elif sort in ("hot", RELEVANCE):
            if not (_is_int(value) or isinstance(value, float)):
                raise ValueError
            value = float(value)  # OverflowError for an int no float holds
            if not math.isfinite(value):
                raise ValueError
        elif not _is_int(value) or not -MAX_ID - 1 <= value <= MAX_ID:  # scores and counts are 32-bit
            raise ValueError
        return value, idea_id
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise Invalid("That page link is broken. Start again from the first page.") from None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def idea_detail(idea_id: int, *, viewer_id: int | None = None, now: datetime | None = None) -> IdeaDetail:
    """An idea with author, category, status, comments oldest first and its status timeline. Raises NotFound."""
    found = db.session.execute(
        select(Idea, votes_open(now or utcnow()))
        .outerjoin(Campaign, Idea.campaign_id == Campaign.id)
        .where(Idea.id == idea_id)
        .options(joinedload(Idea.author), joinedload(Idea.category), joinedload(Idea.status))
    ).one_or_none()
    if found is None or found[0].is_hidden:
        raise NotFound("There is no idea with that number. It may have been removed.")
    idea, open_to_votes = found
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.idea_id == idea_id)
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    followers, following = db.session.execute(
        select(func.count(), func.count().filter(Subscription.user_id == viewer_id)).where(
            Subscription.idea_id == idea_id
        )
    ).one()
    return IdeaDetail(
        idea, list(comments), status_timeline(idea_id), bool(open_to_votes),
        my_votes(viewer_id, [idea_id]).get(idea_id, 0), following=bool(following), followers=followers,
        merged_threads=merged_threads(idea_id), merged_into=_merge_target(idea.merged_into_id),
    )


def status_timeline(idea_id: int) -> list[tuple[StatusChange, Status, str | None]]:
    """The idea's status changes oldest first, each with the status moved to and who moved it (None: the portal)."""
    return [tuple(row) for row in db.session.execute(
        select(StatusChange, Status, User.username)
        .join(Status, StatusChange.to_status_id == Status.id)
        .outerjoin(User, StatusChange.changed_by_id == User.id)
        .where(StatusChange.idea_id == idea_id)
        .order_by(StatusChange.created_at, StatusChange.id)
    )]


def merged_threads(target_id: int) -> list[MergedThread]:
    """Comments of the public ideas merged into `target_id`, grouped by idea, in one query."""
    rows = db.session.execute(
        select(Comment, Idea.title)
        .join(Idea, Comment.idea_id == Idea.id)
        .where(Idea.merged_into_id == target_id, Idea.is_hidden.is_(False))
        .options(joinedload(Comment.author))
        .order_by(Idea.id, Comment.created_at, Comment.id)
    ).all()
    threads: dict[int, MergedThread] = {}
    for comment, title in rows:
        threads.setdefault(comment.idea_id, MergedThread(comment.idea_id, title, [])).comments.append(comment)
    return list(threads.values())


def merged_title(idea_id: int, *, into: int) -> tuple[int, str] | None:
    """(id, title) of a public idea merged into `into`; None for any other idea (the address may be made up)."""
    found = db.session.execute(
        select(Idea.id, Idea.title).where(Idea.id == idea_id, Idea.merged_into_id == into, Idea.is_hidden.is_(False))
    ).one_or_none()
    return tuple(found) if found else None


def _merge_target(target_id: int | None) -> tuple[int, str] | None:
    if target_id is None:
        return None
    return tuple(db.session.execute(select(Idea.id, Idea.title).where(Idea.id == target_id)).one())


def site_totals() -> SiteTotals:
    """Public ideas, votes on them, comments, implemented and answered ideas: the sums of the stored shares.

    Implemented means a status of kind `completed` (in full or in part), as on /stats and the KPI
    dashboard. Triggers on `idea` keep the shares exact (models.SiteTotal); `counted_site_totals`
    counts the same from the ideas.
    """
    row = db.session.execute(select(*(func.coalesce(func.sum(getattr(SiteTotal, name)), 0)
                                      for name in SiteTotals.__dataclass_fields__))).one()
    return SiteTotals(*(int(value) for value in row))


def counted_site_totals() -> SiteTotals:
    """`site_totals` counted from every public idea in one query (a scan: for counters check|repair).

    Statuses are matched by id (looked up once) rather than joined: a join made SQLite walk the
    ideas through a status index, about seven times slower at 100,000 ideas.
    """
    implemented = select(Status.id).where(Status.kind == "completed")
    row = db.session.execute(
        select(
            func.count(Idea.id),
            func.coalesce(func.sum(Idea.upvotes + Idea.downvotes), 0),
            func.coalesce(func.sum(Idea.comment_count), 0),
            func.count(Idea.id).filter(Idea.status_id.in_(implemented)),
            func.count(Idea.id).filter(Idea.first_response_at.is_not(None)),
        )
        .where(public_ideas())
    ).one()
    return SiteTotals(*(int(value) for value in row))


def categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


def statuses() -> list[Status]:
    return list(db.session.scalars(select(Status).order_by(Status.position)))


def filter_choices_valid(filters: ListFilter) -> None:
    """Raises Invalid when a filter names a category or status that does not exist."""
    if filters.category and not db.session.scalar(select(Category.id).where(Category.slug == filters.category)):
        raise Invalid(f"There is no category {filters.category!r}.")
    if filters.status and not db.session.scalar(select(Status.id).where(Status.slug == filters.status)):
        raise Invalid(f"There is no status {filters.status!r}.")


