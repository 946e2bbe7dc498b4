"""Settings forms: shape only; slugs, colours and the admin rules are checked by the services."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length

from ..rules import MIN_CONTRAST, ROLES, STATUS_KINDS

DESCRIPTION_MAX = 500
COLOUR_HELP = (f"The badge's background. White text on it must reach a contrast ratio of {MIN_CONTRAST}:1, "
               "so pick a dark colour.")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=list(ROLES), validate_choice=False,
                       validators=[AnyOf(ROLES, message=f"Choose a role: {', '.join(ROLES)}.")])
    next = HiddenField()


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"], message="Move up or down.")])
    next = HiddenField()


class StatusEditForm(FlaskForm):
    label = StringField("Label", description="What members see on the badge.",
                        validators=[DataRequired(), Length(max=60, message="Use at most 60 characters.")])
    colour = ColorField("Colour", description=COLOUR_HELP, default="#52606d",
                        validators=[DataRequired(), Length(max=7, message="Write the colour as #rrggbb.")])
    requires_response = BooleanField("Moving an idea to this status needs a public response")


class StatusForm(StatusEditForm):
    slug = StringField(
        "Slug",
        description="Lowercase letters, digits and underscores, starting with a letter. It can't be changed later.",
        validators=[DataRequired(), Length(max=40, message="Use at most 40 characters.")],
    )
    kind = SelectField("Kind", choices=list(STATUS_KINDS),
                       description="Open and active ideas are still in play; completed and declined ones are closed.",
                       validators=[DataRequired()])


class CategoryEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80, message="Use at most 80 characters.")])
    description = TextAreaField(
        "Description", description="Optional: one or two sentences on what belongs here.",
        validators=[Length(max=DESCRIPTION_MAX, message=f"Use at most {DESCRIPTION_MAX} characters.")],
    )


class CategoryForm(CategoryEditForm):
    slug = StringField(
        "Slug",
        description="Used in links: lowercase letters and digits, words joined by - or _. It can't be changed later.",
        validators=[DataRequired(), Length(max=40, message="Use at most 40 characters.")],
    )
