"""Read side for moderation: the queue of open reports grouped by item, and the hidden content."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, literal_column, or_, select, union_all

from ..errors import NotFound
from ..extensions import db
from ..models import Comment, Flag, Idea, User
from ..rules import FLAG_REASONS
from ..text import plain_text

PAGE_SIZE = 20
EXCERPT_CHARS = 200
EXCERPT_SOURCE_CHARS = 2 * EXCERPT_CHARS  # room for the Markdown syntax the excerpt drops


@dataclass(frozen=True)
class FlagNote:
    reason: str
    note: str
    reporter: str
    created_at: datetime


@dataclass(frozen=True)
class FlagGroup:
    """One reported idea or comment with a summary of its open reports."""

    kind: str  # "idea" or "comment"
    target_id: int
    idea_id: int
    idea_title: str
    excerpt: str
    author: str
    open_flags: int
    first_flagged_at: datetime
    reasons: list[tuple[str, int]]  # (reason, count), most common first
    states: list[str]  # "hidden", "deleted", "merged", "idea hidden": why the public may not see it now
    notes: list[FlagNote]


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    total: int  # items on every page together (0 past the last page)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


@dataclass(frozen=True)
class HiddenItem:
    kind: str
    target_id: int
    idea_id: int
    idea_title: str
    excerpt: str
    author: str
    created_at: datetime
    deleted: bool
    idea_hidden: bool  # for a comment: its idea is hidden too, so its thread is not on the site


def open_flag_count() -> int:
    """Ideas and comments with at least one open report."""
    open_items = select(Flag.idea_id, Flag.comment_id).where(Flag.resolved_at.is_(None)).distinct().subquery()
    return db.session.scalar(select(func.count()).select_from(open_items))


def open_flag_queue(page: int = 1) -> Page:
    """Items with open reports, most reported first, then the longest waiting; two queries per page."""
    groups = (
        select(
            Flag.idea_id,
            Flag.comment_id,
            func.count(Flag.id).label("open_flags"),
            func.min(Flag.created_at).label("first_flagged_at"),
            func.min(Flag.id).label("first_flag_id"),
            *(func.count(Flag.id).filter(Flag.reason == reason).label(f"reason_{reason}")
              for reason in FLAG_REASONS),
        )
        .where(Flag.resolved_at.is_(None))
        .group_by(Flag.idea_id, Flag.comment_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            groups,
            Idea.id.label("target_idea_id"),
            Idea.title,
            Idea.is_hidden.label("idea_hidden"),
            Idea.merged_into_id,
            func.substr(func.coalesce(Comment.body, Idea.body), 1, EXCERPT_SOURCE_CHARS).label("excerpt"),
            Comment.is_hidden.label("comment_hidden"),
            Comment.deleted_at,
            User.username.label("author"),
            func.count().over().label("total"),
        )
        .outerjoin(Comment, Comment.id == groups.c.comment_id)
        .join(Idea, Idea.id == func.coalesce(groups.c.idea_id, Comment.idea_id))
        .join(User, User.id == func.coalesce(Comment.author_id, Idea.author_id))
        .order_by(groups.c.open_flags.desc(), groups.c.first_flagged_at, groups.c.first_flag_id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    notes = _notes([row.idea_id for row in rows if row.idea_id],
                   [row.comment_id for row in rows if row.comment_id])
    items = [_group(row, notes) for row in rows]
    return Page(items, page, rows[0].total if rows else 0)


def _notes(idea_ids: list[int], comment_ids: list[int]) -> dict[tuple, list[FlagNote]]:
    """The reporters' notes on these items' open reports, oldest first, in one query."""
    if not idea_ids and not comment_ids:
        return {}
    rows = db.session.execute(
        select(Flag.idea_id, Flag.comment_id, Flag.reason, Flag.note, Flag.created_at, User.username)
        .join(User, Flag.reporter_id == User.id)
        .where(Flag.resolved_at.is_(None), Flag.note != "",
               or_(Flag.idea_id.in_(idea_ids), Flag.comment_id.in_(comment_ids)))
        .order_by(Flag.created_at, Flag.id)
    )
    notes: dict[tuple, list[FlagNote]] = {}
    for row in rows:
        notes.setdefault((row.idea_id, row.comment_id), []).append(
            FlagNote(row.reason, row.note, row.username, row.created_at)
        )
    return notes


def _group(row, notes: dict) -> FlagGroup:
    is_comment = row.comment_id is not None
    counts = [(reason, getattr(row, f"reason_{reason}")) for reason in FLAG_REASONS]
    reasons = sorted((pair for pair in counts if pair[1]), key=lambda pair: -pair[1])
    if is_comment:
        states = [name for name, on in (("deleted", row.deleted_at is not None), ("hidden", row.comment_hidden),
                                        ("idea hidden", row.idea_hidden)) if on]
    else:
        states = [name for name, on in (("hidden", row.idea_hidden), ("merged", row.merged_into_id)) if on]
    return FlagGroup(
        kind="comment" if is_comment else "idea",
        target_id=row.comment_id if is_comment else row.idea_id,
        idea_id=row.target_idea_id,
        idea_title=row.title,
        excerpt=plain_text(row.excerpt, EXCERPT_CHARS),
        author=row.author,
        open_flags=row.open_flags,
        first_flagged_at=row.first_flagged_at,
        reasons=reasons,
        states=states,
        notes=notes.get((row.idea_id, row.comment_id), []),
    )


def hidden_content(page: int = 1) -> Page:
    """Ideas and comments hidden by moderators, newest first, in one query per page."""
    ideas = (
        select(
            literal_column("'idea'").label("kind"),
            Idea.id.label("target_id"),
            Idea.id.label("idea_id"),
            Idea.title.label("idea_title"),
            func.substr(Idea.body, 1, EXCERPT_SOURCE_CHARS).label("excerpt"),
            User.username.label("author"),
            Idea.created_at.label("created_at"),
            literal_column("0").label("deleted"),
            literal_column("1").label("idea_hidden"),
        )
        .join(User, Idea.author_id == User.id)
        .where(Idea.is_hidden.is_(True))
    )
    comments = (
        select(
            literal_column("'comment'"),
            Comment.id,
            Comment.idea_id,
            Idea.title,
            func.substr(Comment.body, 1, EXCERPT_SOURCE_CHARS),
            User.username,
            Comment.created_at,
            case((Comment.deleted_at.is_not(None), 1), else_=0),
            case((Idea.is_hidden.is_(True), 1), else_=0),
        )
        .join(Idea, Comment.idea_id == Idea.id)
        .join(User, Comment.author_id == User.id)
        .where(Comment.is_hidden.is_(True))
    )
    both = union_all(ideas, comments).subquery()
    rows = db.session.execute(
        select(both, func.count().over().label("total"))
        .order_by(both.c.created_at.desc(), both.c.kind, both.c.target_id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    items = [
        HiddenItem(row.kind, row.target_id, row.idea_id, row.idea_title, plain_text(row.excerpt, EXCERPT_CHARS),
                   row.author, row.created_at, bool(row.deleted), bool(row.idea_hidden))
        for row in rows
    ]
    return Page(items, page, rows[0].total if rows else 0)


def comment_idea_id(comment_id: int) -> int:
    """The idea whose page shows a comment: its own, or the one its idea was merged into. Raises NotFound."""
    idea_id = db.session.scalar(
        select(func.coalesce(Idea.merged_into_id, Idea.id)).join(Comment, Comment.idea_id == Idea.id)
        .where(Comment.id == comment_id)
    )
    if idea_id is None:
        raise NotFound("There is no comment with that number.")
    return idea_id
