"""Input no page could use is refused before any view runs: NUL characters, ids and cursors out of range."""
import base64
import json

import pytest

from ideaportal.web import MAX_ID
from tests import factories

JSON = {"Accept": "application/json"}
NUL_MESSAGE = "The request contained a NUL character"


def cursor(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


@pytest.mark.parametrize("path", [
    "/ideas?q=%00", "/ideas?category=%00", "/ideas?status=mobile%00", "/ideas/similar?title=dark%00mode",
    "/leaderboard?category=%00", "/leaderboard?campaign=%00", "/roadmap?category=%00", "/implemented?category=%00",
    "/users/%00", "/campaigns/%00", "/feeds/categories/%00.atom", "/feeds/campaigns/a%00b.atom", "/%00",
])
def test_a_nul_character_in_the_address_is_refused_with_a_reason(client, app, path):
    response = client.get(path)
    assert response.status_code == 400 and NUL_MESSAGE in response.text
    assert client.get(path, headers=JSON).json["error"]["message"].startswith(NUL_MESSAGE)


def test_a_nul_character_in_a_form_is_refused_and_nothing_is_written(client, auth, app):
    category = factories.category()
    auth.login(factories.user())
    response = client.post("/ideas/new", data={"title": "Dark\x00 mode everywhere", "body": "Please.",
                                                "category": category.id})
    assert response.status_code == 400 and NUL_MESSAGE in response.text
    assert "Dark" not in client.get("/ideas?sort=new").text
    response = client.post("/register", data={"email": "x@example.com", "username": "nul\x00", "password": "p" * 12,
                                              "confirm": "p" * 12})
    assert response.status_code == 400 and NUL_MESSAGE in response.text


@pytest.mark.parametrize("path", [
    f"/ideas/{MAX_ID + 1}", f"/ideas/{MAX_ID + 1}/status.atom", "/ideas/99999999999999999999999999",
    f"/ideas/{MAX_ID}",
])
def test_an_id_beyond_what_the_database_holds_is_simply_not_found(client, app, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("sort, parts", [
    ("top", [1, 10**30]),  # an id no database column holds
    ("top", [2**40, 1]),  # a score beyond 32 bits
    ("discussed", [-(2**31) - 1, 1]),
    ("hot", [10**400, 1]),  # an int no float holds
    ("new", ["2026-01-01T00:00:00+00:00", -1]),
])
def test_a_cursor_with_numbers_out_of_range_is_a_broken_link_not_an_error(client, app, sort, parts):
    response = client.get("/ideas", query_string={"sort": sort, "cursor": cursor(*parts)})
    assert response.status_code == 400 and "That page link is broken" in response.text


def test_a_cursor_with_an_infinite_rank_is_a_broken_link(client, app):
    infinite = base64.urlsafe_b64encode(b"[1e999, 1]").decode()
    assert client.get("/ideas", query_string={"sort": "hot", "cursor": infinite}).status_code == 400
    assert client.get("/implemented", query_string={"cursor": cursor("2026-01-01T00:00:00+00:00", 10**20)}) \
        .status_code == 400


@pytest.mark.parametrize("query", ["target_id=%C2%B2", "target_id=-1", "target_id=2147483648", "before=1e3",
                                   "before=99999999999999999999"])
def test_number_parameters_out_of_shape_or_range_are_refused_with_a_reason(client, auth, app, query):
    auth.login(factories.user(role="admin"))
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400 and ("whole number" in response.text or "broken" in response.text)


@pytest.mark.parametrize("path", ["/admin/users?after=2147483648", "/admin/users?after=%C2%B2",
                                  "/admin?older_than=2147483648", "/notifications?before=2147483648"])
def test_paging_and_filter_numbers_beyond_the_database_are_a_400(client, auth, app, path):
    auth.login(factories.user(role="admin"))
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("path", ["/ideas/\u0663", "/ideas/\uff11", "/ideas/\u0663-slug", "/admin/ideas/\u0663"])
def test_ids_in_the_address_are_ascii_digits_only(app, path):
    from werkzeug.exceptions import NotFound

    routes = app.url_map.bind("localhost")
    assert routes.match("/ideas/3")[1] == {"idea_id": 3}
    with pytest.raises(NotFound):  # "٣" and "１" are digits to Python, not to our addresses
        routes.match(path)
