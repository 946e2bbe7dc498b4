"""Storm Session use cases: staff create and edit sessions (audited, one unit of work each); and the
session rules that the idea use cases apply inside their own transactions (submitting, voting)."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models import Campaign, Category, Status, User, utcnow
from ..rules import slugify
from ..text import render_markdown
from ..transaction import use_case
from . import queries, rules

TITLE_MAX, QUESTION_MAX = 140, 280  # the columns' lengths
SLUG_TAKEN = "Another Storm Session already has that slug."


@use_case
def create_campaign(*, actor_id: int | None, title: str, slug: str, question: str, description: str,
                    category_id: int | None, starts_at: datetime, ends_at: datetime, voting_after_close: bool,
                    vote_budget: int | None) -> Campaign:
    """Open a Storm Session (the slug comes from the title when empty). Raises Invalid, Conflict (slug taken)."""
    values = _values(title=title, slug=slug, question=question, description=description, category_id=category_id,
                     starts_at=starts_at, ends_at=ends_at, voting_after_close=voting_after_close,
                     vote_budget=vote_budget)
    _check_slug_free(values["slug"], campaign_id=None)
    campaign = Campaign(**values, description_html=render_markdown(values["description"]), created_by_id=actor_id,
                        created_at=utcnow())
    db.session.add(campaign)
    _flush()
    audit.record(actor_id=actor_id, action="campaign.create", target_type="campaign", target_id=campaign.id,
                 after=_json(values))
    return campaign


@use_case
def update_campaign(*, campaign_id: int, actor_id: int | None, title: str, slug: str, question: str,
                    description: str, category_id: int | None, starts_at: datetime, ends_at: datetime,
                    voting_after_close: bool, vote_budget: int | None) -> Campaign:
    """Change a session's text, dates and voting rules; only changed fields are recorded.

    A lowered budget leaves members' existing votes alone: they just can't add one until they are under it.
    Raises NotFound, Invalid, Conflict (slug taken).
    """
    campaign = queries.get_campaign_by_id(campaign_id)
    values = _values(title=title, slug=slug, question=question, description=description, category_id=category_id,
                     starts_at=starts_at, ends_at=ends_at, voting_after_close=voting_after_close,
                     vote_budget=vote_budget)
    _check_slug_free(values["slug"], campaign_id=campaign_id)
    before = {key: getattr(campaign, key) for key, value in values.items() if getattr(campaign, key) != value}
    if not before:
        return campaign
    for key in before:
        setattr(campaign, key, values[key])
    if "description" in before:
        campaign.description_html = render_markdown(values["description"])
    _flush()
    audit.record(actor_id=actor_id, action="campaign.update", target_type="campaign", target_id=campaign_id,
                 before=_json(before), after=_json({key: values[key] for key in before}))
    return campaign


def check_takes_ideas(*, campaign_id: int, now: datetime) -> None:
    """Inside submit_idea's transaction, before its writes: the session exists and is active.

    Raises NotFound, Conflict. Does not commit.
    """
    campaign = queries.get_campaign_by_id(campaign_id)
    rules.check_campaign_takes_ideas(starts_at=campaign.starts_at, ends_at=campaign.ends_at, now=now)


def own_vote_fits(*, campaign_id: int, author_id: int) -> bool:
    """Inside submit_idea's transaction, after the new idea's insert (which took SQLite's write lock): whether
    the author's own vote on it fits their budget in the session. Does not commit."""
    budget = db.session.scalar(select(Campaign.vote_budget).where(Campaign.id == campaign_id))
    if budget is None:
        return True
    _lock_voter(author_id)
    return queries.votes_held(voter_id=author_id, campaign_id=campaign_id) < budget


def check_vote(*, campaign_id: int, voter_id: int, status_id: int, old_value: int, value: int,
               now: datetime) -> int | None:
    """Inside cast_vote's transaction, after its writes: apply the session's voting rules to this vote.

    Returns the votes the voter has left in the session (None: unlimited). Raises Conflict (votes final, or
    over budget); the caller rolls back. Does not commit.
    """
    campaign = db.session.execute(
        select(Campaign.ends_at, Campaign.voting_after_close, Campaign.vote_budget,
               select(Status.kind).where(Status.id == status_id).scalar_subquery().label("kind"))
        .where(Campaign.id == campaign_id)
    ).one()
    rules.check_campaign_vote(ends_at=campaign.ends_at, now=now, voting_after_close=campaign.voting_after_close)
    if campaign.vote_budget is None:
        return None
    adds_a_vote = old_value == 0 and value != 0 and campaign.kind in rules.IN_PLAY_KINDS
    if adds_a_vote:
        _lock_voter(voter_id)
    held = queries.votes_held(voter_id=voter_id, campaign_id=campaign_id)
    rules.check_vote_budget(budget=campaign.vote_budget, held=held, adds_a_vote=adds_a_vote)
    return rules.budget_left(campaign.vote_budget, held)


def _lock_voter(user_id: int) -> None:
    """Serialise one member's budget votes, so two at once cannot both take the last vote.

    PostgreSQL: a row lock on the member, which waits for their other vote to commit, after which the
    count sees it. NO KEY UPDATE, because the vote rows' foreign keys hold KEY SHARE on the same row.
    SQLite: no-op SQL; its single writer, taken by the vote's first write, already serialises.
    """
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True)).all()


def _values(*, title: str, slug: str, question: str, description: str, category_id: int | None,
            starts_at: datetime, ends_at: datetime, voting_after_close: bool, vote_budget: int | None) -> dict:
    title = _required(title, "title", TITLE_MAX)
    slug = rules.check_campaign_slug((slug or "").strip().lower() or slugify(title, rules.CAMPAIGN_SLUG_MAX))
    rules.check_campaign_dates(starts_at=starts_at, ends_at=ends_at)
    rules.check_vote_budget_value(vote_budget)
    if category_id is not None and db.session.get(Category, category_id) is None:
        raise Invalid("Please choose one of the listed categories.", field="category_id")
    return {
        "title": title, "slug": slug, "question": _required(question, "question", QUESTION_MAX),
        "description": (description or "").strip(), "category_id": category_id, "starts_at": starts_at,
        "ends_at": ends_at, "voting_after_close": bool(voting_after_close), "vote_budget": vote_budget,
    }


def _required(text: str, field: str, max_length: int) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("This can't be empty.", field=field)
    if len(text) > max_length:
        raise Invalid(f"Use at most {max_length} characters.", field=field)
    return text


def _check_slug_free(slug: str, *, campaign_id: int | None) -> None:
    taken = select(Campaign.id).where(Campaign.slug == slug)
    if campaign_id is not None:
        taken = taken.where(Campaign.id != campaign_id)
    if db.session.scalar(taken) is not None:
        raise Conflict(SLUG_TAKEN, field="slug")


def _flush() -> None:
    """Write the row now; another session created with the same slug just now becomes Conflict."""
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(SLUG_TAKEN, field="slug") from None


def _json(values: dict) -> dict:
    """Audit values as JSON: moments as ISO 8601 text."""
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in values.items()}
