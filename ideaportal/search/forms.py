"""Forms for search pages: shape only."""
from wtforms import BooleanField, Form, StringField, TextAreaField

from ..ideas.forms import IdeaForm


class NewIdeaForm(IdeaForm):
    """The submit form, with the answer to "is it one of these?" when similar ideas exist."""

    post_anyway = BooleanField("None of these — post my idea anyway")


class SimilarForm(Form):
    """The similar-ideas page's question: a GET form that changes nothing, so it has no CSRF token.

    Any text is a valid question; overlong text is cut by the query, not refused.
    """

    title = StringField("Title", description="What your idea is, in a sentence.")
    body = TextAreaField("Details", description="Optional: what it would solve, and for whom.")
