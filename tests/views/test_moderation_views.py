"""Reporting from the idea page, and the staff's moderation queue, through the test client."""
import re

import pytest
from sqlalchemy import select

from ideaportal.comments import services as comments
from ideaportal.extensions import db
from ideaportal.models import AuditEntry, Comment, Flag, Idea
from ideaportal.moderation import services
from tests import factories
from tests.conftest import build_app
from tests.helpers import count_queries

JSON = {"Accept": "application/json"}
THANKS = "Thanks — a moderator will review it."
ALREADY = "You&#39;ve already reported this; the moderators will look at it."


def open_flags(**target) -> list[Flag]:
    db.session.expire_all()
    column, target_id = next(iter(target.items()))
    return list(db.session.scalars(
        select(Flag).where(getattr(Flag, column) == target_id, Flag.resolved_at.is_(None))
    ))


def report_section(page: str, kind: str, target_id: int) -> str | None:
    """The <details> report disclosure for one item, or None."""
    pattern = rf'<details class="report"[^>]*>(?:(?!</details>).)*report-{kind}-{target_id}-reason.*?</details>'
    match = re.search(pattern, page, re.S)
    return match.group(0) if match else None


def queue_order(page: str) -> list[str]:
    return re.findall(r'<li class="flag-group" id="flag-(idea-\d+|comment-\d+)">', page)


@pytest.fixture
def thread(app):
    """An idea by `author`, a comment on it by `commenter`, and a `reader` who may report both."""
    author, commenter, reader = (factories.user(username=name) for name in ("author", "commenter", "reader"))
    idea = factories.idea(author=author, title="Put the search box on every page")
    comment_id = comments.add_comment(idea_id=idea.id, author_id=commenter.id, body="Cheap watches at example.com")
    return {"idea": idea, "comment_id": comment_id, "author": author, "commenter": commenter, "reader": reader}


# Reporting

