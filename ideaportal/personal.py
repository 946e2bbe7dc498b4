"""Members' read pages from one shared rendering, with each member's own parts filled in.

A member's list page differs from another member's in a few places only: the name, the unread count and the
log-out form in the header, the CSRF token in each form, and which arrow of each vote button is pressed; an
idea's page also in whether they follow it and in what they may do to the idea and each comment (edit and
delete their own, report anyone else's), which turns on who wrote it.
Rendering all of it for every request cost about 10 ms of CPU a page at any size (docs/measurements.md), most
of it SQLAlchemy and Jinja doing for the fortieth time what they did for the first member. So a read page
in pages.MEMBER_PAGES is rendered once per generation for *any member* (AnyMember: signed in, not staff,
nobody in particular) with a marker wherever a member's own part goes, kept in the shared cache beside the
visitors' pages, and every member's request takes it and fills the markers in: their votes on the page's
ideas (one query), their unread count (one query), their token and name, on an idea's page whether they
follow it (one query). The page a member gets is the one the full rendering would give them, byte for byte
but for the token's signature (tests/views/test_personal.py).

Templates mark a member's part with `hole(name)` (a value from VALUES) or, for a part that comes in a few
forms, with `choice(kind, key, state)` before each form and `choice_end()` after the last (one of CHOICES,
whose forms are all rendered: a vote button unpressed, up and down). Outside a shared rendering, `hole`
returns the value itself, so a template reads the same either way.

A marker is an HTML comment holding a random word drawn for that one rendering: nothing a member writes can
forge one (Jinja escapes the `<` of every text, and Markdown bodies pass nh3, which drops comments), and a
rendering that lets the word out anywhere but in a marker (an attribute built from AnyMember's name, say) is
not kept: the member gets their page rendered in full (pages.FOR_EACH_MEMBER), and the log says where.
"""
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import g, request, url_for
from flask_login import UserMixin, current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HoledPage:
    """A page as kept for every member: text and choices in order. The text still holds the markers of the
    holes (`holes` names them), which fill() replaces; a choice is (kind, key, {state: text}).

    Plain strings, tuples and dicts, so that reading it from the cache on every request is one quick unpickle.
    """

    content_type: str
    word: str
    parts: list[str | tuple[str, int, dict[int, str]]]
    holes: tuple[str, ...]
    keys: dict[str, list[int]]  # choice kind -> the keys on this page (the ideas whose votes to look up)


def _votes(keys: list[int]) -> dict[int, int]:
    from .ideas.queries import my_votes

    return my_votes(current_user.id, keys)


def _unread() -> int:
    from .notifications.queries import unread_count

    return unread_count(current_user.id)


# What a hole holds for the member asking, each computed at most once a request (member_value).
VALUES: dict[str, Callable[[], object]] = {
    "csrf": generate_csrf,
    "name": lambda: current_user.username,
    "profile": lambda: url_for("users.profile", username=current_user.username),
    "unread": _unread,
    "bell": lambda: " bell--unread" if member_value("unread") else "",
}
def _following(keys: list[int]) -> dict[int, int]:
    from .follows.queries import followed

    return dict.fromkeys(followed(user_id=current_user.id, idea_ids=keys), 1)


def _authored(keys: list[int]) -> dict[int, int]:
    return {current_user.id: 1} if current_user.id in keys else {}


# For each kind of choice: the member's state for a page's keys, in at most one query (a key not returned:
# state 0). The vote they cast on each idea; whether they follow it; whether they wrote it (a key is an author).
CHOICES: dict[str, Callable[[list[int]], dict[int, int]]] = {"vote": _votes, "follow": _following,
                                                             "author": _authored}


class AnyMember(UserMixin):
    """Whom a members' shared page is rendered for: signed in, not staff, with no id and no name of their own
    (the name is a hole, so a template that shows it, shows the asking member's)."""

    id = None
    role = "member"
    is_staff = False
    login_id = None

    @property
    def username(self) -> Markup:
        return hole("name")


def rendering_shared() -> bool:
    return "shared_word" in g


def hole(name: str):
    """The marker of a member's own part while rendering the shared page, else the asking member's value."""
    if rendering_shared():
        return Markup(f"<!--{g.shared_word} {name}-->")
    return member_value(name)


def choice(kind: str, key: int, state: int) -> Markup:
    return Markup(f"<!--{g.shared_word} {kind} {int(key)} {int(state)}-->")


def own_page() -> None:
    """Says that the page being rendered shows something of the member's that no hole or choice holds: while a
    page is rendered for any member, it is then not kept, and each member gets theirs rendered in full."""
    if rendering_shared():
        g.own_page_only = True


def choice_end() -> Markup:
    return Markup(f"<!--{g.shared_word} end-->")


def member_value(name: str):
    """VALUES[name]() for this request, computed once (kept on the request: in tests, `g` outlives it)."""
    values = getattr(request, "member_values", None)
    if values is None:
        values = request.member_values = {}
    if name not in values:
        values[name] = VALUES[name]()
    return values[name]


def render_shared(render: Callable[[], object]) -> tuple[object, str]:
    """`render()` as AnyMember would see it, with markers; returns the response and the marker word."""
    member, word = current_user._get_current_object(), secrets.token_hex(12)
    g.shared_word, g._login_user = word, AnyMember()
    try:
        return render(), word
    finally:
        del g.shared_word
        g._login_user = member


class Unshareable(ValueError):
    """The shared rendering let its marker word out where no hole is."""


def parse(body: str, word: str, content_type: str) -> HoledPage:
    """The rendered page cut at its choices, with the names of the holes left in its text."""
    holes = tuple(sorted(set(re.findall(rf"<!--{word} (\w+)-->", body)) - {"end"}))
    if word in re.sub(rf"<!--{word} \w+(?: -?\d+ -?\d+)?-->", "", body):
        raise Unshareable("the shared rendering shows its marker word outside a marker")
    parts: list = []
    keys: dict[str, list[int]] = {}
    position, forms, state = 0, None, 0
    for found in re.finditer(rf"<!--{word} (\w+) (-?\d+) (-?\d+)-->|<!--{word} end-->", body):
        text, position = body[position:found.start()], found.end()
        if forms is None:
            parts.append(text)
        else:
            forms[state] = text
        if found.group(1) is None:  # the end of a choice
            forms = None
            continue
        kind, key, state = found.group(1), int(found.group(2)), int(found.group(3))
        if forms is None:  # the first form of a choice
            forms = {}
            parts.append((kind, key, forms))
            keys.setdefault(kind, []).append(key)
    parts.append(body[position:])
    return HoledPage(content_type, word, parts, holes, keys)


def fill(page: HoledPage) -> str:
    """The page for the member asking: their form of each choice, their value in each hole."""
    states = {kind: CHOICES[kind](keys) for kind, keys in page.keys.items()}
    body = "".join(part if part.__class__ is str else part[2][states[part[0]].get(part[1], 0)]
                   for part in page.parts)
    values = {name: str(escape(member_value(name))) for name in page.holes}
    return re.sub(rf"<!--{page.word} (\w+)-->", lambda found: values[found.group(1)], body)
