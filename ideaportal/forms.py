"""Forms shared by every blueprint."""
from flask_wtf import FlaskForm
from wtforms import HiddenField


class ActionForm(FlaskForm):
    """An empty form: a POST button with its CSRF token (log out, delete)."""

    next = HiddenField()
