"""Storm Sessions: public pages, submitting for members, the staff's list and form."""
from . import members, public, staff

SESSION_FORM = {
    "title": "Access check session", "question": "Who may do this?", "description": "",
    "category_id": "", "starts_at": "2030-01-01T09:00", "ends_at": "2030-01-15T17:00", "vote_budget": "",
}

ROWS = [
    public("GET", "/campaigns"),
    public("GET", "/campaigns/<slug>"),
    members("GET", "/campaigns/<slug>/submit"),
    members("POST", "/campaigns/<slug>/submit", title="An idea for the session", body="Because.",
            category="{category_id}"),
    staff("GET", "/admin/campaigns"),
    staff("GET", "/admin/campaigns/new"),
    staff("POST", "/admin/campaigns/new", **SESSION_FORM),
    staff("GET", "/admin/campaigns/<int:campaign_id>"),
    staff("POST", "/admin/campaigns/<int:campaign_id>", **SESSION_FORM),
]
