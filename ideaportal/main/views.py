"""The home page: hot and new ideas under the site's running totals."""
from flask import Blueprint, render_template

from ..ideas import queries
from ..ideas.views import viewer_id
from ..stats.queries import answer_summary

bp = Blueprint("main", __name__)
HOME_LIST_SIZE = 6


@bp.get("/")
def home():
    hot = queries.list_ideas(queries.ListFilter(sort="hot"), viewer_id=viewer_id(), limit=HOME_LIST_SIZE)
    new = queries.list_ideas(queries.ListFilter(sort="new"), viewer_id=viewer_id(), limit=HOME_LIST_SIZE)
    totals = queries.site_totals()
    return render_template(
        "main/home.html", hot=hot.cards, new=new.cards, totals=totals, answers=answer_summary(totals, cached=True)
    )
