"""The Storm Session form for staff: shape only; slugs, dates and budgets are checked by the services."""
from datetime import timezone

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from ..forms import optional_record_id
from .rules import CAMPAIGN_SLUG_MAX

DESCRIPTION_MAX = 10_000
UTC_HELP = "In UTC (Coordinated Universal Time), not your local time."


class UTCDateTimeField(DateTimeLocalField):
    """An HTML datetime-local input read and shown as UTC: the browser sends no time zone."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and self.data.tzinfo is None:
            self.data = self.data.replace(tzinfo=timezone.utc)

    def _value(self):
        if not self.raw_data and self.data and self.data.tzinfo is not None:
            return self.data.astimezone(timezone.utc).strftime(self.format[0])
        return super()._value()


class CampaignForm(FlaskForm):
    title = StringField("Title", description="What the session is called, e.g. “Mobile week”. Up to 140 characters.",
                        validators=[DataRequired(), Length(max=140, message="Use at most 140 characters.")])
    slug = StringField(
        "Slug",
        description="Its address: /campaigns/<slug>. Leave empty to make one from the title. "
                    "Changing it later breaks links people have shared.",
        validators=[Optional(), Length(max=CAMPAIGN_SLUG_MAX, message=f"Use at most {CAMPAIGN_SLUG_MAX} characters.")],
    )
    question = StringField(
        "The question you ask",
        description="One question members answer with their ideas. Up to 280 characters.",
        validators=[DataRequired(), Length(max=280, message="Use at most 280 characters.")],
    )
    description = TextAreaField(
        "Description", description="Optional: the background, what is in and out of scope. Markdown works.",
        validators=[Length(max=DESCRIPTION_MAX, message=f"Keep it under {DESCRIPTION_MAX:,} characters.")],
    )
    category_id = SelectField("Category", coerce=optional_record_id,
                              description="Optional: new ideas in the session start in this category.")
    starts_at = UTCDateTimeField("Starts", description=UTC_HELP,
                                 validators=[InputRequired("Give the date and time it starts.")])
    ends_at = UTCDateTimeField("Ends", description=UTC_HELP + " It takes ideas until then.",
                               validators=[InputRequired("Give the date and time it ends.")])
    voting_after_close = BooleanField("Members may keep voting after it ends (unticked: votes are final when it ends)")
    vote_budget = IntegerField(
        "Vote budget",
        description="Optional: how many votes each member may hold on the session's open ideas. "
                    "Votes come back when an idea is completed or declined. Leave empty for unlimited votes.",
        validators=[Optional(), NumberRange(min=1, max=1000, message="Use a whole number from 1 to 1,000.")],
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = [("", "No category")] + [(category.id, category.name) for category in categories]

    def values(self) -> dict:
        """The fields as the services take them."""
        return {name: getattr(self, name).data for name in (
            "title", "slug", "question", "description", "category_id", "starts_at", "ends_at",
            "voting_after_close", "vote_budget",
        )}
