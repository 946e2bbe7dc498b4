"""Read side for triage: the inbox and its filters, one idea as staff see it, stale ideas, the export."""
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

from flask import has_request_context, request
from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.orm import aliased, joinedload

from .. import pages, rules
from ..errors import Invalid, NotFound
from ..extensions import db
from ..ideas.queries import (
    decode_cursor,
    encode_cursor,
    newest_matches,
    searched_newest,
    status_timeline,
)
from ..models import (
    Category,
    Comment,
    Idea,
    StaffNote,
    Status,
    StatusChange,
    User,
    Vote,
    utcnow,
)

ATTENTION, ALL = "attention", "all"  # the inbox's own status choices, besides every status slug
AGES = (7, 30, 90)  # "older than N days"
CURSOR_SORT = "new"  # the inbox pages on (created_at, id), the key of the "new" sort
# The inbox's counts stop past this many: "1,000+ ideas" says all a queue's size needs to, and
# counting reads at most that many ideas whatever the table holds.
COUNT_CAP = 1_000

Owner = aliased(User, name="owner")


@dataclass(frozen=True)
class InboxFilter:
    status: str = ATTENTION
    category: str | None = None
    older_than: int | None = None
    mine: bool = False
    unanswered: bool = False
    hidden: bool = False
    q: str | None = None  # search text: the newest ideas matching it in title or body, hidden ones too
    cursor: str | None = None

    def args(self) -> dict:
        """The filter as query-string arguments (without the cursor), to carry from page to page."""
        values = asdict(self)
        del values["cursor"]
        return {key: ("1" if value is True else value) for key, value in values.items() if value not in (None, False)}

    @property
    def is_default(self) -> bool:
        return replace(self, cursor=None) == InboxFilter()


@dataclass(frozen=True)
class InboxRow:
    id: int
    title: str
    score: int
    upvotes: int
    downvotes: int
    comment_count: int
    created_at: datetime
    first_response_at: datetime | None
    last_activity_at: datetime
    is_hidden: bool
    category_name: str
    status_slug: str
    status_label: str
    status_kind: str
    author: str
    owner: str | None


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    matching: int  # ideas matching the filter, on every page (up to COUNT_CAP + 1)
    attention: int  # ideas needing attention, whatever the filter (up to COUNT_CAP + 1)
    searched_newest: int | None = None  # a search with more matches than it ranked: the number it ranked


VOTE_WEEKS = 8


@dataclass(frozen=True)
class VoteWeek:
    monday: date
    up: int
    down: int


@dataclass(frozen=True)
class TriageDetail:
    idea: Idea
    timeline: list[tuple[StatusChange, Status, str | None]]
    notes: list[tuple[StaffNote, str]]
    merged_into: tuple[int, str] | None  # (id, title) of the idea this one was merged into
    comments: list[Comment] = ()  # oldest first, hidden and deleted ones too
    votes: list[VoteWeek] = ()


def check_filter(filters: InboxFilter) -> None:
    """Raises Invalid when the filter names an unknown status, category or age."""
    if filters.status not in (ATTENTION, ALL) and not _status_id_or_none(filters.status):
        raise Invalid(f"There is no status {filters.status!r}.")
    if filters.category and not db.session.scalar(select(Category.id).where(Category.slug == filters.category)):
        raise Invalid(f"There is no category {filters.category!r}.")
    if filters.older_than is not None and filters.older_than not in AGES:
        raise Invalid(f"Choose an age of {', '.join(map(str, AGES))} days.")


def inbox(filters: InboxFilter, *, viewer_id: int, limit: int = 20, now: datetime | None = None) -> InboxPage:
    """One page of the inbox, oldest first, with the counts. Raises Invalid for a bad filter or cursor."""
    check_filter(filters)
    now = now or utcnow()
    query = _narrowed(_row_query(), filters, viewer_id=viewer_id, now=now, with_matches=True)
    if filters.cursor:
        after = decode_cursor(filters.cursor, CURSOR_SORT)
        query = query.where(tuple_(Idea.created_at, Idea.id) > tuple_(*after))
    found = db.session.execute(query.order_by(Idea.created_at, Idea.id).limit(limit + 1)).all()
    rows = [_inbox_row(row) for row in found[:limit]]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if len(found) > limit else None
    attention = attention_count()
    matching = attention if filters.is_default else _count(_narrowed(select(Idea.id), filters, viewer_id=viewer_id,
                                                                      now=now))
    return InboxPage(rows, next_cursor, matching, attention,
                     searched_newest=searched_newest(found) if filters.q is not None else None)


