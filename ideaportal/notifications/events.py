"""Events that people must hear about, emitted inside a use case's unit of work."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatusChanged:
    """An idea moved to another status (by staff, a merge or unmerge, or archiving)."""

    idea_id: int
    status_change_id: int
    actor_id: int | None
    merge_id: int | None = None  # set when a merge made the change


@dataclass(frozen=True)
class CommentPosted:
    """A comment on an idea: an official answer when `official`; `mentioned_ids` were @mentioned in it."""

    idea_id: int
    comment_id: int
    author_id: int
    official: bool = False
    mentioned_ids: frozenset[int] = field(default_factory=frozenset)
    edited: bool = False  # an edit: only members newly mentioned hear of it
