"""Signed tokens for links in emails: each purpose has its own salt, and a token says what it proves.

A token is not stored anywhere: it is checked by its signature (SECRET_KEY), its age, and a
fingerprint of the state it may change (a reset token names the password hash it replaces, so it
works once), so the database never holds a usable link.
"""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .errors import Invalid, NotFound

BROKEN = "This link is not valid. Use the link from the most recent email, or ask for a new one."


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"ideaportal.{purpose}")


def sign(purpose: str, payload: list) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, *, max_age: int | None) -> list:
    """The payload of a token signed for `purpose`. Raises NotFound (not ours), Invalid (too old)."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid("This link has expired. Ask for a new one.") from None
    except (BadSignature, ValueError, TypeError):
        raise NotFound(BROKEN) from None
    if not isinstance(payload, list):
        raise NotFound(BROKEN)
    return payload
