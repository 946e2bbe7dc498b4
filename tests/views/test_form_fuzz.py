"""Arbitrary JSON and form bodies at every POST route, as an admin and as a member: never a 500.

Hypothesis sends each route's own field names and random ones, with values of every JSON type (and
arbitrary text in form bodies); a refusal is fine, a crash is not.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.views.test_authorization import ROWS, World, fixture_world  # noqa: F401 (fixture world)

POST_ROWS = [row for row in ROWS if row.method == "POST" and row.rule != "/auth/logout"]
FIELDS = sorted({name for row in POST_ROWS for name in row.data} | {
    "email", "password", "confirm", "username", "title", "body", "category", "value", "status", "response",
    "official", "next", "into", "note", "reason", "idea_ids", "role", "slug", "label", "kind", "colour", "name",
    "description", "owner_id", "remember", "current", "auto_follow", "email_status", "message_id", "then",
})
EDGE_TEXT = st.sampled_from(["2147483648", "99999999999999999999", "\u0663", "-1", "0", "1e3", " 7 "]) | st.text(
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3)  # lone surrogates
TEXT = st.text(max_size=40) | EDGE_TEXT
SCALARS = st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=True) | TEXT
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=5), inner, max_size=3), max_leaves=6)
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _encodable(text: str) -> bool:
    """Form bodies are bytes: a lone surrogate cannot be sent in one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def post_json(client, url: str, body) -> int:
    return client.post(url, json=body, headers={"Accept": "application/json"}).status_code


@pytest.mark.parametrize("visitor", ["admin", "member"])
@pytest.mark.parametrize("row", POST_ROWS, ids=lambda row: row.rule)
def test_no_json_body_crashes_a_form(client, auth, world: World, row, visitor):
    assert auth.login(world.users[visitor]).status_code == 302
    url = world.url(row.rule)

    @FUZZ
    @given(body=st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), JSON_VALUES, max_size=6)
           | JSON_VALUES)
    def check(body):
        assert post_json(client, url, body) < 500, body

    check()


@pytest.mark.parametrize("row", POST_ROWS, ids=lambda row: row.rule)
def test_no_form_body_crashes_a_form(client, auth, world: World, row):
    assert auth.login(world.users["admin"]).status_code == 302
    url = world.url(row.rule)

    @FUZZ
    @given(body=st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=60) | EDGE_TEXT.filter(_encodable)
                                | st.lists(st.text(max_size=8) | EDGE_TEXT.filter(_encodable), max_size=3),
                                max_size=6))
    def check(body):
        assert client.post(url, data={**world.form(row.data), **body}).status_code < 500, body

    check()


def test_a_wrong_json_type_is_a_400_that_names_the_field(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    response = client.post(f"/ideas/{idea.id}/comments", json={"body": 1}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["message"] == "The field 'body' must be text (a JSON string), not a number."
    assert client.post("/auth/login", json=["x"]).status_code == 400
    assert "must be text" in client.post("/auth/login", json={"email": None, "password": "x"}).text


def test_a_nul_or_a_deeply_nested_json_body_is_a_400(client, auth, app):
    assert client.post("/auth/login", json={"email": "a\x00b", "password": "x"}).status_code == 400
    assert client.post("/auth/login", json={"email": ["a\x00"], "password": "x"}).status_code == 400
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/auth/login", data=deep, content_type="application/json")
    assert response.status_code == 400


def test_a_file_where_a_form_expects_text_is_a_400(client, auth, app):
    from io import BytesIO

    idea = factories.idea()
    auth.login(factories.user())
    response = client.post(f"/ideas/{idea.id}/flag", data={"reason": "spam", "note": (BytesIO(b"x"), "note.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "No form here takes a file" in response.text


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999", "\u0663", "-3"])
def test_record_numbers_out_of_range_or_in_other_digits_are_refused(client, auth, app, number):
    idea, other = factories.idea(), factories.idea()
    auth.login(factories.user(role="pm"))
    assert client.post("/admin/bulk-status", data={"idea_ids": [str(idea.id), number], "status": "planned"}
                       ).status_code == 400
    assert client.get(f"/admin/ideas/{idea.id}/merge", query_string={"into": number}).status_code == 400
    assert client.post(f"/admin/ideas/{idea.id}/merge", data={"into": number}).status_code == 400
    assert client.post("/ideas/new", data={"title": "A fine title", "body": "Body.", "category": number}
                       ).status_code == 400
    assert client.post(f"/admin/ideas/{other.id}/answer", data={"status": "new", "response": "Hi.",
                                                                "category": number}).status_code == 400
