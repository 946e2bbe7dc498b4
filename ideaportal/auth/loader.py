"""Flask-Login glue: load the user behind a session, and what to do when login is required."""
from flask import flash, jsonify, redirect, request, url_for
from flask_login import AnonymousUserMixin

from ..extensions import login_manager
from ..models import User
from ..web import safe_next, wants_json
from . import sessions


class Visitor(AnonymousUserMixin):
    """Someone not logged in: no id, no role, never staff."""

    id = None
    role = None
    is_staff = False


def load_user(login_id: str) -> User | None:
    """The user of the open server-side session the cookie names; an ended session or a deactivated
    member signs nobody in."""
    return sessions.resolve(login_id)


@login_manager.unauthorized_handler
def unauthorized():
    """Send the visitor to log in and bring them back to the page they were on.

    A POST (say, a vote) cannot be replayed after login, so it returns to the page the form
    was on, which the form names in its `next` field.
    """
    if request.method == "GET":
        back = request.full_path.rstrip("?")
        reason = "Please log in to continue. You'll come straight back here."
    else:
        back = safe_next(request.form.get("next")) or safe_next(request.args.get("next")) or "/"
        reason = "Please log in to do that. You'll come back to the page you were on, to try again."
    if request.endpoint in ("ideas.vote", "ideas.vote_intent") and request.form.get("value") in ("1", "-1"):
        # A vote is kept, signed, in the login page's address and cast once the visitor has signed in.
        from ..ideas.intents import login_url as vote_login_url

        login_url = vote_login_url(request.view_args["idea_id"], int(request.form["value"]), back)
        reason = None  # the login page says which vote waits
    else:
        login_url = url_for("auth.login", next=back)
    if wants_json():
        error = {"code": "login_required", "message": "Please log in to do that."}
        return jsonify(error=error, login_url=login_url), 401
    if reason:
        flash(reason, "info")
    return redirect(login_url)
