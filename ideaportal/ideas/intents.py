"""A visitor's vote kept across logging in or registering: signed (tokens.py), carried in the login page's
address beside `next`, and cast by the login or registration POST (CSRF-protected) through cast_vote.

Nothing is stored: the token names the idea and the value, and expires after VOTE_INTENT_SECONDS.
"""
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import select

from .. import tokens
from ..errors import DomainError, Invalid
from ..extensions import db
from ..models import Idea
from .queries import public_ideas
from .services import cast_vote

PURPOSE = "vote-intent"
KEPT = "Your vote could not be kept: its link was changed or is more than an hour old. Please vote again."
GONE = "Your vote could not be counted: that idea is no longer open to votes here."


@dataclass(frozen=True)
class VoteIntent:
    idea_id: int
    value: int
    title: str

    @property
    def direction(self) -> str:
        return "for" if self.value == 1 else "against"


def sign_intent(idea_id: int, value: int) -> str:
    return tokens.sign(PURPOSE, [idea_id, value])


def login_url(idea_id: int, value: int, back: str) -> str:
    """The login page, which returns to `back` and casts the vote after signing in."""
    return url_for("auth.login", next=back, vote=sign_intent(idea_id, value))


def read_intent(token: str) -> VoteIntent:
    """The vote a token holds, on a public idea. Raises Invalid (changed, expired or malformed), NotFound."""
    try:
        payload = tokens.read(PURPOSE, token, max_age=current_app.config["VOTE_INTENT_SECONDS"])
    except DomainError:
        raise Invalid(KEPT, field="vote") from None
    if (len(payload) != 2 or not all(type(part) is int for part in payload)  # noqa: E721 (bool is not a vote)
            or payload[1] not in (1, -1)):
        raise Invalid(KEPT, field="vote")
    idea_id, value = payload
    title = db.session.scalar(select(Idea.title).where(Idea.id == idea_id, public_ideas()))
    if title is None:
        raise Invalid(GONE, field="vote")
    return VoteIntent(idea_id, value, title)


def cast_intent(token: str, *, voter_id: int) -> VoteIntent:
    """Cast the vote a token holds for a member who has just signed in. Raises what read_intent and cast_vote raise."""
    intent = read_intent(token)
    cast_vote(idea_id=intent.idea_id, voter_id=voter_id, value=intent.value)
    return intent
