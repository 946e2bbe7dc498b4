"""Merge routes (staff): preview a merge, merge, unmerge."""
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..access import staff_only
from ..errors import DomainError
from ..forms import checked_action_form
from ..ideas.views import idea_url
from ..web import form_error, safe_next
from . import queries, services
from .forms import MergeForm, MergeLookupForm

bp = staff_only(Blueprint("merges", __name__, url_prefix="/admin"))


@bp.get("/ideas/<int:idea_id>/merge")
def preview(idea_id: int):
    lookup = MergeLookupForm(request.args if "into" in request.args else None)
    asked = "into" in request.args
    valid = asked and lookup.validate()
    target_id = lookup.into.data if valid else None
    form = MergeForm(formdata=None, data={"into": target_id})
    return render_page(idea_id, lookup, form, target_id), 400 if asked and not valid else 200


@bp.post("/ideas/<int:idea_id>/merge")
def merge(idea_id: int):
    form = MergeForm()
    lookup = MergeLookupForm(formdata=None, data={"into": form.into.data})
    status = 400
    if form.validate_on_submit():
        try:
            outcome = services.merge_idea(
                source_id=idea_id, target_id=form.into.data, actor_id=current_user.id, note=form.note.data or ""
            )
        except DomainError as error:
            form_error(lookup, error)
            status = error.status
        else:
            flash(merged_message(outcome), "success")
            return redirect(idea_url(outcome.target_id, outcome.target_title))
    lookup.into.errors = [*form.into.errors, *lookup.into.errors]
    target_id = form.into.data if not form.into.errors else None
    return render_page(idea_id, lookup, form, target_id), status


@bp.post("/ideas/<int:idea_id>/unmerge")
def unmerge(idea_id: int):
    form = checked_action_form()
    outcome = services.unmerge_idea(idea_id=idea_id, actor_id=current_user.id)
    flash(f"Idea #{outcome.source_id} is unmerged from #{outcome.target_id}: its votes and status are back."
          + (f" {outcome.kept_changed_votes} voter(s) changed their vote on #{outcome.target_id} after the merge"
             " and keep it." if outcome.kept_changed_votes else ""), "success")
    return redirect(safe_next(form.next.data) or staff_idea_url(outcome.source_id, outcome.source_title))


def render_page(idea_id: int, lookup: MergeLookupForm, form: MergeForm, target_id: int | None):
    preview = queries.merge_preview(idea_id, target_id)
    if preview.problem is not None and not lookup.errors and not lookup.form_errors:
        form_error(lookup, preview.problem)
    return render_template(
        "merges/merge.html", preview=preview, lookup=lookup, form=form,
        back_url=staff_idea_url(idea_id, preview.source.title),
    )


def merged_message(outcome: services.MergeOutcome) -> str:
    return (
        f"Idea #{outcome.source_id} is merged into this one: {outcome.moved_votes} vote(s) moved here, "
        f"{outcome.kept_votes} voter(s) had voted on both and keep their vote here, "
        f"{outcome.new_followers} new follower(s)."
    )


def staff_idea_url(idea_id: int, title: str) -> str:
    """The idea's triage page when the staff area has one, else its public page."""
    if "triage.idea" in current_app.view_functions:
        return url_for("triage.idea", idea_id=idea_id)
    return idea_url(idea_id, title)
