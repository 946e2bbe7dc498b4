"""Typed SQLAlchemy models. Columns and constraints only: no Flask, no commits."""
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import DateTime, Float, TypeDecorator

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class seconds_between(FunctionElement):
    """`later - earlier` in seconds (a float), for two timestamp columns (not expressions); also indexed
    (ix_idea_answer_wait)."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    # Written as PostgreSQL prints it back for ix_idea_answer_wait, so that the migrations test matches it.
    return f"(EXTRACT(epoch FROM {later} - {earlier})::double precision)"


# Public ideas, as `ideas.queries.public_ideas()` compiles on each database, so that the planners match the
# partial indexes below to the queries that say it; `answered` adds an official answer.
PUBLIC_SQLITE = "is_hidden IS 0 AND merged_into_id IS NULL"
PUBLIC_POSTGRESQL = "is_hidden IS false AND merged_into_id IS NULL"
ANSWERED = " AND first_response_at IS NOT NULL"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    username: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="member")
    is_active: Mapped[bool] = mapped_column(default=True)  # type: ignore[assignment]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Follow the ideas one submits, votes on or comments on.
    auto_follow: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # When "My activity" was last seen: what changed since is marked there.
    activity_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the member proved the address theirs (a link from an email); None: not yet.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_email: Mapped[str | None] = mapped_column(String(254))  # a new address waiting for its link
    failed_logins: Mapped[int] = mapped_column(default=0, server_default=text("0"))  # wrong passwords in a row
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # logins refused until then
    # Contributor points (rules.contributor_points over one's public ideas), kept exact by triggers on
    # `idea` in the transaction of every write that moves them; a rank is a count on ix_user_points.
    points: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    __table_args__ = (
        Index("uq_user_username_lower", func.lower(username), unique=True),
        Index("ix_user_points", "is_active", "points"),
        CheckConstraint("role IN ('member', 'pm', 'admin')", name="role"),
    )

    # "<user id>:<session token>" for the request's signed-in session (auth/sessions.py); not a column.
    login_id = None

    @property
    def is_staff(self) -> bool:
        return self.role in ("pm", "admin")

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the session and the remember-me cookie: the server-side session, not the user."""
        return self.login_id


