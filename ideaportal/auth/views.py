"""Register (and confirm the address), log in, log out, and reset a forgotten password."""
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError
from ..forms import ActionForm, checked_action_form
from ..ideas import intents
from ..ideas.views import idea_url
from ..limits import per_address
from ..web import form_error, redirect_back, safe_next
from . import services, sessions
from .forms import ForgotPasswordForm, LoginForm, NewPasswordForm, RegisterForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
VOTE_AFTER_CONFIRMING = "vote_after_confirming"  # the session's waiting vote, from registering to confirming


@bp.route("/register", methods=["GET", "POST"])
@per_address("LOGIN_RATE_LIMIT")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm(next=request.args.get("next"), vote=request.args.get("vote"))
    intent, intent_problem = waiting_vote(form.vote.data)
    if form.validate_on_submit():
        try:
            if current_app.config["EMAIL_VERIFICATION"]:
                services.sign_up(email=form.email.data, username=form.username.data, password=form.password.data)
                if intent:  # kept whatever sign_up did: the cookie must not tell whether the address had an account
                    session[VOTE_AFTER_CONFIRMING] = form.vote.data
                # The same page whether the address was new or already had an account (which gets an email).
                return render_template("auth/check_email.html", email=form.email.data.strip(), why="register",
                                       intent=intent)
            user = services.register(email=form.email.data, username=form.username.data, password=form.password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            sign_in(user, remember=False)
            flash(f"Welcome, {user.username}! Your account is ready.", "success")
            return back_after_vote(form.vote.data, user.id)
    return render_template("auth/register.html", form=form, intent=intent, intent_problem=intent_problem), \
        400 if form.errors else 200


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    """The link from the confirmation email: a button (a link scanner's GET changes nothing), then signed in."""
    if request.method == "POST":
        checked_action_form()
        user = services.verify_email(token=token)
        waiting = session.get(VOTE_AFTER_CONFIRMING)  # signing in starts a fresh session
        sign_in(user, remember=False)
        flash("Thank you: your email address is confirmed.", "success")
        return back_after_vote(waiting, user.id)
    return render_template("auth/verify.html", token=token)


@bp.post("/verify/resend")
@login_required
@per_address("ACCOUNT_MAIL_RATE_LIMIT")
def resend_verification():
    checked_action_form()
    if services.resend_verification(user_id=current_user.id):
        flash(f"We sent a new link to {current_user.email}.", "success")
    else:
        flash("Your email address is already confirmed.", "info")
    return redirect(url_for("account.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@per_address("ACCOUNT_MAIL_RATE_LIMIT")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(email=form.email.data)
        return render_template("auth/check_email.html", email=form.email.data.strip(), why="reset")
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@per_address("LOGIN_RATE_LIMIT")
def reset_password(token: str):
    user = services.check_reset_token(token)  # an expired or used link says so before anything is typed
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token=token, password=form.password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            sign_in(user, remember=False)
            flash("Your password is changed, and every other session of yours has ended.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/reset.html", form=form, token=token, username=user.username), \
        400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@per_address("LOGIN_RATE_LIMIT")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    # A vote waiting since registering (confirmed in another browser, say) is cast by the first login here.
    form = LoginForm(next=request.args.get("next"),
                     vote=request.args.get("vote") or session.get(VOTE_AFTER_CONFIRMING))
    intent, intent_problem = waiting_vote(form.vote.data)
    if form.validate_on_submit():
        try:
            user = services.authenticate(email=form.email.data, password=form.password.data)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            sign_in(user, remember=form.remember.data)
            flash(f"Welcome back, {user.username}.", "success")
            return back_after_vote(form.vote.data, user.id)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form, intent=intent, intent_problem=intent_problem), status


def waiting_vote(token: str | None) -> tuple[intents.VoteIntent | None, str | None]:
    """The vote a visitor pressed before logging in, or why it can't be kept: for the page to say."""
    if not token:
        return None, None
    try:
        return intents.read_intent(token), None
    except DomainError as error:
        return None, error.message


def back_after_vote(token: str | None, user_id: int):
    """Cast the vote that waited for this sign-in, if any (saying how it went), then go back to `next`."""
    if not token:
        return redirect_back("main.home")
    try:
        intent = intents.cast_intent(token, voter_id=user_id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect_back("main.home")
    flash(f"Your vote {intent.direction} “{intent.title}” was counted.", "success")
    back = safe_next(request.form.get("next")) or idea_url(intent.idea_id, intent.title)
    return redirect(f"{back.split('#')[0]}#idea-{intent.idea_id}")


@bp.post("/logout")
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            sessions.end(current_user.login_id)  # on the server: a copy of the cookie is worth nothing now
        logout_user()
        session.clear()
        flash("You have logged out.", "info")
    return redirect(url_for("main.home"))


def sign_in(user, *, remember: bool, renewing: str | None = None) -> None:
    """Start a server-side session in a fresh cookie session, so the session and CSRF token are new.

    `renewing`: the login id of this browser's session, which ends (its remembering carries over).
    """
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's cached token
    device = {"user_agent": request.user_agent.string, "ip": request.remote_addr or ""}
    if renewing:
        user.login_id, remember = sessions.renew(renewing, **device)
    else:
        user.login_id = sessions.start(user_id=user.id, remember=remember, **device)
    login_user(user, remember=remember)

