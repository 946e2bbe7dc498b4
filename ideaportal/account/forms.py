"""Account forms: shape only; the password policy lives in rules."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from ..auth.forms import NewPasswordForm
from ..rules import PASSWORD_MAX


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email address", validators=[
        DataRequired(), Length(max=254), Email(check_deliverability=False, message="Enter an email address like name@example.com.")])
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class DeleteAccountForm(FlaskForm):
    content = RadioField("Your ideas and comments", default="keep", choices=[
        SelectChoice("keep", "Keep them, shown as by a former member"),
        SelectChoice("remove", "Remove them from the site"),
    ])
    password = PasswordField("Your password, to confirm", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
