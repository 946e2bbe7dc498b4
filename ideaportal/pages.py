"""Whole pages as visitors see them, kept in the shared cache (cache.py) and answered with ETags.

A visitor's read page is the same for every visitor: it carries no CSRF token (a visitor's vote button
posts to ideas.vote_intent, which needs none) and no cookie, so one rendering can answer them all, from any
process. A signed-in member's read page (MEMBER_PAGES) is kept too, rendered once for any member with holes
where each member's own parts go and filled in for each request (personal.py); staff, a Storm Session idea's
page for a member, and anyone with a message waiting (a flash) get a page of their own, rendered afresh.
Members' pages are always `private, no-store` (security.py).

Invalidation by generation: every key holds the site's current generation, a random word in the shared
cache that any request that wrote rows a visitor may see (an INSERT, UPDATE or DELETE went out on its
behalf, to a table other than UNSEEN_TABLES) replaces, in whichever process it ran, before its response
leaves. A vote, a new idea, a comment, an edit, a status change, a hide, a merge therefore reach every
visitor's next request; a visitor's vote button (which only signs the vote into the login page's address),
a refused form, a flood of junk POSTs or a member's "last seen" write nothing visible and keep the pages. One word for the whole site rather
than a key per list or idea: a vote moves a number on the home page, a list, the idea page, the leaderboard
and a profile at once, and working out which pages a write touches is where caches go wrong. What changes
without a request (the job engine's scheduled archiving, the CLI, relative times such as "3 hours ago")
shows within PAGE_CACHE_SECONDS, the most a page is kept. The price is that while members write several
times a second, visitors' pages are rendered about as often as without a cache: still correct, never slower.

A missing page is rendered by one request while the others for it wait (cache.remember_for), so a burst
of visitors after a write costs one rendering of the home page, not one each.
"""
import hashlib
import re
from dataclasses import dataclass
from functools import wraps

from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import cache, personal
from .web import wants_json

# The public read pages kept whole: what a visitor browses most, and what is slowest to compute at scale.
PAGES = ("main.home", "ideas.index", "ideas.detail", "roadmap.index", "roadmap.implemented", "leaderboard.index",
         "users.profile", "stats.index", "feeds.ideas", "feeds.category", "feeds.campaign", "feeds.status")
# Kept for members too, with their own parts filled in (personal.py): all of them. On an idea's page the comment
# menus, the edit link and the report form depend on who wrote what, and the follow button on what the member
# follows: choices; a Storm Session's idea shows the member's votes left in it, and is rendered for each.
MEMBER_PAGES = set(PAGES)
# A statement's writes: its head, or each data-modifying WITH query's (`WITH old AS (DELETE FROM vote ...)`).
WRITE = re.compile(r'(?:^|\()\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)', re.IGNORECASE)
# Written by requests but never shown to a visitor: a member's sessions and notifications, the staff's notes,
# reports and audit log, mail waiting to go. A member's page view that notes "last seen" keeps visitors' pages.
UNSEEN_TABLES = {"account_session", "audit_log", "flag", "notification", "notification_setting", "outbox_message",
                 "staff_note"}
KEPT_HEADERS = {"content-type", "cache-control", "etag"}
FOR_EACH_MEMBER = "rendered for each member"  # kept in place of a members' page that may not be shared


@dataclass(frozen=True)
class Page:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class NotShared(Exception):
    """A response that must not answer anyone else (an error, a 304, a page that set a cookie or holds a token)."""

    def __init__(self, response):
        self.response = response


def init_app(app: Flask) -> None:
    """After the blueprints: wrap the pages in PAGES, and start a new generation after every write."""
    for endpoint in PAGES:
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    app.after_request(new_generation_after_a_write)
    if not event.contains(Engine, "before_cursor_execute", note_a_write):
        event.listen(Engine, "before_cursor_execute", note_a_write)


def note_a_write(connection, cursor, statement, parameters, context, executemany) -> None:
    """Marks the request on whose behalf a statement changes rows a visitor may see (any engine, any app)."""
    if has_request_context() and any(table.lower() not in UNSEEN_TABLES for table in WRITE.findall(statement)):
        g.wrote = True