class Category(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class Status(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(10))
    colour: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(default=0)
    requires_response: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (CheckConstraint("kind IN ('open', 'active', 'completed', 'declined')", name="kind"),)


class Campaign(db.Model):
    """A Storm Session: a time-boxed question the product team asks, with its own ideas."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(140))
    question: Mapped[str] = mapped_column(String(280))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_after_close: Mapped[bool] = mapped_column(default=False)  # may members still vote once it ends?
    vote_budget: Mapped[int | None] = mapped_column()  # votes each member may have on open ideas; None: unlimited
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_campaign_dates", "starts_at", "ends_at"),
        CheckConstraint("ends_at > starts_at", name="dates"),
        CheckConstraint("vote_budget IS NULL OR vote_budget > 0", name="vote_budget"),
    )


class Idea(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(140))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The body as plain text cut for a card (text.idea_body), stored so that lists never render Markdown.
    excerpt: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    status_id: Mapped[int] = mapped_column(ForeignKey("status.id"), index=True)
    upvotes: Mapped[int] = mapped_column(default=0)
    downvotes: Mapped[int] = mapped_column(default=0)
    score: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    hot_rank: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"))
    is_hidden: Mapped[bool] = mapped_column(default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the PM who owns it (ix_idea_owned)
    # The first public answer from staff (a status change with a response, or an official comment).
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest vote, comment or edit; stale `new` ideas are archived by it.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it moved into its current status (statuses.insert_status_change); None when no history says.
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(lazy="raise", foreign_keys=[author_id])
    owner: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[owner_id])
    category: Mapped[Category] = relationship(lazy="raise")
    status: Mapped[Status] = relationship(lazy="raise")
    campaign: Mapped[Campaign | None] = relationship(lazy="raise")

    # One index per list sort; each ends in id so keyset cursors are total orders.
    __table_args__ = (
        Index("ix_idea_hot", "hot_rank", "id"),
        Index("ix_idea_top", "score", "id"),
        Index("ix_idea_new", "created_at", "id"),
        Index("ix_idea_discussed", "comment_count", "id"),
        Index("ix_idea_triage", "status_id", "created_at", "id"),  # the inbox: one status, oldest first
        Index("ix_idea_stale", "status_id", "last_activity_at"),
        # Covering: contributor points sum scores per author without reading the ideas.
        Index("ix_idea_author_score", "author_id", "score", "status_id"),
        Index("ix_idea_campaign", "campaign_id", "score", "id"),
        # The roadmap's done column and the implemented page: latest to reach its status first (roadmap.queries).
        Index("ix_idea_reached", func.coalesce(status_changed_at, created_at), "id"),
        # Partial, so that planners never prefer it for the lists' `merged_into_id IS NULL`.
        Index(
            "ix_idea_merged_into", "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"), postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
        # Partial: the few hidden ideas in the inbox's order, for its "hidden" filter, which no other index
        # narrows (written as the queries' `is_hidden.is_(True)` compiles, so the planners match it).
        Index(
            "ix_idea_hidden", "created_at", "id",
            sqlite_where=text("is_hidden IS 1"), postgresql_where=text("is_hidden IS true"),
        ),
        # Partial: owned ideas are few, and an index over every idea's NULL owner told SQLite's planner that
        # "mine" matches most of the table. In the inbox's order, for its "mine" filter.
        Index(
            "ix_idea_owned", "owner_id", "created_at", "id",
            sqlite_where=text("owner_id IS NOT NULL"), postgresql_where=text("owner_id IS NOT NULL"),
        ),
        # Partial and covering (their last columns are there so that SQLite needs no table row): what /stats and
        # the home page read. Ideas submitted and first answered in each recent week count a range of the first
        # two; the median wait for a first answer walks the third in order of the wait up to the middle rank.
        Index(
            "ix_idea_public_new", "created_at", "is_hidden", "merged_into_id",
            sqlite_where=text(PUBLIC_SQLITE), postgresql_where=text(PUBLIC_POSTGRESQL),
        ),
        Index(
            "ix_idea_public_answered", "first_response_at", "is_hidden", "merged_into_id",
            sqlite_where=text(PUBLIC_SQLITE + ANSWERED), postgresql_where=text(PUBLIC_POSTGRESQL + ANSWERED),
        ),
        Index(
            "ix_idea_answer_wait", seconds_between(first_response_at, created_at),
            "first_response_at", "created_at", "is_hidden", "merged_into_id",
            sqlite_where=text(PUBLIC_SQLITE + ANSWERED), postgresql_where=text(PUBLIC_POSTGRESQL + ANSWERED),
        ),
        CheckConstraint("score = upvotes - downvotes", name="score"),
        CheckConstraint("upvotes >= 0 AND downvotes >= 0 AND comment_count >= 0", name="counters"),
    )


class SiteTotal(db.Model):
    """A share of the home page's running totals over public ideas; the totals are the sums over all shares.

    Written only by database triggers on `idea` (migration 20261207_6d0e93a41c57), in the transaction
    that changes the idea, to the share of the idea's id modulo 16 (the migration's SHARES): PostgreSQL
    votes on different ideas then seldom wait for the same row. `counters check|repair` recounts them.
    """

    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ideas: Mapped[int] = mapped_column(BigInteger, default=0)
    votes: Mapped[int] = mapped_column(BigInteger, default=0)
    comments: Mapped[int] = mapped_column(BigInteger, default=0)
    implemented: Mapped[int] = mapped_column(BigInteger, default=0)
    answered: Mapped[int] = mapped_column(BigInteger, default=0)


class StatusCount(db.Model):
    """Public ideas per status and category, for the roadmap's column counts; written only by triggers on
    `idea` (migration 20261207_c3f1b8e2d904), like SiteTotal. Votes never touch it."""

    status_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ideas: Mapped[int] = mapped_column(BigInteger, default=0)


class Vote(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "idea_id", name="uq_vote_user_id_idea_id"),
        # Leaderboard windows: the votes cast since a moment, per idea, read from the index alone.
        Index("ix_vote_window", "created_at", "idea_id", "value"),
        CheckConstraint("value IN (-1, 1)", name="value"),
    )


class Comment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    is_official: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_hidden: Mapped[bool] = mapped_column(default=False)  # hidden by a moderator; kept

    author: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (Index("ix_comment_idea_thread", "idea_id", "created_at", "id"),)

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


class StatusChange(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    from_status_id: Mapped[int | None] = mapped_column(ForeignKey("status.id"))
    to_status_id: Mapped[int] = mapped_column(ForeignKey("status.id"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    response: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_status_change_to_status", "to_status_id", "idea_id"),)


class StaffNote(db.Model):
    """An internal note on an idea, visible to staff only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(db.Model):
    """A member following an idea, to hear when it moves."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "idea_id", name="uq_subscription_user_id_idea_id"),)


class IdeaMerge(db.Model):
    """Idea `source` merged into idea `target`; kept after an unmerge as history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    source_status_id: Mapped[int] = mapped_column(ForeignKey("status.id"))  # restored by an unmerge
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unmerged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    unmerged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LearnedSynonym(db.Model):
    """Two words a merge showed to mean the same here (both directions stored); gone when it is unmerged."""

    id: Mapped[int] = mapped_column(primary_key=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("idea_merge.id", ondelete="CASCADE"), index=True)
    word: Mapped[str] = mapped_column(String(60), index=True)  # its stem, as questions are looked up
    synonym: Mapped[str] = mapped_column(String(60))  # as written, as the full-text engines take it


