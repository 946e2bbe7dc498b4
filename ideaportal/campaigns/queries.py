"""Read side for Storm Sessions: the lists, one session's page with its leaderboard and results, vote budgets."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, union_all

from ..errors import Invalid, NotFound
from ..extensions import db
from ..ideas import queries as idea_queries
from ..models import (
    Campaign,
    Category,
    Comment,
    Idea,
    Status,
    StatusChange,
    User,
    Vote,
    utcnow,
)
from . import rules

SORTS = {"hot": "Hot", "top": "Top"}
LEADERS = 5  # rows in each leaderboard
RESULTS_MAX = 50  # ideas in a closed session's results, best first


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    state: str
    ideas: int


@dataclass(frozen=True)
class CampaignLists:
    active: list[CampaignRow]
    upcoming: list[CampaignRow]
    past: list[CampaignRow]


@dataclass(frozen=True)
class Budget:
    total: int
    left: int | None  # None for visitors


@dataclass(frozen=True)
class Contributor:
    username: str
    ideas: int
    points: int  # the net votes on their ideas in this session


@dataclass(frozen=True)
class Result:
    id: int
    title: str
    score: int
    status_slug: str
    status_label: str
    status_kind: str
    response_html: str | None  # the latest official answer: a status response or an official comment
    responded_at: datetime | None


@dataclass(frozen=True)
class CampaignPage:
    campaign: Campaign
    category_name: str | None
    state: str
    sort: str
    cursor: str | None
    ideas: idea_queries.IdeaPage
    idea_count: int
    budget: Budget | None
    top_ideas: list = field(default_factory=list)  # rows (id, title, score)
    contributors: list[Contributor] = field(default_factory=list)
    outcome: list = field(default_factory=list)  # rows (slug, label, kind, ideas), when closed
    results: list[Result] = field(default_factory=list)  # when closed


@dataclass(frozen=True)
class CampaignTag:
    """What an idea's page says about the Storm Session the idea belongs to."""

    slug: str
    title: str
    state: str
    ends_at: datetime
    votes_final: bool  # closed without voting after close
    budget: Budget | None


def campaign_rows(*, now: datetime) -> list[CampaignRow]:
    """Every session with its count of public ideas, the latest start first, in one query."""
    counts = (
        select(Idea.campaign_id, func.count().label("ideas"))
        .where(Idea.campaign_id.is_not(None), idea_queries.public_ideas())
        .group_by(Idea.campaign_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Campaign, func.coalesce(counts.c.ideas, 0))
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .order_by(Campaign.starts_at.desc(), Campaign.id.desc())
    ).all()
    return [CampaignRow(campaign, _state(campaign, now), ideas) for campaign, ideas in rows]


def list_campaigns(*, now: datetime) -> CampaignLists:
    """Active sessions ending soonest first, upcoming ones starting soonest first, past ones latest first."""
    rows = campaign_rows(now=now)
    by_state = {state: [row for row in rows if row.state == state] for state in ("active", "upcoming", "closed")}
    return CampaignLists(
        active=sorted(by_state["active"], key=lambda row: (row.campaign.ends_at, row.campaign.id)),
        upcoming=sorted(by_state["upcoming"], key=lambda row: (row.campaign.starts_at, row.campaign.id)),
        past=sorted(by_state["closed"], key=lambda row: (row.campaign.ends_at, row.campaign.id), reverse=True),
    )


def get_campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise NotFound("There is no Storm Session at this address. It may have been renamed.")
    return campaign


