"""Signed unsubscribe tokens: whoever holds the link from an email may stop that email, with no login."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..errors import NotFound

ALL = "all"  # a digest's link stops every email


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="ideaportal.unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind or ALL). Raises NotFound for a token this portal did not sign."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This unsubscribe link is not valid. Use the link from the most recent email.") from None
    if not isinstance(user_id, int) or not isinstance(kind, str):
        raise NotFound("This unsubscribe link is not valid. Use the link from the most recent email.")
    return user_id, kind
