"""Full-text search: one contract, run on SQLite (FTS5) and PostgreSQL (tsvector) alike."""
import re

import pytest
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    MetaData,
    Table,
    Text,
    delete,
    inspect,
    select,
    text,
    update,
)

from ideaportal.extensions import db
from ideaportal.ideas import services
from ideaportal.ideas.queries import ListFilter, list_ideas
from ideaportal.models import Idea, Status
from ideaportal.search import backends, marks, schema, terms
from ideaportal.search.queries import ranked, similar_ideas
from tests import factories
from tests.helpers import fixture_empty_app  # noqa: F401 (fixture empty_app)
from tests.html_safety import unsafe_markup

HOSTILE = ['"unbalanced', "a AND", "NEAR(", "NEAR(a b", "*", "-", "OR", "^", ":", "\\", "'", '"', "()", "(",
           "title:export", "{title}: x", "a OR", "NOT a", "-export", "export -", "a + b", "ä" * 40, "日本語の検索",
           "😀 export", "x" * 1_000, "export " * 200, "%", "_", "\u200b", "\x00export", "'; DROP TABLE idea; --"]


def found(q: str, **filters) -> list[int]:
    return [card.id for card in list_ideas(ListFilter(sort=filters.pop("sort", "relevance"), q=q, **filters)).cards]


def matching_ids(q: str) -> set[int]:
    match = backends.matching_ideas(q)
    return set(db.session.scalars(select(match.c.idea_id)))


def test_a_title_match_ranks_above_a_body_match(app):
    in_body = factories.idea(title="Better reports for managers",
                             body="We need a calendar view. The calendar should show due dates, calendar colours.")
    in_title = factories.idea(title="Calendar view for tasks", body="Show my tasks by day.")
    factories.idea(title="Something else entirely", body="No match here.")
    assert found("calendar") == [in_title.id, in_body.id]


def test_stemming_finds_other_forms_of_a_word(app):
    export = factories.idea(title="Export to CSV", body="One row per idea.")
    assert found("exporting") == [export.id]
    assert found("exports") == [export.id]


def test_every_word_must_match_and_or_means_either(app):
    both = factories.idea(title="Dark theme for the mobile app", body="At night.")
    dark = factories.idea(title="Dark theme on the desktop", body="Please.")
    mobile = factories.idea(title="Faster mobile sync", body="Please.")
    assert found("dark mobile") == [both.id]
    assert set(found("desktop or sync")) == {dark.id, mobile.id}
    assert set(found("dark -mobile")) == {dark.id}
    assert found('"mobile app"') == [both.id]


def test_search_combines_with_category_status_and_the_other_sorts(app):
    mobile, desktop = factories.category(slug="mobile"), factories.category(slug="desktop")
    voter = factories.user()
    low = factories.idea(category_row=mobile, title="Offline mode for the app")
    high = factories.idea(category_row=mobile, title="Offline maps", body="Offline offline offline.")
    factories.idea(category_row=desktop, title="Offline installer")
    services.cast_vote(idea_id=low.id, voter_id=voter.id, value=1)
    assert set(found("offline", category="mobile")) == {low.id, high.id}
    assert found("offline", category="mobile", sort="top") == [low.id, high.id]
    planned = db.session.scalar(select(Status.id).where(Status.slug == "planned"))
    db.session.execute(update(Idea).where(Idea.id == high.id).values(status_id=planned))
    db.session.commit()
    assert found("offline", status="planned") == [high.id]


def test_hidden_and_merged_ideas_are_never_found(app):
    shown = factories.idea(title="Kanban board view")
    hidden = factories.idea(title="Kanban board for teams")
    merged = factories.idea(title="Kanban board please")
    db.session.execute(update(Idea).where(Idea.id == hidden.id).values(is_hidden=True))
    db.session.execute(update(Idea).where(Idea.id == merged.id).values(merged_into_id=shown.id))
    db.session.commit()
    assert found("kanban") == [shown.id]
    assert [idea.id for idea in ranked("Kanban board")] == [shown.id]


def test_the_index_follows_inserts_edits_and_deletes(app):
    idea = factories.idea(title="Webhooks for changes", body="Send a POST request.")
    assert matching_ids("webhooks") == {idea.id}
    services.edit_idea(idea_id=idea.id, editor_id=idea.author_id, title="Callbacks for changes",
                       body="Send a POST request.", category_id=idea.category_id)
    assert matching_ids("callbacks") == {idea.id}
    assert matching_ids("webhooks") == set()
    services.edit_idea(idea_id=idea.id, editor_id=idea.author_id, title="Callbacks for changes",
                       body="Notify my server.", category_id=idea.category_id)
    assert matching_ids("server") == {idea.id} and matching_ids("request") == set()
    db.session.execute(delete(Idea).where(Idea.id == idea.id))
    db.session.commit()
    assert matching_ids("callbacks") == set()  # on SQLite: gone from the index itself, not just unjoined


