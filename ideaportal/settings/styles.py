"""The statuses' badge colours as a stylesheet, so that admins recolour badges without inline styles."""
import hashlib

from flask import Blueprint, make_response, request

from ..rules import COLOUR_RE, RESERVED_STATUS_SLUGS, STATUS_SLUG_RE
from . import queries

bp = Blueprint("status_styles", __name__)
MAX_AGE = 60  # seconds: a recoloured badge shows everywhere within a minute; revalidating is cheap


@bp.get("/statuses.css")
def stylesheet():
    css = badge_stylesheet(queries.badge_colours())
    response = make_response(css)
    response.mimetype = "text/css"
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.set_etag(hashlib.sha256(css.encode()).hexdigest()[:32])
    return response.make_conditional(request)


def badge_stylesheet(colours: list[tuple[str, str]]) -> str:
    """`.badge--<slug> { background: <colour>; }` per status. A slug or colour not strictly of the
    shape the services allow is skipped: a stylesheet built from stored text must not be injectable."""
    rules = [
        f".badge--{slug} {{ background: {colour}; }}"
        for slug, colour in colours
        if STATUS_SLUG_RE.fullmatch(slug) and slug not in RESERVED_STATUS_SLUGS and COLOUR_RE.fullmatch(colour)
    ]
    return "\n".join(["/* Status badge colours, as the admins set them. */", *rules]) + "\n"
