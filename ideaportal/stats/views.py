"""The public statistics page: how many ideas, votes and comments, and how the product team answers."""
from flask import Blueprint, render_template

from ..models import utcnow
from . import charts, queries

bp = Blueprint("stats", __name__)


@bp.get("/stats")
def index():
    stats = queries.cached_public_stats(now=utcnow())
    return render_template("stats/index.html", stats=stats, chart=charts.weeks_chart(stats.weeks),
                           summary=charts.weeks_summary(stats.weeks), series=charts.SERIES)