def test_a_member_reports_an_idea_and_returns_to_the_page_with_thanks(client, auth, thread):
    idea = thread["idea"]
    auth.login(thread["reader"])
    back = f"/ideas/{idea.id}-put-the-search-box-on-every-page#idea-{idea.id}"
    response = client.post(f"/ideas/{idea.id}/flag", data={"reason": "off_topic", "note": "Not a product idea",
                                                           "next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    assert THANKS in client.get(back.split("#")[0]).text
    [flag] = open_flags(idea_id=idea.id)
    assert (flag.reporter_id, flag.reason, flag.note) == (thread["reader"].id, "off_topic", "Not a product idea")


def test_a_second_report_gets_a_friendly_message_not_an_error(client, auth, thread):
    auth.login(thread["reader"])
    url = f"/comments/{thread['comment_id']}/flag"
    client.post(url, data={"reason": "spam"})
    again = client.post(url, data={"reason": "offensive"})
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"#comment-{thread['comment_id']}")
    assert ALREADY in client.get(again.headers["Location"], follow_redirects=True).text
    as_json = client.post(url, data={"reason": "spam"}, headers=JSON)
    assert as_json.status_code == 409
    assert as_json.json["error"]["message"] == "You've already reported this; the moderators will look at it."
    assert [flag.reason for flag in open_flags(comment_id=thread["comment_id"])] == ["spam"]


def test_authors_see_no_report_button_on_their_own_content_and_cannot_report_it(client, auth, thread):
    idea = thread["idea"]
    auth.login(thread["author"])
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert report_section(page, "idea", idea.id) is None
    assert report_section(page, "comment", thread["comment_id"]) is not None  # someone else's comment
    response = client.post(f"/ideas/{idea.id}/flag", data={"reason": "spam"}, follow_redirects=True)
    assert response.status_code == 200 and "You can&#39;t report your own idea." in response.text
    refused = client.post(f"/ideas/{idea.id}/flag", data={"reason": "spam"}, headers=JSON)
    assert refused.status_code == 403 and refused.json["error"]["message"] == "You can't report your own idea."
    assert open_flags(idea_id=idea.id) == []


def test_the_report_forms_appear_for_logged_in_readers_only(client, auth, thread):
    idea = thread["idea"]
    mine = comments.add_comment(idea_id=idea.id, author_id=thread["reader"].id, body="My own comment")
    anonymous = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert 'class="report"' not in anonymous
    auth.login(thread["reader"])
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    section = report_section(page, "idea", idea.id)
    assert section and "<summary>Report<span class=\"visually-hidden\"> this idea</span></summary>" in section
    assert f'action="/ideas/{idea.id}/flag"' in section and 'name="csrf_token"' in section
    assert '<label class="field__label" for="report-idea-' in section and 'value="off_topic"' in section
    assert 'maxlength="500"' in section
    assert report_section(page, "comment", thread["comment_id"]) is not None
    assert report_section(page, "comment", mine) is None


def test_anonymous_visitors_are_sent_to_log_in(client, thread):
    response = client.post(f"/ideas/{thread['idea'].id}/flag", data={"reason": "spam"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    as_json = client.post(f"/ideas/{thread['idea'].id}/flag", data={"reason": "spam"}, headers=JSON)
    assert as_json.status_code == 401


def test_bad_input_shows_the_form_again_open_with_the_message_next_to_the_field(client, auth, thread):
    auth.login(thread["reader"])
    comment_id = thread["comment_id"]
    response = client.post(f"/comments/{comment_id}/flag", data={"reason": "", "note": "Kept note"})
    assert response.status_code == 400
    section = report_section(response.text, "comment", comment_id)
    assert section.startswith('<details class="report" open>')
    error_id = f"report-comment-{comment_id}-reason-error"
    assert f'<p class="field__error" id="{error_id}">Please choose a reason.</p>' in section
    assert ">Kept note</textarea>" in section
    assert 'open>' not in (report_section(response.text, "idea", thread["idea"].id) or "")
    too_long = client.post(f"/ideas/{thread['idea'].id}/flag", data={"reason": "other", "note": "n" * 501})
    assert too_long.status_code == 400
    assert "Keep the note to 500 characters or fewer." in report_section(too_long.text, "idea", thread["idea"].id)
    bad_reason = client.post(f"/ideas/{thread['idea'].id}/flag", data={"reason": "boring"}, headers=JSON)
    assert bad_reason.status_code == 400 and bad_reason.json["error"]["message"] == (
        "Please choose one of the listed reasons.")
    assert db.session.scalars(select(Flag)).all() == []


def test_reporting_hidden_or_missing_content_is_not_found(client, auth, thread):
    services.set_comment_hidden(comment_id=thread["comment_id"], actor_id=None, hidden=True)
    auth.login(thread["reader"])
    hidden = client.post(f"/comments/{thread['comment_id']}/flag", data={"reason": "spam"})
    assert hidden.status_code == 404 and "There is no comment with that number." in hidden.text
    assert client.post("/ideas/999999/flag", data={"reason": "spam"}, headers=JSON).status_code == 404


def test_an_offsite_next_is_ignored(client, auth, thread):
    auth.login(thread["reader"])
    response = client.post(f"/ideas/{thread['idea'].id}/flag",
                           data={"reason": "spam", "next": "https://evil.example/"})
    assert response.headers["Location"] == f"/ideas/{thread['idea'].id}#idea-{thread['idea'].id}"


def test_a_report_without_a_csrf_token_is_refused(database_url, thread):
    csrf_app = build_app(database_url, WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        client = csrf_app.test_client()
        response = client.post(f"/ideas/{thread['idea'].id}/flag", data={"reason": "spam"})
        assert response.status_code == 400
        staff_post = client.post(f"/admin/moderation/ideas/{thread['idea'].id}/hide")
        assert staff_post.status_code == 400
    assert not db.session.get(Idea, thread["idea"].id).is_hidden


# The staff queue

def flag(idea_id=None, comment_id=None, *, reason="spam", note=""):
    reporter = factories.user()
    if idea_id is not None:
        return services.flag_idea(idea_id=idea_id, reporter_id=reporter.id, reason=reason, note=note)
    return services.flag_comment(comment_id=comment_id, reporter_id=reporter.id, reason=reason, note=note)


def test_the_queue_shows_each_reported_item_once_with_reasons_notes_and_links(client, auth, thread):
    idea, comment_id = thread["idea"], thread["comment_id"]
    flag(idea.id, reason="off_topic")
    for reason, note in (("spam", "Selling watches"), ("spam", ""), ("offensive", "<b>rude</b>")):
        flag(comment_id=comment_id, reason=reason, note=note)
    auth.login(factories.user(role="pm"))
    page = client.get("/admin/moderation").text
    assert queue_order(page) == [f"comment-{comment_id}", f"idea-{idea.id}"]
    assert f"Comment #{comment_id} on “Put the search box on every page”" in page
    assert "Cheap watches at example.com" in page and "by <strong>commenter</strong>" in page
    assert '<span class="flag-reason">Spam or advertising</span> × 2' in page
    assert '<span class="flag-reason">Offensive or abusive</span> × 1' in page
    assert "<q>Selling watches</q>" in page and "<q>&lt;b&gt;rude&lt;/b&gt;</q>" in page
    assert f'href="/ideas/{idea.id}-put-the-search-box-on-every-page#comment-{comment_id}"' in page
    assert f'action="/admin/moderation/comments/{comment_id}/dismiss"' in page
    assert f'action="/admin/moderation/ideas/{idea.id}/hide"' in page
    assert '<a href="/admin/moderation" aria-current="page">Moderation <span class="admin-nav__count"' in page


def test_the_queue_runs_the_same_number_of_queries_for_3_and_15_reported_items(client, auth, app):
    auth.login(factories.user(role="admin"))
    category = factories.category()

    def queries_for_queue():
        client.get("/admin/moderation")  # warm: the session user is loaded once per request
        with count_queries() as statements:
            assert client.get("/admin/moderation").status_code == 200
        return len(statements)

    def add_reported(count):
        for _ in range(count):
            idea = factories.idea(category_row=category)
            comment_id = comments.add_comment(idea_id=idea.id, author_id=idea.author_id, body="Comment")
            flag(idea.id, note="Look")
            flag(idea.id, reason="other")
            flag(comment_id=comment_id, note="This too")

    add_reported(1)  # 2 items: an idea and a comment
    small = queries_for_queue()
    add_reported(7)  # 16 items
    large = queries_for_queue()
    assert small == large
    assert small <= 6  # the user, the grouped reports, their notes; the navigation counts three kinds of waiting work


def test_dismissing_from_the_queue_closes_the_reports_and_keeps_the_content(client, auth, thread):
    idea = thread["idea"]
    flag(idea.id)
    flag(idea.id, reason="other")
    flag(comment_id=thread["comment_id"])
    staff = factories.user(role="pm")
    auth.login(staff)
    response = client.post(f"/admin/moderation/ideas/{idea.id}/dismiss", data={"next": "/admin/moderation?page=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/moderation?page=1"
    page = client.get("/admin/moderation").text
    assert f"Dismissed 2 reports on idea #{idea.id}; it stays up." in page
    assert queue_order(page) == [f"comment-{thread['comment_id']}"]
    assert open_flags(idea_id=idea.id) == [] and len(open_flags(comment_id=thread["comment_id"])) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "flag.dismiss"))
    assert (entry.actor_id, entry.target_id, entry.before) == (staff.id, idea.id, {"open_flags": 2})
    assert client.get(f"/ideas/{idea.id}", follow_redirects=True).status_code == 200
    nothing = client.post(f"/admin/moderation/ideas/{idea.id}/dismiss", headers=JSON)
    assert nothing.json == {"resolved": 0}


def test_hiding_an_idea_takes_it_off_the_site_until_it_is_unhidden(client, auth, thread):
    idea = thread["idea"]
    flag(idea.id)
    auth.login(factories.user(role="admin"))
    assert client.post(f"/admin/moderation/ideas/{idea.id}/hide").status_code == 302
    assert f"Idea #{idea.id} is hidden from the public; 1 report closed." in client.get("/admin/moderation").text
    assert client.get(f"/ideas/{idea.id}", follow_redirects=True).status_code == 404
    assert f'id="idea-{idea.id}"' not in client.get("/ideas").text
    hidden = client.get("/admin/moderation?show=hidden").text
    assert f'<tr id="hidden-idea-{idea.id}">' in hidden and "Put the search box on every page" in hidden
    assert [entry for entry in db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))] == [
        "idea.hide", "flag.hide"]

    back = "/admin/moderation?show=hidden"
    response = client.post(f"/admin/moderation/ideas/{idea.id}/unhide", data={"next": back})
    assert response.headers["Location"] == back
    assert f"Idea #{idea.id} is visible again." in client.get("/admin/moderation?show=hidden").text
    assert client.get(f"/ideas/{idea.id}", follow_redirects=True).status_code == 200
    assert f'id="idea-{idea.id}"' in client.get("/ideas").text
    assert open_flags(idea_id=idea.id) == []  # the decision stands; unhiding does not reopen reports


def test_a_hidden_comment_shows_the_public_a_placeholder_and_staff_the_text(client, auth, thread):
    idea, comment_id = thread["idea"], thread["comment_id"]
    flag(comment_id=comment_id)
    staff = factories.user(role="pm")
    auth.login(staff)
    assert client.post(f"/admin/moderation/comments/{comment_id}/hide").status_code == 302
    hidden_list = client.get("/admin/moderation?show=hidden").text
    assert f'<tr id="hidden-comment-{comment_id}">' in hidden_list
    thread_link = f'href="/ideas/{idea.id}-put-the-search-box-on-every-page#comment-{comment_id}"'
    assert f"{thread_link}>See it in its thread" in hidden_list
    staff_view = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "Cheap watches at example.com" in staff_view and "Hidden from the public" in staff_view
    assert report_section(staff_view, "comment", comment_id) is None
    auth.logout()
    for viewer in (None, thread["reader"]):
        if viewer:
            auth.login(viewer)
        public = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
        assert "Cheap watches at example.com" not in public
        assert "This comment was hidden by a moderator." in public
        assert "0 comments" in public
        assert report_section(public, "comment", comment_id) is None
    auth.logout()
    auth.login(staff)
    assert client.post(f"/admin/moderation/comments/{comment_id}/unhide").status_code == 302
    auth.logout()
    public = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "Cheap watches at example.com" in public and "hidden by a moderator" not in public
    assert "1 comment" in public
    assert db.session.get(Comment, comment_id).is_hidden is False


def test_unhiding_something_visible_says_so(client, auth, thread):
    auth.login(factories.user(role="pm"))
    response = client.post(f"/admin/moderation/comments/{thread['comment_id']}/unhide", follow_redirects=True)
    assert f"Comment #{thread['comment_id']} was not hidden." in response.text
    assert client.post("/admin/moderation/comments/999999/unhide").status_code == 404


def test_empty_views_and_bad_parameters(client, auth, app):
    auth.login(factories.user(role="pm"))
    assert "No open reports." in client.get("/admin/moderation").text
    assert "Nothing is hidden." in client.get("/admin/moderation?show=hidden").text
    assert "There is nothing on this page." in client.get("/admin/moderation?page=4").text
    assert client.get("/admin/moderation?page=abc").status_code == 200
    assert client.get(f"/admin/moderation?page={10 ** 30}").status_code == 200
    assert client.get("/admin/moderation?show=everything").status_code == 400


def test_the_queue_pages_through_more_than_twenty_items(client, auth, app):
    category = factories.category()
    for _ in range(21):
        flag(factories.idea(category_row=category).id)
    auth.login(factories.user(role="pm"))
    first = client.get("/admin/moderation").text
    assert len(queue_order(first)) == 20 and "Page 1 of 2" in first
    assert 'href="/admin/moderation?page=2"' in first
    second = client.get("/admin/moderation?page=2").text
    assert len(queue_order(second)) == 1 and 'href="/admin/moderation?page=1"' in second
