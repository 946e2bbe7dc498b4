"""Triage: the inbox, bulk status changes, the triage page and its actions, the export. Staff only."""
from . import staff

ROWS = [
    staff("GET", "/admin"),
    staff("POST", "/admin/bulk-status", idea_ids="{idea_id}", status="under_review", response="We are looking at it."),
    staff("GET", "/admin/export.csv"),
    staff("GET", "/admin/ideas/<int:idea_id>"),
    staff("POST", "/admin/ideas/<int:idea_id>/answer", status="under_review", response="We are looking at it.",
          owner_id="", category="{category_id}"),
    staff("POST", "/admin/ideas/<int:idea_id>/notes", body="Checked with the mobile team."),
    staff("POST", "/admin/ideas/<int:idea_id>/hide"),
    staff("POST", "/admin/ideas/<int:idea_id>/unhide"),
]
