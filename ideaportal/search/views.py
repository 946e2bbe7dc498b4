"""Similar ideas for a title and body: JSON for the submit form's suggestions, or a page of its own."""
from flask import Blueprint, jsonify, render_template, request, url_for

from ..limits import per_member
from ..rules import slugify
from ..web import wants_json
from . import queries
from .forms import SimilarForm

bp = Blueprint("search", __name__, url_prefix="/ideas")
@bp.get("/similar")
@per_member("SIMILAR_RATE_LIMIT", methods=None)
def similar():
    form = SimilarForm(request.args)
    ideas = queries.similar_ideas(form.title.data or "", form.body.data or "", typing=request.args.get("typing") == "1")
    if wants_json():
        return jsonify(ideas=[as_json(idea) for idea in ideas])
    return render_template("search/similar.html", form=form, ideas=ideas, asked=bool(form.title.data or form.body.data))


def as_json(idea: queries.SimilarIdea) -> dict:
    return {
        **idea.as_dict(),
        "url": url_for("ideas.detail", idea_id=idea.id, slug=slugify(idea.title)),
        "vote_url": url_for("ideas.vote", idea_id=idea.id),
    }