def test_votes_do_not_touch_the_index(app):
    """Only title and body changes reach the index (the SQLite trigger is AFTER UPDATE OF title, body)."""
    idea = factories.idea(title="Spell check in more languages")
    services.cast_vote(idea_id=idea.id, voter_id=factories.user().id, value=1)
    assert found("spell") == [idea.id]


def test_highlights_mark_the_matches_and_escape_the_ideas_text(app):
    idea = factories.idea(
        title='<script>alert("x")</script> Export <mark onclick="steal()">now</mark>',
        body='Please <mark onclick="steal()">export</mark> & <img src=x onerror=alert(1)> **export** it.',
    )
    page = list_ideas(ListFilter(sort="relevance", q="export"))
    highlight = page.highlights[idea.id]
    assert "<mark>Export</mark>" in highlight.title and "<mark>export</mark>" in highlight.excerpt
    for html in (str(highlight.title), str(highlight.excerpt)):
        assert unsafe_markup(html) == []
        assert re.findall(r"<(\w+)", html) == ["mark"] * html.count("<mark>")  # no other element at all
        assert marks.OPEN not in html and marks.CLOSE not in html
    assert "&lt;script&gt;" in highlight.title and "&lt;mark onclick=" in highlight.title


def test_an_excerpt_is_cut_to_length_around_a_match(app):
    idea = factories.idea(title="Long one", body=("Filler words here. " * 60) + "The export button. " + "More. " * 60)
    excerpt = list_ideas(ListFilter(sort="relevance", q="export")).highlights[idea.id].excerpt
    visible = re.sub(r"</?mark>", "", str(excerpt))
    assert "<mark>export</mark>" in excerpt and len(visible) <= 240


def test_relevance_pages_with_a_cursor_and_finds_each_idea_once(app):
    ideas = [factories.idea(title=f"Sync option {number}", body="sync " * number) for number in range(1, 8)]
    whole = [card.id for card in list_ideas(ListFilter(sort="relevance", q="sync"), limit=50).cards]
    paged, cursor = [], None
    while True:
        page = list_ideas(ListFilter(sort="relevance", q="sync", cursor=cursor), limit=3)
        paged += [card.id for card in page.cards]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert paged == whole and sorted(paged) == sorted(idea.id for idea in ideas)


def test_a_common_word_is_ranked_among_its_newest_matches_only_and_the_page_says_so(app, monkeypatch):
    monkeypatch.setattr("ideaportal.ideas.queries.SEARCH_NEWEST", 4)
    strong_but_old = factories.idea(title="Sync sync sync", body="sync " * 20)
    newer = [factories.idea(title=f"Option {number}", body=f"Please sync {number} things.") for number in range(5)]
    factories.idea(title="Unrelated", body="Nothing to find.")

    page = list_ideas(ListFilter(sort="relevance", q="sync"), limit=50)
    assert {card.id for card in page.cards} == {idea.id for idea in newer[-4:]}
    assert strong_but_old.id not in {card.id for card in page.cards}
    assert page.searched_newest == 4
    for sort in ("hot", "top", "new", "discussed"):
        assert len(list_ideas(ListFilter(sort=sort, q="sync"), limit=50).cards) == 4


def test_a_word_with_fewer_matches_than_the_bound_is_ranked_in_full(app, monkeypatch):
    monkeypatch.setattr("ideaportal.ideas.queries.SEARCH_NEWEST", 4)
    strong_but_old = factories.idea(title="Sync sync sync", body="sync " * 20)
    newer = [factories.idea(title=f"Option {number}", body=f"Please sync {number} things.") for number in range(3)]
    page = list_ideas(ListFilter(sort="relevance", q="sync"), limit=50)
    assert [card.id for card in page.cards][0] == strong_but_old.id
    assert {card.id for card in page.cards} == {strong_but_old.id, *(idea.id for idea in newer)}
    assert page.searched_newest is None


def test_a_bounded_match_counts_hidden_ideas_too_up_to_one_past_the_bound(app):
    ideas = [factories.idea(title=f"Calendar {number}", body="A calendar view.") for number in range(4)]
    db.session.execute(update(Idea).where(Idea.id == ideas[0].id).values(is_hidden=True))
    for newest, ranked_ids, matches in ((2, ideas[2:], 3), (4, ideas, 4), (9, ideas, 4)):
        match = backends.matching_ideas("calendar", newest=newest)
        rows = db.session.execute(select(match.c.idea_id, match.c.matches)).all()
        assert sorted(row.idea_id for row in rows) == sorted(idea.id for idea in ranked_ids)
        assert {row.matches for row in rows} == {matches}
    assert db.session.execute(select(backends.matching_ideas("the", newest=2))).all() == []


@pytest.mark.parametrize("q", ["", "   ", "the", "the and of it", "!!!", "-", "or"])
def test_a_query_without_words_finds_nothing_and_raises_nothing(app, q):
    factories.idea(title="The idea of it all")
    assert not terms.has_terms(q)
    assert found(q) == [] and matching_ids(q) == set()


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_raise(app, q):
    factories.idea(title="Export to CSV", body="Export everything.")
    page = list_ideas(ListFilter(sort="relevance", q=q))
    backends.highlights(q, [card.id for card in page.cards], excerpt_chars=240)
    similar_ideas(q, q, typing=True)


