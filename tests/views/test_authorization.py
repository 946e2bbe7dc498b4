"""Every route x every kind of visitor -> allowed, sent to log in, or forbidden; on both databases.

The rows live in `tests/views/authz/`; a guard test fails when a route has no row, so a new
route cannot ship without saying who may use it.
"""
import importlib
import pkgutil
import re
from dataclasses import dataclass

import pytest

from ideaportal import create_app
from ideaportal.mail.tokens import unsubscribe_token
from ideaportal.rules import slugify
from tests import factories
from tests.views import authz
from tests.views.authz import ALLOWED, FORBIDDEN, LOGIN, VISITORS


def all_rows() -> list[authz.Row]:
    rows = []
    for module in pkgutil.iter_modules(authz.__path__):
        rows.extend(importlib.import_module(f"{authz.__name__}.{module.name}").ROWS)
    return rows


ROWS = all_rows()
ROUTE_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def test_every_route_has_exactly_one_row_per_method():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & ROUTE_METHODS
    }
    listed = [(row.method, row.rule) for row in ROWS]
    assert sorted(routes - set(listed)) == [], "routes without a row in tests/views/authz/"
    assert sorted(set(listed) - routes) == [], "rows for routes that do not exist"
    assert len(listed) == len(set(listed)), "a route listed twice"


@dataclass
class World:
    """One of everything a URL can name, plus a user for each kind of visitor."""

    users: dict
    values: dict

    def url(self, rule: str) -> str:
        def fill(match):
            name = match.group(1).split(":")[-1]
            return str(self.values[name])

        return re.sub(r"<([^>]+)>", fill, rule)

    def form(self, data: dict) -> dict:
        return {key: str(value).format(**self.values) for key, value in data.items()}


@pytest.fixture(name="world")
def fixture_world(app):
    author = factories.user(username="author")
    users = {
        "member": factories.user(username="member"),
        "author": author,
        "other": factories.user(username="other"),
        "pm": factories.user(username="product_manager", role="pm"),
        "admin": factories.user(username="site_admin", role="admin"),
    }
    category = factories.category()
    idea = factories.idea(author=author, category_row=category, title="An idea to check access on")
    second = factories.idea(author=users["other"], category_row=category, title="Another idea in the portal")
    from ideaportal.comments.services import add_comment

    comment_id = add_comment(idea_id=idea.id, author_id=author.id, body="The author's comment.")
    values = {
        "idea_id": idea.id,
        "slug": slugify(idea.title),
        "other_idea_id": second.id,
        "comment_id": comment_id,
        "user_id": author.id,
        "username": author.username,
        "author_email": author.email,
        "category_id": category.id,
        "category_slug": category.slug,
        "status_id": idea.status_id,
        "filename": "css/site.css",
        # An open Storm Session whose slug is the idea's, so that /campaigns/<slug> names it too.
        "campaign_id": factories.campaign(slug=slugify(idea.title), category_row=category).id,
        "notification_id": notification_for(author, second),
        "token": unsubscribe_token(author.id, "status"),
        "session_id": account_session_of(author),
    }
    return World(users, values)


def notification_for(member, idea) -> int:
    """The member's notification of a product manager's status change on the idea, which they voted for."""
    from sqlalchemy import select

    from ideaportal.extensions import db
    from ideaportal.ideas.services import cast_vote
    from ideaportal.models import Notification
    from ideaportal.triage.services import change_status

    cast_vote(idea_id=idea.id, voter_id=member.id, value=1)
    change_status(idea_id=idea.id, actor_id=factories.user(role="pm").id, status_slug="under_review")
    return db.session.scalar(select(Notification.id).where(Notification.user_id == member.id))


def account_session_of(member) -> int:
    """A signed-in session of the member's on another device."""
    from sqlalchemy import select

    from ideaportal.auth import sessions
    from ideaportal.extensions import db
    from ideaportal.models import AccountSession

    sessions.start(user_id=member.id, remember=False, user_agent="curl/8", ip="127.0.0.1")
    return db.session.scalar(select(AccountSession.id).where(AccountSession.user_id == member.id))


def outcome(response) -> str:
    if response.status_code == 401:
        return LOGIN
    if response.status_code in (301, 302, 303, 307, 308) and "/auth/login" in response.headers["Location"]:
        return LOGIN
    if response.status_code == 403:
        return FORBIDDEN
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return ALLOWED


@pytest.mark.parametrize(
    "row, visitor",
    [pytest.param(row, visitor, id=f"{row.method} {row.rule} as {visitor}") for row in ROWS for visitor in VISITORS],
)
def test_access(client, auth, world, row, visitor):
    if visitor != "anonymous":
        assert auth.login(world.users[visitor]).status_code == 302
    url = world.url(row.rule)
    if row.method == "GET":
        response = client.get(url)
    else:
        response = client.open(url, method=row.method, data=world.form(row.data))
    assert outcome(response) == row.expected(visitor)
