"""Storm Session pages: the public list, one session and submitting into it; the staff's list and form."""
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..access import staff_only
from ..errors import DomainError
from ..ideas.views import idea_url, post_new_idea, viewer_id
from ..limits import per_member
from ..models import utcnow
from ..rules import utc_moment
from ..search.forms import NewIdeaForm
from ..web import form_error
from . import queries, services
from .forms import CampaignForm
from .rules import check_campaign_takes_ideas

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
admin_bp = staff_only(Blueprint("campaign_admin", __name__, url_prefix="/admin/campaigns"))
DEFAULT_LENGTH = timedelta(days=14)  # what the staff form suggests for a new session
bp.add_app_template_filter(utc_moment, "utc_moment")  # 3 March 2026, 17:00 UTC


@bp.get("")
def index():
    return render_template("campaigns/index.html", lists=queries.list_campaigns(now=utcnow()))


@bp.get("/<slug>")
def detail(slug: str):
    page = queries.campaign_page(
        slug,
        sort=request.args.get("sort", "hot"),
        cursor=request.args.get("cursor") or None,
        viewer_id=viewer_id(),
        limit=current_app.config["PAGE_SIZE"],
        now=utcnow(),
    )
    return render_template("campaigns/detail.html", page=page, sorts=queries.SORTS)


@bp.route("/<slug>/submit", methods=["GET", "POST"])
@login_required
@per_member("IDEA_RATE_LIMIT")
def submit(slug: str):
    campaign = queries.get_campaign(slug)
    check_campaign_takes_ideas(starts_at=campaign.starts_at, ends_at=campaign.ends_at, now=utcnow())
    form = NewIdeaForm(
        categories=queries.category_choices(),
        data=None if request.method == "POST" else {"category": campaign.category_id},
    )
    idea, duplicates = post_new_idea(form, campaign_id=campaign.id)
    if idea is not None:
        if idea.upvotes:
            flash("Thanks! Your idea is in the Storm Session, with your own vote on it.", "success")
        else:
            flash("Thanks! Your idea is in the Storm Session. You had no votes left in it, "
                  "so it is posted without your own vote.", "info")
        return redirect(idea_url(idea.id, idea.title))
    return render_template("campaigns/submit.html", form=form, campaign=campaign, duplicates=duplicates), \
        400 if form.errors else 200


# Staff ---------------------------------------------------------------------------------------

@admin_bp.get("", endpoint="index")
def index_admin():
    return render_template("campaigns/admin_index.html", rows=queries.campaign_rows(now=utcnow()))


@admin_bp.route("/new", methods=["GET", "POST"])
def new():
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    form = CampaignForm(
        categories=queries.category_choices(),
        data=None if request.method == "POST" else {"starts_at": start, "ends_at": start + DEFAULT_LENGTH},
    )
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(actor_id=current_user.id, **form.values())
        except DomainError as error:
            form_error(form, error)
        else:
            flash(f"The Storm Session “{campaign.title}” is saved.", "success")
            return redirect(url_for("campaign_admin.index") + f"#campaign-{campaign.id}")
    return render_template("campaigns/admin_form.html", form=form, campaign=None), 400 if form.errors else 200


@admin_bp.route("/<int:campaign_id>", methods=["GET", "POST"])
def edit(campaign_id: int):
    campaign = queries.get_campaign_by_id(campaign_id)
    form = CampaignForm(categories=queries.category_choices(), obj=None if request.method == "POST" else campaign)
    if form.validate_on_submit():
        try:
            services.update_campaign(campaign_id=campaign_id, actor_id=current_user.id, **form.values())
        except DomainError as error:
            form_error(form, error)
        else:
            flash("The Storm Session is saved.", "success")
            return redirect(url_for("campaign_admin.index") + f"#campaign-{campaign_id}")
    return render_template("campaigns/admin_form.html", form=form, campaign=campaign), 400 if form.errors else 200
