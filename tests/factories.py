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
        email=email or f"{username}@example.com", username=username, password=password, role=role
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
