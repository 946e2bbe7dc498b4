"""Triage forms: shape only. Statuses, owners and categories are given as choices by the view."""
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..forms import optional_record_id, record_id

RESPONSE_MAX = NOTE_MAX = 5_000
RESPONSE_HELP = ("Shown on the idea's public page as the official answer. Markdown works. "
                 "Required for: {required}.")


def _status_choices(statuses) -> list[tuple[str, str]]:
    return [
        (status.slug, f"{status.label} (use Merge instead)" if status.slug == "duplicate" else status.label)
        for status in statuses
    ]


def _response_help(statuses) -> str:
    return RESPONSE_HELP.format(required=", ".join(status.label for status in statuses if status.requires_response)
                                or "none")


class StatusForm(FlaskForm):
    status = SelectField("New status", validators=[InputRequired("Choose a status.")])
    response = TextAreaField(
        "Public response",
        validators=[Length(max=RESPONSE_MAX, message=f"Keep it under {RESPONSE_MAX:,} characters.")],
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _status_choices(statuses)
        self.response.description = _response_help(statuses)


class BulkStatusForm(FlaskForm):
    idea_ids = SelectMultipleField(
        "Ideas", coerce=record_id, validate_choice=False,
        validators=[DataRequired("Select at least one idea with the checkboxes.")],
    )
    status = SelectField("Set the selected ideas to", validators=[DataRequired("Choose a status.")])
    response = TextAreaField(
        "Public response for each",
        validators=[Length(max=RESPONSE_MAX, message=f"Keep it under {RESPONSE_MAX:,} characters.")],
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("", "Choose a status…"), *_status_choices(statuses)]
        self.response.description = _response_help(statuses)


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Add an internal note",
        description="Only the product team sees notes. Markdown works.",
        validators=[DataRequired("Write something in the note."),
                    Length(max=NOTE_MAX, message=f"Keep it under {NOTE_MAX:,} characters.")],
    )


class AnswerForm(StatusForm):
    """The triage page's one form: status and public response, owner and category, saved together."""

    status = SelectField("Status", validators=[InputRequired("Choose a status.")])
    owner_id = SelectField("Owner", coerce=optional_record_id)
    category = SelectField("Category", coerce=record_id, validators=[InputRequired("Please choose a category.")])

    def __init__(self, *args, statuses=(), staff=(), categories=(), **kwargs):
        super().__init__(*args, statuses=statuses, **kwargs)
        self.owner_id.choices = [("", "Unassigned"), *((user.id, user.username) for user in staff)]
        self.category.choices = [(category.id, category.name) for category in categories]
