"""Merge a duplicate idea into its original without losing anything, and undo it. Each is one unit of work."""
import re
from dataclasses import dataclass

from sqlalchemy import Integer, delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from .. import audit, rules
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..ideas.services import recount
from ..ideas.votes import activity_at
from ..locks import lock_for_writing
from ..models import (
    Idea,
    IdeaMerge,
    MergedVote,
    Status,
    Subscription,
    UTCDateTime,
    Vote,
    utcnow,
)
from ..search import learned
from ..statuses import record_status_change
from ..transaction import retrying_or_busy, use_case

DUPLICATE = "duplicate"
RACE = "Someone voted or followed while the merge ran, so nothing was changed. Please try again."
BUSY = "The database was too busy to finish this just now, so nothing was changed. Please try again."


@dataclass(frozen=True)
class MergeOutcome:
    source_id: int
    target_id: int
    target_title: str
    moved_votes: int  # votes on the source that became votes on the target
    kept_votes: int  # voters on both ideas, who keep their vote on the target
    new_followers: int


@dataclass(frozen=True)
class UnmergeOutcome:
    source_id: int
    source_title: str
    target_id: int
    restored_votes: int
    kept_changed_votes: int  # moved votes recast on the target after the merge, which stay there


def merge_idea(*, source_id: int, target_id: int, actor_id: int | None, note: str = "") -> MergeOutcome:
    """Merge idea `source_id` (a duplicate) into `target_id`, in one transaction.

    Every vote on the source is kept in MergedVote, then deleted; voters with no vote on the
    target get theirs moved there, voters on both keep their target vote. Counters are recounted
    from the rows; the source becomes a `duplicate` with a public answer; its followers follow the
    target; its comments stay on it and show on the target's page.
    Raises NotFound (no source), Invalid and Conflict (see `rules.check_can_merge`; or the database too
    busy: a deadlock's victim runs again, twice).
    """
    try:
        return retrying_or_busy(lambda: _merge(source_id=source_id, target_id=target_id, actor_id=actor_id,
                                               note=note.strip()), busy=BUSY)
    except IntegrityError:  # a vote or follow on the target raced one being moved there
        raise Conflict(RACE) from None


@use_case
def _merge(*, source_id: int, target_id: int, actor_id: int | None, note: str) -> MergeOutcome:
    duplicate_id = _status_id(DUPLICATE)
    ideas = _lock(source_id, target_id, new_status_ids=[duplicate_id])
    if source_id not in ideas:
        raise NotFound(f"There is no idea #{source_id}.")
    if target_id not in ideas:
        raise Invalid(f"There is no idea #{target_id}. Check the number.", field="into")
    source, target = ideas[source_id], ideas[target_id]
    rules.check_can_merge(
        source_id=source_id, target_id=target_id, source_merged_into=source.merged_into_id,
        source_has_merged_ideas=db.session.scalar(select(exists().where(Idea.merged_into_id == source_id))),
        target_merged_into=target.merged_into_id, target_hidden=target.is_hidden,
    )
    now = utcnow()
    merge_id = db.session.scalar(
        insert(IdeaMerge)
        .values(source_id=source_id, target_id=target_id, source_status_id=source.status_id,
                merged_by_id=actor_id, merged_at=now)
        .returning(IdeaMerge.id)
    )
    moved, kept = _move_votes(merge_id=merge_id, source_id=source_id, target_id=target_id)
    new_followers = _copy_followers(source_id=source_id, target_id=target_id, now=now)
    learned.learn(merge_id=merge_id, source_id=source_id, target_id=target_id)
    recount([source_id, target_id])
    db.session.execute(
        update(Idea)
        .where(Idea.id == source_id)
        .values(merged_into_id=target_id, status_id=duplicate_id,
                first_response_at=func.coalesce(Idea.first_response_at, now))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Idea).where(Idea.id == target_id).values(last_activity_at=activity_at(now))
        .execution_options(synchronize_session=False)
    )
    response = f"Merged into #{target_id}: {markdown_text(target.title)}. Votes and followers moved there."
    record_status_change(idea_id=source_id, from_status_id=source.status_id, to_status_id=duplicate_id,
                         actor_id=actor_id, response=f"{response}\n\n{note}", now=now, merge_id=merge_id)
    _audit("idea.merge", actor_id, source_id, target_id,
           before=_state(source_id, target_id, source.status_id, None, ideas),
           after=_state(source_id, target_id, duplicate_id, target_id, _counters(source_id, target_id)))
    return MergeOutcome(source_id, target_id, target.title, moved, kept, new_followers)


