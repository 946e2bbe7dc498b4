"""Notification forms: shape only."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice

from .kinds import EMAIL_CHOICES, EMAIL_LABELS, KINDS, LABELS


class SettingsForm(FlaskForm):
    auto_follow = BooleanField("Follow the ideas I submit, vote on or comment on")


for _kind in KINDS:
    setattr(SettingsForm, f"email_{_kind}", RadioField(
        LABELS[_kind], choices=[SelectChoice(choice, EMAIL_LABELS[choice]) for choice in EMAIL_CHOICES]))



def settings_data(*, email: dict[str, str], auto_follow: bool) -> dict:
    """The form's initial values from the member's settings."""
    return {"auto_follow": auto_follow, **{f"email_{kind}": choice for kind, choice in email.items()}}
