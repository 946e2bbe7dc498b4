"""The report form: shape only."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from ..rules import FLAG_NOTE_MAX, FLAG_REASONS

REASON_LABELS = {
    "spam": "Spam or advertising",
    "offensive": "Offensive or abusive",
    "off_topic": "Off topic",
    "other": "Something else",
}


class FlagForm(FlaskForm):
    # A <select> of REASON_LABELS on the page (templates/moderation/_report.html); checked here by value.
    reason = StringField(
        "Why should a moderator look at it?",
        validators=[
            InputRequired("Please choose a reason."),
            AnyOf(FLAG_REASONS, message="Please choose one of the listed reasons."),
        ],
    )
    note = TextAreaField(
        "Anything to add? (optional)",
        description=f"Up to {FLAG_NOTE_MAX} characters. Only the moderators see it.",
        # Browsers count a line break as one character but send two.
        filters=[lambda value: (value or "").replace("\r\n", "\n").strip()],
        validators=[Length(max=FLAG_NOTE_MAX, message=f"Keep the note to {FLAG_NOTE_MAX} characters or fewer.")],
    )
    next = HiddenField()
