"""Follow and unfollow an idea: a redirect back for forms, the new state for JSON clients."""
from flask import Blueprint, flash, jsonify, redirect
from flask_login import current_user, login_required

from ..forms import checked_action_form
from ..ideas.views import idea_url
from ..web import safe_next, wants_json
from . import services

bp = Blueprint("follows", __name__)


@bp.post("/ideas/<int:idea_id>/follow")
@login_required
def follow(idea_id: int):
    return _follow_action(idea_id, services.follow, "You're following this idea.")


@bp.post("/ideas/<int:idea_id>/unfollow")
@login_required
def unfollow(idea_id: int):
    return _follow_action(idea_id, services.unfollow, "You no longer follow this idea.")


def _follow_action(idea_id: int, use_case, message: str):
    """Run `services.follow` or `services.unfollow` for the current user and answer with the new state."""
    form = checked_action_form()
    state = use_case(idea_id=idea_id, user_id=current_user.id)
    if wants_json():
        return jsonify(state.as_dict())
    flash(message, "success")
    back = safe_next(form.next.data) or idea_url(idea_id)
    return redirect(f"{back.split('#')[0]}#follow-{idea_id}")
