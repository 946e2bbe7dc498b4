"""Comment form: shape only."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

BODY_MAX = 5_000


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Your comment",
        description="Markdown works. Be kind: there are people behind every idea.",
        validators=[DataRequired(), Length(max=BODY_MAX, message=f"Keep it under {BODY_MAX:,} characters.")],
    )
    official = BooleanField(
        "Official answer from the product team",
        description="Shown at the top as the team's answer, counted as answered, and sent to everyone following.",
    )
