"""The staff's Storm Session pages: the list, creating and editing a session, with the audit log."""
from datetime import datetime, timezone

from sqlalchemy import func, select

from ideaportal.extensions import db
from ideaportal.models import AuditEntry, Campaign
from tests import factories

FORM = {
    "title": "Mobile week", "slug": "", "question": "What should the app do next?",
    "description": "Tell us *anything*.", "category_id": "", "starts_at": "2030-03-01T09:00",
    "ends_at": "2030-03-15T17:30", "vote_budget": "5",
}


def log_in_pm(auth):
    pm = factories.user(role="pm")
    auth.login(pm)
    return pm


def test_a_pm_creates_a_session_with_utc_times_and_an_audit_entry(client, auth, app):
    pm = log_in_pm(auth)
    category = factories.category(name="Mobile app")
    form = client.get("/admin/campaigns/new").text
    assert "In UTC (Coordinated Universal Time)" in form and 'type="datetime-local"' in form
    response = client.post("/admin/campaigns/new", data={**FORM, "category_id": category.id})
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert response.headers["Location"] == f"/admin/campaigns#campaign-{campaign.id}"
    assert campaign.slug == "mobile-week" and campaign.category_id == category.id and campaign.vote_budget == 5
    assert campaign.starts_at == datetime(2030, 3, 1, 9, 0, tzinfo=timezone.utc)
    assert campaign.ends_at == datetime(2030, 3, 15, 17, 30, tzinfo=timezone.utc)
    assert campaign.voting_after_close is False and "<em>anything</em>" in campaign.description_html
    assert campaign.created_by_id == pm.id
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id) == (
        "campaign.create", pm.id, "campaign", campaign.id)
    listing = client.get(response.headers["Location"]).text
    assert "The Storm Session “Mobile week” is saved." in listing
    assert '<a href="/campaigns/mobile-week">Mobile week</a>' in listing and "1 March 2030, 09:00 UTC" in listing
    assert '<a href="/admin/campaigns" aria-current="page">Storm Sessions</a>' in listing  # the staff nav
    for page in (client.get("/admin/campaigns/new").text, client.get(f"/admin/campaigns/{campaign.id}").text):
        assert '<a href="/admin/campaigns" aria-current="page">Storm Sessions</a>' in page  # its pages too
        assert '<a href="/admin" aria-current="page">Inbox</a>' not in page


def test_bad_values_are_explained_next_to_their_fields_and_nothing_is_saved(client, auth, app):
    log_in_pm(auth)
    factories.campaign(slug="taken")
    cases = [
        ({"ends_at": "2030-02-01T09:00"}, "ends_at", "The end must come after the start."),
        ({"starts_at": "tomorrow-ish"}, "starts_at", "Not a valid datetime value."),
        ({"slug": "Has Spaces"}, "slug", "lowercase letters and digits"),
        ({"slug": "taken"}, "slug", "already has that slug"),
        ({"vote_budget": "0"}, "vote_budget", "Use a whole number from 1 to 1,000."),
        ({"vote_budget": "many"}, "vote_budget", "Not a valid integer value."),
        ({"question": ""}, "question", "This field is required."),
    ]
    for change, field, message in cases:
        response = client.post("/admin/campaigns/new", data={**FORM, **change})
        assert response.status_code == 400, change
        error = response.text.split(f'id="{field}-error">')[1].split("</p>")[0]
        assert message in error, (change, error)
        assert 'value="Mobile week"' in response.text  # the input is kept
    assert db.session.scalar(select(func.count(Campaign.id))) == 1


def test_editing_shows_the_stored_values_and_records_what_changed(client, auth, app):
    pm = log_in_pm(auth)
    client.post("/admin/campaigns/new", data=FORM)
    campaign = db.session.scalar(select(Campaign))
    form = client.get(f"/admin/campaigns/{campaign.id}").text
    assert 'value="2030-03-01T09:00"' in form and 'value="2030-03-15T17:30"' in form and 'value="5"' in form
    assert 'value="mobile-week"' in form
    response = client.post(f"/admin/campaigns/{campaign.id}",
                           data={**FORM, "slug": "mobile-week", "vote_budget": "", "voting_after_close": "y",
                                 "ends_at": "2030-03-20T17:30"})
    assert response.status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.update"))
    assert entry.actor_id == pm.id
    assert entry.before == {"ends_at": "2030-03-15T17:30:00+00:00", "voting_after_close": False, "vote_budget": 5}
    assert entry.after == {"ends_at": "2030-03-20T17:30:00+00:00", "voting_after_close": True, "vote_budget": None}
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).vote_budget is None


def test_editing_a_session_that_does_not_exist_is_not_found(client, auth, app):
    log_in_pm(auth)
    assert client.get("/admin/campaigns/9999").status_code == 404


def test_members_cannot_reach_the_staff_pages_nor_see_them_in_the_nav(client, auth, app):
    auth.login(factories.user())
    assert client.get("/admin/campaigns").status_code == 403
    assert client.post("/admin/campaigns/new", data=FORM).status_code == 403
    assert db.session.scalar(select(func.count(Campaign.id))) == 0
    assert "/admin/campaigns" not in client.get("/campaigns").text
