"""The roadmap's columns and the ideas in action, against hand-built histories, on both databases."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from ideaportal.errors import Invalid
from ideaportal.extensions import db
from ideaportal.models import Idea, Status
from ideaportal.roadmap import queries
from ideaportal.triage.services import change_status
from tests import factories
from tests.helpers import fixture_answering_pm, fixture_author  # noqa: F401 (fixtures pm, author)

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def mobile(app):
    return factories.category(slug="mobile", name="Mobile")


def new_idea(author, category, title: str, *, score: int = 1) -> int:
    idea_id = factories.idea(author=author, category_row=category, title=title).id
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(upvotes=score, downvotes=0, score=score))
    db.session.commit()
    return idea_id


def move(pm, idea_id: int, *steps: tuple[str, str, float]) -> None:
    """Status changes (slug, response, days before NOW), in order, by the product manager."""
    for slug, response, days_ago in steps:
        change_status(idea_id=idea_id, actor_id=pm.id, status_slug=slug, response=response,
                      now=NOW - timedelta(days=days_ago))


def column_ids(roadmap) -> dict[str, list[int]]:
    return {column.key: [card.id for card in column.cards] for column in roadmap.columns}


def test_columns_hold_planned_in_progress_and_implemented_ideas_only(pm, author, mobile):
    ids = {}
    for slug in ("new", "under_review", "planned", "in_progress", "implemented", "partially_implemented",
                 "not_planned", "already_offered"):
        ids[slug] = new_idea(author, mobile, f"An idea now {slug}")
        if slug != "new":
            move(pm, ids[slug], (slug, "Here is why.", 1))
    roadmap = queries.roadmap()
    assert [column.title for column in roadmap.columns] == ["Planned", "In progress", "Recently implemented"]
    assert column_ids(roadmap) == {
        "planned": [ids["planned"]],
        "in_progress": [ids["in_progress"]],
        "implemented": sorted([ids["implemented"], ids["partially_implemented"]], reverse=True),  # same moment: id
    }
    assert [column.total for column in roadmap.columns] == [1, 1, 2]


def test_hidden_and_merged_ideas_are_never_on_the_roadmap_nor_counted(pm, author, mobile):
    shown = new_idea(author, mobile, "A visible plan")
    hidden = new_idea(author, mobile, "A hidden plan")
    merged = new_idea(author, mobile, "A merged plan")
    for idea_id in (shown, hidden, merged):
        move(pm, idea_id, ("planned", "", 2))
    db.session.execute(update(Idea).where(Idea.id == hidden).values(is_hidden=True))
    db.session.execute(update(Idea).where(Idea.id == merged).values(merged_into_id=shown))
    db.session.commit()
    planned = queries.roadmap().columns[0]
    assert [card.id for card in planned.cards] == [shown] and planned.total == 1
    assert queries.implemented().cards == []


def test_a_card_shows_the_newest_response_and_when_the_idea_reached_its_status(pm, author, mobile):
    idea_id = new_idea(author, mobile, "Offline mode")
    move(pm, idea_id, ("planned", "On the plan for spring.", 10), ("in_progress", "", 6),
         ("in_progress", "The **beta** is out.", 3))
    card = queries.roadmap().columns[1].cards[0]
    assert card.id == idea_id and card.status_slug == "in_progress"
    assert card.moved_at == NOW - timedelta(days=6)  # the update posted on the same status is not a move
    assert card.response.html == "<p>The <strong>beta</strong> is out.</p>\n"
    assert card.response.excerpt == "The beta is out." and not card.response.trimmed

    move(pm, idea_id, ("planned", "", 1))  # back to planned, without a word: the beta note stays the latest
    card = queries.roadmap().columns[0].cards[0]
    assert card.moved_at == NOW - timedelta(days=1)
    assert card.response.excerpt == "The beta is out."


def test_an_idea_without_history_or_response_still_shows(author, mobile):
    idea_id = new_idea(author, mobile, "Set by hand")
    planned = db.session.scalar(select(Status.id).where(Status.slug == "planned"))
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(status_id=planned))
    db.session.commit()
    card = queries.roadmap().columns[0].cards[0]
    assert (card.id, card.moved_at, card.response) == (idea_id, None, None)


def test_long_responses_are_cut_short_for_the_card_and_kept_whole(pm, author, mobile):
    idea_id = new_idea(author, mobile, "Dark theme")
    words = " ".join(f"word{number}" for number in range(100))
    move(pm, idea_id, ("planned", words, 1))
    response = queries.roadmap().columns[0].cards[0].response
    assert response.trimmed and response.excerpt.endswith("…")
    assert len(response.excerpt) <= queries.RESPONSE_CHARS
    assert words in response.html


def test_the_latest_implemented_stay_visible_even_with_nothing_planned(pm, author, mobile):
    shipped = [new_idea(author, mobile, f"Shipped idea {number}") for number in range(12)]
    for days_ago, idea_id in enumerate(shipped):  # the first shipped most recently
        move(pm, idea_id, ("implemented", "", days_ago + 1))
    planned, in_progress, done = queries.roadmap().columns
    assert planned.cards == [] and in_progress.cards == []
    assert [card.id for card in done.cards] == shipped[:queries.RECENTLY_IMPLEMENTED]
    assert done.total == 12 and done.more
    assert done.cards[0].moved_at == NOW - timedelta(days=1)


def test_planned_ideas_come_most_voted_first_up_to_the_column_limit(pm, author, mobile, monkeypatch):
    monkeypatch.setattr(queries, "COLUMN_LIMIT", 2)
    ideas = {score: new_idea(author, mobile, f"Planned with {score}", score=score) for score in (3, 9, 5)}
    for idea_id in ideas.values():
        move(pm, idea_id, ("planned", "", 1))
    planned = queries.roadmap().columns[0]
    assert [card.id for card in planned.cards] == [ideas[9], ideas[5]]
    assert [card.score for card in planned.cards] == [9, 5]
    assert planned.total == 3 and planned.more
    assert [(status.slug, status.ideas) for status in planned.statuses] == [("planned", 3)]


def test_the_category_filter_narrows_every_column_and_count(pm, author, mobile):
    desktop = factories.category(slug="desktop", name="Desktop")
    phone = new_idea(author, mobile, "Phone plan")
    laptop = new_idea(author, desktop, "Laptop plan")
    for idea_id in (phone, laptop):
        move(pm, idea_id, ("planned", "", 1))
    assert column_ids(queries.roadmap(category="desktop"))["planned"] == [laptop]
    assert queries.roadmap(category="desktop").columns[0].total == 1
    assert column_ids(queries.roadmap())["planned"] == [laptop, phone]


def test_an_active_status_added_by_an_admin_lands_in_the_column_its_position_says(pm, author, mobile):
    db.session.add_all([
        Status(slug="approved", label="Approved", kind="active", colour="#6b3fa0", position=-1),
        Status(slug="in_beta", label="In beta", kind="active", colour="#9c4a00", position=20),
        Status(slug="shipped", label="Shipped", kind="completed", colour="#1b7a3a", position=21),
    ])
    db.session.commit()
    ids = {slug: new_idea(author, mobile, f"Now {slug}") for slug in ("approved", "in_beta", "shipped")}
    for slug, idea_id in ids.items():
        move(pm, idea_id, (slug, "", 1))
    roadmap = queries.roadmap()
    assert column_ids(roadmap) == {"planned": [ids["approved"]], "in_progress": [ids["in_beta"]],
                                   "implemented": [ids["shipped"]]}
    assert [status.slug for status in roadmap.columns[0].statuses] == ["approved", "planned"]
    assert [status.slug for status in roadmap.columns[1].statuses] == ["in_progress", "in_beta"]


def test_implemented_pages_run_newest_first_without_gaps_or_repeats(pm, author, mobile):
    ideas = [new_idea(author, mobile, f"Done {number}") for number in range(5)]
    # Two reach a completed status at the same moment: the id breaks the tie.
    steps = [("implemented", 5), ("partially_implemented", 1), ("implemented", 3), ("implemented", 3),
             ("implemented", 2)]
    for idea_id, (slug, days_ago) in zip(ideas, steps, strict=True):
        move(pm, idea_id, (slug, f"Answer for {idea_id}", days_ago))
    move(pm, ideas[0], ("in_progress", "", 0.5))  # reopened: no longer implemented
    seen, cursor = [], None
    while True:
        page = queries.implemented(cursor=cursor, limit=2)
        seen.extend(page.cards)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [card.id for card in seen] == [ideas[1], ideas[4], ideas[3], ideas[2]]
    assert seen[0].status_slug == "partially_implemented"
    assert seen[0].response.excerpt == f"Answer for {ideas[1]}"


def test_implemented_ideas_without_history_sort_by_their_submission(author, mobile):
    older = new_idea(author, mobile, "Imported long ago")
    implemented = db.session.scalar(select(Status.id).where(Status.slug == "implemented"))
    db.session.execute(update(Idea).where(Idea.id == older).values(
        status_id=implemented, created_at=NOW - timedelta(days=400)))
    db.session.commit()
    page = queries.implemented(limit=1)
    assert [card.id for card in page.cards] == [older] and page.cards[0].moved_at is None
    assert page.next_cursor is None


def test_a_broken_cursor_is_refused(app):
    with pytest.raises(Invalid):
        queries.implemented(cursor="not-a-cursor")
