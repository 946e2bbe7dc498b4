"""Jinja filters and globals: dates people read, idea links, avatars, the current page."""
import re
import zlib
from datetime import datetime, timezone

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

from . import personal
from .access import ADMIN, STAFF
from .rules import slugify


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    seconds = max(int((now - moment).total_seconds()), 0)
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("week", 604_800), ("day", 86_400),
                       ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


AVATAR_COLOURS = 8  # .avatar--0 to .avatar--7 in site.css: colours come from classes, as the CSP allows no style=


def avatar_colour(user_id: int) -> int:
    """A member's avatar colour, the same on every page: a hash of the id spreads neighbours apart."""
    return zlib.crc32(str(user_id).encode()) % AVATAR_COLOURS


def initials(name: str) -> str:
    """One or two letters for an avatar: the first of each of a name's first two words ("ana_pm" is AP)."""
    words = re.findall(r"[^\W_]+", name) or [name]
    return "".join(word[0] for word in words[:2]).upper()


def register(app: Flask) -> None:
    app.jinja_env.filters["time_ago"] = time_ago
    app.jinja_env.filters["compact"] = lambda attributes: {k: v for k, v in attributes.items() if v is not None}
    app.jinja_env.filters["iso"] = lambda moment: moment.isoformat(timespec="seconds")
    app.jinja_env.filters["day"] = lambda moment: f"{moment:%-d %B %Y}"
    app.jinja_env.filters["inbox_count"] = inbox_count
    app.jinja_env.globals["url_for"] = remembered_url_for
    app.jinja_env.globals["idea_url"] = lambda idea_id, title: remembered_url_for(
        "ideas.detail", idea_id=idea_id, slug=slugify(title)
    )

    app.jinja_env.globals["here"] = lambda: request.full_path.rstrip("?")
    app.jinja_env.globals["avatar_colour"] = avatar_colour
    app.jinja_env.filters["initials"] = initials
    app.jinja_env.globals["signed_in"] = lambda: current_user.is_authenticated  # for macros, which see no context
    app.jinja_env.globals["wrote"] = lambda author_id: current_user.is_authenticated and current_user.id == author_id
    app.jinja_env.globals["staff_nav"] = staff_nav
    app.jinja_env.globals["staff_waiting"] = staff_waiting
    app.jinja_env.globals["public_nav"] = public_nav
    app.jinja_env.globals["footer_nav"] = footer_nav
    app.jinja_env.globals.update(hole=personal.hole, choice=personal.choice, choice_end=personal.choice_end,
                                 rendering_shared=personal.rendering_shared)


REMEMBERED_URLS = 20_000  # links kept per process before the store starts over (a few megabytes)


def remembered_url_for(endpoint: str, **values) -> str:
    """`url_for` for templates, remembering each link it built in this process.

    A list page builds about a hundred links (each card's idea, vote form, category and author) and
    Werkzeug's builder costs some 25 µs a link: a quarter of the page's own work. The same arguments
    under the same script root always give the same link (the app registers no URL defaults), so a
    link is built once. Blueprint-relative endpoints and links with options (`_external`, `_anchor`...)
    are built every time; so is anything outside a request.
    """
    if endpoint.startswith(".") or not has_request_context() or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    try:
        key = (request.script_root, endpoint, *sorted(values.items()))
        hash(key)
    except TypeError:  # a list or another unhashable value: not worth remembering
        return url_for(endpoint, **values)
    links = current_app.extensions.setdefault("remembered_urls", {})
    link = links.get(key)
    if link is None:
        link = url_for(endpoint, **values)
        if len(links) >= REMEMBERED_URLS:
            links.clear()
        links[key] = link
    return link


# The public sections in the header and in the footer: (endpoint, label). A section shows once its blueprint exists.
PUBLIC_SECTIONS = [
    ("ideas.index", "Ideas"),
    ("leaderboard.index", "Leaderboard"),
    ("roadmap.index", "Roadmap"),
    ("campaigns.index", "Storm Sessions"),
]
FOOTER_SECTIONS = [
    ("roadmap.implemented", "Shipped"),
    ("stats.index", "Stats"),
    ("feeds.ideas", "New ideas feed (Atom)"),
]


def _nav(sections: list[tuple[str, str]]) -> list[tuple[str, str, bool]]:
    return [
        (url_for(endpoint), label, request.endpoint == endpoint)
        for endpoint, label in sections
        if endpoint in current_app.view_functions
    ]


def public_nav() -> list[tuple[str, str, bool]]:
    """(url, label, is current) for the public sections that exist."""
    return _nav(PUBLIC_SECTIONS)


def footer_nav() -> list[tuple[str, str, bool]]:
    """(url, label, is current) for the footer's links: what was shipped, the numbers, the feeds."""
    return _nav(FOOTER_SECTIONS)


# The staff area's sections: (endpoint, label, roles). A section shows once its blueprint exists.
STAFF_SECTIONS = [
    ("triage.inbox", "Inbox", STAFF),
    ("moderation.queue", "Moderation", STAFF),
    ("kpis.dashboard", "KPIs", STAFF),
    ("campaign_admin.index", "Storm Sessions", STAFF),
    ("settings.users", "Users", ADMIN),
    ("settings.statuses", "Statuses", ADMIN),
    ("settings.categories", "Categories", ADMIN),
    ("settings.audit_log", "Audit log", ADMIN),
    ("outbox.dead_letters", "Mail", ADMIN),
]


def staff_nav() -> list[tuple[str, str, bool]]:
    """(url, label, is current) for the staff sections this user may open."""
    if not current_user.is_authenticated or current_user.role not in STAFF:
        return []
    sections = [
        (url_for(endpoint), label)
        for endpoint, label, roles in STAFF_SECTIONS
        if endpoint in current_app.view_functions and current_user.role in roles
    ]
    # The current section is the one whose address is the longest prefix of this page's: /admin/campaigns/7
    # is in "Storm Sessions", /admin/ideas/7 in "Inbox" (/admin).
    within = [url for url, _ in sections if request.path == url or request.path.startswith(url.rstrip("/") + "/")]
    current = max(within, key=len, default=None)
    return [(url, label, url == current) for url, label in sections]


def inbox_count(number: int) -> str:
    """An inbox count, which stops at a cap ("1,000+")."""
    from .triage.queries import count_label

    return count_label(number)


def staff_waiting() -> dict[str, str]:
    """{section url: "N ideas need attention" and the like} for the staff sections, shown in the staff
    area's navigation, where work waits; one small count per section, each over an index."""
    from .mail.outbox import summary
    from .moderation.queries import open_flag_count
    from .triage.queries import attention_count

    counts = {  # (count, its label, one, many)
        "triage.inbox": (attention_count, inbox_count, "idea needs attention", "ideas need attention"),
        "moderation.queue": (open_flag_count, str, "item reported", "items reported"),
        "outbox.dead_letters": (lambda: summary()["dead"], str, "email undelivered", "emails undelivered"),
    }
    allowed = {endpoint for endpoint, _, roles in STAFF_SECTIONS
               if current_user.is_authenticated and current_user.role in roles}
    waiting = {}
    for endpoint, (count, label, one, many) in counts.items():
        if endpoint in allowed and endpoint in current_app.view_functions and (number := count()):
            waiting[url_for(endpoint)] = f"{label(number)} {one if number == 1 else many}"
    return waiting