def attention_count() -> int:
    """Public `new` ideas that no one on the team has answered yet, up to COUNT_CAP + 1.

    The inbox shows it, and so does the staff navigation on every staff page: counted once per request, and
    kept until the next write (reading up to COUNT_CAP + 1 index entries took 3 ms at a million ideas). A write
    outside a request (the nightly archiving, a CLI command) shows within PAGE_CACHE_SECONDS, as on the pages.
    """
    counted = getattr(request, "attention_count", None) if has_request_context() else None
    if counted is None:
        counted = pages.remember_until_a_write("attention", lambda: _count(
            _narrowed(select(Idea.id), InboxFilter(), viewer_id=None, now=utcnow())))
        if has_request_context():  # on the request, not on `g`: in tests an app context outlives requests
            request.attention_count = counted
    return counted


def next_in_queue(filters: InboxFilter, *, after_id: int, viewer_id: int) -> int | None:
    """The idea after `after_id` in the inbox order under this filter, or None at the end."""
    check_filter(filters)
    after = db.session.execute(select(Idea.created_at, Idea.id).where(Idea.id == after_id)).one_or_none()
    if after is None:
        return None
    return db.session.scalar(
        _narrowed(select(Idea.id), filters, viewer_id=viewer_id, now=utcnow())
        .where(tuple_(Idea.created_at, Idea.id) > tuple_(after.created_at, after.id))
        .order_by(Idea.created_at, Idea.id)
        .limit(1)
    )


EXPORT_BATCH = 500


def export_rows(filters: InboxFilter, *, viewer_id: int, now: datetime | None = None) -> Iterator[InboxRow]:
    """Every idea matching the filter, oldest first. Raises Invalid for a bad filter, at once.

    Read in keyset batches, each a statement of its own: a streamed response outlives the request's
    database session (Flask-SQLAlchemy removes it when the request's context ends, before the server
    sends the body), so one server-side cursor held across the stream would be closed under it.
    """
    check_filter(filters)
    query = _narrowed(_row_query(), filters, viewer_id=viewer_id, now=now or utcnow())
    return _batches(query.order_by(Idea.created_at, Idea.id))


def _batches(query) -> Iterator[InboxRow]:
    after = None
    while True:
        page = query if after is None else query.where(tuple_(Idea.created_at, Idea.id) > after)
        rows = [_inbox_row(row) for row in db.session.execute(page.limit(EXPORT_BATCH))]
        yield from rows
        if len(rows) < EXPORT_BATCH:
            return
        after = tuple_(rows[-1].created_at, rows[-1].id)


