"""The account page: sessions (end one, end all others), the password, the email address, the member's data
(download) and deleting the account."""
import json

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from ..auth import sessions
from ..auth.rules import describe_device
from ..auth.views import sign_in
from ..errors import DomainError
from ..extensions import login_manager
from ..forms import checked_action_form
from ..limits import per_address, per_member
from ..web import form_error
from . import queries, services
from .forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
def _members_only():
    """Every page here is the signed-in member's own, except the link from an email, which proves itself."""
    if request.endpoint != "account.confirm_email" and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    if request.method == "POST":
        checked_action_form()
        user = services.confirm_email_change(token=token)
        flash(f"Your email address is now {user.email}.", "success")
        return redirect(url_for("account.index") if current_user.is_authenticated else url_for("auth.login"))
    return render_template("account/confirm_email.html", token=token)


@bp.get("")
def index():
    return render_account()


@bp.post("/email")
@per_address("ACCOUNT_MAIL_RATE_LIMIT")
@per_member("PASSWORD_CHECK_RATE_LIMIT")
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            new_email = services.request_email_change(user_id=current_user.id, new_email=form.email.data,
                                                      password=form.password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            flash(f"We sent a link to {new_email}. Your address changes when you open it.", "success")
            return redirect(url_for("account.index") + "#email")
    return render_account(email_form=form), 400


@bp.post("/password")
@per_member("PASSWORD_CHECK_RATE_LIMIT")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ended = services.change_password(user_id=current_user.id, current=form.current.data,
                                             new=form.password.data, keep=current_user.login_id)
        except DomainError as error:
            form_error(form, error)
        else:
            sign_in(current_user._get_current_object(), remember=False, renewing=current_user.login_id)
            others = f" Your {ended} other session{'s' if ended != 1 else ''} ended." if ended else ""
            flash(f"Your password is changed.{others}", "success")
            return redirect(url_for("account.index") + "#password")
    return render_account(password_form=form), 400


@bp.get("/export.json")
def export():
    """Everything the portal keeps about the member, as a JSON download."""
    document = json.dumps(queries.export(current_user.id), indent=2, ensure_ascii=False)
    response = Response(document, mimetype="application/json")
    response.headers["Content-Disposition"] = f"attachment; filename={current_user.username}-data.json"
    return response


@bp.post("/delete")
@per_member("PASSWORD_CHECK_RATE_LIMIT")
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(user_id=current_user.id, password=form.password.data,
                                    remove_content=form.content.data == "remove")
        except DomainError as error:
            form_error(form, error)
        else:
            logout_user()
            session.clear()
            flash("Your account is deleted. Thank you for the ideas you shared.", "info")
            return redirect(url_for("main.home"))
    return render_account(delete_form=form), 400


@bp.post("/sessions/<int:session_id>/end")
def end_session(session_id: int):
    checked_action_form()
    sessions.end_one(user_id=current_user.id, session_id=session_id)
    flash("That session has ended: it is signed out.", "success")
    return redirect(url_for("account.index") + "#sessions")


@bp.post("/sessions/end-others")
def end_other_sessions():
    checked_action_form()
    ended = sessions.end_others(user_id=current_user.id, keep=current_user.login_id)
    flash(f"{ended} other session{'s' if ended != 1 else ''} ended." if ended else "You had no other sessions.",
          "success")
    return redirect(url_for("account.index") + "#sessions")


def render_account(*, password_form: ChangePasswordForm | None = None, email_form: ChangeEmailForm | None = None,
                   delete_form: DeleteAccountForm | None = None):
    rows = [(row, describe_device(row.user_agent), sessions.is_current(row, current_user.login_id))
            for row in sessions.open_sessions(current_user.id)]
    return render_template("account/index.html", sessions=rows,
                           password_form=password_form or ChangePasswordForm(formdata=None),
                           email_form=email_form or ChangeEmailForm(formdata=None),
                           delete_form=delete_form or DeleteAccountForm(formdata=None))

