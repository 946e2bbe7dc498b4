"""Register, log in, log out."""
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..errors import DomainError
from ..extensions import limiter
from ..forms import ActionForm
from ..web import form_error, redirect_back, safe_next
from . import services
from .forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _rate_limits_off() -> bool:
    # Read per app: the limiter object is shared by every app in the process.
    return not current_app.config["RATELIMIT_ENABLED"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"], exempt_when=_rate_limits_off)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm(next=request.args.get("next"))
    if form.validate_on_submit():
        try:
            user = services.register(
                email=form.email.data, username=form.username.data, password=form.password.data
            )
        except DomainError as error:
            form_error(form, error)
        else:
            login_user(user)
            flash(f"Welcome, {user.username}! Your account is ready.", "success")
            return redirect_back("main.home")
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"], exempt_when=_rate_limits_off)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        try:
            user = services.authenticate(email=form.email.data, password=form.password.data)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.username}.", "success")
            return redirect_back("main.home")
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        logout_user()
        flash("You have logged out.", "info")
    return redirect(url_for("main.home"))

