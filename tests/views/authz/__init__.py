"""The authorization matrix: every route x every kind of visitor -> the expected outcome.

Each feature keeps its rows in a module of this package (`ROWS = [Row(...), ...]`);
`tests/views/test_authorization.py` runs them all and fails when a route in `app.url_map` has
no row. An outcome is about access only, not behaviour:

- ALLOWED: the request got past access control (any status but 401, 403, 5xx or a redirect to
  the login page);
- LOGIN: sent to log in (a redirect to /auth/login, or 401 for JSON);
- FORBIDDEN: 403.

Path parameters are filled from one shared world (see `World`): `idea_id` is an idea by the
author, `comment_id` the author's comment on it, `user_id` / `username` the author, and so on.
"""
from dataclasses import dataclass, field

ALLOWED, LOGIN, FORBIDDEN = "allowed", "login", "forbidden"
VISITORS = ("anonymous", "member", "author", "other", "pm", "admin")


@dataclass(frozen=True)
class Row:
    method: str
    rule: str
    anonymous: str
    member: str
    author: str
    other: str
    pm: str
    admin: str
    data: dict = field(default_factory=dict)  # form fields for a POST, with {name} from the world

    def expected(self, visitor: str) -> str:
        return getattr(self, visitor)


def public(method: str, rule: str, **data) -> Row:
    """Anyone may: a public page."""
    return Row(method, rule, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, data)


def members(method: str, rule: str, **data) -> Row:
    """Any logged-in user may."""
    return Row(method, rule, LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, data)


def author_only(method: str, rule: str, **data) -> Row:
    """Only the author of the idea or comment in the URL may."""
    return Row(method, rule, LOGIN, FORBIDDEN, ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN, data)


def staff(method: str, rule: str, **data) -> Row:
    """Product managers and admins only."""
    return Row(method, rule, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED, data)


def admins(method: str, rule: str, **data) -> Row:
    """Admins only."""
    return Row(method, rule, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED, data)
