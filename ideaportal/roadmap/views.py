"""The roadmap (planned, in progress, recently implemented) and the ideas in action: public pages."""
from flask import Blueprint, current_app, render_template, request

from ..ideas import queries as idea_queries
from . import queries

bp = Blueprint("roadmap", __name__)


def chosen_category() -> str | None:
    """The `category` filter, if any. Raises Invalid for a category that does not exist."""
    category = request.args.get("category") or None
    idea_queries.filter_choices_valid(idea_queries.ListFilter(category=category))
    return category


@bp.get("/roadmap")
def index():
    category = chosen_category()
    return render_template(
        "roadmap/index.html",
        roadmap=queries.roadmap(category=category),
        category=category,
        categories=idea_queries.categories(),
        recent=queries.RECENTLY_IMPLEMENTED,
    )


@bp.get("/implemented")
def implemented():
    category = chosen_category()
    cursor = request.args.get("cursor") or None
    page = queries.implemented(category=category, cursor=cursor, limit=current_app.config["PAGE_SIZE"])
    return render_template(
        "roadmap/implemented.html",
        page=page,
        category=category,
        cursor=cursor,
        categories=idea_queries.categories(),
    )
