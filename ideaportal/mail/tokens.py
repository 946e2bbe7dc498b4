"""Signed unsubscribe tokens: whoever holds the link from an email may stop that email, with no login."""
from ..errors import NotFound
from ..tokens import read, sign

ALL = "all"  # a digest's link stops every email
INVALID = "This unsubscribe link is not valid. Use the link from the most recent email."


def unsubscribe_token(user_id: int, kind: str) -> str:
    return sign("unsubscribe", [user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind or ALL); no expiry, so an old email's link still works. Raises NotFound."""
    try:
        user_id, kind = read("unsubscribe", token, max_age=None)
    except (NotFound, ValueError):
        raise NotFound(INVALID) from None
    if not isinstance(user_id, int) or not isinstance(kind, str):
        raise NotFound(INVALID)
    return user_id, kind
