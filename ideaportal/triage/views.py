"""Staff triage pages: the inbox, bulk status changes, one idea's triage page and its actions, the CSV export."""
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from ..access import staff_only
from ..errors import DomainError
from ..forms import ActionForm
from ..ideas import queries as idea_queries
from ..models import utcnow
from ..moderation.services import set_idea_hidden
from ..rules import slugify
from ..search.queries import related_ideas
from ..search.terms import clean, has_terms
from ..web import form_error, int_arg
from . import queries, services
from .export import csv_lines
from .forms import AnswerForm, BulkStatusForm, NoteForm

bp = staff_only(Blueprint("triage", __name__, url_prefix="/admin"))


def inbox_filter(*, default_status: str = queries.ATTENTION) -> queries.InboxFilter:
    """The inbox filter from the query string (the filter form's fields)."""
    args = request.args
    return queries.InboxFilter(
        status=args.get("status") or default_status,
        category=args.get("category") or None,
        older_than=int_arg("older_than", message="Choose one of the listed ages."),
        mine=args.get("mine") == "1",
        unanswered=args.get("unanswered") == "1",
        hidden=args.get("hidden") == "1",
        q=clean(args.get("q")).strip() or None,  # blank (the form always sends it): no search
        cursor=args.get("cursor") or None,
    )


@bp.get("")
def inbox():
    return render_inbox(BulkStatusForm(statuses=idea_queries.statuses(), formdata=None))


@bp.post("/bulk-status")
def bulk_status():
    form = BulkStatusForm(statuses=idea_queries.statuses())
    if form.validate_on_submit():
        try:
            moved = services.bulk_change_status(
                idea_ids=form.idea_ids.data, actor_id=current_user.id,
                status_slug=form.status.data, response=form.response.data or "",
            )
        except DomainError as error:
            form_error(form, error)
        else:
            flash(f"{moved} idea{'s' if moved != 1 else ''} moved.", "success")
            return redirect(url_for("triage.inbox", **inbox_filter().args()))
    return render_inbox(form), 400


def render_inbox(bulk_form: BulkStatusForm):
    filters = inbox_filter()
    page = queries.inbox(filters, viewer_id=current_user.id, limit=current_app.config["PAGE_SIZE"])
    return render_template(
        "triage/inbox.html", page=page, filters=filters, bulk_form=bulk_form, ages=queries.AGES,
        statuses=idea_queries.statuses(), categories=idea_queries.categories(),
        searchable=has_terms(filters.q), all_selected=request.args.get("select") == "all",
        selected=set(bulk_form.idea_ids.data or ()),
    )


@bp.get("/ideas/<int:idea_id>")
def idea(idea_id: int):
    return render_idea(idea_id)


@bp.post("/ideas/<int:idea_id>/answer")
def answer(idea_id: int):
    form = answer_form()
    if form.validate_on_submit():
        try:
            outcome = services.answer(
                idea_id=idea_id, actor_id=current_user.id, status_slug=form.status.data,
                response=form.response.data or "", owner_id=form.owner_id.data, category_id=form.category.data,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            saved = " and ".join(outcome.changed).capitalize()
            flash(f"{saved} saved." + (" The change and any response are on the idea's public page."
                                       if outcome.status_changed else ""), "success")
            return after_save(idea_id, go_next=request.form.get("then") == "next")
    return render_idea(idea_id, answer_form=form), 400


def answer_form(**kwargs) -> AnswerForm:
    return AnswerForm(statuses=idea_queries.statuses(), staff=queries.staff_members(),
                      categories=idea_queries.categories(), **kwargs)


@bp.post("/ideas/<int:idea_id>/notes")
def add_note(idea_id: int):
    form = NoteForm()
    if form.validate_on_submit():
        try:
            note_id = services.add_note(idea_id=idea_id, actor_id=current_user.id, body=form.body.data)
        except DomainError as error:
            form_error(form, error)
        else:
            flash("Note added. Only the product team sees it.", "success")
            return redirect(idea_page_url(idea_id) + f"#note-{note_id}")
    return render_idea(idea_id, note_form=form), 400


@bp.post("/ideas/<int:idea_id>/hide")
def hide(idea_id: int):
    return set_hidden(idea_id, hidden=True)


@bp.post("/ideas/<int:idea_id>/unhide")
def unhide(idea_id: int):
    return set_hidden(idea_id, hidden=False)


def set_hidden(idea_id: int, *, hidden: bool):
    if ActionForm().validate_on_submit():
        set_idea_hidden(idea_id=idea_id, actor_id=current_user.id, hidden=hidden)
        flash("The idea is hidden from the public." if hidden else "The idea is public again.", "success")
    return after_save(idea_id)


@bp.get("/export.csv")
def export():
    filters = inbox_filter(default_status=queries.ALL)
    rows = queries.export_rows(filters, viewer_id=current_user.id)

    def url(row) -> str:
        return url_for("ideas.detail", idea_id=row.id, slug=slugify(row.title), _external=True)

    response = Response(stream_with_context(csv_lines(rows, url)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=ideas-{utcnow():%Y-%m-%d}.csv"
    return response


def render_idea(idea_id: int, **forms):
    detail = queries.triage_detail(idea_id)
    idea = detail.idea
    filters = inbox_filter()
    forms.setdefault("note_form", NoteForm(formdata=None))
    forms.setdefault("answer_form", answer_form(formdata=None, data={
        "status": idea.status.slug, "owner_id": idea.owner_id, "category": idea.category_id,
    }))
    return render_template(
        "triage/idea.html", detail=detail, idea=idea, filters=filters, filter_args=filters.args(),
        next_id=queries.next_in_queue(filters, after_id=idea_id, viewer_id=current_user.id),
        similar=[] if detail.merged_into else related_ideas(idea.id, idea.title, idea.body), **forms,
    )


def idea_page_url(idea_id: int) -> str:
    return url_for("triage.idea", idea_id=idea_id, **inbox_filter().args())


def after_save(idea_id: int, *, go_next: bool = False):
    """Back to the idea's triage page, or on to the next idea in the same inbox view."""
    if not go_next:
        return redirect(idea_page_url(idea_id))
    filters = inbox_filter()
    next_id = queries.next_in_queue(filters, after_id=idea_id, viewer_id=current_user.id)
    if next_id is None:
        flash("That was the last idea in this view.", "info")
        return redirect(url_for("triage.inbox", **filters.args()))
    return redirect(url_for("triage.idea", idea_id=next_id, **filters.args()))