def _move_votes(*, merge_id: int, source_id: int, target_id: int) -> tuple[int, int]:
    """Snapshot the source's votes, move those of voters new to the target, delete the rest."""
    on_target = aliased(Vote)
    voted_on_target = exists().where(on_target.idea_id == target_id, on_target.user_id == Vote.user_id)
    db.session.execute(
        insert(MergedVote).from_select(
            ["merge_id", "user_id", "value", "created_at", "moved"],
            select(literal(merge_id, Integer), Vote.user_id, Vote.value, Vote.created_at, ~voted_on_target)
            .where(Vote.idea_id == source_id),
        )
    )
    db.session.execute(delete(Vote).where(Vote.idea_id == source_id))
    db.session.execute(
        insert(Vote).from_select(
            ["user_id", "idea_id", "value", "created_at"],
            select(MergedVote.user_id, literal(target_id, Integer), MergedVote.value, MergedVote.created_at)
            .where(MergedVote.merge_id == merge_id, MergedVote.moved.is_(True)),
        )
    )
    moved, kept = db.session.execute(
        select(func.count().filter(MergedVote.moved.is_(True)), func.count().filter(MergedVote.moved.is_(False)))
        .where(MergedVote.merge_id == merge_id)
    ).one()
    return moved, kept


def _copy_followers(*, source_id: int, target_id: int, now) -> int:
    """The source's followers follow the target too, dated `now` (the merge's moment, which an unmerge uses).

    Their subscriptions to the source stay, for an unmerge.
    """
    on_target = aliased(Subscription)
    already = exists().where(on_target.idea_id == target_id, on_target.user_id == Subscription.user_id)
    return len(db.session.execute(
        insert(Subscription).from_select(
            ["user_id", "idea_id", "created_at"],
            select(Subscription.user_id, literal(target_id, Integer), literal(now, UTCDateTime()))
            .where(Subscription.idea_id == source_id, ~already),
        ).returning(Subscription.id)
    ).all())


def unmerge_idea(*, idea_id: int, actor_id: int | None) -> UnmergeOutcome:
    """Undo the open merge of `idea_id` into its target, in one transaction.

    The source gets back every vote it had (from MergedVote), its previous status and its place
    in the lists; the target loses the votes the merge moved there, so it returns to its
    pre-merge vote set — except for a moved voter who changed their vote on the target after
    the merge (a different value, or withdrawn and cast again): that vote is their own choice
    on the target and is kept. A moved vote the voter withdrew from the target stays withdrawn
    there. Followers the merge added to the target stop following it, unless they followed it again
    themselves since (the same rule as for votes). Raises NotFound, Conflict.
    """
    try:
        return retrying_or_busy(lambda: _unmerge(idea_id=idea_id, actor_id=actor_id), busy=BUSY)
    except IntegrityError:  # the source got votes while merged, which nothing allows
        raise Conflict(f"Idea #{idea_id} has votes of its own again, so its old ones cannot be put back.") from None


