"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3's allow-list; @mentions; and text that
shows nothing on screen."""
import html
import re
import unicodedata

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .errors import Invalid

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


MENTION = re.compile(r"(?<![\w@/.+-])@([A-Za-z0-9_-]{3,30})(?![\w-])")


def render_markdown(source: str) -> str:
    """Render user Markdown; typed HTML shows as text, and links keep only http, https and mailto."""
    return _clean(_markdown.render(source))


def mention_candidates(source: str) -> set[str]:
    """The lower-cased names after an @ in the text of some Markdown, outside code and links."""
    names = set()
    for token in _markdown.parse(source):
        for text in _mentionable_text(token.children or ()):
            names.update(name.lower() for name in MENTION.findall(text.content))
    return names


def render_markdown_with_mentions(source: str, profiles: dict[str, str]) -> str:
    """`render_markdown`, with each @name whose lower-cased form is in `profiles` linked to that address."""
    tokens = _markdown.parse(source)
    for token in tokens:
        if token.children:
            token.children = _link_mentions(token.children, profiles)
    return _clean(_markdown.renderer.render(tokens, _markdown.options, {}))


def _mentionable_text(children):
    inside_link = 0
    for child in children:
        inside_link += {"link_open": 1, "link_close": -1}.get(child.type, 0)
        if child.type == "text" and not inside_link:
            yield child


def _link_mentions(children: list, profiles: dict[str, str]) -> list:
    mentionable = {id(child) for child in _mentionable_text(children)}
    result = []
    for child in children:
        if id(child) not in mentionable:
            result.append(child)
            continue
        position = 0
        for match in MENTION.finditer(child.content):
            address = profiles.get(match.group(1).lower())
            if address is None:
                continue
            result.append(_text_token(child, child.content[position:match.start()]))
            link = Token("link_open", "a", 1, attrs={"href": address})
            result += [link, _text_token(child, match.group(0)), Token("link_close", "a", -1)]
            position = match.end()
        result.append(_text_token(child, child.content[position:]))
    return result


def _text_token(like, content: str) -> Token:
    return Token("text", "", 0, content=content, level=like.level)


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


IDEA_EXCERPT_CHARS = 240  # the longest excerpt of an idea's body that any page shows


def idea_body(source: str) -> dict[str, str]:
    """An idea's Markdown with what is stored beside it, so that no page renders it again: the safe HTML of
    its own page, and the plain-text excerpt its cards show. Every write of Idea.body goes through here."""
    return {"body": source, "body_html": render_markdown(source), "excerpt": plain_text(source, IDEA_EXCERPT_CHARS)}


def plain_text(source: str, limit: int) -> str:
    """The words of some Markdown without its markup, cut at a word boundary to at most `limit` chars.

    Paragraphs, list items and headings become sentences: one that ends without punctuation gets a
    full stop, so a list does not run into the next line ("Offline maps. Sync later. Thanks!").
    """
    marked = _BLOCK_END.sub(_BREAK, _markdown.render(source))
    blocks = (" ".join(block.split()) for block in html.unescape(nh3.clean(marked, tags=set())).split(_BREAK))
    blocks = [block for block in blocks if block]
    sentences = [block if block[-1] in _SENTENCE_END else f"{block}." for block in blocks[:-1]]
    return cut(" ".join([*sentences, *blocks[-1:]]), limit)


def cut(words: str, limit: int) -> str:
    """Plain text cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0] + "…"


# Text that shows nothing: zero-width and other format characters, controls, spaces, and the Hangul fillers
# that render as blanks. A title made only of these would be an empty link.
_BLANK_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible_text(text: str) -> bool:
    return any(char not in _BLANK_LETTERS and unicodedata.category(char) not in _BLANK_CATEGORIES
               and not char.isspace() for char in text)


def check_visible(text: str, *, field: str, what: str) -> None:
    """Raises Invalid when `text` shows nothing on screen."""
    if not has_visible_text(text):
        raise Invalid(f"The {what} has no visible characters. Please write something people can read.", field=field)
