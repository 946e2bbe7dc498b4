"""Pure policy: ranking, vote arithmetic, who may do what, password rules. No Flask, no database."""
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources

from .errors import Invalid, PermissionDenied

HOT_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
HOT_HALF_LIFE_SECONDS = 604_800  # ten times the net votes are worth a week of freshness
VOTE_VALUES = (1, 0, -1)
PASSWORD_MIN, PASSWORD_MAX = 10, 128
USERNAME_RE = re.compile(r"^[A-Za-z0-9_-]{3,30}$")
STAFF_ROLES = frozenset({"pm", "admin"})
ROLES = ("member", "pm", "admin")
EDITABLE_STATUS = "new"


def hot_rank(score: int, created_at: datetime) -> float:
    """Reddit's hot formula: order of magnitude of the score plus time since a fixed epoch.

    Monotonic in creation time, so it can be stored and indexed; it changes only on a vote.
    """
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=timezone.utc)
    order = math.log10(max(abs(score), 1))
    sign = (score > 0) - (score < 0)
    seconds = (created_at - HOT_EPOCH).total_seconds()
    return round(sign * order + seconds / HOT_HALF_LIFE_SECONDS, 7)


@dataclass(frozen=True)
class VoteDelta:
    upvotes: int
    downvotes: int

    @property
    def score(self) -> int:
        return self.upvotes - self.downvotes


def vote_delta(old: int, new: int) -> VoteDelta:
    """How the idea's counters move when one voter's vote goes from `old` to `new` (each 1, 0, -1)."""
    if old not in VOTE_VALUES or new not in VOTE_VALUES:
        raise Invalid("A vote is 1 (up), -1 (down) or 0 (withdraw).", field="value")
    return VoteDelta(upvotes=(new == 1) - (old == 1), downvotes=(new == -1) - (old == -1))


def is_staff(role: str) -> bool:
    return role in STAFF_ROLES


def check_can_edit_idea(*, actor_id: int, author_id: int, status_slug: str) -> None:
    """Authors may edit their idea until a product manager has moved it on from `new`."""
    if actor_id != author_id:
        raise PermissionDenied("Only the author can edit this idea.")
    if status_slug != EDITABLE_STATUS:
        raise PermissionDenied("This idea can no longer be edited: it has been reviewed.")


def check_can_change_comment(*, actor_id: int, author_id: int, deleted: bool) -> None:
    if actor_id != author_id:
        raise PermissionDenied("Only the author can change this comment.")
    if deleted:
        raise PermissionDenied("This comment has been deleted.")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("ideaportal").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", username: str = "") -> str | None:
    """Why this password is refused, or None. Length, then the common list, then the account's own names."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    lowered = password.lower()
    if lowered in common_passwords():
        return "That password is on a list of commonly used passwords. Please choose another."
    if lowered in {email.lower(), username.lower(), email.lower().partition("@")[0]}:
        return "Your password must not be your email address or username."
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def slugify(text: str, max_length: int = 60) -> str:
    """An ASCII URL slug for readability only; ids are what identify ideas."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "idea"
