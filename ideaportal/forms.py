"""Forms shared by every blueprint."""
from flask import abort
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField


class ActionForm(FlaskForm):
    """An empty form: a POST button with its CSRF token (log out, delete)."""

    next = HiddenField()


def checked_action_form() -> ActionForm:
    """The POST button's form with its CSRF token checked; an expired or foreign one is a 400."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "This form had expired. Please reload the page and try again.")
    return form


def record_id(value) -> int:
    """A database id from a form: ASCII digits, 1 to 2**31 - 1. Raises ValueError, which WTForms shows as the
    field's error: "٣", "-1" or 2**31 never reach a query (PostgreSQL's integers would overflow)."""
    from .web import MAX_ID

    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        raise ValueError("Not a record number.")
    if not 1 <= number <= MAX_ID:
        raise ValueError("Not a record number.")
    return number


def optional_record_id(value) -> int | None:
    """`record_id`, or None for an empty choice ("no category", "unassigned")."""
    return None if value in (None, "", "None") else record_id(value)


class IdField(IntegerField):
    """An idea's (or any record's) number typed into a form, read with `record_id`."""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = record_id(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(self.gettext("Enter a whole number from 1, like 42.")) from None