@use_case
def _unmerge(*, idea_id: int, actor_id: int | None) -> UnmergeOutcome:
    # The ideas are locked together, in the global order, so the target and the status to restore are read
    # first, unlocked, and confirmed below: only a merge or an unmerge changes them, and each locks the source.
    planned = _open_merge(idea_id)
    ideas = _lock(idea_id, *([planned.target_id] if planned else []),
                  new_status_ids=[planned.source_status_id] if planned else [])
    if idea_id not in ideas:
        raise NotFound(f"There is no idea #{idea_id}.")
    source = ideas[idea_id]
    if source.merged_into_id is None:
        raise Conflict(f"Idea #{idea_id} is not merged into another idea.")
    merge = _open_merge(idea_id)
    if merge is None:
        raise Conflict(f"Idea #{idea_id} has no merge on record to undo.")
    if merge != planned:
        raise Conflict(f"Idea #{idea_id} was merged or unmerged meanwhile. Reload the page and try again.")
    target = ideas[merge.target_id]
    restored, kept_changed = _restore_votes(merge_id=merge.id, source_id=idea_id, target_id=merge.target_id)
    # The merge dated each follower it added with its own moment: those rows go, a later follow stays.
    db.session.execute(delete(Subscription).where(Subscription.idea_id == merge.target_id,
                                                  Subscription.created_at == merge.merged_at))
    now = utcnow()
    db.session.execute(
        update(Idea).where(Idea.id == idea_id).values(merged_into_id=None, status_id=merge.source_status_id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(IdeaMerge).where(IdeaMerge.id == merge.id).values(unmerged_at=now, unmerged_by_id=actor_id)
        .execution_options(synchronize_session=False)
    )
    learned.unlearn(merge.id)
    recount([idea_id, merge.target_id])
    response = f"Unmerged from #{merge.target_id}: {markdown_text(target.title)}."
    record_status_change(idea_id=idea_id, from_status_id=source.status_id, to_status_id=merge.source_status_id,
                         actor_id=actor_id, response=response, now=now)
    _audit("idea.unmerge", actor_id, idea_id, merge.target_id,
           before=_state(idea_id, merge.target_id, source.status_id, merge.target_id, ideas),
           after=_state(idea_id, merge.target_id, merge.source_status_id, None, _counters(idea_id, merge.target_id)))
    return UnmergeOutcome(idea_id, source.title, merge.target_id, restored, kept_changed)


def _restore_votes(*, merge_id: int, source_id: int, target_id: int) -> tuple[int, int]:
    """Take the moved votes off the target and give the source its snapshot back.

    Returns (votes restored on the source, moved votes left on the target because they changed).
    """
    moved = db.session.scalar(select(func.count()).where(MergedVote.merge_id == merge_id, MergedVote.moved.is_(True)))
    # Only a moved vote still exactly as moved (same value and date) goes: a recast one is the voter's own.
    unchanged = exists().where(
        MergedVote.merge_id == merge_id, MergedVote.moved.is_(True), MergedVote.user_id == Vote.user_id,
        MergedVote.value == Vote.value, MergedVote.created_at == Vote.created_at,
    )
    removed = db.session.execute(delete(Vote).where(Vote.idea_id == target_id, unchanged).returning(Vote.id)).all()
    restored = db.session.execute(
        insert(Vote).from_select(
            ["user_id", "idea_id", "value", "created_at"],
            select(MergedVote.user_id, literal(source_id, Integer), MergedVote.value, MergedVote.created_at)
            .where(MergedVote.merge_id == merge_id),
        ).returning(Vote.id)
    ).all()
    return len(restored), moved - len(removed)


def _open_merge(idea_id: int):
    """(id, target_id, source_status_id, merged_at) of the idea's latest merge not undone, into the idea it is
    merged into now; None when there is none."""
    return db.session.execute(
        select(IdeaMerge.id, IdeaMerge.target_id, IdeaMerge.source_status_id, IdeaMerge.merged_at)
        .join(Idea, Idea.id == IdeaMerge.source_id)
        .where(IdeaMerge.source_id == idea_id, IdeaMerge.target_id == Idea.merged_into_id,
               IdeaMerge.unmerged_at.is_(None))
        .order_by(IdeaMerge.merged_at.desc(), IdeaMerge.id.desc())
        .limit(1)
    ).one_or_none()


def _lock(*idea_ids: int, new_status_ids: list[int]) -> dict:
    """Read the ideas through a no-op write, so that SQLite takes its write lock before anything
    is read and PostgreSQL holds their rows until the commit (a vote waits instead of slipping in).

    On PostgreSQL the ideas and every row their triggers will write (their authors' points, site-total
    shares, the status counts of their statuses and of `new_status_ids`) are locked first, in the order
    every writer of several ideas takes them (`locks.py`): a bulk status change running at the same time
    then waits for the merge, or the merge for it, instead of each holding a row the other needs.
    """
    lock_for_writing(idea_ids, new_status_ids=new_status_ids)
    rows = db.session.execute(
        update(Idea)
        .where(Idea.id.in_(idea_ids))
        .values(merged_into_id=Idea.merged_into_id)
        .returning(Idea.id, Idea.title, Idea.status_id, Idea.merged_into_id, Idea.is_hidden,
                   Idea.upvotes, Idea.downvotes, Idea.score)
        .execution_options(synchronize_session=False)
    ).all()
    return {row.id: row for row in rows}


def _status_id(slug: str) -> int:
    status_id = db.session.scalar(select(Status.id).where(Status.slug == slug))
    if status_id is None:
        raise Conflict(f"The status {slug!r} is missing: run `flask --app ideaportal db upgrade`.")
    return status_id


def _audit(action: str, actor_id: int | None, source_id: int, target_id: int, *, before: dict, after: dict) -> None:
    audit.record(actor_id=actor_id, action=action, target_type="idea", target_id=source_id, before=before, after=after)


def _state(source_id: int, target_id: int, status_id: int, merged_into: int | None, rows: dict) -> dict:
    """What the audit keeps: the source's status and merge, and both ideas' counters (the target is
    the merged_into_id on one side)."""
    def counters(row) -> dict:
        return {"upvotes": row.upvotes, "downvotes": row.downvotes, "score": row.score}

    return {
        "status": db.session.scalar(select(Status.slug).where(Status.id == status_id)),
        "merged_into_id": merged_into, "counters": counters(rows[source_id]),
        "target_counters": counters(rows[target_id]),
    }


def _counters(*idea_ids: int) -> dict:
    rows = db.session.execute(select(Idea.id, Idea.upvotes, Idea.downvotes, Idea.score).where(Idea.id.in_(idea_ids)))
    return {row.id: row for row in rows}


def markdown_text(text: str) -> str:
    """`text` with Markdown's punctuation escaped, so an idea's title reads as typed in a response."""
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~&-])", r"\\\1", text)
