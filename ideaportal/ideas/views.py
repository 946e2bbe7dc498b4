"""Idea pages: the list, one idea, submit, edit, vote."""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from .. import personal
from ..campaigns.queries import idea_campaign
from ..comments.forms import CommentForm
from ..errors import DomainError
from ..extensions import csrf, login_manager
from ..limits import per_member
from ..models import Idea
from ..rules import check_can_edit_idea, slugify
from ..search.forms import NewIdeaForm
from ..search.queries import cached_related_ideas, near_duplicates
from ..search.terms import has_terms
from ..web import form_error, safe_next, wants_json
from . import queries, services
from .forms import BODY_MAX, TITLE_MAX, IdeaForm

bp = Blueprint("ideas", __name__, url_prefix="/ideas")
VOTES = {"1": 1, "0": 0, "-1": -1}  # a vote's form value


def viewer_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


@bp.get("")
def index():
    q = request.args["q"].strip() if "q" in request.args else None  # present but empty: a search for nothing
    filters = queries.ListFilter(
        sort=request.args.get("sort") or (queries.RELEVANCE if q is not None else "hot"),
        q=q,
        category=request.args.get("category") or None,
        status=request.args.get("status") or None,
        cursor=request.args.get("cursor") or None,
    )
    queries.filter_choices_valid(filters)
    page = queries.list_ideas(filters, viewer_id=viewer_id(), limit=current_app.config["PAGE_SIZE"])
    return render_template(
        "ideas/index.html",
        page=page,
        filters=filters,
        sorts=queries.SEARCH_SORT_LABELS if q is not None else queries.SORT_LABELS,
        searchable=has_terms(q),
        categories=queries.categories(),
        statuses=queries.statuses(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@per_member("IDEA_RATE_LIMIT")
def new():
    # Words carried over from a search that found nothing ("Submit it as a new idea") start the form.
    carried = {"title": request.args.get("title", "")[:TITLE_MAX], "body": request.args.get("body", "")[:BODY_MAX]}
    form = NewIdeaForm(categories=queries.categories(), data=None if request.method == "POST" else carried)
    idea, duplicates = post_new_idea(form)
    if idea is not None:
        flash("Thanks! Your idea is posted, with your own vote on it.", "success")
        return redirect(idea_url(idea.id, idea.title))
    return render_template("ideas/new.html", form=form, duplicates=duplicates), 400 if form.errors else 200


def post_new_idea(form: NewIdeaForm, *, campaign_id: int | None = None) -> tuple[Idea | None, list]:
    """Post the submitted idea, unless the form is invalid or near-duplicates should be shown first.

    Returns the new idea, or None and the near-duplicates (the author votes for one instead, or
    ticks "post anyway"). A service's refusal is shown on the form.
    """
    if not form.validate_on_submit():
        return None, []
    duplicates = [] if form.post_anyway.data else near_duplicates(form.title.data, form.body.data)
    if duplicates:
        return None, duplicates
    try:
        idea = services.submit_idea(author_id=current_user.id, title=form.title.data, body=form.body.data,
                                    category_id=form.category.data, campaign_id=campaign_id)
    except DomainError as error:
        form_error(form, error)
        return None, []
    return idea, []


@bp.get("/<int:idea_id>")
@bp.get("/<int:idea_id>-<slug>")
def detail(idea_id: int, slug: str | None = None):
    detail = queries.idea_detail(idea_id, viewer_id=viewer_id())
    if detail.merged_into is not None:  # a duplicate lives on as its original (staff see it in triage)
        target_id, target_title = detail.merged_into
        return redirect(url_for("ideas.detail", idea_id=target_id, slug=slugify(target_title), merged=idea_id), 301)
    merged_from = request.args.get("merged", type=int)
    if slug != slugify(detail.idea.title):
        return redirect(url_for("ideas.detail", idea_id=idea_id, slug=slugify(detail.idea.title),
                                **({"merged": merged_from} if merged_from else {})), 301)
    # A visitor gets no comment form. A member's has no token of its own: the template puts the member's in
    # (csrf_input), and building one here would make a token while a page is rendered for any member.
    comment_form = CommentForm(meta={"csrf": False}) if current_user.is_authenticated else None
    campaign = idea_campaign(detail.idea.campaign_id, viewer_id=viewer_id())
    if campaign is not None and campaign.budget is not None:
        personal.own_page()  # the votes a member has left in the Storm Session are theirs alone
    return render_template("ideas/detail.html", detail=detail, comment_form=comment_form, campaign=campaign,
                           related=cached_related_ideas(idea_id, detail.idea.title, detail.idea.body),
                           merged_from=merged_from and queries.merged_title(merged_from, into=idea_id))


@bp.route("/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    idea = queries.idea_detail(idea_id).idea
    check_can_edit_idea(actor_id=current_user.id, author_id=idea.author_id, status_slug=idea.status.slug)
    form = IdeaForm(
        categories=queries.categories(),
        data=None if request.method == "POST" else {
            "title": idea.title, "body": idea.body, "category": idea.category_id
        },
    )
    if form.validate_on_submit():
        try:
            services.edit_idea(
                idea_id=idea_id,
                editor_id=current_user.id,
                title=form.title.data,
                body=form.body.data,
                category_id=form.category.data,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            flash("Your idea is updated.", "success")
            return redirect(idea_url(idea_id, form.title.data))
    return render_template("ideas/edit.html", form=form, idea=idea), 400 if form.errors else 200


@bp.post("/<int:idea_id>/vote")
@login_required
@per_member("VOTE_RATE_LIMIT")
def vote(idea_id: int):
    """Read without a form object: CSRFProtect has checked the token before any view runs, and a FlaskForm
    would sign a fresh token on every vote only to throw it away."""
    value = VOTES.get(request.form.get("value", "").strip())
    if value is None:
        abort(400, "A vote is 1 (up), -1 (down) or 0 (withdraw).")
    tally = services.cast_vote(idea_id=idea_id, voter_id=current_user.id, value=value)
    if wants_json():
        return jsonify(tally.as_dict())
    if request.form.get("instead"):  # "vote for this instead", from the submit form without JavaScript
        flash("Your vote for this idea is counted. Your own draft was not posted.", "success")
    back = safe_next(request.form.get("next")) or idea_url(idea_id)
    return redirect(f"{back.split('#')[0]}#idea-{idea_id}")


@bp.post("/<int:idea_id>/vote-intent")
@csrf.exempt  # it records nothing: the login or registration POST that counts the vote checks CSRF
def vote_intent(idea_id: int):
    """A visitor's vote button (templates/_macros.html vote_widget): on to the login page with the vote signed
    into its address (ideas/intents.py), or a 401 naming that page for our fetch().

    Without a CSRF token to render, a visitor's pages set no session cookie, so one copy serves every
    visitor (pages.py). A member who is signed in by now (the page was older than the login) goes back to
    press the CSRF-protected button: nothing that arrives here is ever counted.
    """
    if current_user.is_authenticated:
        flash("You are logged in now: press the vote button again to count your vote.", "info")
        return redirect(safe_next(request.form.get("next")) or idea_url(idea_id))
    return login_manager.unauthorized()


def idea_url(idea_id: int, title: str | None = None) -> str:
    if title is None:
        return url_for("ideas.detail", idea_id=idea_id)
    return url_for("ideas.detail", idea_id=idea_id, slug=slugify(title))


