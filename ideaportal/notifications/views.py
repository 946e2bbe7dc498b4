"""A member's notifications, their settings and "My activity"; unsubscribing from email; dead letters for admins."""
from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..access import admin_only
from ..extensions import csrf
from ..forms import checked_action_form
from ..ideas.views import idea_url
from ..mail import outbox
from ..mail.tokens import ALL, read_unsubscribe_token
from ..web import int_arg, wants_json
from . import activity, queries, services
from .forms import SettingsForm, settings_data
from .kinds import KINDS, LABELS

bp = Blueprint("notifications", __name__)
outbox_bp = admin_only(Blueprint("outbox", __name__, url_prefix="/admin/outbox"))
PAGE = 30


@bp.get("/notifications")
@login_required
def index():
    before = int_arg("before")
    unread_only = request.args.get("unread") == "1"
    items = queries.inbox(current_user.id, before=before, limit=PAGE + 1, unread_only=unread_only)
    return render_template("notifications/index.html", items=items[:PAGE], more=len(items) > PAGE,
                           unread_only=unread_only, unread=queries.unread_count(current_user.id))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_item(notification_id: int):
    """Mark it read and go to the exact place it tells of."""
    checked_action_form()
    services.mark_read(user_id=current_user.id, notification_id=notification_id)
    item = next(iter(queries.items([notification_id])), None)
    if item is None:  # its comment or idea has gone since
        flash("What this notification told of has been removed.", "info")
        return redirect(url_for("notifications.index"))
    return redirect(idea_url(item.idea_id, item.idea_title) + item.anchor)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    checked_action_form()
    services.mark_read(user_id=current_user.id, notification_id=notification_id)
    if wants_json():
        return jsonify(unread=queries.unread_count(current_user.id))
    return redirect(url_for("notifications.index") + f"#notification-{notification_id}")


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    checked_action_form()
    count = services.mark_all_read(user_id=current_user.id)
    if wants_json():
        return jsonify(unread=0, marked=count)
    flash("All notifications are marked read." if count else "You had nothing unread.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(data=settings_data(email=queries.email_settings(current_user.id),
                                           auto_follow=current_user.auto_follow))
    if form.validate_on_submit():
        services.save_settings(user_id=current_user.id, auto_follow=form.auto_follow.data,
                               email={kind: form[f"email_{kind}"].data for kind in KINDS})
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, kinds=KINDS, labels=LABELS,
                           mail_to=current_user.email), 400 if form.errors else 200


@bp.get("/me")
@login_required
def my_activity():
    seen_at = current_user.activity_seen_at
    sections = activity.my_activity(current_user.id, seen_at=seen_at)
    services.mark_activity_seen(user_id=current_user.id)  # what changed is shown once, then it is seen
    return render_template("notifications/activity.html", sections=sections, titles=dict(activity.SECTIONS),
                           seen_at=seen_at)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs with no session; the signed token is the proof
def unsubscribe(token: str):
    user_id, kind = read_unsubscribe_token(token)
    what = "any email from us" if kind == ALL else f"email for “{LABELS.get(kind, kind)}”"
    if request.method == "POST":
        services.unsubscribe(user_id=user_id, kind=kind)
        return render_template("notifications/unsubscribed.html", what=what)
    return render_template("notifications/unsubscribe.html", what=what, token=token)


@outbox_bp.get("")
def dead_letters():
    return render_template("notifications/outbox.html", summary=outbox.summary(), dead=outbox.dead_letters(),
                           max_attempts=current_app.config["MAIL_MAX_ATTEMPTS"])


@outbox_bp.post("/retry")
def retry():
    checked_action_form()
    only = int_arg("message_id", form=True)
    retried = outbox.retry_dead(message_ids=None if only is None else [only])
    flash(f"{len(retried)} message{'s' if len(retried) != 1 else ''} will be tried again now.", "success")
    return redirect(url_for("outbox.dead_letters"))

