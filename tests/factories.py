"""Test data through the same services the app uses, so every row obeys the app's rules."""
import itertools

from ideaportal.auth import services as auth_services
from ideaportal.extensions import db
from ideaportal.ideas import services as idea_services
from ideaportal.models import Category

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def user(*, username: str | None = None, email: str | None = None, role: str = "member", password: str = PASSWORD):
    number = next(_sequence)
    username = username or f"user{number}"
    return auth_services.register(
        email=email or f"{username}@example.com", username=username, password=password, role=role, verified=True
    )


def category(*, slug: str | None = None, name: str | None = None):
    number = next(_sequence)
    slug = slug or f"category-{number}"
    row = Category(slug=slug, name=name or f"Category {number}", description="", position=number)
    db.session.add(row)
    db.session.commit()
    return row


def idea(*, author=None, category_row=None, title: str | None = None, body: str = "A *useful* idea."):
    author = author or user()
    category_row = category_row or category()
    return idea_services.submit_idea(
        author_id=author.id,
        title=title or f"Idea number {next(_sequence)}",
        body=body,
        category_id=category_row.id,
    )


def campaign(*, title: str | None = None, slug: str = "", question: str = "What would make your week easier?",
             starts_at=None, ends_at=None, vote_budget: int | None = None, voting_after_close: bool = False,
             category_row=None, description: str = ""):
    """A Storm Session; by default it started a day ago and runs for another week."""
    from datetime import timedelta

    from ideaportal.campaigns import services as campaign_services
    from ideaportal.models import utcnow

    now = utcnow()
    return campaign_services.create_campaign(
        actor_id=None, title=title or f"Storm Session {next(_sequence)}", slug=slug, question=question,
        description=description, category_id=category_row.id if category_row else None,
        starts_at=starts_at or now - timedelta(days=1), ends_at=ends_at or now + timedelta(days=7),
        voting_after_close=voting_after_close, vote_budget=vote_budget,
    )


def campaign_idea(campaign_row, *, author=None, category_row=None, title: str | None = None):
    """An idea submitted into a Storm Session (which must be active)."""
    author = author or user()
    category_row = category_row or category()
    return idea_services.submit_idea(
        author_id=author.id, title=title or f"Session idea {next(_sequence)}", body="An idea for the session.",
        category_id=category_row.id, campaign_id=campaign_row.id,
    )
