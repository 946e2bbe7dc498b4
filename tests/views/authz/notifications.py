"""Notifications and "My activity": any logged-in member (each sees only their own); unsubscribing: anyone
holding the signed link; the mail outbox: admins."""
from . import admins, members, public

ROWS = [
    members("GET", "/notifications"),
    members("POST", "/notifications/<int:notification_id>/open"),
    members("POST", "/notifications/<int:notification_id>/read"),
    members("POST", "/notifications/read-all"),
    members("GET", "/notifications/settings"),
    members("POST", "/notifications/settings", email_status="never"),
    members("GET", "/me"),
    public("GET", "/unsubscribe/<token>"),
    public("POST", "/unsubscribe/<token>", **{"List-Unsubscribe": "One-Click"}),
    admins("GET", "/admin/outbox"),
    admins("POST", "/admin/outbox/retry"),
]