@pytest.mark.parametrize("q", ["export AND", '"export', "export*", "EXPORT:", "(export)", "^export", "export\\"])
def test_operators_people_type_are_read_as_words(app, q):
    idea = factories.idea(title="Export to CSV", body="Everything.")
    assert found(q) == [idea.id]


AROUND_A_WORD = st.builds("{} export {}".format, st.text(max_size=40), st.text(max_size=40))
ANY_TEXT = st.one_of(st.text(max_size=300), AROUND_A_WORD)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=ANY_TEXT)
def test_any_text_is_a_valid_query(app, q):
    if not db.session.scalar(select(Idea.id).limit(1)):
        factories.idea(title="Export <b>to</b> CSV", body="Export **everything**, even `code`.")
    page = list_ideas(ListFilter(sort="relevance", q=q))
    for highlight in backends.highlights(q, [card.id for card in page.cards], excerpt_chars=240).values():
        assert unsafe_markup(str(highlight.title) + str(highlight.excerpt)) == []
    similar_ideas(q, q, typing=True)


def test_fts5_queries_quote_every_word():
    assert terms.fts5_query('export "dark mode" or csv -pdf') == '(("export" "dark" + "mode")) OR (("csv") NOT "pdf")'
    assert terms.fts5_query('say "hi"" NEAR(') == '(("say" "hi" "near"))'  # the third quote opens a phrase
    assert terms.fts5_query("the -export") is None
    assert terms.fts5_any(["dark", "mo"], prefixes=frozenset({"mo"})) == '"dark" OR "mo"*'


# The search objects live outside the models: the migration makes them and takes them away.

def search_objects() -> set[str]:
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            names = connection.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'idea_fts%'")).scalars()
            return set(names)
        columns = {column["name"] for column in inspect(connection).get_columns("idea")}
        indexes = {index["name"] for index in inspect(connection).get_indexes("idea")}
        return ({schema.VECTOR_COLUMN} & columns) | ({schema.VECTOR_INDEX} & indexes)


def test_upgrade_creates_the_search_objects_and_downgrade_removes_them(empty_app):
    upgrade()
    if db.engine.dialect.name == "sqlite":
        expected = {"idea_fts", *(f"idea_fts_{shadow}" for shadow in ("data", "idx", "docsize", "config")),
                    *schema.FTS_TRIGGERS}
    else:
        expected = {schema.VECTOR_COLUMN, schema.VECTOR_INDEX}
    assert search_objects() == expected
    downgrade(revision="5f62ba57b8d9")
    assert search_objects() == set()


def test_upgrade_indexes_the_ideas_that_already_exist(empty_app):
    upgrade(revision="5f62ba57b8d9")
    # Rows as that schema had them (today's models have columns it lacks).
    with db.engine.begin() as connection:
        now = "2026-01-01 00:00:00+00:00"
        connection.execute(text(
            "INSERT INTO \"user\" (id, email, username, password_hash, role, is_active, created_at) "
            "VALUES (1, 'old@example.com', 'old', 'h', 'member', true, :now)"), {"now": now})
        connection.execute(text("INSERT INTO category (id, slug, name, description, position) "
                                "VALUES (1, 'old', 'Old', '', 0)"))
        connection.execute(text(
            "INSERT INTO idea (id, title, body, body_html, author_id, category_id, status_id, upvotes, downvotes, "
            "score, comment_count, hot_rank, created_at, updated_at, last_activity_at, is_hidden) "
            "SELECT 1, 'Written before search existed', 'Body', '<p>Body</p>', 1, 1, id, 0, 0, 0, 0, 0, :now, "
            ":now, :now, false FROM status WHERE slug = 'new'"), {"now": now})
    db.session.remove()
    upgrade()
    assert matching_ids("existed") != set()


def test_autogenerate_ignores_exactly_the_search_objects():
    reflected = Table("idea", MetaData(), Column("search_vector", Text), Column("title", Text))
    elsewhere = Table("comment", MetaData(), Column("search_vector", Text))
    for name in ("idea_fts", "idea_fts_data", "idea_fts_idx", "idea_fts_docsize", "idea_fts_config"):
        assert schema.include_object(None, name, "table", True, None) is False
    assert schema.include_object(reflected.c.search_vector, "search_vector", "column", True, None) is False
    assert schema.include_object(None, "ix_idea_search_vector", "index", True, None) is False
    assert schema.include_object(reflected.c.title, "title", "column", True, None) is True
    assert schema.include_object(elsewhere.c.search_vector, "search_vector", "column", True, None) is True
    for name, type_ in (("idea", "table"), ("idea_fts_notes", "table"), ("ix_idea_hot", "index")):
        assert schema.include_object(None, name, type_, True, None) is True
    assert schema.include_object(reflected, "idea_fts", "table", False, None) is True  # a model's is compared
