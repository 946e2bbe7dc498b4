"""Account forms: shape only; the password policy lives in rules."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from ..rules import PASSWORD_MAX, PASSWORD_MIN, USERNAME_RE


class RegisterForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False, message="Enter an email address like name@example.com.")],
    )
    username = StringField(
        "Username",
        description="3 to 30 letters, digits, - or _. Shown with your ideas and comments.",
        validators=[
            DataRequired(),
            Regexp(USERNAME_RE, message="Use 3 to 30 letters, digits, hyphens or underscores."),
        ],
    )
    password = PasswordField(
        "Password",
        description=f"At least {PASSWORD_MIN} characters. A phrase of a few words works well.",
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                   message=f"Use at least {PASSWORD_MIN} and at most {PASSWORD_MAX} characters."),
        ],
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords don't match.")],
    )
    next = HiddenField()
    vote = HiddenField()  # a visitor's vote waiting for the account (ideas/intents.py)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Remember me on this device")
    next = HiddenField()
    vote = HiddenField()  # a visitor's vote waiting for the login (ideas/intents.py)



class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description=f"At least {PASSWORD_MIN} characters. A phrase of a few words works well.",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                                           message=f"Use at least {PASSWORD_MIN} and at most {PASSWORD_MAX} characters.")],
    )
    confirm = PasswordField("Confirm new password",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords don't match.")])