class MergedVote(db.Model):
    """A vote the source idea had when it was merged, so that an unmerge can put it back."""

    merge_id: Mapped[int] = mapped_column(ForeignKey("idea_merge.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    moved: Mapped[bool] = mapped_column()  # True: became the user's vote on the target

    __table_args__ = (CheckConstraint("value IN (-1, 1)", name="value"),)


class Flag(db.Model):
    """A member reporting an idea or a comment to the moderators, once per item."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str | None] = mapped_column(String(10))  # dismissed | hidden

    __table_args__ = (
        UniqueConstraint("reporter_id", "idea_id", name="uq_flag_reporter_id_idea_id"),
        UniqueConstraint("reporter_id", "comment_id", name="uq_flag_reporter_id_comment_id"),
        CheckConstraint("(idea_id IS NULL) <> (comment_id IS NULL)", name="one_target"),
        CheckConstraint("reason IN ('spam', 'offensive', 'off_topic', 'other')", name="reason"),
        CheckConstraint("resolution IS NULL OR resolution IN ('dismissed', 'hidden')", name="resolution"),
        Index("ix_flag_open", "resolved_at", "idea_id", "comment_id"),
    )


class AuditEntry(db.Model):
    """One staff action: who did what to which record, with the values before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the command line
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)


class Notification(db.Model):
    """Something a member must hear about, in the app and (by their settings) by email.

    `event_key` names what happened ("status:12", "comment:34"): UNIQUE with the member, so each
    member hears of one event once, however many ways they took part.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # status | merge | answer | comment | mention
    event_key: Mapped[str] = mapped_column(String(40))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    status_change_id: Mapped[int | None] = mapped_column(ForeignKey("status_change.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # none: no email wanted; queued: an outbox message holds it; digest: waiting for the daily digest;
    # digested: in a digest message.
    email: Mapped[str] = mapped_column(String(8), default="none")

    __table_args__ = (
        UniqueConstraint("user_id", "event_key", name="uq_notification_user_id_event_key"),
        Index("ix_notification_inbox", "user_id", "read_at", "id"),
        Index("ix_notification_digest", "email", "user_id",
              sqlite_where=text("email = 'digest'"), postgresql_where=text("email = 'digest'")),
        Index("ix_notification_read_at", "read_at"),
        CheckConstraint("kind IN ('status', 'merge', 'answer', 'comment', 'mention')", name="kind"),
        CheckConstraint("email IN ('none', 'queued', 'digest', 'digested')", name="email"),
    )


class NotificationSetting(db.Model):
    """A member's choice of email for one kind of notification; no row means the kind's default."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    email: Mapped[str] = mapped_column(String(12))  # immediately | daily | never

    __table_args__ = (CheckConstraint("email IN ('immediately', 'daily', 'never')", name="email"),)


class OutboxMessage(db.Model):
    """An email to send, written in the transaction of the event it tells of, delivered by the job engine.

    Rendered when sent, from the rows it names, to the member's address at that moment; `message_id`
    stays the same across attempts so that a receiving server can drop a repeat.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # notification | digest | account
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), unique=True)
    digest_of: Mapped[list | None] = mapped_column(JSON)  # notification ids, for a digest
    template: Mapped[str | None] = mapped_column(String(30))  # an account message: mail/account/<template>.*
    to_address: Mapped[str | None] = mapped_column(String(254))  # instead of the member's address (a new one)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a worker's lease while it sends
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_outbox_message_due", "state", "next_attempt_at"),
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'dead', 'cancelled')", name="state"),
        CheckConstraint("kind IN ('notification', 'digest', 'account')", name="kind"),
    )


class AccountSession(db.Model):
    """A signed-in session, kept on the server so that logging out (anywhere) really ends it.

    The session cookie and the remember-me cookie carry a random token; only its SHA-256 is stored.
    """

    __tablename__ = "account_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    remember: Mapped[bool] = mapped_column(default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))  # logout | ended | password | everywhere | deactivated

    __table_args__ = (Index("ix_account_session_user", "user_id", "ended_at"),)
