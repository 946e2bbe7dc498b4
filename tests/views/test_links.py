"""Links in pages: built once per process, and still right under another script root."""
import re

from flask import url_for

from ideaportal.templating import remembered_url_for
from tests import factories


def card_links(page: str, idea_id: int) -> list[str]:
    card = re.search(rf'<article class="idea-card" id="idea-{idea_id}"[^>]*>(.*?)</article>', page, re.S).group(1)
    return re.findall(r'(?:href|action)="([^"]+)"', card)


def test_a_remembered_link_is_the_link_url_for_builds(app):
    with app.test_request_context("/ideas"):
        for endpoint, values in (("ideas.detail", {"idea_id": 7, "slug": "dark-mode"}),
                                 ("ideas.index", {"category": "mobile", "sort": None}),
                                 ("users.profile", {"username": "ana maría"}),
                                 ("ideas.index", {"tags": ["a", "b"]})):
            assert remembered_url_for(endpoint, **values) == url_for(endpoint, **values)
            assert remembered_url_for(endpoint, **values) == url_for(endpoint, **values)  # from the store
        assert remembered_url_for("ideas.detail", idea_id=7, slug="dark-mode", _anchor="comments") \
            == "/ideas/7-dark-mode#comments" == url_for("ideas.detail", idea_id=7, slug="dark-mode", _anchor="comments")


def test_the_same_card_under_another_script_root_links_under_it(app, client):
    idea = factories.idea(title="Dark mode")
    at_root = card_links(client.get("/ideas").text, idea.id)
    mounted = card_links(client.get("/ideas", environ_overrides={"SCRIPT_NAME": "/portal"}).text, idea.id)
    assert at_root and all(link.startswith("/") and not link.startswith("/portal/") for link in at_root)
    assert mounted == ["/portal" + link for link in at_root]
