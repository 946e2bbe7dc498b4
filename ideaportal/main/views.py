"""The home page: hot ideas and recently shipped ones under the site's running totals."""
from flask import Blueprint, render_template

from ..ideas import queries
from ..ideas.views import viewer_id
from ..roadmap.queries import implemented
from ..stats.queries import answer_summary

bp = Blueprint("main", __name__)
HOME_LIST_SIZE = 6
SHIPPED_LIST_SIZE = 4


@bp.get("/")
def home():
    hot = queries.list_ideas(queries.ListFilter(sort="hot"), viewer_id=viewer_id(), limit=HOME_LIST_SIZE)
    shipped = implemented(limit=SHIPPED_LIST_SIZE)
    totals = queries.site_totals()
    return render_template(
        "main/home.html", hot=hot.cards, shipped=shipped.cards, totals=totals,
        answers=answer_summary(totals, cached=True),
    )
