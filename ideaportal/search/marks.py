"""Highlighted search results that stay safe HTML, whatever the ideas say.

The database wraps each matching word in two markers made of random letters and digits, drawn
when the process starts, so no idea can contain them on purpose, and Markdown, HTML cleaning
and escaping all leave them alone. Everything is escaped first; only then do the markers become
<mark> and </mark>. A marker left unpaired is dropped.
"""
import re
import secrets
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..text import plain_text

OPEN = f"hl{secrets.token_hex(8)}o"
CLOSE = f"hl{secrets.token_hex(8)}c"
_PAIR = re.compile(f"{OPEN}(.*?){CLOSE}", re.DOTALL)
_ANY = re.compile(f"{OPEN}|{CLOSE}")


@dataclass(frozen=True)
class Highlight:
    title: Markup
    excerpt: Markup


def marked_title(text: str) -> Markup:
    """A title with markers as HTML: escaped text, matches in <mark>."""
    return _to_markup(text, limit=None)


def marked_excerpt(markdown: str, limit: int) -> Markup:
    """A Markdown snippet with markers as plain text in HTML, at most `limit` visible characters."""
    return _to_markup(plain_text(markdown, 50 * limit), limit=limit)


def _pieces(text: str) -> list[tuple[str, bool]]:
    """(text, is a match) in order, with every marker gone."""
    pieces, position = [], 0
    for match in _PAIR.finditer(text):
        pieces.append((_ANY.sub("", text[position:match.start()]), False))
        pieces.append((_ANY.sub("", match.group(1)), True))
        position = match.end()
    pieces.append((_ANY.sub("", text[position:]), False))
    return [(piece, is_match) for piece, is_match in pieces if piece]


def _to_markup(text: str, *, limit: int | None) -> Markup:
    html, shown = [], 0
    for piece, is_match in _pieces(text):
        if limit is not None and shown + len(piece) > limit:
            room = limit - shown - 1
            cut = piece[:room].rsplit(" ", 1)[0] if room > 0 and not is_match else ""
            html.append(escape(cut.rstrip() + "…"))
            break
        shown += len(piece)
        html.append(Markup("<mark>%s</mark>") % piece if is_match else escape(piece))
    return Markup("").join(html)
