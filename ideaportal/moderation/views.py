"""Moderation routes: members report ideas and comments; staff work through the reports."""
from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_login import current_user, login_required

from ..access import staff_only
from ..comments.forms import CommentForm
from ..errors import Conflict, DomainError, Invalid, PermissionDenied
from ..ideas import queries as idea_queries
from ..ideas.views import idea_url
from ..limits import per_member
from ..rules import FLAG_NOTE_MAX, FLAG_REASONS
from ..web import redirect_back, safe_next, wants_json
from . import queries, services
from .forms import REASON_LABELS, FlagForm

flags_bp = Blueprint("flags", __name__)
bp = staff_only(Blueprint("moderation", __name__, url_prefix="/admin/moderation"))

THANKS = "Thanks — a moderator will review it."
LAST_PAGE = 100_000  # far beyond any real queue; keeps the OFFSET a small number


@dataclass(frozen=True)
class ReportAttempt:
    """A report that came back with errors: its form is shown again, open, on the idea page."""

    kind: str
    target_id: int
    form: FlagForm


@flags_bp.app_template_global()
def report_reasons() -> dict[str, str]:
    """Each reason's label, in the order the report form lists them."""
    return {reason: REASON_LABELS[reason] for reason in FLAG_REASONS}


@flags_bp.app_template_global()
def report_note_max() -> int:
    return FLAG_NOTE_MAX


@flags_bp.post("/ideas/<int:idea_id>/flag")
@login_required
@per_member("FLAG_RATE_LIMIT")
def flag_idea(idea_id: int):
    form = FlagForm()
    if not form.validate_on_submit():
        return _report_again(ReportAttempt("idea", idea_id, form), idea_id)
    try:
        flagged = services.flag_idea(
            idea_id=idea_id, reporter_id=current_user.id, reason=form.reason.data, note=form.note.data
        )
    except (Conflict, PermissionDenied) as refusal:
        return _refused(refusal, form, lambda: idea_url(idea_id))
    return _thanks(form, idea_url(flagged.idea_id) + f"#idea-{idea_id}")


@flags_bp.post("/comments/<int:comment_id>/flag")
@login_required
@per_member("FLAG_RATE_LIMIT")
def flag_comment(comment_id: int):
    form = FlagForm()
    if not form.validate_on_submit():
        return _report_again(ReportAttempt("comment", comment_id, form), queries.comment_idea_id(comment_id))
    try:
        flagged = services.flag_comment(
            comment_id=comment_id, reporter_id=current_user.id, reason=form.reason.data, note=form.note.data
        )
    except (Conflict, PermissionDenied) as refusal:
        return _refused(
            refusal, form, lambda: idea_url(queries.comment_idea_id(comment_id)) + f"#comment-{comment_id}"
        )
    return _thanks(form, idea_url(flagged.idea_id) + f"#comment-{comment_id}")


def _report_again(attempt: ReportAttempt, idea_id: int):
    """Bad input: the idea page again with the report form open and the message next to the field."""
    if wants_json():
        field, messages = next(iter(attempt.form.errors.items()))
        raise Invalid(messages[0], field=field)
    detail = idea_queries.idea_detail(idea_id, viewer_id=current_user.id)
    return render_template("ideas/detail.html", detail=detail, comment_form=CommentForm(), report=attempt), 400


def _refused(refusal: DomainError, form: FlagForm, default_url):
    """Reported already, or one's own content: say so on the page the report came from."""
    if wants_json():
        raise refusal
    flash(refusal.message, "info" if isinstance(refusal, Conflict) else "error")
    return redirect(safe_next(form.next.data) or default_url())


def _thanks(form: FlagForm, default_url: str):
    if wants_json():
        return jsonify(message=THANKS), 201
    flash(THANKS, "success")
    return redirect(safe_next(form.next.data) or default_url)


@bp.get("")
def queue():
    show = request.args.get("show", "open")
    page = min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)
    # The triage page belongs to another section; link to it only when that section is installed.
    has_triage = "triage.idea" in current_app.view_functions
    if show == "hidden":
        return render_template("moderation/hidden.html", page=queries.hidden_content(page), show=show,
                               has_triage=has_triage)
    if show != "open":
        raise Invalid("Show either the open reports (show=open) or the hidden content (show=hidden).")
    return render_template("moderation/queue.html", page=queries.open_flag_queue(page), show=show,
                           has_triage=has_triage)


@bp.post("/ideas/<int:idea_id>/dismiss")
def dismiss_idea(idea_id: int):
    count = services.dismiss_idea_flags(idea_id=idea_id, actor_id=current_user.id)
    return _dismissed(count, "idea", idea_id)


@bp.post("/ideas/<int:idea_id>/hide")
def hide_idea(idea_id: int):
    count = services.hide_flagged_idea(idea_id=idea_id, actor_id=current_user.id)
    return _hidden(count, "idea", idea_id)


@bp.post("/comments/<int:comment_id>/dismiss")
def dismiss_comment(comment_id: int):
    count = services.dismiss_comment_flags(comment_id=comment_id, actor_id=current_user.id)
    return _dismissed(count, "comment", comment_id)


@bp.post("/comments/<int:comment_id>/hide")
def hide_comment(comment_id: int):
    count = services.hide_flagged_comment(comment_id=comment_id, actor_id=current_user.id)
    return _hidden(count, "comment", comment_id)


@bp.post("/ideas/<int:idea_id>/unhide")
def unhide_idea(idea_id: int):
    changed = services.set_idea_hidden(idea_id=idea_id, actor_id=current_user.id, hidden=False)
    return _unhidden(changed, "idea", idea_id)


@bp.post("/comments/<int:comment_id>/unhide")
def unhide_comment(comment_id: int):
    changed = services.set_comment_hidden(comment_id=comment_id, actor_id=current_user.id, hidden=False)
    return _unhidden(changed, "comment", comment_id)


def _reports(count: int) -> str:
    return f"{count} report{'' if count == 1 else 's'}"


def _dismissed(count: int, kind: str, target_id: int):
    if count:
        return _resolved(count, f"Dismissed {_reports(count)} on {kind} #{target_id}; it stays up.")
    return _resolved(count, f"{kind.capitalize()} #{target_id} had no open reports.")


def _hidden(count: int, kind: str, target_id: int):
    closed = f"; {_reports(count)} closed." if count else "."
    return _resolved(count, f"{kind.capitalize()} #{target_id} is hidden from the public{closed}", hidden=True)


def _resolved(count: int, message: str, *, hidden: bool = False):
    if wants_json():
        return jsonify(resolved=count)
    flash(message, "success" if count or hidden else "info")
    return redirect_back("moderation.queue")


def _unhidden(changed: bool, kind: str, target_id: int):
    if wants_json():
        return jsonify(changed=changed)
    what = f"{kind.capitalize()} #{target_id}"
    flash(f"{what} is visible again." if changed else f"{what} was not hidden.", "success" if changed else "info")
    return redirect_back("moderation.queue", show="hidden")
