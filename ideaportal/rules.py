"""Pure policy: ranking, vote arithmetic, who may do what, password rules. No Flask, no database."""
import calendar
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources

from .errors import Conflict, Invalid, PermissionDenied

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


FORMER_MEMBER = "former-member-"  # the name a deleted account keeps; nobody may choose one like it


def check_username(username: str) -> str:
    """The username as typed, if it may be taken. Raises Invalid."""
    if not USERNAME_RE.match(username):
        raise Invalid("Use 3 to 30 letters, digits, hyphens or underscores.", field="username")
    if username.lower().startswith(FORMER_MEMBER):
        raise Invalid("Names starting with “former-member-” are kept for deleted accounts.", field="username")
    return username


def normalise_email(email: str) -> str:
    return email.strip().lower()


def slugify(text: str, max_length: int = 60) -> str:
    """An ASCII URL slug for readability only; ids are what identify ideas."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "idea"


# Settings: users, statuses and categories, managed by admins.
SYSTEM_STATUSES = frozenset({"new", "duplicate", "archived"})  # the code moves ideas to these by slug
STATUS_KINDS = ("open", "active", "completed", "declined")
# Status badges carry `badge--<kind> badge--<slug>`; a slug equal to another badge modifier would recolour it.
RESERVED_STATUS_SLUGS = frozenset({*STATUS_KINDS, "official", "hidden"})
STATUS_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CATEGORY_SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
COLOUR_RE = re.compile(r"^#[0-9a-f]{6}$")
BADGE_TEXT, MIN_CONTRAST = "#ffffff", 4.5


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour written #rrggbb."""
    if not COLOUR_RE.fullmatch(colour.lower()):
        raise Invalid(f"{colour!r} is not a colour written #rrggbb.", field="colour")
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(hex_a: str, hex_b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(hex_a), _luminance(hex_b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_badge_colour(colour: str) -> str:
    """The colour, lower-cased, if white badge text on it reaches 4.5:1. Raises Invalid."""
    colour = colour.strip().lower()
    if not COLOUR_RE.fullmatch(colour):
        raise Invalid("Write the colour as # and six hex digits, like #1f5fad.", field="colour")
    ratio = contrast_ratio(colour, BADGE_TEXT)
    if ratio < MIN_CONTRAST:
        shown = math.floor(ratio * 100) / 100
        raise Invalid(
            f"White text on {colour} has a contrast ratio of {shown:.2f}:1; it needs at least "
            f"{MIN_CONTRAST}:1. Choose a darker colour.", field="colour",
        )
    return colour


def check_status_slug(slug: str) -> str:
    if not STATUS_SLUG_RE.fullmatch(slug):
        raise Invalid("Use 1 to 40 lowercase letters, digits or underscores, starting with a letter.", field="slug")
    if slug in RESERVED_STATUS_SLUGS:
        raise Invalid(f"{slug!r} is reserved for the badges' own styles. Please choose another.", field="slug")
    return slug


def check_category_slug(slug: str) -> str:
    if len(slug) > 40 or not CATEGORY_SLUG_RE.fullmatch(slug):
        raise Invalid("Use up to 40 lowercase letters and digits, words joined by - or _.", field="slug")
    return slug


def check_status_deletable(*, slug: str, in_use: bool) -> None:
    if slug in SYSTEM_STATUSES:
        raise PermissionDenied(f"The status {slug!r} is built in: the portal relies on it, so it cannot be deleted.")
    if in_use:
        raise Conflict("Ideas use this status (now or in their history), so it cannot be deleted.")


def check_role_change(*, actor_id: int | None, user_id: int, old_role: str, new_role: str) -> None:
    """Admins may not step down themselves: another admin has to do it."""
    if new_role not in ROLES:
        raise Invalid(f"Unknown role {new_role!r}: use one of {', '.join(ROLES)}.", field="role")
    if actor_id == user_id and old_role == "admin" and new_role != "admin":
        raise PermissionDenied("You can't remove your own admin role. Ask another admin to do it.")


def check_deactivation(*, actor_id: int | None, user_id: int) -> None:
    if actor_id == user_id:
        raise PermissionDenied("You can't deactivate your own account. Ask another admin to do it.")


def check_admins_remain(active_admins: int) -> None:
    """The portal must keep at least one active admin, or nobody could manage it."""
    if active_admins < 1:
        raise Conflict("This is the last active admin: make someone else an admin first.")


def swap_with_neighbour(ids: list[int], item_id: int, direction: str) -> list[int]:
    """`ids` (in display order) with `item_id` swapped with the one above or below it; unchanged at an end."""
    if direction not in ("up", "down"):
        raise Invalid("Move up or down.", field="direction")
    if item_id not in ids:
        raise Invalid("That item is not in this list.")
    index = ids.index(item_id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ids):
        return list(ids)
    order = list(ids)
    order[index], order[other] = order[other], order[index]
    return order


# Triage: how staff move an idea's status, and when an idea is stale.
DUPLICATE_STATUS = "duplicate"


def check_status_change(*, current: str, target: str, requires_response: bool, response: str, merged: bool) -> None:
    """Duplicates go through a merge; some statuses need a public answer; a no-op change needs one too."""
    if merged:
        raise Invalid("This idea was merged into another one; unmerge it before changing its status.")
    if target == DUPLICATE_STATUS:
        raise Invalid("To mark an idea as a duplicate, merge it into the original in the Merge section: "
                      "that moves its votes and tells its followers.", field="status")
    answered = bool(response.strip())
    if requires_response and not answered:
        raise Invalid("This status needs a public response that explains it to the customer.", field="response")
    if current == target and not answered:
        raise Invalid("The idea already has this status. Write a response to post an update.", field="status")


def months_before(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months earlier; the day is clamped to that month's last day."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    return moment.replace(year=year, month=month + 1, day=min(moment.day, calendar.monthrange(year, month + 1)[1]))


# Merges: a duplicate idea (the source) folded into the original (the target).
def check_can_merge(
    *, source_id: int, target_id: int, source_merged_into: int | None, source_has_merged_ideas: bool,
    target_merged_into: int | None, target_hidden: bool,
) -> None:
    """Merges are one level deep: never into oneself, a merged or hidden idea, nor from a merged idea or a target."""
    if source_id == target_id:
        raise Invalid("An idea can't be merged into itself. Enter the number of the original idea.", field="into")
    if source_merged_into is not None:
        raise Conflict(f"Idea #{source_id} is already merged into #{source_merged_into}. Unmerge it first.")
    if source_has_merged_ideas:
        raise Conflict(f"Other ideas are merged into #{source_id}: unmerge those first or merge them into "
                       f"#{target_id} directly.")
    if target_merged_into is not None:
        raise Invalid(f"Idea #{target_id} is itself merged into #{target_merged_into}: merge into "
                      f"#{target_merged_into} instead.", field="into")
    if target_hidden:
        raise Invalid(f"Idea #{target_id} is hidden from the public, so nothing can be merged into it.", field="into")


# Moderation: members report ideas and comments to the moderators.
FLAG_REASONS = ("spam", "offensive", "off_topic", "other")
FLAG_NOTE_MAX = 500


def check_flag_report(*, reason: str, note: str) -> None:
    """A report names one of the listed reasons and may add a short note."""
    if reason not in FLAG_REASONS:
        raise Invalid("Please choose one of the listed reasons.", field="reason")
    if len(note) > FLAG_NOTE_MAX:
        raise Invalid(f"Keep the note to {FLAG_NOTE_MAX} characters or fewer.", field="note")


def check_can_flag(*, reporter_id: int, author_id: int, what: str) -> None:
    """Members report other people's ideas and comments, never their own."""
    if reporter_id == author_id:
        raise PermissionDenied(f"You can't report your own {what}.")


# Leaderboard, contributor points and badges: public recognition, computed from the rows.
# Windows are rolling: "this week" is the 7 days up to now, "this month" the 30 days up to now, so
# a board never empties on a Monday. A vote counts in a window when its created_at (the moment its
# current value was cast) is at or after the window's start.
LEADERBOARD_WINDOWS = {"week": 7, "month": 30}  # days
RISING_MIN_NET = 2  # net votes in the last 7 days before an idea can rise: its author's own vote is not enough
RISING_AGE_OFFSET_DAYS = 2.0
RISING_GRAVITY = 1.5
# Points per idea with this status (slug). The points triggers on `idea` repeat these numbers in SQL
# (migration 8d41c0b7e2a5): changing them needs a migration that writes the triggers again, and
# tests/services/test_status_bonus.py fails until both agree.
STATUS_BONUS = {"implemented": 50, "partially_implemented": 25}


def window_start(window: str, now: datetime) -> datetime:
    """The first moment inside a rolling leaderboard window ending at `now`. Raises Invalid."""
    from datetime import timedelta

    if window not in LEADERBOARD_WINDOWS:
        raise Invalid(f"Unknown period {window!r}: use one of {', '.join(LEADERBOARD_WINDOWS)}.")
    return now - timedelta(days=LEADERBOARD_WINDOWS[window])


def age_in_days(created_at: datetime, now: datetime) -> float:
    return max((now - created_at).total_seconds(), 0.0) / 86_400


def rising_score(net_votes: int, age_days: float) -> float:
    """Net votes of the last 7 days over (age + 2 days)^1.5: young ideas rise on few votes, old ones need many."""
    return net_votes / (max(age_days, 0.0) + RISING_AGE_OFFSET_DAYS) ** RISING_GRAVITY


def contributor_points(*, net_votes: int, implemented: int, partially_implemented: int) -> int:
    """Impact, not volume: net votes on one's public ideas plus a bonus for each idea the team shipped."""
    return (net_votes + implemented * STATUS_BONUS["implemented"]
            + partially_implemented * STATUS_BONUS["partially_implemented"])


@dataclass(frozen=True)
class MemberStats:
    """What a member's badges are earned from; public ideas and visible comments only."""

    ideas: int = 0
    net_votes: int = 0  # the sum of their ideas' scores
    comments: int = 0
    upvotes_received: int = 0  # from other members: an author's own vote on their idea is left out
    best_idea_score: int = 0
    planned: int = 0  # ideas the team has taken on: status kind `active` or `completed`
    implemented: int = 0
    partially_implemented: int = 0


@dataclass(frozen=True)
class Badge:
    slug: str
    name: str
    description: str
    stat: str  # a MemberStats field
    threshold: int

    def earned(self, stats: MemberStats) -> bool:
        return getattr(stats, self.stat) >= self.threshold


BADGES = (
    Badge("first_idea", "First idea", "Shared a first idea.", "ideas", 1),
    Badge("idea_machine", "Idea machine", "Shared 10 ideas.", "ideas", 10),
    Badge("first_comment", "First comment", "Joined a discussion for the first time.", "comments", 1),
    Badge("conversationalist", "Conversationalist", "Wrote 10 comments.", "comments", 10),
    Badge("votes_10", "10 votes received", "Other members gave their ideas 10 up votes.", "upvotes_received", 10),
    Badge("votes_100", "100 votes received", "Other members gave their ideas 100 up votes.", "upvotes_received", 100),
    Badge("crowd_favourite", "Crowd favourite", "Has an idea with a score of 25 or more.", "best_idea_score", 25),
    Badge("planned", "On the roadmap", "The product team took on one of their ideas.", "planned", 1),
    Badge("implemented", "Shipped", "One of their ideas was implemented.", "implemented", 1),
)


def earned_badges(stats: MemberStats) -> list[Badge]:
    """The badges these stats earn, in the order of BADGES."""
    return [badge for badge in BADGES if badge.earned(stats)]


# Roadmap: the public columns, from the statuses' kinds and their order (position) as admins arrange them.
ROADMAP_COLUMNS = {"planned": "Planned", "in_progress": "In progress", "implemented": "Recently implemented"}
ROADMAP_UNDER_WAY = "in_progress"  # the first status of work under way; active statuses before it are plans


def roadmap_columns(statuses) -> dict[str, list[str]]:
    """The status slugs in each roadmap column, in position order, from (slug, kind, position) triples.

    Completed statuses make the last column. Active statuses placed before `in_progress` are plans and
    it and the ones after it are work under way, so an admin's new active status lands by where it is
    placed. Without `in_progress`, the last active status is the work under way (if there are two or more).
    """
    ordered = sorted(statuses, key=lambda status: (status[2], status[0]))
    active = [slug for slug, kind, _ in ordered if kind == "active"]
    if ROADMAP_UNDER_WAY in active:
        split = active.index(ROADMAP_UNDER_WAY)
    else:
        split = len(active) - 1 if len(active) > 1 else len(active)
    return {
        "planned": active[:split],
        "in_progress": active[split:],
        "implemented": [slug for slug, kind, _ in ordered if kind == "completed"],
    }


def utc_moment(moment: datetime) -> str:
    """A date and time people read, in UTC: 3 March 2026, 17:00 UTC."""
    return f"{moment.astimezone(timezone.utc):%-d %B %Y, %H:%M} UTC"


def competition_ranks(points: list[int]) -> list[int]:
    """Leaderboard ranks for points listed highest first: equal points share a rank ("1, 2, 2, 4")."""
    ranks: list[int] = []
    for index, value in enumerate(points):
        ranks.append(ranks[-1] if index and value == points[index - 1] else index + 1)
    return ranks

