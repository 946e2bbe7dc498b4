"""Idea forms: shape only."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..forms import record_id

TITLE_MIN, TITLE_MAX, BODY_MAX = 5, 140, 10_000


class IdeaForm(FlaskForm):
    title = StringField(
        "Title",
        description="One sentence that says what you'd like. 5 to 140 characters.",
        validators=[
            DataRequired(),
            Length(min=TITLE_MIN, max=TITLE_MAX, message=f"Use {TITLE_MIN} to {TITLE_MAX} characters."),
        ],
    )
    body = TextAreaField(
        "Describe your idea",
        description="What problem does it solve, and for whom? Markdown works: **bold**, *italic*, lists, links.",
        validators=[
            DataRequired(),
            Length(max=BODY_MAX, message=f"Keep it under {BODY_MAX:,} characters."),
        ],
    )
    category = SelectField("Category", coerce=record_id, validators=[InputRequired("Please choose a category.")])

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [(category.id, category.name) for category in categories]

