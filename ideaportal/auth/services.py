"""Account use cases: register and sign up, authenticate (with a per-account lock-out), confirm the email
address, and reset a forgotten password. Emails go through the outbox, in the use case's transaction."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import rules, tokens
from ..errors import Conflict, Invalid, PermissionDenied
from ..extensions import db
from ..mail.compose import password_fingerprint
from ..mail.outbox import queue_account_mail
from ..models import User, utcnow
from ..security import hash_password, needs_rehash, verify_password
from ..transaction import unit_of_work, use_case
from .sessions import end_all

LOGIN_FAILED = "That email and password don't match an account."
USED_LINK = "This link has already been used, or a newer one was sent. Ask for a new one."
_TIMING_DUMMY_HASH: dict[str, str] = {}


def register(*, email: str, username: str, password: str, role: str = "member", verified: bool = False) -> User:
    """Create an account (`verified`: its address needs no confirming, as for accounts staff create).

    Raises Invalid (bad password or role) or Conflict (email/username taken).
    """
    email, username = _checked(email=email, username=username, password=password, role=role)
    _check_free(email=email, username=username)
    try:
        with unit_of_work():
            return _add_user(email=email, username=username, password=password, role=role, verified=verified)
    except IntegrityError:  # lost a race with another registration
        _check_free(email=email, username=username)
        raise


def sign_up(*, email: str, username: str, password: str) -> User | None:
    """A visitor's registration, answered alike whether or not the address has an account (nobody learns
    which addresses are members): a new account gets a link to confirm its address; an address that has an
    account gets an email saying so instead. Returns the new, unconfirmed user, or None.

    Raises Invalid (username or password), Conflict (the username, which is public anyway, is taken).
    """
    email, username = _checked(email=email, username=username, password=password, role="member")
    if db.session.scalar(select(func.count()).where(func.lower(User.username) == username.lower())):
        raise Conflict("That username is taken. Please choose another.", field="username")
    try:
        return _sign_up(email=email, username=username, password=password)
    except IntegrityError:  # the name or the address was taken a moment ago
        _check_free(email="", username=username)
        _tell_existing_owner(email)
        return None


@use_case
def _sign_up(*, email: str, username: str, password: str) -> User | None:
    existing = db.session.scalar(select(User.id).where(User.email == email))
    if existing is not None:
        hash_password(password)  # the same work as for a new account: the time tells nothing either
        queue_account_mail(user_id=existing, template="account_exists")
        return None
    user = _add_user(email=email, username=username, password=password, role="member", verified=False)
    queue_account_mail(user_id=user.id, template="verify")
    return user


@use_case
def _tell_existing_owner(email: str) -> None:
    existing = db.session.scalar(select(User.id).where(User.email == email))
    if existing is not None:
        queue_account_mail(user_id=existing, template="account_exists")


def _checked(*, email: str, username: str, password: str, role: str) -> tuple[str, str]:
    email = rules.normalise_email(email)
    username = username.strip()
    if role not in rules.ROLES:
        raise Invalid(f"Unknown role {role!r}: use one of {', '.join(rules.ROLES)}.", field="role")
    rules.check_username(username)
    problem = rules.password_problem(password, email=email, username=username)
    if problem:
        raise Invalid(problem, field="password")
    return email, username


def _add_user(*, email: str, username: str, password: str, role: str, verified: bool) -> User:
    now = utcnow()
    user = User(email=email, username=username, password_hash=hash_password(password), role=role, created_at=now,
                email_verified_at=now if verified else None)
    db.session.add(user)
    db.session.flush()
    return user


def _check_free(*, email: str, username: str) -> None:
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this email already exists. Try logging in.", field="email")
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise Conflict("That username is taken. Please choose another.", field="username")


def authenticate(*, email: str, password: str, now: datetime | None = None) -> User:
    """The active user with this email and password. Raises Invalid with one message for every failure.

    LOGIN_LOCKOUT_AFTER wrong passwords in a row, from any address, pause the account's logins for
    LOGIN_LOCKOUT_SECONDS (even with the right password, with the same message) and email its owner.
    """
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.email == rules.normalise_email(email)))
    if user is None or (user.locked_until is not None and user.locked_until > now):
        verify_password(_dummy_hash(), password)  # the same work whatever the reason
        raise Invalid(LOGIN_FAILED)
    if not verify_password(user.password_hash, password):
        _count_failure(user.id, now)
        raise Invalid(LOGIN_FAILED)
    if not user.is_active:
        raise Invalid(LOGIN_FAILED)
    if user.failed_logins or needs_rehash(user.password_hash):
        with unit_of_work():
            user.failed_logins, user.locked_until = 0, None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
    return user


@use_case
def _count_failure(user_id: int, now: datetime) -> None:
    failures = db.session.scalar(
        update(User).where(User.id == user_id).values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins).execution_options(synchronize_session=False)
    )
    if failures >= current_app.config["LOGIN_LOCKOUT_AFTER"]:
        pause = timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"])
        db.session.execute(update(User).where(User.id == user_id).values(failed_logins=0, locked_until=now + pause)
                           .execution_options(synchronize_session=False))
        queue_account_mail(user_id=user_id, template="lockout")


@use_case
def verify_email(*, token: str, now: datetime | None = None) -> User:
    """Confirm the address a link was sent to, once: the link then signs nobody in again. Every other
    session of the account ends (someone who signed up with this address before its owner loses theirs).
    Returns the member. Raises NotFound, Invalid (expired, used, or for an address no longer the account's)."""
    user_id, email = tokens.read("verify", token, max_age=current_app.config["VERIFY_LINK_SECONDS"])
    user = _active_user(user_id)
    if user.email != email:
        raise Invalid("This link was for an address your account no longer uses.")
    if user.email_verified_at is not None:
        raise Invalid("This address is already confirmed. Log in with your password.")
    user.email_verified_at = now or utcnow()
    end_all(user_id=user.id, reason="confirmed")
    return user


@use_case
def resend_verification(*, user_id: int) -> bool:
    """Send the confirmation link again. Returns False when the address is already confirmed."""
    user = _active_user(user_id)
    if user.email_verified_at is not None:
        return False
    queue_account_mail(user_id=user_id, template="verify")
    return True


@use_case
def request_password_reset(*, email: str) -> None:
    """Email a reset link to the account with this address, if there is one; the answer is the same either way."""
    user_id = db.session.scalar(select(User.id).where(User.email == rules.normalise_email(email),
                                                      User.is_active.is_(True)))
    if user_id is not None:
        queue_account_mail(user_id=user_id, template="reset")


def check_reset_token(token: str) -> User:
    """The member a reset link is for, while it is fresh and unused. Raises NotFound, Invalid."""
    user_id, fingerprint = tokens.read("reset", token, max_age=current_app.config["RESET_LINK_SECONDS"])
    user = _active_user(user_id)
    if password_fingerprint(user.password_hash) != fingerprint:
        raise Invalid(USED_LINK)
    return user


@use_case
def reset_password(*, token: str, password: str, now: datetime | None = None) -> User:
    """Set a new password from a reset link, which then stops working; every session ends, the lock-out
    lifts, and the address counts as confirmed (the link reached it). Raises NotFound, Invalid."""
    user = check_reset_token(token)
    problem = rules.password_problem(password, email=user.email, username=user.username)
    if problem:
        raise Invalid(problem, field="password")
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    user.email_verified_at = user.email_verified_at or now or utcnow()
    user.pending_email = None  # an address change asked for by whoever had the old password is dropped
    end_all(user_id=user.id, reason="password")
    return user


def check_may_post(user_id: int) -> None:
    """Raises PermissionDenied when posting needs a confirmed address (EMAIL_VERIFICATION) and this one is not."""
    if not current_app.config["EMAIL_VERIFICATION"]:
        return
    if db.session.scalar(select(User.email_verified_at).where(User.id == user_id)) is None:
        raise PermissionDenied("Please confirm your email address first: open the link we sent you, or ask for "
                               "a new one on your account page.")


def _active_user(user_id) -> User:
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise Invalid("This link is for an account that no longer exists.")
    return user


def _dummy_hash() -> str:
    if "hash" not in _TIMING_DUMMY_HASH:
        _TIMING_DUMMY_HASH["hash"] = hash_password("not-a-real-password-0")
    return _TIMING_DUMMY_HASH["hash"]
