"""Merge forms: shape only."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ..forms import IdField

NOTE_MAX = 2_000


def into_field() -> IdField:
    return IdField(
        "Merge into idea #",
        description="The number of the original idea, which keeps the votes, followers and discussion.",
        validators=[
            InputRequired("Enter the number of the original idea."),
            NumberRange(min=1, message="An idea number is a whole number from 1."),
        ],
    )


class MergeLookupForm(FlaskForm):
    """The original's number, sent by GET to preview the merge: it changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    into = into_field()


class MergeForm(FlaskForm):
    """The confirmed merge, sent by POST with its CSRF token."""

    into = into_field()
    note = TextAreaField(
        "Note to add to the public answer (optional)",
        description="Shown on the duplicate's timeline after “Merged into #…”. Markdown works.",
        validators=[Length(max=NOTE_MAX, message=f"Keep it under {NOTE_MAX:,} characters.")],
    )
