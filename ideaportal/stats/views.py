"""The public statistics page: how many ideas, votes and comments, and how the product team answers."""
from flask import Blueprint, render_template

from ..models import utcnow
from . import queries

bp = Blueprint("stats", __name__)


@bp.get("/stats")
def index():
    return render_template("stats/index.html", stats=queries.cached_public_stats(now=utcnow()))