def shared(view):
    @wraps(view)
    def page(**kwargs):
        seconds = int(current_app.config["PAGE_CACHE_SECONDS"])
        if g.get("own_page"):  # replica/routing.py: this browser just wrote, and must see it
            return view(**kwargs)
        if seconds > 0 and anonymous_reader():
            try:
                kept = cache.remember_for(page_key(), seconds,
                                          lambda: freeze(current_app.make_response(view(**kwargs))))
            except NotShared as rendered:
                return rendered.response
            response = current_app.response_class(kept.body, status=kept.status, headers=kept.headers)
            return response.make_conditional(request)
        if seconds > 0 and member_reader():
            kept = cache.remember_for(page_key("member-page"), seconds, lambda: freeze_for_members(view, kwargs))
            if kept == FOR_EACH_MEMBER:
                return view(**kwargs)  # rendered for this member (what was rendered to keep was AnyMember's)
            return current_app.response_class(personal.fill(kept), content_type=kept.content_type)
        return view(**kwargs)
    return page


def anonymous_reader() -> bool:
    """A visitor's plain GET of an HTML or feed page, with no message waiting for them."""
    return (request.method == "GET" and not current_user.is_authenticated and "_flashes" not in session
            and not wants_json())


def member_reader() -> bool:
    """A member's plain GET of a page in MEMBER_PAGES, with no message waiting; not staff, whose pages hold
    the staff's own links."""
    return (request.method == "GET" and request.endpoint in MEMBER_PAGES and current_user.is_authenticated
            and not current_user.is_staff and "_flashes" not in session and not wants_json())


def page_key(kind: str = "page", request_=None) -> str:
    """The key of this request's page (or `request_`'s, a Request made before Flask's context: fastpath.py)."""
    # The host and the script root are part of the key: a forged Host header must not put its links into other
    # visitors' pages, and an app mounted under two prefixes links under each.
    asked = request_ or request
    return f"{kind}:{generation()}:{asked.host}{asked.script_root}{asked.full_path}"


def freeze(response) -> Page:
    """The response as every visitor may get it, with an ETag of its bytes; raises NotShared when it is not."""
    if (response.status_code != 200 or response.is_streamed or session.modified or "Set-Cookie" in response.headers
            or current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g):
        raise NotShared(response)
    body = response.get_data()
    if "ETag" not in response.headers:
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-cache"  # may be kept, but asked again (If-None-Match) every time
    return Page(200, [(name, value) for name, value in response.headers.items() if name.lower() in KEPT_HEADERS],
                body)


def freeze_for_members(view, kwargs) -> personal.HoledPage | str:
    """The page as any member sees it, cut at the holes each member's request fills; FOR_EACH_MEMBER when it
    may not be kept (an error, a redirect, a page of the member's own, a rendering that let a member's part
    out of its holes). Whether a page may be kept does not depend on who asks, so that answer is kept too:
    until the next write, members' requests for it render it at once, without rendering it for AnyMember."""
    response, word = personal.render_shared(lambda: current_app.make_response(view(**kwargs)))
    own = g.pop("own_page_only", False)  # personal.own_page(): something of the member's without a hole
    if (own or response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers
            or current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g):  # a token made outside a hole
        return FOR_EACH_MEMBER
    try:
        return personal.parse(response.get_data(as_text=True), word, response.content_type)
    except personal.Unshareable as error:
        current_app.logger.warning("%s: %s; rendered for each member instead", request.endpoint, error)
        return FOR_EACH_MEMBER


def remember_until_a_write(name: str, compute):
    """`compute()`, kept as visitors' pages are: until the next write a visitor may see, or PAGE_CACHE_SECONDS."""
    return cache.remember((name, generation()), compute, setting="PAGE_CACHE_SECONDS")


def generation() -> str:
    """The current generation (cache.shared_word: a file of its own with the file cache, a key in Redis)."""
    return cache.shared_word("generation")


def new_generation() -> None:
    cache.new_shared_word("generation")


def new_generation_after_a_write(response):
    if g.get("wrote") and current_app.config["PAGE_CACHE_SECONDS"]:
        new_generation()
    return response
