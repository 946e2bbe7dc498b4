"""Read side for the Atom feeds: the newest public ideas (of a category or a Storm Session) and an idea's answers."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..ideas.queries import public_ideas
from ..models import Campaign, Category, Idea, Status, StatusChange, User

FEED_SIZE = 50


@dataclass(frozen=True)
class FeedIdea:
    id: int
    title: str
    body_html: str
    author: str
    created_at: datetime
    updated_at: datetime
    category_slug: str
    category_name: str


@dataclass(frozen=True)
class Source:
    """What a feed of new ideas is about: a category or a Storm Session (id, slug, name)."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class StatusUpdate:
    id: int
    status_label: str
    response_html: str
    by: str | None  # None: the command line (archiving)
    created_at: datetime


@dataclass(frozen=True)
class IdeaUpdates:
    id: int
    title: str
    created_at: datetime
    updates: list[StatusUpdate]  # newest first


def new_ideas(*, category_id: int | None = None, campaign_id: int | None = None,
              limit: int = FEED_SIZE) -> list[FeedIdea]:
    """The newest public ideas, newest first, of one category or Storm Session if given."""
    query = (
        select(Idea.id, Idea.title, Idea.body_html, User.username.label("author"), Idea.created_at, Idea.updated_at,
               Category.slug.label("category_slug"), Category.name.label("category_name"))
        .join(User, Idea.author_id == User.id)
        .join(Category, Idea.category_id == Category.id)
        .where(public_ideas())
    )
    if category_id is not None:
        query = query.where(Idea.category_id == category_id)
    if campaign_id is not None:
        query = query.where(Idea.campaign_id == campaign_id)
    rows = db.session.execute(query.order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit))
    return [FeedIdea(**row._mapping) for row in rows]


def category(slug: str) -> Source:
    """Raises NotFound for a category that does not exist."""
    return _source(select(Category.id, Category.slug, Category.name).where(Category.slug == slug), "category")


def campaign(slug: str) -> Source:
    """Raises NotFound for a Storm Session that does not exist."""
    return _source(select(Campaign.id, Campaign.slug, Campaign.title).where(Campaign.slug == slug), "Storm Session")


def _source(query, noun: str) -> Source:
    row = db.session.execute(query).one_or_none()
    if row is None:
        raise NotFound(f"There is no {noun} with that name.")
    return Source(*row)


def status_updates(idea_id: int, *, limit: int = FEED_SIZE) -> IdeaUpdates:
    """A public idea's status changes that came with a public response, newest first.

    Raises NotFound for an idea that does not exist, is hidden, or was merged into another.
    """
    idea = db.session.execute(
        select(Idea.id, Idea.title, Idea.created_at).where(Idea.id == idea_id, public_ideas())
    ).one_or_none()
    if idea is None:
        raise NotFound("There is no idea with that number. It may have been removed.")
    rows = db.session.execute(
        select(StatusChange.id, Status.label, StatusChange.response_html, User.username, StatusChange.created_at)
        .join(Status, StatusChange.to_status_id == Status.id)
        .outerjoin(User, StatusChange.changed_by_id == User.id)
        .where(StatusChange.idea_id == idea_id, StatusChange.response != "")
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc())
        .limit(limit)
    )
    return IdeaUpdates(*idea, [StatusUpdate(*row) for row in rows])
