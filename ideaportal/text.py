"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3's allow-list."""
import html

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable("image")  # images would load from other sites, which the CSP forbids anyway

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def render_markdown(source: str) -> str:
    """Render user Markdown; typed HTML shows as text, and links keep only http, https and mailto."""
    html = _markdown.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def plain_text(source: str, limit: int) -> str:
    """The words of some Markdown without its markup, cut at a word boundary to at most `limit` chars."""
    words = " ".join(html.unescape(nh3.clean(_markdown.render(source), tags=set())).split())
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0] + "…"
