"""Admin settings: users and roles, statuses, categories, the audit log; and the public badge stylesheet."""
from . import admins, public

ROWS = [
    admins("GET", "/admin/users"),
    admins("POST", "/admin/users/<int:user_id>/role", role="pm"),
    admins("POST", "/admin/users/<int:user_id>/deactivate"),
    admins("POST", "/admin/users/<int:user_id>/reactivate"),
    admins("GET", "/admin/statuses"),
    admins("POST", "/admin/statuses", slug="shipped_soon", label="Shipped soon", kind="active", colour="#1f5fad"),
    admins("GET", "/admin/statuses/<int:status_id>"),
    admins("POST", "/admin/statuses/<int:status_id>", label="Fresh", colour="#52606d"),
    admins("POST", "/admin/statuses/<int:status_id>/move", direction="down"),
    admins("POST", "/admin/statuses/<int:status_id>/delete"),
    admins("GET", "/admin/categories"),
    admins("POST", "/admin/categories", slug="billing", name="Billing"),
    admins("GET", "/admin/categories/<int:category_id>"),
    admins("POST", "/admin/categories/<int:category_id>", name="Renamed"),
    admins("POST", "/admin/categories/<int:category_id>/move", direction="up"),
    admins("POST", "/admin/categories/<int:category_id>/delete"),
    admins("GET", "/admin/audit"),
    # The badge colours: every page links them, so they are public (they hold nothing private).
    public("GET", "/statuses.css"),
]
