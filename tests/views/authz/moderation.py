"""Reporting ideas and comments (members), and the moderation queue (staff)."""
from . import members, staff

ROWS = [
    # The author is refused their own item with a message on the page: access itself is allowed.
    members("POST", "/ideas/<int:idea_id>/flag", reason="spam"),
    members("POST", "/comments/<int:comment_id>/flag", reason="spam"),
    staff("GET", "/admin/moderation"),
    staff("POST", "/admin/moderation/ideas/<int:idea_id>/dismiss"),
    staff("POST", "/admin/moderation/ideas/<int:idea_id>/hide"),
    staff("POST", "/admin/moderation/ideas/<int:idea_id>/unhide"),
    staff("POST", "/admin/moderation/comments/<int:comment_id>/dismiss"),
    staff("POST", "/admin/moderation/comments/<int:comment_id>/hide"),
    staff("POST", "/admin/moderation/comments/<int:comment_id>/unhide"),
]
