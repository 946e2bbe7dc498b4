"""Server-side sessions: each login is a row, and the cookies carry only its random token.

Flask-Login keeps `User.get_id()` in the session cookie and in the remember-me cookie; here that
id is "<user id>:<token>", so both cookies name a session row. Logging out, changing the password,
"log out everywhere" and deactivation end rows, and a cookie naming an ended row (copied before,
replayed from anywhere) signs nobody in.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from ..errors import NotFound
from ..extensions import db
from ..models import AccountSession, User, utcnow
from ..transaction import use_case

TOUCH_EVERY = timedelta(minutes=1)  # "last seen" is written at most this often per session
# One query per signed-in request, the session and its member together; built once, as every request runs it.
OPEN_SESSION = (
    select(User, AccountSession.id, AccountSession.created_at, AccountSession.last_seen_at, AccountSession.remember)
    .join(User, User.id == AccountSession.user_id)
    .where(AccountSession.token_hash == bindparam("token_hash"), AccountSession.user_id == bindparam("user_id"),
           AccountSession.ended_at.is_(None), User.is_active.is_(True))
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _split(login_id: str) -> tuple[int, str] | None:
    user_id, _, token = (login_id or "").partition(":")
    return (int(user_id), token) if user_id.isdigit() and len(token) >= 32 else None


@use_case
def start(*, user_id: int, remember: bool, user_agent: str, ip: str) -> str:
    """Open a session for the user. Returns its login id, which only the cookies hold."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(AccountSession(user_id=user_id, token_hash=_hash(token), created_at=now, last_seen_at=now,
                                  user_agent=(user_agent or "")[:200], ip=(ip or "")[:45], remember=remember))
    return f"{user_id}:{token}"


def resolve(login_id: str, *, now: datetime | None = None) -> User | None:
    """The active user whose open session `login_id` names, or None. Notes when the session was last seen."""
    parts = _split(login_id)
    if parts is None:
        return None
    user_id, token = parts
    row = db.session.execute(OPEN_SESSION, {"token_hash": _hash(token), "user_id": user_id}).one_or_none()
    now = now or utcnow()
    if row is None or _expired(row, now):
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        _touch(row.id, now)
    user = row.User
    user.login_id = login_id
    return user


def _expired(row, now: datetime) -> bool:
    """A remembered session lasts REMEMBER_COOKIE_DURATION from its login; another, SESSION_IDLE_SECONDS
    from its last request: a copied cookie does not work for ever."""
    config = current_app.config
    if row.remember:
        return now - row.created_at > timedelta(seconds=config["REMEMBER_COOKIE_DURATION"])
    return now - row.last_seen_at > timedelta(seconds=config["SESSION_IDLE_SECONDS"])


@use_case
def _touch(session_id: int, now: datetime) -> None:
    db.session.execute(update(AccountSession).where(AccountSession.id == session_id).values(last_seen_at=now)
                       .execution_options(synchronize_session=False))


@use_case
def end(login_id: str, *, reason: str = "logout") -> None:
    """End the session `login_id` names (logging out); an unknown or ended one is left as it is."""
    parts = _split(login_id)
    if parts is not None:
        _end(AccountSession.token_hash == _hash(parts[1]), AccountSession.user_id == parts[0], reason=reason)


@use_case
def end_one(*, user_id: int, session_id: int) -> None:
    """End one of the member's own sessions (from the account page). Raises NotFound."""
    if not _end(AccountSession.id == session_id, AccountSession.user_id == user_id, reason="ended"):
        raise NotFound("That session has already ended.")


@use_case
def end_others(*, user_id: int, keep: str) -> int:
    """"Log out everywhere else": end every session of the member but the one `keep` names, and drop a change
    of address asked for meanwhile (perhaps by whoever is being logged out). Returns how many ended."""
    db.session.execute(update(User).where(User.id == user_id).values(pending_email=None)
                       .execution_options(synchronize_session=False))
    return end_all(user_id=user_id, reason="everywhere", keep=keep)


@use_case
def renew(login_id: str, *, user_agent: str, ip: str) -> tuple[str, bool]:
    """End the session `login_id` names and open another for the same browser (after a password change, so
    that a copy of its cookies taken before is worth nothing). Returns the new login id and whether the
    session was remembered."""
    parts = _split(login_id)
    remember = bool(parts) and bool(db.session.scalar(
        select(AccountSession.remember).where(AccountSession.token_hash == _hash(parts[1]))))
    end(login_id, reason="renewed")
    return start(user_id=parts[0], remember=remember, user_agent=user_agent, ip=ip), remember


def end_all(*, user_id: int, reason: str, keep: str | None = None) -> int:
    """A step: end every open session of the user, except the one `keep` names. Returns how many."""
    conditions = [AccountSession.user_id == user_id]
    kept = _split(keep) if keep else None
    if kept is not None:
        conditions.append(AccountSession.token_hash != _hash(kept[1]))
    return _end(*conditions, reason=reason)


def open_sessions(user_id: int) -> list[AccountSession]:
    """The member's open sessions, most recently seen first."""
    return list(db.session.scalars(
        select(AccountSession)
        .where(AccountSession.user_id == user_id, AccountSession.ended_at.is_(None))
        .order_by(AccountSession.last_seen_at.desc(), AccountSession.id.desc())
    ))


def is_current(row: AccountSession, login_id: str | None) -> bool:
    parts = _split(login_id or "")
    return parts is not None and row.token_hash == _hash(parts[1])


def _end(*conditions, reason: str) -> int:
    return len(db.session.execute(
        update(AccountSession)
        .where(*conditions, AccountSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .returning(AccountSession.id)
        .execution_options(synchronize_session=False)
    ).all())
