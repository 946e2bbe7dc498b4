"""Atom 1.0 documents, built with feedgen on lxml: the XML library escapes every text, nothing is concatenated."""
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

MIMETYPE = "application/atom+xml"
TAG_DATE = "2024"  # tag URIs (RFC 4151) name a date; ids never change once published
UNTITLED = "(untitled)"  # Atom needs a title; a title may be nothing but characters XML cannot hold
QUIET_SINCE = datetime(2024, 1, 1, tzinfo=timezone.utc)  # `updated` of a feed with no entries yet
# Characters XML 1.0 cannot carry at all (most control characters, lone surrogates, U+FFFE/U+FFFF).
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    updated: datetime
    published: datetime
    author: str
    content_html: str  # already sanitised HTML; the document carries it as escaped text
    category: tuple[str, str] | None = None  # (term, label)


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    subtitle: str
    self_url: str
    page_url: str
    entries: list[Entry]  # in the order to publish them: newest first

    @property
    def updated(self) -> datetime:
        return max((entry.updated for entry in self.entries), default=QUIET_SINCE)


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot hold (a title may contain any character a form let in)."""
    return NOT_XML.sub("", text)


def tag_uri(base_url: str, specific: str) -> str:
    """A permanent id such as `tag:ideas.example.com,2024:ideas/42`, from the site's configured address."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{specific}"


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def render(feed: Feed) -> bytes:
    """The feed as a UTF-8 Atom 1.0 document."""
    generator = FeedGenerator()
    generator.id(feed.id)
    generator.title(xml_text(feed.title))
    generator.subtitle(xml_text(feed.subtitle))
    generator.author({"name": "IdeaPortal"})
    generator.link(href=feed.page_url, rel="alternate", type="text/html")
    generator.link(href=feed.self_url, rel="self", type=MIMETYPE)
    generator.language("en")
    generator.generator("IdeaPortal")
    generator.updated(utc(feed.updated))
    for entry in feed.entries:
        item = generator.add_entry(order="append")
        item.id(entry.id)
        item.title(xml_text(entry.title) or UNTITLED)
        item.link(href=entry.url, rel="alternate", type="text/html")
        item.updated(utc(entry.updated))
        item.published(utc(entry.published))
        item.author({"name": xml_text(entry.author) or UNTITLED})
        item.content(xml_text(entry.content_html), type="html")
        if entry.category:
            term, label = entry.category
            item.category({"term": xml_text(term), "label": xml_text(label)})
    return generator.atom_str(pretty=True)
