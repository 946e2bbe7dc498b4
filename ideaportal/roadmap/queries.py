"""Read side for the roadmap and the ideas in action: columns by status kind, each idea's latest official answer."""
import sys
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_

from .. import rules
from ..extensions import db
from ..ideas.queries import decode_cursor, encode_cursor, labelled_ideas, public_ideas
from ..models import Category, Idea, Status, StatusChange, StatusCount
from ..text import cut, plain_text

RECENTLY_IMPLEMENTED = 10  # the done column always shows the latest ones, whatever else is on the roadmap
COLUMN_LIMIT = 30  # cards per planned / in-progress column; the rest are a link away
RESPONSE_CHARS = 280
COMPLETED_KIND = "completed"
CURSOR_SORT = "new"  # the implemented page's cursor holds a moment and an id, as the "new" sort's does


@dataclass(frozen=True)
class Response:
    """An official response: its words cut short for a card, and the whole of it as HTML."""

    excerpt: str
    html: str
    trimmed: bool


@dataclass(frozen=True)
class RoadmapCard:
    id: int
    title: str
    score: int
    upvotes: int
    downvotes: int
    category_slug: str
    category_name: str
    status_slug: str
    status_label: str
    status_kind: str
    moved_at: datetime | None  # when it reached its current status; None when no history says
    response: Response | None


@dataclass(frozen=True)
class StatusLink:
    slug: str
    label: str
    ideas: int


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    statuses: list[StatusLink]
    cards: list[RoadmapCard]

    @property
    def total(self) -> int:
        return sum(status.ideas for status in self.statuses)

    @property
    def more(self) -> bool:
        return self.total > len(self.cards)


@dataclass(frozen=True)
class Roadmap:
    columns: list[Column]


@dataclass(frozen=True)
class ImplementedPage:
    cards: list[RoadmapCard]
    next_cursor: str | None


def reached_at():
    """When the idea reached its current status, else its submission date: a total order for ideas whose
    history lacks the move. The very expression of the index ix_idea_reached."""
    return func.coalesce(Idea.status_changed_at, Idea.created_at)


def roadmap(*, category: str | None = None) -> Roadmap:
    """The three columns, each in one query, plus one for the counts and one for the answers.

    Planned and in-progress ideas come most-voted first (up to COLUMN_LIMIT each); the done column
    holds the RECENTLY_IMPLEMENTED latest to get there, newest first.
    """
    statuses = db.session.execute(select(Status.id, Status.slug, Status.label, Status.kind, Status.position)).all()
    by_slug = {status.slug: status for status in statuses}
    layout = rules.roadmap_columns((status.slug, status.kind, status.position) for status in statuses)
    status_ids = [by_slug[slug].id for slugs in layout.values() for slug in slugs]
    counts = _counts(status_ids, category)
    rows = {key: _column_rows(key, [by_slug[slug].id for slug in slugs], category) for key, slugs in layout.items()}
    responses = latest_responses([row.id for key_rows in rows.values() for row in key_rows])
    return Roadmap([
        Column(
            key=key,
            title=rules.ROADMAP_COLUMNS[key],
            statuses=[StatusLink(slug, by_slug[slug].label, counts.get(by_slug[slug].id, 0)) for slug in slugs],
            cards=[_card(row, responses) for row in rows[key]],
        )
        for key, slugs in layout.items()
    ])


def implemented(*, category: str | None = None, cursor: str | None = None, limit: int = 20) -> ImplementedPage:
    """Public ideas in a completed status, the latest to get there first, keyset-paged on (reached, id).

    Raises Invalid for a broken cursor.
    """
    completed = select(Status.id).where(Status.kind == COMPLETED_KIND)
    reached = reached_at()
    query = _in_category(_card_query().add_columns(reached.label("reached_at")), category).where(
        _in_statuses_latest_first(completed)
    )
    if cursor:
        after_moment, after_id = decode_cursor(cursor, CURSOR_SORT)
        query = query.where(tuple_(reached, Idea.id) < tuple_(after_moment, after_id))
    rows = db.session.execute(query.order_by(reached.desc(), Idea.id.desc()).limit(limit + 1)).all()
    responses = latest_responses([row.id for row in rows[:limit]])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.reached_at, last.id)
    return ImplementedPage([_card(row, responses) for row in rows[:limit]], next_cursor)


def latest_responses(idea_ids: list[int]) -> dict[int, Response]:
    """Each idea's newest status change with a public response, in one query."""
    if not idea_ids:
        return {}
    ranked = (
        select(
            StatusChange.idea_id,
            StatusChange.response,
            StatusChange.response_html,
            func.row_number().over(
                partition_by=StatusChange.idea_id,
                order_by=(StatusChange.created_at.desc(), StatusChange.id.desc()),
            ).label("newest"),
        )
        .where(StatusChange.idea_id.in_(idea_ids), StatusChange.response != "")
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.idea_id, ranked.c.response, ranked.c.response_html).where(ranked.c.newest == 1)
    )
    return {idea_id: response_of(text, html) for idea_id, text, html in rows}


def response_of(text: str, html: str, limit: int = RESPONSE_CHARS) -> Response:
    whole = plain_text(text, sys.maxsize)  # rendered once, then cut: the Markdown is most of a card's cost
    return Response(excerpt=cut(whole, limit), html=html, trimmed=len(whole) > limit)


def _card_query():
    return labelled_ideas(
        Idea.id, Idea.title, Idea.score, Idea.upvotes, Idea.downvotes, Idea.status_changed_at.label("moved_at")
    ).where(public_ideas())


def _column_rows(key: str, status_ids: list[int], category: str | None) -> list:
    if not status_ids:
        return []
    if key == "implemented":
        order, limit, in_statuses = (reached_at().desc(), Idea.id.desc()), RECENTLY_IMPLEMENTED, _in_statuses_latest_first
    else:
        order, limit, in_statuses = (Idea.score.desc(), Idea.id.desc()), COLUMN_LIMIT, Idea.status_id.in_
    query = _in_category(_card_query().where(in_statuses(status_ids)), category)
    return db.session.execute(query.order_by(*order).limit(limit)).all()


def _in_statuses_latest_first(status_ids):
    """`status_id IN status_ids` for a query ordered by `reached_at`, as `status_id + 0` so that no planner uses the
    status index: SQLite, which does not weigh the LIMIT, then walks ix_idea_reached in order and stops after the
    first few instead of sorting every idea in those statuses (0.5-0.8 s at a million ideas)."""
    return (Idea.status_id + 0).in_(status_ids)


def _in_category(query, category: str | None):
    return query.where(Category.slug == category) if category else query


def _counts(status_ids: list[int], category: str | None) -> dict[int, int]:
    """Public ideas per roadmap status (in the category, if one is chosen), from the stored counts."""
    if not status_ids:
        return {}
    query = select(StatusCount.status_id, func.sum(StatusCount.ideas)).where(StatusCount.status_id.in_(status_ids))
    if category:
        query = query.join(Category, StatusCount.category_id == Category.id).where(Category.slug == category)
    return {status_id: int(ideas) for status_id, ideas in db.session.execute(query.group_by(StatusCount.status_id))}


def _card(row, responses: dict[int, Response]) -> RoadmapCard:
    fields = RoadmapCard.__dataclass_fields__
    return RoadmapCard(
        **{name: getattr(row, name) for name in fields if name != "response"}, response=responses.get(row.id)
    )
