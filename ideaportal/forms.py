"""Forms shared by every blueprint."""
from flask import abort
from flask_wtf import FlaskForm
from wtforms import HiddenField


class ActionForm(FlaskForm):
    """An empty form: a POST button with its CSRF token (log out, delete)."""

    next = HiddenField()


def checked_action_form() -> ActionForm:
    """The POST button's form with its CSRF token checked; an expired or foreign one is a 400."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "This form had expired. Please reload the page and try again.")
    return form
