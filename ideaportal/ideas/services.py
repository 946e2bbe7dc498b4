"""Idea use cases: submit, edit, vote, recount. Each is one unit of work (`@use_case`)."""
from dataclasses import asdict, dataclass

from sqlalchemy import func, select, update

from .. import rules
from ..auth.services import check_may_post
from ..campaigns import services as campaign_rules
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..follows.services import auto_follow
from ..models import Category, Comment, Idea, Status, Vote, utcnow
from ..text import check_visible, idea_body
from ..transaction import retrying, use_case
from . import votes

VOTE_ATTEMPTS = 3


@dataclass(frozen=True)
class Tally:
    score: int
    upvotes: int
    downvotes: int
    my_vote: int
    budget_left: int | None = None  # votes left in the idea's Storm Session, when it has a budget

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if key != "budget_left" or value is not None}


@use_case
def submit_idea(
    *, author_id: int, title: str, body: str, category_id: int, campaign_id: int | None = None
) -> Idea:
    """Post a new idea with the author's own upvote; the author follows it (unless they turned automatic
    following off). Raises Invalid (unknown category, nothing visible), PermissionDenied (address unconfirmed).

    Into a Storm Session only while it is active (else Conflict; NotFound if there is none); the author's
    vote counts against the session's budget, so with none left the idea is posted without it.
    """
    check_may_post(author_id)
    _check_text(title, body)
    _check_category(category_id)
    now = utcnow()
    if campaign_id is not None:
        campaign_rules.check_takes_ideas(campaign_id=campaign_id, now=now)
    idea = Idea(
        title=title.strip(),
        **idea_body(body),
        author_id=author_id,
        campaign_id=campaign_id,
        category_id=category_id,
        status_id=_status_id(rules.EDITABLE_STATUS),
        upvotes=1,
        score=1,
        hot_rank=rules.hot_rank(1, now),
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    db.session.add(idea)
    db.session.flush()  # writes first: the budget below is counted under the write lock
    if campaign_id is not None and not campaign_rules.own_vote_fits(campaign_id=campaign_id, author_id=author_id):
        idea.upvotes = idea.score = 0
        idea.hot_rank = rules.hot_rank(0, now)
    else:
        db.session.add(Vote(user_id=author_id, idea_id=idea.id, value=1, created_at=now))
    auto_follow(idea_id=idea.id, user_id=author_id, now=now)
    return idea


@use_case
def edit_idea(*, idea_id: int, editor_id: int, title: str, body: str, category_id: int) -> Idea:
    """Change an idea's text and category. Raises NotFound, PermissionDenied, Invalid."""
    row = db.session.execute(
        select(Idea, Status.slug).join(Status, Idea.status_id == Status.id).where(Idea.id == idea_id)
    ).one_or_none()
    if row is None or row.Idea.is_hidden:
        raise NotFound("There is no idea with that number.")
    idea, status_slug = row
    rules.check_can_edit_idea(actor_id=editor_id, author_id=idea.author_id, status_slug=status_slug)
    _check_text(title, body)
    _check_category(category_id)
    idea.title = title.strip()
    for name, value in idea_body(body).items():
        setattr(idea, name, value)
    idea.category_id = category_id
    idea.updated_at = idea.last_activity_at = utcnow()
    return idea


def cast_vote(*, idea_id: int, voter_id: int, value: int) -> Tally:
    """Set the voter's vote on an idea to +1, -1 or 0 (withdraw). Raises NotFound, Invalid, Conflict.

    Claims the idea first (votes.py: PostgreSQL locks its row, SQLite takes its write lock), then writes the
    vote, the counters (by a difference in SQL, never in Python), the hot rank and a new vote's follow. On an
    idea in a Storm Session, the session's rules (votes final after it closes, the vote budget) are checked
    after the writes, and a refusal rolls them back. PostgreSQL's deadlock victim (a merge's locks won) is retried.
    """
    if value not in rules.VOTE_VALUES:
        raise Invalid("A vote is 1 (up), -1 (down) or 0 (withdraw).", field="value")
    return retrying(lambda: _apply_vote(idea_id=idea_id, voter_id=voter_id, value=value), attempts=VOTE_ATTEMPTS)


@use_case
def _apply_vote(*, idea_id: int, voter_id: int, value: int) -> Tally:
    connection, now = db.session.connection(), utcnow()
    claimed = votes.claim(connection, idea_id=idea_id, now=now)
    if claimed is None:
        raise NotFound("There is no idea with that number, or it is closed to votes.")
    written = votes.write(connection, claimed, idea_id=idea_id, voter_id=voter_id, value=value, now=now)
    budget_left = None
    if claimed.campaign_id is not None:  # a Storm Session's rules, checked after the writes like everything here
        budget_left = campaign_rules.check_vote(
            campaign_id=claimed.campaign_id, voter_id=voter_id, status_id=claimed.status_id,
            old_value=written.old_value, value=value, now=now,
        )
    return Tally(written.score, written.upvotes, written.downvotes, value, budget_left)


@use_case
def recount_all() -> int:
    """Recompute every idea's counters and hot rank from the vote and comment rows. Returns ideas changed."""
    return len(recount())


def recount(idea_ids: list[int] | None = None) -> list[int]:
    """Recompute these ideas' (all ideas' when None) counters and hot rank from the rows, in SQL.

    A step: a larger use case (a merge) recounts inside its own transaction.
    Returns the ids of the ideas whose counters had drifted.
    """
    ups = select(func.count()).where(Vote.idea_id == Idea.id, Vote.value == 1).scalar_subquery()
    downs = select(func.count()).where(Vote.idea_id == Idea.id, Vote.value == -1).scalar_subquery()
    comments = (
        select(func.count())
        .where(Comment.idea_id == Idea.id, Comment.deleted_at.is_(None), Comment.is_hidden.is_(False))
        .scalar_subquery()
    )
    stale = (Idea.upvotes != ups) | (Idea.downvotes != downs) | (Idea.comment_count != comments)
    query = update(Idea).where(stale)
    if idea_ids is not None:
        query = query.where(Idea.id.in_(idea_ids))
    changed = db.session.execute(
        query
        .values(upvotes=ups, downvotes=downs, score=ups - downs, comment_count=comments)
        .returning(Idea.id, Idea.score, Idea.created_at)
        .execution_options(synchronize_session=False)
    ).all()
    for row in changed:
        db.session.execute(
            update(Idea)
            .where(Idea.id == row.id)
            .values(hot_rank=rules.hot_rank(row.score, row.created_at))
            .execution_options(synchronize_session=False)
        )
    return [row.id for row in changed]


def _status_id(slug: str) -> int:
    status_id = db.session.scalar(select(Status.id).where(Status.slug == slug))
    if status_id is None:
        raise Conflict(f"The status {slug!r} is missing: run `flask --app ideaportal db upgrade`.")
    return status_id


def _check_category(category_id: int) -> None:
    if db.session.get(Category, category_id) is None:
        raise Invalid("Please choose one of the listed categories.", field="category")


def _check_text(title: str, body: str) -> None:
    check_visible(title, field="title", what="title")
    check_visible(body, field="body", what="description")
