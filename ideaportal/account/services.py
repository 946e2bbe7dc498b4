"""Account use cases: change the password or the email address, and delete the account. Each is one unit of work."""
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, rules, tokens
from ..auth.sessions import end_all
from ..errors import Conflict, Invalid, NotFound, PermissionDenied
from ..extensions import db
from ..ideas.services import recount
from ..mail.outbox import queue_account_mail
from ..models import (
    AccountSession,
    Comment,
    Idea,
    MergedVote,
    Notification,
    NotificationSetting,
    OutboxMessage,
    Subscription,
    User,
    Vote,
    utcnow,
)
from ..security import hash_password, verify_password
from ..text import idea_body
from ..transaction import use_case

TAKEN = "That address belongs to another account."


@use_case
def change_password(*, user_id: int, current: str, new: str, keep: str | None) -> int:
    """Set a new password after checking the current one; every other session ends. Returns how many ended.

    Raises NotFound, Invalid (wrong current password, or a new one the policy refuses).
    """
    user = _active(user_id)
    if not verify_password(user.password_hash, current):
        raise Invalid("That is not your current password.", field="current")
    problem = rules.password_problem(new, email=user.email, username=user.username)
    if problem:
        raise Invalid(problem, field="password")
    db.session.execute(update(User).where(User.id == user_id).values(password_hash=hash_password(new),
                                                                     pending_email=None)
                       .execution_options(synchronize_session=False))  # a change of address asked meanwhile is dropped
    return end_all(user_id=user_id, reason="password", keep=keep)


@use_case
def request_email_change(*, user_id: int, new_email: str, password: str) -> str:
    """Ask to move the account to another address: a link goes to the new address, a notice to the old one,
    and nothing changes until the link is opened. Returns the new address.

    Raises NotFound, Invalid (wrong password, the same address).
    """
    user = _active(user_id)
    if not verify_password(user.password_hash, password):
        raise Invalid("That is not your password.", field="password")
    new_email = rules.normalise_email(new_email)
    if new_email == user.email:
        raise Invalid("That is already your address.", field="email")
    # Whether another account has the address is said only to whoever opens the link sent to it.
    user.pending_email = new_email
    queue_account_mail(user_id=user_id, template="email_change", to_address=new_email)
    queue_account_mail(user_id=user_id, template="email_change_notice")
    return new_email


def confirm_email_change(*, token: str, now: datetime | None = None) -> User:
    """Move the account to the address the link was sent to; it counts as confirmed.

    Raises NotFound, Invalid (expired, or not the latest address asked for), Conflict (taken meanwhile).
    """
    try:
        return _confirm_email_change(token=token, now=now)
    except IntegrityError:
        raise Conflict(TAKEN) from None


@use_case
def _confirm_email_change(*, token: str, now: datetime | None) -> User:
    user_id, new_email = tokens.read("email", token, max_age=current_app.config["EMAIL_CHANGE_LINK_SECONDS"])
    user = _active(user_id)
    if user.pending_email != new_email:
        raise Invalid("This link is not for the latest address you asked for, or it was used already.")
    user.email, user.pending_email, user.email_verified_at = new_email, None, now or utcnow()
    db.session.flush()
    return user


def _active(user_id) -> User:
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise NotFound("There is no such account.")
    return user


@use_case
def delete_account(*, user_id: int, password: str, remove_content: bool, now: datetime | None = None) -> None:
    """Erase the member: their votes (the ideas' counters recounted exactly), follows, notifications, sessions
    and settings go, and the account keeps no name, address or password. Their ideas and comments stay
    under "former member N", or, with `remove_content`, are removed from view (ideas hidden, comments deleted).

    Raises NotFound, Invalid (wrong password), PermissionDenied (staff: another admin changes their role first).
    """
    user = _active(user_id)
    if not verify_password(user.password_hash, password):
        raise Invalid("That is not your password.", field="password")
    if rules.is_staff(user.role):
        raise PermissionDenied("Product team accounts are closed by an admin: ask one to change your role first.")
    _erase(user, remove_content=remove_content, now=now or utcnow())
    audit.record(actor_id=user_id, action="user.delete", target_type="user", target_id=user_id,
                 after={"content": "removed" if remove_content else "kept"})


@use_case
def release_unconfirmed(*, now: datetime | None = None) -> list[int]:
    """Erase members who never confirmed their address within VERIFY_LINK_SECONDS of signing up, so that
    an address someone else signed up with first is free again for its owner. Returns their ids.

    Their votes go with them (counters recounted); they could not post. Run daily by the job engine.
    """
    now = now or utcnow()
    cutoff = now - timedelta(seconds=current_app.config["VERIFY_LINK_SECONDS"])
    users = list(db.session.scalars(select(User).where(
        User.email_verified_at.is_(None), User.created_at < cutoff, User.is_active.is_(True), User.role == "member",
    ).order_by(User.id)))
    for user in users:
        _erase(user, remove_content=True, now=now)
        audit.record(actor_id=None, action="user.release", target_type="user", target_id=user.id,
                     after={"reason": "address never confirmed"})
    return [user.id for user in users]


def _erase(user: User, *, remove_content: bool, now: datetime) -> None:
    """A step: the member's votes (the ideas recounted), follows, notifications, sessions, settings and mail
    go, and the row keeps no name, address or password; their content stays or is removed from view."""
    user_id = user.id
    voted = list(db.session.scalars(delete(Vote).where(Vote.user_id == user_id).returning(Vote.idea_id)))
    if remove_content:
        _remove_content(user_id, now)
        voted += list(db.session.scalars(select(Comment.idea_id).where(Comment.author_id == user_id)))
    recount(sorted(set(voted)))
    # Their votes kept for an unmerge go too (an unmerge must not bring them back), and their sessions'
    # devices and addresses with the rest.
    for model in (Subscription, Notification, NotificationSetting, OutboxMessage, MergedVote, AccountSession):
        db.session.execute(delete(model).where(model.user_id == user_id))
    user.username, user.email = f"{rules.FORMER_MEMBER}{user_id}", f"{rules.FORMER_MEMBER}{user_id}@deleted.invalid"
    user.password_hash = f"!deleted-{secrets.token_hex(16)}"  # no password verifies against it
    user.pending_email = user.email_verified_at = user.locked_until = None
    user.is_active = False


def _remove_content(user_id: int, now: datetime) -> None:
    db.session.execute(update(Idea).where(Idea.author_id == user_id)
                       .values(is_hidden=True, title="Deleted by its author", **idea_body(""))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Comment).where(Comment.author_id == user_id)
                       .values(deleted_at=func.coalesce(Comment.deleted_at, now), body="", body_html="")
                       .execution_options(synchronize_session=False))
