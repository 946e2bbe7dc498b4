"""Comment form: shape only."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

BODY_MAX = 5_000


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Your comment",
        description="Markdown works. Be kind: there are people behind every idea.",
        validators=[DataRequired(), Length(max=BODY_MAX, message=f"Keep it under {BODY_MAX:,} characters.")],
    )
