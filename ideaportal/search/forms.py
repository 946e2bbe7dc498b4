"""Forms for search pages: shape only."""
from wtforms import BooleanField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import optional_record_id
from ..ideas.forms import IdeaForm


class PromptedSelectField(SelectField):
    """A select whose first, empty option asks to choose: left empty, only InputRequired speaks."""

    def pre_validate(self, form) -> None:
        if self.data is not None:
            super().pre_validate(form)


class NewIdeaForm(IdeaForm):
    """The submit form, with the answer to "is it one of these?" when similar ideas exist.

    No category is chosen until the author picks one: a preselected first category would file
    every hurried idea there.
    """

    post_anyway = BooleanField("None of these — post my idea anyway")
    category = PromptedSelectField("Category", coerce=optional_record_id,
                                   validators=[InputRequired("Please choose a category.")])

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, categories=categories, **kwargs)
        self.category.choices = [("", "Choose a category…"), *self.category.choices]


class SimilarForm(Form):
    """The similar-ideas page's question: a GET form that changes nothing, so it has no CSRF token.

    Any text is a valid question; overlong text is cut by the query, not refused.
    """

    title = StringField("Title", description="What your idea is, in a sentence.")
    body = TextAreaField("Details", description="Optional: what it would solve, and for whom.")
