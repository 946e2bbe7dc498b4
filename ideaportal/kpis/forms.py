"""The dashboard's period filter: shape only."""
from wtforms import Form, SelectField
from wtforms.validators import AnyOf

from .queries import DEFAULT_PERIOD, PERIODS


class PeriodForm(Form):
    """Read from the query string (a GET filter changes nothing, so it carries no CSRF token)."""

    period = SelectField(
        "Ideas submitted",
        default=DEFAULT_PERIOD,
        validate_choice=False,
        validators=[AnyOf(list(PERIODS), message="Choose one of the periods in the list.")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.period.choices = list(PERIODS.items())
