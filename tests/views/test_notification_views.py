"""The bell, /notifications, notification settings, "My activity", unsubscribing by link, and the mail admin page."""
import re

import pytest
from sqlalchemy import select

from ideaportal.comments.services import add_comment
from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote
from ideaportal.mail.tokens import unsubscribe_token
from ideaportal.models import Notification, OutboxMessage
from ideaportal.notifications import queries
from ideaportal.triage.services import change_status
from tests import factories
from tests.conftest import build_app
from tests.helpers import with_signature_changed


@pytest.fixture
def voted(app):
    """A member who voted on an idea that a PM then planned, with a public answer."""
    member, pm = factories.user(username="vera"), factories.user(role="pm", username="pm_pia")
    idea = factories.idea(title="Export to CSV")
    cast_vote(idea_id=idea.id, voter_id=member.id, value=1)
    change_id = change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="In *May*.")
    return member, idea, change_id


def bell(page: str) -> str:
    return re.search(r"<span class=\"bell__count\" data-unread>(\d+)</span>", page).group(1)


def test_the_bell_counts_unread_and_the_list_links_to_the_exact_place(client, auth, voted):
    member, idea, change_id = voted
    auth.login(member)
    home = client.get("/").text
    assert bell(home) == "1"
    page = client.get("/notifications").text
    assert "pm_pia moved “Export to CSV” to Planned." in page and "In May." in page
    notification_id = db.session.scalar(select(Notification.id).where(Notification.user_id == member.id))
    opened = client.post(f"/notifications/{notification_id}/open")
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/ideas/{idea.id}-export-to-csv#status-change-{change_id}"
    target = client.get(opened.headers["Location"].split("#")[0]).text
    assert f'id="status-change-{change_id}"' in target
    assert bell(target) == "0"


def test_mark_read_and_mark_all_read(client, auth, voted, app):
    member, idea, _ = voted
    pm = factories.user(role="pm")
    add_comment(idea_id=idea.id, author_id=pm.id, body="We started.", official=True)
    auth.login(member)
    first = db.session.scalars(select(Notification.id).where(Notification.user_id == member.id)).first()
    json = client.post(f"/notifications/{first}/read", headers={"Accept": "application/json"})
    assert json.get_json() == {"unread": 1}
    assert "Unread (1)" in client.get("/notifications").text
    client.post("/notifications/read-all")
    assert queries.unread_count(member.id) == 0
    assert "Nothing unread." in client.get("/notifications?unread=1").text


def test_someone_elses_notification_cannot_be_read_or_opened(client, auth, voted):
    member, *_ = voted
    notification_id = db.session.scalar(select(Notification.id).where(Notification.user_id == member.id))
    auth.login(factories.user())
    assert client.post(f"/notifications/{notification_id}/open").status_code == 404
    assert client.post(f"/notifications/{notification_id}/read").status_code == 404
    assert queries.unread_count(member.id) == 1


@pytest.mark.parametrize("path", ["/notifications", "/notifications/settings", "/me"])
def test_notification_pages_need_a_login(client, app, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_settings_choose_email_per_kind_and_automatic_following(client, auth, app):
    member = factories.user()
    auth.login(member)
    page = client.get("/notifications/settings").text
    comments = page.split("Someone comments on an idea I follow")[1].split("</fieldset>")[0]
    assert re.search(r'<input checked[^>]*value="daily"', comments)  # the default for comments
    data = {"email_status": "never", "email_merge": "daily", "email_answer": "immediately",
            "email_comment": "never", "email_mention": "daily"}
    assert client.post("/notifications/settings", data=data).status_code == 302
    assert queries.email_settings(member.id) == {"status": "never", "merge": "daily", "answer": "immediately",
                                                 "comment": "never", "mention": "daily"}
    db.session.refresh(member)
    assert member.auto_follow is False  # the box was not ticked
    bad = client.post("/notifications/settings", data={**data, "email_status": "hourly", "auto_follow": "y"})
    assert bad.status_code == 400 and queries.email_settings(member.id)["status"] == "never"


def test_my_activity_shows_my_ideas_votes_follows_and_comments_and_what_changed(client, auth, app):
    member, pm = factories.user(), factories.user(role="pm")
    factories.idea(author=member, title="My own idea")
    voted = factories.idea(title="An idea I voted on")
    commented = factories.idea(title="An idea I discussed")
    cast_vote(idea_id=voted.id, voter_id=member.id, value=1)
    add_comment(idea_id=commented.id, author_id=member.id, body="Good one.")
    auth.login(member)
    first = client.get("/me").text
    sections = {key: first.split(f'id="activity-{key}"')[1].split("</section>")[0]
                for key in ("mine", "voted", "following", "commented")}
    assert "My own idea" in sections["mine"] and "An idea I voted on" in sections["voted"]
    assert "An idea I discussed" in sections["commented"]
    assert all(title in sections["following"] for title in ("My own idea", "An idea I voted on", "An idea I discussed"))
    assert "Changed since your last visit" not in first
    change_status(idea_id=voted.id, actor_id=pm.id, status_slug="planned")
    second = client.get("/me").text
    changed = second.split('id="activity-voted"')[1].split("</section>")[0]
    assert "Changed since your last visit" in changed and "Planned" in changed
    assert "Changed since your last visit" not in client.get("/me").text  # seen now


def test_unsubscribe_works_from_the_link_with_no_session_and_with_csrf_on(voted, database_url):
    member, *_ = voted
    strict = build_app(database_url, WTF_CSRF_ENABLED=True)
    with strict.app_context():
        token = unsubscribe_token(member.id, "status")
    anonymous = strict.test_client()
    page = anonymous.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Unsubscribe" in page.text
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", with no cookie and no CSRF token.
    done = anonymous.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You're unsubscribed" in done.text
    with strict.app_context():
        assert queries.email_settings(member.id)["status"] == "never"
        states = db.session.scalars(select(OutboxMessage.state).where(OutboxMessage.user_id == member.id)).all()
        assert states == ["cancelled"]
    assert anonymous.post(f"/unsubscribe/{with_signature_changed(token)}").status_code == 404
    assert anonymous.get("/unsubscribe/not-a-token").status_code == 404


def test_the_mail_page_is_for_admins(client, auth, app):
    auth.login(factories.user(role="pm"))
    assert client.get("/admin/outbox").status_code == 403
    assert client.post("/admin/outbox/retry").status_code == 403
