"""Account use cases: register, authenticate, change role."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import rules
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models import User
from ..security import hash_password, needs_rehash, verify_password
from ..transaction import unit_of_work

LOGIN_FAILED = "That email and password don't match an account."
_TIMING_DUMMY_HASH: dict[str, str] = {}


def register(*, email: str, username: str, password: str, role: str = "member") -> User:
    """Create an account. Raises Invalid (bad password or role) or Conflict (email/username taken)."""
    email = rules.normalise_email(email)
    username = username.strip()
    if role not in rules.ROLES:
        raise Invalid(f"Unknown role {role!r}: use one of {', '.join(rules.ROLES)}.", field="role")
    if not rules.USERNAME_RE.match(username):
        raise Invalid("Use 3 to 30 letters, digits, hyphens or underscores.", field="username")
    problem = rules.password_problem(password, email=email, username=username)
    if problem:
        raise Invalid(problem, field="password")
    _check_free(email=email, username=username)
    user = User(email=email, username=username, password_hash=hash_password(password), role=role)
    try:
        with unit_of_work():
            db.session.add(user)
    except IntegrityError:  # lost a race with another registration
        _check_free(email=email, username=username)
        raise
    return user


def _check_free(*, email: str, username: str) -> None:
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this email already exists. Try logging in.", field="email")
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise Conflict("That username is taken. Please choose another.", field="username")


def authenticate(*, email: str, password: str) -> User:
    """The active user with this email and password. Raises Invalid with one message for every failure."""
    user = db.session.scalar(select(User).where(User.email == rules.normalise_email(email)))
    if user is None:
        verify_password(_dummy_hash(), password)  # same work whether or not the email exists
        raise Invalid(LOGIN_FAILED)
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise Invalid(LOGIN_FAILED)
    if needs_rehash(user.password_hash):
        with unit_of_work():
            user.password_hash = hash_password(password)
    return user


def _dummy_hash() -> str:
    if "hash" not in _TIMING_DUMMY_HASH:
        _TIMING_DUMMY_HASH["hash"] = hash_password("not-a-real-password-0")
    return _TIMING_DUMMY_HASH["hash"]
