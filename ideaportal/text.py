"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3's allow-list."""
import html
import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable("image")  # images would load from other sites, which the CSP forbids anyway

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre)>")
_BREAK = "\ue000"  # a private-use character: where a block ended, for plain_text
_SENTENCE_END = ".!?:;…"


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
    """The words of some Markdown without its markup, cut at a word boundary to at most `limit` chars.

    Paragraphs, list items and headings become sentences: one that ends without punctuation gets a
    full stop, so a list does not run into the next line ("Offline maps. Sync later. Thanks!").
    """
    marked = _BLOCK_END.sub(_BREAK, _markdown.render(source))
    blocks = (" ".join(block.split()) for block in html.unescape(nh3.clean(marked, tags=set())).split(_BREAK))
    blocks = [block for block in blocks if block]
    sentences = [block if block[-1] in _SENTENCE_END else f"{block}." for block in blocks[:-1]]
    words = " ".join([*sentences, *blocks[-1:]])
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0] + "…"