def triage_detail(idea_id: int, *, now: datetime | None = None) -> TriageDetail:
    """Any idea, also hidden or merged ones, with its timeline, staff notes (newest first), every comment and
    its recent votes. Raises NotFound."""
    idea = db.session.scalar(
        select(Idea)
        .where(Idea.id == idea_id)
        .options(joinedload(Idea.author), joinedload(Idea.category), joinedload(Idea.status), joinedload(Idea.owner))
    )
    if idea is None:
        raise NotFound("There is no idea with that number.")
    notes = db.session.execute(
        select(StaffNote, User.username)
        .join(User, StaffNote.author_id == User.id)
        .where(StaffNote.idea_id == idea_id)
        .order_by(StaffNote.created_at.desc(), StaffNote.id.desc())
    ).all()
    merged_into = None
    if idea.merged_into_id is not None:
        target = db.session.execute(select(Idea.id, Idea.title).where(Idea.id == idea.merged_into_id)).one()
        merged_into = (target.id, target.title)
    comments = db.session.scalars(
        select(Comment).where(Comment.idea_id == idea_id).options(joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return TriageDetail(idea, status_timeline(idea_id), [tuple(row) for row in notes], merged_into,
                        list(comments), vote_history(idea_id, now=now or utcnow()))


def vote_history(idea_id: int, *, now: datetime, weeks: int = VOTE_WEEKS) -> list[VoteWeek]:
    """The votes on the idea in each of the last `weeks` weeks (Monday to Sunday, UTC), oldest first.
    A vote someone changed counts in the week of its last change."""
    monday = now.astimezone(timezone.utc).date() - timedelta(days=now.astimezone(timezone.utc).weekday())
    first = monday - timedelta(weeks=weeks - 1)
    counts = {first + timedelta(weeks=number): [0, 0] for number in range(weeks)}
    rows = db.session.execute(
        select(Vote.created_at, Vote.value)
        .where(Vote.idea_id == idea_id, Vote.created_at >= datetime.combine(first, time(), tzinfo=timezone.utc))
    )
    for created_at, value in rows:
        day = created_at.astimezone(timezone.utc).date()
        counts[day - timedelta(days=day.weekday())][0 if value > 0 else 1] += 1
    return [VoteWeek(week, up, down) for week, (up, down) in counts.items()]


def staff_members() -> list[User]:
    """Active product managers and admins, who may own ideas."""
    return list(db.session.scalars(
        select(User).where(User.role.in_(rules.STAFF_ROLES), User.is_active.is_(True)).order_by(User.username)
    ))


def stale_condition(*, months: int, now: datetime):
    """Public `new` ideas without a vote, comment or edit for `months` months (the index ix_idea_stale)."""
    return and_(
        Idea.status_id == _status_id_subquery(rules.EDITABLE_STATUS),
        Idea.last_activity_at < rules.months_before(now, months),
        Idea.is_hidden.is_(False),
        Idea.merged_into_id.is_(None),
    )


def stale_ideas(*, months: int, now: datetime | None = None) -> list[tuple[int, str]]:
    """(id, title) of the ideas `archive_stale` would archive, oldest activity first."""
    rows = db.session.execute(
        select(Idea.id, Idea.title)
        .where(stale_condition(months=months, now=now or utcnow()))
        .order_by(Idea.last_activity_at, Idea.id)
    )
    return [tuple(row) for row in rows]


def _narrowed(query, filters: InboxFilter, *, viewer_id: int | None, now: datetime, with_matches: bool = False):
    """`query` over ideas cut to the filter. A search is the ideas list's bounded one (`newest_matches`): a
    common word costs a rank for its newest matches only, not for each of a million ideas; `with_matches`
    adds its `matches` column, which says whether it was cut."""
    query = query.where(*_conditions(filters, viewer_id=viewer_id, now=now))
    if filters.q is None:
        return query
    match = newest_matches(filters.q)
    query = query.join(match, match.c.idea_id == Idea.id)
    return query.add_columns(match.c.matches) if with_matches else query


def _conditions(filters: InboxFilter, *, viewer_id: int | None, now: datetime) -> list:
    conditions = [Idea.merged_into_id.is_(None), Idea.is_hidden.is_(filters.hidden)]
    # Hidden ideas are few and all in ix_idea_hidden: `status_id + 0` keeps the planners from walking
    # every idea of the status through ix_idea_triage to find them.
    status_id = Idea.status_id + 0 if filters.hidden else Idea.status_id
    if filters.status == ATTENTION:
        conditions += [status_id == _status_id_subquery(rules.EDITABLE_STATUS), Idea.first_response_at.is_(None)]
    elif filters.status != ALL:
        conditions.append(status_id == _status_id_subquery(filters.status))
    if filters.category:
        conditions.append(
            Idea.category_id == select(Category.id).where(Category.slug == filters.category).scalar_subquery()
        )
    if filters.older_than:
        conditions.append(Idea.created_at < now - timedelta(days=filters.older_than))
    if filters.mine:
        conditions.append(Idea.owner_id == viewer_id)
    if filters.unanswered:
        conditions.append(Idea.first_response_at.is_(None))
    return conditions


def _row_query():
    return (
        select(
            Idea.id, Idea.title, Idea.score, Idea.upvotes, Idea.downvotes, Idea.comment_count,
            Idea.created_at, Idea.first_response_at, Idea.last_activity_at, Idea.is_hidden,
            Category.name.label("category_name"),
            Status.slug.label("status_slug"), Status.label.label("status_label"), Status.kind.label("status_kind"),
            User.username.label("author"), Owner.username.label("owner"),
        )
        .join(Category, Idea.category_id == Category.id)
        .join(Status, Idea.status_id == Status.id)
        .join(User, Idea.author_id == User.id)
        .outerjoin(Owner, Idea.owner_id == Owner.id)
    )


def _inbox_row(row) -> InboxRow:
    return InboxRow(**{name: getattr(row, name) for name in InboxRow.__dataclass_fields__})


def _count(query) -> int:
    """The rows of `query` (ideas' ids), counted only up to COUNT_CAP + 1: more reads no further."""
    found = query.limit(COUNT_CAP + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(found))


def count_label(number: int) -> str:
    """A count from `_count` as the inbox says it: "1,000+" past the cap."""
    return f"{COUNT_CAP:,}+" if number > COUNT_CAP else f"{number:,}"


def _status_id_subquery(slug: str):
    return select(Status.id).where(Status.slug == slug).scalar_subquery()


def _status_id_or_none(slug: str) -> int | None:
    return db.session.scalar(select(Status.id).where(Status.slug == slug))
