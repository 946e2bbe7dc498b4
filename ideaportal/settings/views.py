"""Admin settings pages: users and roles, statuses, categories, the audit log. Admins only."""
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

from ..access import admin_only
from ..errors import Conflict, DomainError, Invalid, PermissionDenied
from ..forms import ActionForm
from ..rules import ROLES
from ..web import form_error, int_arg, redirect_back, wants_json
from . import queries, services
from .forms import (
    CategoryEditForm,
    CategoryForm,
    MoveForm,
    RoleForm,
    StatusEditForm,
    StatusForm,
)

bp = admin_only(Blueprint("settings", __name__, url_prefix="/admin"))
REFUSALS = (Invalid, PermissionDenied, Conflict)  # shown as a message on the list; NotFound stays a 404


def row_action(form, run, *, done: str, unchanged: str = "", back: str):
    """A list row's POST button: validate, run one service, then back to the list with what happened.

    A refusal is shown as a message on the list (JSON clients get the error itself); NotFound stays a 404.
    """
    try:
        if not form.validate_on_submit():
            raise Invalid(" ".join(message for messages in form.errors.values() for message in messages))
        changed = run()
    except REFUSALS as error:
        if wants_json():
            raise
        flash(error.message, "error")
    else:
        if changed is False:
            flash(unchanged, "info")
        else:
            flash(done, "success")
    return redirect_back(back)


def saved(form, run, *, done, back: str, anchor: str):
    """A settings form's POST: validate, run one service, then back to the list at the row it saved.

    `done` is the message, or makes it from the row. Returns None when the form is not valid or the
    service refused; the refusal is shown next to its field.
    """
    if not form.validate_on_submit():
        return None
    try:
        row = run()
    except DomainError as error:
        form_error(form, error)
        return None
    flash(done(row) if callable(done) else done, "success")
    return redirect(url_for(back) + f"#{anchor}-{row.id}")


def form_page(template: str, form, **context):
    return render_template(template, form=form, **context), 400 if form.errors else 200


# Users ---------------------------------------------------------------------------------------

@bp.get("/users")
def users():
    filters = queries.UserFilter(
        q=request.args.get("q", ""),
        role=request.args.get("role") or None,
        state=request.args.get("state") or None,
        after=int_arg("after", message="That page link is broken. Start again from the first page."),
    )
    page = queries.list_users(filters, limit=current_app.config["PAGE_SIZE"])
    return render_template("settings/users.html", page=page, filters=filters, roles=ROLES)


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int):
    form = RoleForm()
    return row_action(
        form, lambda: services.change_role(user_id=user_id, role=form.role.data, actor_id=current_user.id),
        done=f"The role is now {form.role.data}.", back="settings.users",
    )


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int):
    return row_action(
        ActionForm(), lambda: services.deactivate_user(user_id=user_id, actor_id=current_user.id),
        done="The account is deactivated: its sessions have ended and it can't log in. Its ideas and comments stay.",
        unchanged="That account was already deactivated.", back="settings.users",
    )


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int):
    return row_action(
        ActionForm(), lambda: services.reactivate_user(user_id=user_id, actor_id=current_user.id),
        done="The account is active again.", unchanged="That account was already active.", back="settings.users",
    )


# Statuses ------------------------------------------------------------------------------------

@bp.route("/statuses", methods=["GET", "POST"])
def statuses():
    form = StatusForm()
    return saved(
        form, lambda: services.create_status(
            actor_id=current_user.id, slug=form.slug.data, label=form.label.data, kind=form.kind.data,
            colour=form.colour.data, requires_response=form.requires_response.data,
        ),
        done=lambda status: f"The status “{status.label}” is added at the end of the list.",
        back="settings.statuses", anchor="status",
    ) or form_page("settings/statuses.html", form, rows=queries.statuses())


@bp.route("/statuses/<int:status_id>", methods=["GET", "POST"])
def edit_status(status_id: int):
    status = queries.get_status(status_id)
    form = StatusEditForm(obj=None if request.method == "POST" else status)
    return saved(
        form, lambda: services.update_status(status_id=status_id, actor_id=current_user.id, label=form.label.data,
                                             colour=form.colour.data, requires_response=form.requires_response.data),
        done="The status is saved.", back="settings.statuses", anchor="status",
    ) or form_page("settings/status_edit.html", form, status=status)


@bp.post("/statuses/<int:status_id>/move")
def move_status(status_id: int):
    form = MoveForm()
    return row_action(
        form, lambda: services.move_status(status_id=status_id, actor_id=current_user.id,
                                           direction=form.direction.data),
        done="The status is moved.", unchanged="It is already at that end of the list.", back="settings.statuses",
    )


@bp.post("/statuses/<int:status_id>/delete")
def delete_status(status_id: int):
    return row_action(
        ActionForm(), lambda: services.delete_status(status_id=status_id, actor_id=current_user.id),
        done="The status is deleted.", back="settings.statuses",
    )


# Categories ----------------------------------------------------------------------------------

@bp.route("/categories", methods=["GET", "POST"])
def categories():
    form = CategoryForm()
    return saved(
        form, lambda: services.create_category(actor_id=current_user.id, slug=form.slug.data, name=form.name.data,
                                               description=form.description.data or ""),
        done=lambda category: f"The category “{category.name}” is added at the end of the list.",
        back="settings.categories", anchor="category",
    ) or form_page("settings/categories.html", form, rows=queries.categories())


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = queries.get_category(category_id)
    form = CategoryEditForm(obj=None if request.method == "POST" else category)
    return saved(
        form, lambda: services.update_category(category_id=category_id, actor_id=current_user.id,
                                               name=form.name.data, description=form.description.data or ""),
        done="The category is saved.", back="settings.categories", anchor="category",
    ) or form_page("settings/category_edit.html", form, category=category)


@bp.post("/categories/<int:category_id>/move")
def move_category(category_id: int):
    form = MoveForm()
    return row_action(
        form, lambda: services.move_category(category_id=category_id, actor_id=current_user.id,
                                             direction=form.direction.data),
        done="The category is moved.", unchanged="It is already at that end of the list.", back="settings.categories",
    )


@bp.post("/categories/<int:category_id>/delete")
def delete_category(category_id: int):
    return row_action(
        ActionForm(), lambda: services.delete_category(category_id=category_id, actor_id=current_user.id),
        done="The category is deleted.", back="settings.categories",
    )


# Audit log -----------------------------------------------------------------------------------

@bp.get("/audit")
def audit_log():
    filters = queries.AuditFilter(
        actor=request.args.get("actor", ""),
        action=request.args.get("action", ""),
        target_type=request.args.get("target_type", ""),
        target_id=int_arg("target_id", message="The target number must be a whole number."),
        before=int_arg("before", message="That page link is broken. Start again from the first page."),
    )
    page = queries.audit_log(filters)
    return render_template("settings/audit_log.html", page=page, filters=filters,
                           target_types=queries.audit_target_types())


