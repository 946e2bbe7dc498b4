"""Atom feeds: new ideas (all, per category, per Storm Session) and one idea's status updates. Public."""
import hashlib

from flask import Blueprint, current_app, make_response, request, url_for

from ..rules import slugify
from . import atom, queries

bp = Blueprint("feeds", __name__)
MAX_AGE = 300  # seconds; readers poll far less often, and a conditional request is cheap
TEAM = "The product team"


@bp.get("/feeds/ideas.atom")
def ideas():
    return respond(ideas_feed(
        "feeds/ideas", "IdeaPortal: new ideas", "The newest ideas people have shared.",
        url_for("ideas.index", sort="new"), queries.new_ideas(),
    ))


@bp.get("/feeds/categories/<category_slug>.atom")
def category(category_slug: str):
    source = queries.category(category_slug)
    return respond(ideas_feed(
        f"feeds/categories/{source.id}", f"IdeaPortal: new ideas in {source.name}",
        f"The newest ideas people have shared in {source.name}.",
        url_for("ideas.index", sort="new", category=source.slug), queries.new_ideas(category_id=source.id),
    ))


@bp.get("/feeds/campaigns/<slug>.atom")
def campaign(slug: str):
    source = queries.campaign(slug)
    return respond(ideas_feed(
        f"feeds/campaigns/{source.id}", f"IdeaPortal Storm Session: {source.name}",
        f"The newest ideas shared in the Storm Session “{source.name}”.",
        url_for("campaigns.detail", slug=source.slug), queries.new_ideas(campaign_id=source.id),
    ))


@bp.get("/ideas/<int:idea_id>/status.atom")
def status(idea_id: int):
    idea = queries.status_updates(idea_id)
    page = absolute(idea_path(idea.id, idea.title))
    return respond(atom.Feed(
        id=tag(f"ideas/{idea.id}/status"),
        title=f"IdeaPortal: status updates on “{idea.title}”",
        subtitle="What the product team says as this idea moves along.",
        self_url=absolute(request.path),
        page_url=page,
        entries=[
            atom.Entry(
                id=tag(f"ideas/{idea.id}/status-changes/{update.id}"),
                title=f"{update.status_label}: {idea.title}",
                url=page,
                updated=update.created_at,
                published=update.created_at,
                author=update.by or TEAM,
                content_html=update.response_html,
            )
            for update in idea.updates
        ],
    ))


def ideas_feed(specific: str, title: str, subtitle: str, page_path: str, rows) -> atom.Feed:
    return atom.Feed(
        id=tag(specific),
        title=title,
        subtitle=subtitle,
        self_url=absolute(request.path),
        page_url=absolute(page_path),
        entries=[
            atom.Entry(
                id=tag(f"ideas/{row.id}"),
                title=row.title,
                url=absolute(idea_path(row.id, row.title)),
                updated=max(row.updated_at, row.created_at),
                published=row.created_at,
                author=row.author,
                content_html=row.body_html,
                category=(row.category_slug, row.category_name),
            )
            for row in rows
        ],
    )


def respond(feed: atom.Feed):
    """The document with an ETag of its bytes, so an unchanged feed costs a reader a 304.

    No Last-Modified: an idea hidden since leaves the feed without making it newer, and a date
    would then wrongly tell a reader nothing changed.
    """
    body = atom.render(feed)
    response = make_response(body)
    response.mimetype = atom.MIMETYPE
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


def idea_path(idea_id: int, title: str) -> str:
    return url_for("ideas.detail", idea_id=idea_id, slug=slugify(title))


def absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def tag(specific: str) -> str:
    return atom.tag_uri(current_app.config["BASE_URL"], specific)
