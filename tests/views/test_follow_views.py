"""Following an idea through its page: a button and a count, without JavaScript or as JSON."""
import re

from sqlalchemy import select, update

from ideaportal.extensions import db
from ideaportal.models import Idea, Subscription
from tests import factories

JSON = {"Accept": "application/json"}


def follow_box(page: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'<div class="follow".*?</div>', page, re.S).group(0))


def test_a_member_follows_and_unfollows_from_the_idea_page(client, auth, app):
    idea = factories.idea(title="Keyboard shortcuts")
    member = factories.user()
    auth.login(member)
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "1 follower</span>" in follow_box(page)  # the author
    assert f'action="/ideas/{idea.id}/follow"' in follow_box(page)
    path = f"/ideas/{idea.id}-keyboard-shortcuts"
    response = client.post(f"/ideas/{idea.id}/follow", data={"next": path})
    assert response.status_code == 302 and response.headers["Location"] == f"{path}#follow-{idea.id}"
    page = client.get(path).text
    box = follow_box(page)
    assert "Following" in box and f'action="/ideas/{idea.id}/unfollow"' in box and "2 followers" in box
    assert "You&#39;re following this idea." in page
    client.post(f"/ideas/{idea.id}/unfollow", data={"next": path})
    assert "1 follower</span>" in follow_box(client.get(path).text)
    assert db.session.scalar(select(Subscription.id).where(Subscription.user_id == member.id)) is None


def test_follow_and_unfollow_answer_json(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    assert client.post(f"/ideas/{idea.id}/follow", headers=JSON).json == {"following": True, "followers": 2}
    assert client.post(f"/ideas/{idea.id}/follow", headers=JSON).json == {"following": True, "followers": 2}
    assert client.post(f"/ideas/{idea.id}/unfollow", headers=JSON).json == {"following": False, "followers": 1}


def test_the_author_sees_they_follow_their_new_idea(client, auth, app):
    author, category = factories.user(), factories.category()
    auth.login(author)
    response = client.post("/ideas/new", data={"title": "Follow me by default", "body": "Yes.",
                                               "category": category.id})
    box = follow_box(client.get(response.headers["Location"]).text)
    assert "Following" in box and "1 follower</span>" in box


def test_a_next_outside_the_site_is_ignored(client, auth, app):
    idea = factories.idea(title="Stay on the site")
    auth.login(factories.user())
    response = client.post(f"/ideas/{idea.id}/follow", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/ideas/{idea.id}#follow-{idea.id}"


def test_hidden_merged_and_missing_ideas_cannot_be_followed(client, auth, app):
    hidden, merged, shown = factories.idea(), factories.idea(), factories.idea()
    db.session.execute(update(Idea).where(Idea.id == hidden.id).values(is_hidden=True))
    db.session.execute(update(Idea).where(Idea.id == merged.id).values(merged_into_id=shown.id))
    db.session.commit()
    auth.login(factories.user())
    for idea_id in (hidden.id, merged.id, 999_999):
        response = client.post(f"/ideas/{idea_id}/follow", headers=JSON)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_visitors_are_sent_to_log_in_and_back_to_the_idea(client, app):
    idea = factories.idea()
    path = f"/ideas/{idea.id}"
    response = client.post(f"/ideas/{idea.id}/follow", data={"next": path})
    assert response.status_code == 302 and response.headers["Location"] == f"/auth/login?next={path}"
    page = client.get(path, follow_redirects=True).text
    box = follow_box(page)  # a link to the login and back, not a form: a visitor's page carries no CSRF token
    assert re.search(rf'<a class="button follow__button" href="/auth/login\?next=/ideas/{idea.id}-[^"]*">Follow', box)
    assert "<form" not in box
    json = client.post(f"/ideas/{idea.id}/follow", headers=JSON)
    assert json.status_code == 401
