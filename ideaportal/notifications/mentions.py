"""@mentions in comments: linked to the member's profile, and the members mentioned hear of it."""
from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..text import mention_candidates, render_markdown_with_mentions


def render_with_mentions(body: str) -> tuple[str, set[int]]:
    """The comment's safe HTML with each @name of an active member linked, and those members' ids."""
    names = mention_candidates(body)
    if not names:
        return render_markdown_with_mentions(body, {}), set()
    members = db.session.execute(
        select(User.id, User.username).where(func.lower(User.username).in_(names), User.is_active.is_(True))
    ).all()
    profiles = {member.username.lower(): f"/users/{member.username}" for member in members}
    return render_markdown_with_mentions(body, profiles), {member.id for member in members}
