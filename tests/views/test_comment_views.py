"""Comments: post, edit and delete one's own; threads stay readable."""
import re

from sqlalchemy import select

from ideaportal.extensions import db
from ideaportal.models import Comment, Idea
from tests import factories


def comment_count(idea_id):
    db.session.expire_all()
    return db.session.get(Idea, idea_id).comment_count


def test_comments_appear_oldest_first_with_markdown(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user(username="first_commenter"))
    client.post(f"/ideas/{idea.id}/comments", data={"body": "First, with *emphasis*"})
    auth.logout()
    auth.login(factories.user(username="second_commenter"))
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "Second"})
    assert response.status_code == 302 and "#comment-" in response.headers["Location"]
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    thread = page[page.index('id="comments-title"'):]
    assert thread.index("first_commenter") < thread.index("second_commenter")
    assert "<em>emphasis</em>" in page
    assert "2 comments" in page
    assert comment_count(idea.id) == 2


def test_an_empty_or_too_long_comment_is_refused_and_the_text_kept(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    empty = client.post(f"/ideas/{idea.id}/comments", data={"body": "   "})
    assert empty.status_code == 400 and "This field is required." in empty.text
    long_text = "y" * 5001
    too_long = client.post(f"/ideas/{idea.id}/comments", data={"body": long_text})
    assert too_long.status_code == 400 and "Keep it under 5,000 characters." in too_long.text
    assert long_text in too_long.text
    assert comment_count(idea.id) == 0


def test_a_staff_comment_is_official_only_when_ticked(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user(role="pm"))
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Which phone do you use?"})
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "comment--official" not in page
    assert db.session.scalar(select(Idea.first_response_at).where(Idea.id == idea.id)) is None  # still unanswered
    client.post(f"/ideas/{idea.id}/comments", data={"body": "We are looking into it.", "official": "y"})
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert 'class="comment comment--official"' in page
    assert '<span class="badge badge--official">Official answer</span>' in page
    assert db.session.scalar(select(Idea.first_response_at).where(Idea.id == idea.id)) is not None


def test_a_member_cannot_post_an_official_answer(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    refused = client.post(f"/ideas/{idea.id}/comments", data={"body": "Trust me, it's planned.", "official": "y"})
    assert refused.status_code == 403
    assert comment_count(idea.id) == 0


def test_author_edits_their_comment(client, auth, app):
    idea, commenter = factories.idea(), factories.user()
    auth.login(commenter)
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Typo hre"})
    comment_id = db.session.scalar(select(Comment.id).where(Comment.idea_id == idea.id))
    assert "Typo hre" in client.get(f"/comments/{comment_id}/edit").text
    client.post(f"/comments/{comment_id}/edit", data={"body": "Typo here"})
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "Typo here" in page and "(edited)" in page


def test_deleting_leaves_a_placeholder_and_decrements_the_count(client, auth, app):
    idea, commenter = factories.idea(), factories.user()
    auth.login(commenter)
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Soon to be gone"})
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Stays"})
    comment_id = db.session.scalar(select(Comment.id).where(Comment.body == "Soon to be gone"))
    assert client.post(f"/comments/{comment_id}/delete").status_code == 302
    assert client.post(f"/comments/{comment_id}/delete").status_code == 403  # already deleted
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "Soon to be gone" not in page
    assert "This comment was deleted by its author." in page and "Stays" in page
    assert comment_count(idea.id) == 1


def test_others_cannot_edit_or_delete_a_comment(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Mine"})
    comment_id = db.session.scalar(select(Comment.id).where(Comment.idea_id == idea.id))
    auth.logout()
    auth.login(factories.user())
    assert client.get(f"/comments/{comment_id}/edit").status_code == 403
    assert client.post(f"/comments/{comment_id}/edit", data={"body": "Yours now"}).status_code == 403
    assert client.post(f"/comments/{comment_id}/delete").status_code == 403
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert re.search(r"<p>Mine</p>", page)


def test_anonymous_visitors_are_asked_to_log_in_to_comment(client, app):
    idea = factories.idea()
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "to comment." in page and 'name="body"' not in page
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "hello"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