def get_campaign_by_id(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("There is no Storm Session with that number.")
    return campaign


def campaign_page(slug: str, *, sort: str, cursor: str | None, viewer_id: int | None, limit: int,
                  now: datetime) -> CampaignPage:
    """A session with one page of its ideas, its leaderboards and, once closed, its results.

    Raises NotFound (unknown slug), Invalid (unknown sort, broken cursor).
    """
    if sort not in SORTS:
        raise Invalid(f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}.")
    campaign = get_campaign(slug)
    state = _state(campaign, now)
    ideas = idea_queries.list_ideas(
        idea_queries.ListFilter(sort=sort, cursor=cursor, campaign=campaign.id), viewer_id=viewer_id, limit=limit,
        now=now,
    )
    in_campaign = (Idea.campaign_id == campaign.id, idea_queries.public_ideas())
    category = db.session.get(Category, campaign.category_id) if campaign.category_id else None
    return CampaignPage(
        campaign, category.name if category else None, state, sort, cursor, ideas,
        idea_count=db.session.scalar(select(func.count(Idea.id)).where(*in_campaign)),
        budget=budget(campaign, viewer_id),
        top_ideas=db.session.execute(
            select(Idea.id, Idea.title, Idea.score).where(*in_campaign)
            .order_by(Idea.score.desc(), Idea.id.desc()).limit(LEADERS)
        ).all(),
        contributors=_contributors(in_campaign),
        outcome=_outcome(in_campaign) if state == "closed" else [],
        results=_results(in_campaign) if state == "closed" else [],
    )


def _state(campaign: Campaign, now: datetime) -> str:
    return rules.campaign_state(starts_at=campaign.starts_at, ends_at=campaign.ends_at, now=now)


def _contributors(in_campaign) -> list[Contributor]:
    points = func.sum(Idea.score)
    rows = db.session.execute(
        select(User.username, func.count(Idea.id), points)
        .join(User, Idea.author_id == User.id)
        .where(*in_campaign, User.is_active.is_(True))  # as on /leaderboard: deactivated members leave boards
        .group_by(User.id, User.username)
        .order_by(points.desc(), func.count(Idea.id).desc(), User.username)
        .limit(LEADERS)
    ).all()
    return [Contributor(username, ideas, int(total)) for username, ideas, total in rows]


def _outcome(in_campaign) -> list:
    """How many of the session's ideas ended in each status, in the statuses' order."""
    return db.session.execute(
        select(Status.slug, Status.label, Status.kind, func.count(Idea.id))
        .join(Idea, Idea.status_id == Status.id)
        .where(*in_campaign)
        .group_by(Status.id, Status.slug, Status.label, Status.kind, Status.position)
        .order_by(Status.position)
    ).all()


def _results(in_campaign) -> list[Result]:
    rows = db.session.execute(
        select(Idea.id, Idea.title, Idea.score, Status.slug, Status.label, Status.kind)
        .join(Status, Idea.status_id == Status.id)
        .where(*in_campaign)
        .order_by(Idea.score.desc(), Idea.id.desc())
        .limit(RESULTS_MAX)
    ).all()
    answers = latest_answers([row.id for row in rows])
    return [Result(*row, *answers.get(row.id, (None, None))) for row in rows]


def latest_answers(idea_ids: list[int]) -> dict[int, tuple[str, datetime]]:
    """Each idea's latest official answer (a status change's response or an official comment), in one query."""
    if not idea_ids:
        return {}
    answers = union_all(
        select(StatusChange.idea_id, StatusChange.response_html.label("html"), StatusChange.created_at)
        .where(StatusChange.idea_id.in_(idea_ids), StatusChange.response != ""),
        select(Comment.idea_id, Comment.body_html, Comment.created_at)
        .where(Comment.idea_id.in_(idea_ids), Comment.is_official.is_(True), Comment.deleted_at.is_(None),
               Comment.is_hidden.is_(False)),
    ).subquery()
    ranked = select(
        answers.c.idea_id, answers.c.html, answers.c.created_at,
        func.row_number().over(partition_by=answers.c.idea_id, order_by=answers.c.created_at.desc()).label("rank"),
    ).subquery()
    rows = db.session.execute(select(ranked.c.idea_id, ranked.c.html, ranked.c.created_at).where(ranked.c.rank == 1))
    return {idea_id: (html, created_at) for idea_id, html, created_at in rows}


def votes_held(*, voter_id: int, campaign_id: int) -> int:
    """The member's votes (up or down) on the session's public ideas that are still in play (open or active)."""
    return db.session.scalar(
        select(func.count(Vote.id))
        .join(Idea, Vote.idea_id == Idea.id)
        .join(Status, Idea.status_id == Status.id)
        .where(Vote.user_id == voter_id, Idea.campaign_id == campaign_id, Status.kind.in_(rules.IN_PLAY_KINDS),
               idea_queries.public_ideas())
    )


def budget(campaign: Campaign, viewer_id: int | None) -> Budget | None:
    """The session's vote budget and what the viewer has left of it; None when votes are unlimited."""
    if campaign.vote_budget is None:
        return None
    if viewer_id is None:
        return Budget(campaign.vote_budget, None)
    held = votes_held(voter_id=viewer_id, campaign_id=campaign.id)
    return Budget(campaign.vote_budget, rules.budget_left(campaign.vote_budget, held))


def idea_campaign(campaign_id: int | None, *, viewer_id: int | None,
                  now: datetime | None = None) -> CampaignTag | None:
    """The session an idea belongs to, for its page; None (and no query) for an idea outside any session."""
    if campaign_id is None:
        return None
    campaign = get_campaign_by_id(campaign_id)
    now = now or utcnow()
    return CampaignTag(campaign.slug, campaign.title, _state(campaign, now), campaign.ends_at,
                       votes_final=rules.votes_final(ends_at=campaign.ends_at, now=now,
                                                     voting_after_close=campaign.voting_after_close),
                       budget=budget(campaign, viewer_id))


def category_choices() -> list[Category]:
    return idea_queries.categories()
