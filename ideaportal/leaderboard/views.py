"""The public leaderboard and member profiles."""
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import Invalid
from ..models import utcnow
from ..rules import RISING_AGE_OFFSET_DAYS, RISING_GRAVITY, RISING_MIN_NET, STATUS_BONUS
from . import profiles, queries

bp = Blueprint("leaderboard", __name__, url_prefix="/leaderboard")
users_bp = Blueprint("users", __name__, url_prefix="/users")


# The boards, one per tab (`?board=`); the first is the default.
BOARDS = {"week": "This week", "month": "This month", "all-time": "All time", "rising": "Rising",
          "contributors": "Contributors"}


@bp.get("")
def index():
    tab = request.args.get("board") or next(iter(BOARDS))
    if tab not in BOARDS:
        raise Invalid(f"There is no board {tab[:40]!r}. Choose one of the tabs.", field="board")
    scope = queries.resolve_scope(
        category=request.args.get("category") or None, campaign=request.args.get("campaign") or None
    )
    board = queries.cached_leaderboard(scope, now=utcnow())
    categories, campaigns = queries.filter_choices()
    return render_template(
        "leaderboard/index.html", board=board, tab=tab, tabs=BOARDS, categories=categories, campaigns=campaigns,
        bonus=STATUS_BONUS, rising_rule=(RISING_MIN_NET, RISING_AGE_OFFSET_DAYS, RISING_GRAVITY),
    )


@users_bp.get("/<username>")
def profile(username: str):
    member = profiles.find_member(username)
    cursor = request.args.get("cursor") or None
    if username != member.username:  # one address per member, whatever case was typed
        return redirect(url_for("users.profile", username=member.username, cursor=cursor), 301)
    viewer_id = current_user.id if current_user.is_authenticated else None
    page = profiles.member_profile(member, viewer_id=viewer_id, cursor=cursor, limit=current_app.config["PAGE_SIZE"])
    return render_template("leaderboard/profile.html", profile=page, cursor=cursor, bonus=STATUS_BONUS)
