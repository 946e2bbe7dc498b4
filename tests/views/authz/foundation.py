"""Accounts, ideas, votes and comments."""
from . import author_only, members, public

ROWS = [
    public("GET", "/"),
    public("GET", "/static/<path:filename>"),
    public("GET", "/healthz"),
    public("GET", "/readyz"),
    public("GET", "/auth/login"),
    public("POST", "/auth/login", email="{author_email}", password="wrong password here"),
    public("GET", "/auth/register"),
    public("POST", "/auth/register", email="new@example.com"),
    # Logging out needs no login: a visitor's logout is harmless and ends on the home page.
    public("POST", "/auth/logout"),
    public("GET", "/ideas"),
    public("GET", "/ideas/<int:idea_id>"),
    public("GET", "/ideas/<int:idea_id>-<slug>"),
    members("GET", "/ideas/new"),
    members("POST", "/ideas/new", title="Too short"),
    author_only("GET", "/ideas/<int:idea_id>/edit"),
    author_only("POST", "/ideas/<int:idea_id>/edit", title="An edited title", body="Edited.", category="{category_id}"),
    members("POST", "/ideas/<int:idea_id>/vote", value="1"),
    # A visitor's vote button: on to the login with the vote signed; a member is sent back to the real button.
    members("POST", "/ideas/<int:idea_id>/vote-intent", value="1"),
    members("POST", "/ideas/<int:idea_id>/comments", body="A comment."),
    author_only("GET", "/comments/<int:comment_id>/edit"),
    author_only("POST", "/comments/<int:comment_id>/edit", body="Edited comment."),
    author_only("POST", "/comments/<int:comment_id>/delete"),
]
