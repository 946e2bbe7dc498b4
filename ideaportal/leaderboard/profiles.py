"""Read side for member profiles: a member's public ideas and comments, points, rank and badges."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from .. import rules
from ..errors import NotFound
from ..extensions import db
from ..ideas.queries import IdeaPage, ListFilter, list_ideas, public_ideas
from ..models import Comment, Idea, Status, User, Vote
from ..text import plain_text
from .queries import contributor_rank

LATEST_COMMENTS = 10
COMMENT_EXCERPT_CHARS = 200
PLANNED_KINDS = ("active", "completed")


@dataclass(frozen=True)
class Member:
    id: int
    username: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class ProfileComment:
    id: int
    excerpt: str
    created_at: datetime
    idea_id: int
    idea_title: str


@dataclass(frozen=True)
class Profile:
    member: Member
    stats: rules.MemberStats
    points: int
    rank: int | None
    badges: list[rules.Badge]
    ideas: IdeaPage
    comments: list[ProfileComment]


def find_member(username: str) -> Member:
    """An active member by username, whatever its case. Raises NotFound (unknown or deactivated)."""
    row = db.session.execute(
        select(User.id, User.username, User.role, User.created_at)
        .where(func.lower(User.username) == username.lower(), User.is_active.is_(True))
    ).one_or_none()
    if row is None:
        raise NotFound("There is no member with that name.")
    return Member(*row)


def member_profile(member: Member, *, viewer_id: int | None = None, cursor: str | None = None,
                   limit: int = 20) -> Profile:
    """The member's public page: ideas newest first (keyset-paged), latest comments, points, rank, badges.

    Raises Invalid for a broken page cursor.
    """
    stats = member_stats(member.id)
    points = rules.contributor_points(
        net_votes=stats.net_votes, implemented=stats.implemented, partially_implemented=stats.partially_implemented,
    )
    ideas = list_ideas(ListFilter(sort="new", cursor=cursor, author_id=member.id), viewer_id=viewer_id, limit=limit)
    return Profile(
        member, stats, points, contributor_rank(points), rules.earned_badges(stats), ideas,
        latest_comments(member.id),
    )


def _visible_comments(author_id: int) -> tuple:
    """Conditions (with `Idea` joined) for the member's comments the public can read."""
    return (Comment.author_id == author_id, Comment.deleted_at.is_(None), Comment.is_hidden.is_(False),
            public_ideas())


def member_stats(user_id: int) -> rules.MemberStats:
    """What points and badges need, in three small queries over this member's rows."""
    ideas = db.session.execute(
        select(
            func.count(Idea.id),
            func.coalesce(func.sum(Idea.score), 0),
            func.coalesce(func.sum(Idea.upvotes), 0),
            func.coalesce(func.max(Idea.score), 0),
            func.count(Idea.id).filter(Status.kind.in_(PLANNED_KINDS)),
            func.count(Idea.id).filter(Status.slug == "implemented"),
            func.count(Idea.id).filter(Status.slug == "partially_implemented"),
        )
        .join(Status, Idea.status_id == Status.id)
        .where(Idea.author_id == user_id, public_ideas())
    ).one()
    own_upvotes = db.session.scalar(
        select(func.count())
        .select_from(Vote)
        .join(Idea, Vote.idea_id == Idea.id)
        .where(Vote.user_id == user_id, Vote.value == 1, Idea.author_id == user_id, public_ideas())
    )
    comments = db.session.scalar(
        select(func.count(Comment.id)).join(Idea, Comment.idea_id == Idea.id).where(*_visible_comments(user_id))
    )
    count, net, upvotes, best, planned, implemented, partially = (int(value) for value in ideas)
    return rules.MemberStats(
        ideas=count, net_votes=net, comments=int(comments), upvotes_received=upvotes - int(own_upvotes),
        best_idea_score=max(best, 0), planned=planned, implemented=implemented, partially_implemented=partially,
    )


def latest_comments(user_id: int, limit: int = LATEST_COMMENTS) -> list[ProfileComment]:
    """The member's newest comments that the public can read, with the idea each is on."""
    rows = db.session.execute(
        select(Comment.id, func.substr(Comment.body, 1, 2 * COMMENT_EXCERPT_CHARS).label("body"),
               Comment.created_at, Idea.id.label("idea_id"), Idea.title)
        .join(Idea, Comment.idea_id == Idea.id)
        .where(*_visible_comments(user_id))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return [ProfileComment(row.id, plain_text(row.body, COMMENT_EXCERPT_CHARS), row.created_at, row.idea_id,
                           row.title) for row in rows]
