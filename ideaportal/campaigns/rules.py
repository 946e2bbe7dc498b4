"""Storm Session policy, without Flask or a database: when a session takes ideas and votes, and its vote budget.

A Storm Session (campaign) is a time-boxed question with its own ideas and, optionally, a vote budget.
"""
import re
from datetime import datetime

from ..errors import Conflict, Invalid
from ..rules import utc_moment

IN_PLAY_KINDS = ("open", "active")  # budget votes on these ideas are held; completed or declined ones give them back
CAMPAIGN_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CAMPAIGN_SLUG_MAX = 60


def campaign_state(*, starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """'upcoming' before the start, 'active' from the start up to (not including) the end, then 'closed'."""
    if now < starts_at:
        return "upcoming"
    return "active" if now < ends_at else "closed"


def check_campaign_dates(*, starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise Invalid("Give the start and end with a time zone (UTC).", field="starts_at")
    if ends_at <= starts_at:
        raise Invalid("The end must come after the start.", field="ends_at")


def check_campaign_slug(slug: str) -> str:
    if len(slug) > CAMPAIGN_SLUG_MAX or not CAMPAIGN_SLUG_RE.fullmatch(slug):
        raise Invalid(f"Use up to {CAMPAIGN_SLUG_MAX} lowercase letters and digits, words joined by -.", field="slug")
    return slug


def check_vote_budget_value(budget: int | None) -> None:
    if budget is not None and budget < 1:
        raise Invalid("A vote budget is a whole number from 1 up; leave it empty for unlimited votes.",
                      field="vote_budget")


def check_campaign_takes_ideas(*, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """A Storm Session takes new ideas only while it is active."""
    state = campaign_state(starts_at=starts_at, ends_at=ends_at, now=now)
    if state == "upcoming":
        raise Conflict(f"This Storm Session hasn't started yet: it takes ideas from {utc_moment(starts_at)}.")
    if state == "closed":
        raise Conflict(f"This Storm Session closed on {utc_moment(ends_at)}, so it takes no new ideas. "
                       "You can still post your idea in the general list.")


def votes_final(*, ends_at: datetime, now: datetime, voting_after_close: bool) -> bool:
    """Whether a session's votes are final: it has closed and does not take votes after closing."""
    return now >= ends_at and not voting_after_close


def check_campaign_vote(*, ends_at: datetime, now: datetime, voting_after_close: bool) -> None:
    """Once a session's votes are final, none can be cast, changed or withdrawn."""
    if votes_final(ends_at=ends_at, now=now, voting_after_close=voting_after_close):
        raise Conflict(f"This Storm Session closed on {utc_moment(ends_at)} and its votes are final: "
                       "they can no longer be cast, changed or withdrawn.")


def check_vote_budget(*, budget: int | None, held: int, adds_a_vote: bool) -> None:
    """A new vote on an idea in play must fit the budget (`held` counts it); changing or withdrawing one always may."""
    if budget is not None and adds_a_vote and held > budget:
        raise Conflict(f"You have used all {budget} of your votes in this Storm Session. Withdraw one to vote "
                       "here; votes also come back when an idea you voted on is completed or declined.")


def budget_left(budget: int | None, held: int) -> int | None:
    """Votes a member may still cast in a session (never negative: staff may lower a budget), None if unlimited."""
    return None if budget is None else max(budget - held, 0)
