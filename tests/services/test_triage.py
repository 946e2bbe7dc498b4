"""Triage services and queries on a real database: status changes, answers, owners, notes, archiving, the inbox."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, text, update

from ideaportal.errors import Invalid, NotFound
from ideaportal.extensions import db
from ideaportal.models import AuditEntry, Idea, StaffNote, Status, StatusChange
from ideaportal.moderation.services import set_idea_hidden
from ideaportal.triage import queries, services
from ideaportal.triage.queries import InboxFilter
from tests import factories

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


def status_id(slug: str) -> int:
    return db.session.scalar(select(Status.id).where(Status.slug == slug))


def fresh(idea_id: int) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea_id)


def set_columns(idea_id: int, **values) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(**values))
    db.session.commit()


def audit_actions(idea_id: int | None = None) -> list[str]:
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if idea_id is not None:
        query = query.where(AuditEntry.target_type == "idea", AuditEntry.target_id == idea_id)
    return list(db.session.scalars(query))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def ideas_aged(days_by_title: dict[str, int], **kwargs) -> dict[str, int]:
    """Ideas created through the service, then dated `days` before NOW; returns title -> id."""
    ids = {}
    for title, days in days_by_title.items():
        idea = factories.idea(title=title, **kwargs)
        set_columns(idea.id, created_at=NOW - timedelta(days=days))
        ids[title] = idea.id
    return ids


# Status changes


def test_a_status_change_with_a_response_is_recorded_answered_and_audited(app):
    pm, idea = factories.user(role="pm"), factories.idea()
    change_id = services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug="under_review",
                                       response="We are **looking** at it.", now=NOW)
    change = db.session.get(StatusChange, change_id)
    assert (change.from_status_id, change.to_status_id) == (status_id("new"), status_id("under_review"))
    assert change.changed_by_id == pm.id and "<strong>looking</strong>" in change.response_html
    idea = fresh(idea.id)
    assert idea.status_id == status_id("under_review") and idea.first_response_at == NOW
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (pm.id, "idea.status", "idea", idea.id)
    assert entry.before == {"status": "new"}
    assert entry.after == {"status": "under_review", "status_change_id": change_id}


def test_first_response_at_is_set_by_the_first_answer_only(app):
    pm, idea = factories.user(role="pm"), factories.idea()
    services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug="under_review", now=NOW)
    assert fresh(idea.id).first_response_at is None  # a silent change is not an answer
    services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Yes.", now=NOW)
    later = NOW + timedelta(days=3)
    services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug="in_progress", response="Started.", now=later)
    idea = fresh(idea.id)
    assert idea.first_response_at == NOW and idea.status_id == status_id("in_progress")


@pytest.mark.parametrize("slug", ["not_planned", "already_offered"])
def test_statuses_that_require_a_response_refuse_without_one_and_change_nothing(app, slug):
    pm, idea = factories.user(role="pm"), factories.idea()
    with pytest.raises(Invalid) as refused:
        services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug=slug, response="   ")
    assert refused.value.field == "response"
    assert fresh(idea.id).status_id == status_id("new")
    assert count(StatusChange) == 0 and count(AuditEntry) == 0
    services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug=slug, response="Here is why.")
    assert fresh(idea.id).status_id == status_id(slug)


def test_the_same_status_needs_a_response_which_then_posts_an_update(app):
    pm, idea = factories.user(role="pm"), factories.idea()
    with pytest.raises(Invalid) as refused:
        services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug="new")
    assert refused.value.field == "status" and count(StatusChange) == 0
    change_id = services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug="new", response="Still open.")
    change = db.session.get(StatusChange, change_id)
    assert change.from_status_id == change.to_status_id == status_id("new")


def test_duplicate_is_refused_here_and_points_to_merge(app):
    pm, idea = factories.user(role="pm"), factories.idea()
    with pytest.raises(Invalid) as refused:
        services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug="duplicate", response="Dupe of #1.")
    assert refused.value.field == "status" and "merge" in refused.value.message.lower()
    assert fresh(idea.id).status_id == status_id("new") and count(StatusChange) == 0


def test_a_merged_idea_keeps_its_status(app):
    pm, source, target = factories.user(role="pm"), factories.idea(), factories.idea()
    set_columns(source.id, merged_into_id=target.id)
    with pytest.raises(Invalid, match="unmerge"):
        services.change_status(idea_id=source.id, actor_id=pm.id, status_slug="planned", response="x")
    assert count(StatusChange) == 0


def test_unknown_status_or_idea_is_refused(app):
    pm, idea = factories.user(role="pm"), factories.idea()
    with pytest.raises(Invalid) as refused:
        services.change_status(idea_id=idea.id, actor_id=pm.id, status_slug="shipped", response="x")
    assert refused.value.field == "status"
    with pytest.raises(NotFound):
        services.change_status(idea_id=999_999, actor_id=pm.id, status_slug="planned", response="x")


# Bulk


def test_bulk_moves_every_selected_idea_with_one_audit_entry_each(app):
    pm = factories.user(role="pm")
    ideas = [factories.idea().id for _ in range(3)]
    moved = services.bulk_change_status(idea_ids=ideas + [ideas[0]], actor_id=pm.id, status_slug="planned",
                                        response="On the roadmap.", now=NOW)
    assert moved == 3
    for idea_id in ideas:
        idea = fresh(idea_id)
        assert idea.status_id == status_id("planned") and idea.first_response_at == NOW
        assert audit_actions(idea_id) == ["idea.status"]
    assert count(StatusChange) == 3


@pytest.mark.parametrize("case", ["missing response", "unknown idea", "one already there", "one merged"])
def test_bulk_is_all_or_nothing(app, case):
    pm = factories.user(role="pm")
    ideas = [factories.idea().id for _ in range(3)]
    slug, response, selected = "not_planned", "Not for now.", list(ideas)
    if case == "missing response":
        response = ""
    elif case == "unknown idea":
        selected.append(999_999)
    elif case == "one already there":
        services.change_status(idea_id=ideas[2], actor_id=pm.id, status_slug="under_review")
        slug, response = "under_review", ""
    else:
        set_columns(ideas[1], merged_into_id=ideas[0])
    before = {idea_id: fresh(idea_id).status_id for idea_id in ideas}
    changes, entries = count(StatusChange), count(AuditEntry)
    with pytest.raises(Invalid) as refused:
        services.bulk_change_status(idea_ids=selected, actor_id=pm.id, status_slug=slug, response=response)
    assert "Nothing was changed" in refused.value.message
    assert {idea_id: fresh(idea_id).status_id for idea_id in ideas} == before
    assert all(fresh(idea_id).first_response_at is None for idea_id in ideas)
    assert (count(StatusChange), count(AuditEntry)) == (changes, entries)


def test_bulk_with_nothing_selected_says_so(app):
    with pytest.raises(Invalid) as refused:
        services.bulk_change_status(idea_ids=[], actor_id=factories.user(role="pm").id, status_slug="planned")
    assert refused.value.field == "idea_ids"


# Owner, category, notes, hiding


def test_owner_is_active_staff_or_nobody_and_each_change_is_audited(app):
    pm, admin, member = factories.user(role="pm"), factories.user(role="admin"), factories.user()
    retired = factories.user(role="pm")
    retired.is_active = False
    db.session.commit()
    idea = factories.idea()
    assert services.assign_owner(idea_id=idea.id, actor_id=admin.id, owner_id=pm.id)
    assert fresh(idea.id).owner_id == pm.id
    assert not services.assign_owner(idea_id=idea.id, actor_id=admin.id, owner_id=pm.id)  # unchanged: no entry
    for refused_owner in (member.id, retired.id, 999_999):
        with pytest.raises(Invalid) as refused:
            services.assign_owner(idea_id=idea.id, actor_id=admin.id, owner_id=refused_owner)
        assert refused.value.field == "owner_id"
    assert services.assign_owner(idea_id=idea.id, actor_id=admin.id, owner_id=None)
    assert fresh(idea.id).owner_id is None
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(entry.action, entry.before, entry.after) for entry in entries] == [
        ("idea.owner", {"owner_id": None}, {"owner_id": pm.id}),
        ("idea.owner", {"owner_id": pm.id}, {"owner_id": None}),
    ]
    with pytest.raises(NotFound):
        services.assign_owner(idea_id=999_999, actor_id=admin.id, owner_id=None)


def test_category_change_is_audited_and_an_unknown_category_refused(app):
    pm, idea, other = factories.user(role="pm"), factories.idea(), factories.category()
    old = idea.category_id
    assert services.change_category(idea_id=idea.id, actor_id=pm.id, category_id=other.id)
    assert fresh(idea.id).category_id == other.id
    with pytest.raises(Invalid) as refused:
        services.change_category(idea_id=idea.id, actor_id=pm.id, category_id=999_999)
    assert refused.value.field == "category"
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.before, entry.after) == ("idea.category", {"category_id": old},
                                                         {"category_id": other.id})


def test_a_note_is_stored_as_safe_html_and_audited(app):
    pm, idea = factories.user(role="pm"), factories.idea()
    note_id = services.add_note(idea_id=idea.id, actor_id=pm.id, body="Ask **Sam** <script>x</script>")
    note = db.session.get(StaffNote, note_id)
    assert "<strong>Sam</strong>" in note.body_html and "<script>" not in note.body_html
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.target_id, entry.after) == ("idea.note", idea.id, {"note_id": note_id})
    with pytest.raises(NotFound):
        services.add_note(idea_id=999_999, actor_id=pm.id, body="Lost.")
    with pytest.raises(Invalid):
        services.add_note(idea_id=idea.id, actor_id=pm.id, body="   ")
    assert count(StaffNote) == 1


def test_notes_come_newest_first_and_the_detail_shows_hidden_and_merged_ideas(app):
    pm, idea, target = factories.user(role="pm"), factories.idea(), factories.idea(title="The original idea")
    first = services.add_note(idea_id=idea.id, actor_id=pm.id, body="First.")
    second = services.add_note(idea_id=idea.id, actor_id=pm.id, body="Second.")
    set_idea_hidden(idea_id=idea.id, actor_id=pm.id, hidden=True)
    set_columns(idea.id, merged_into_id=target.id)
    detail = queries.triage_detail(idea.id)
    assert [note.id for note, _ in detail.notes] == [second, first]
    assert detail.notes[0][1] == pm.username
    assert detail.idea.is_hidden and detail.merged_into == (target.id, "The original idea")
    with pytest.raises(NotFound):
        queries.triage_detail(999_999)


# Archiving stale ideas


def test_archive_stale_picks_exactly_the_idle_new_public_ideas(app):
    pm = factories.user(role="pm")
    idle = NOW - timedelta(days=200)
    ids = {}
    for name in ("stale", "stale too", "recent", "reviewed", "hidden", "merged"):
        ids[name] = factories.idea(title=f"The {name} idea").id
        set_columns(ids[name], last_activity_at=idle)
    set_columns(ids["stale too"], last_activity_at=NOW - timedelta(days=190))
    set_columns(ids["recent"], last_activity_at=NOW - timedelta(days=170))  # within 6 months
    services.change_status(idea_id=ids["reviewed"], actor_id=pm.id, status_slug="under_review")
    set_columns(ids["reviewed"], last_activity_at=idle)
    set_idea_hidden(idea_id=ids["hidden"], actor_id=pm.id, hidden=True)
    set_columns(ids["merged"], merged_into_id=ids["recent"])
    assert [idea_id for idea_id, _ in queries.stale_ideas(months=6, now=NOW)] == [ids["stale"], ids["stale too"]]
    entries_before = count(AuditEntry)

    archived = services.archive_stale(months=6, now=NOW)

    assert archived == sorted([ids["stale"], ids["stale too"]])
    archived_id = status_id("archived")
    assert {name for name, idea_id in ids.items() if fresh(idea_id).status_id == archived_id} == {"stale", "stale too"}
    changes = db.session.scalars(select(StatusChange).where(StatusChange.to_status_id == archived_id)).all()
    assert sorted(change.idea_id for change in changes) == archived
    for change in changes:
        assert change.changed_by_id is None and change.from_status_id == status_id("new")
        assert "no votes or comments for 6 months" in change.response and change.response_html.startswith("<p>")
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[entries_before:]
    assert [(entry.actor_id, entry.action, entry.target_id) for entry in entries] == [
        (None, "idea.status", idea_id) for idea_id in archived
    ]
    assert services.archive_stale(months=6, now=NOW) == []  # already archived


def test_archive_stale_uses_the_given_response_and_calendar_months(app):
    idea = factories.idea()
    set_columns(idea.id, last_activity_at=datetime(2026, 2, 28, 12, 0, tzinfo=timezone.utc))
    march_31 = datetime(2026, 3, 31, 12, 0, tzinfo=timezone.utc)
    assert services.archive_stale(months=1, now=march_31) == []  # one month before 31 March is 28 February
    assert services.archive_stale(months=1, now=march_31 + timedelta(days=1), response="Closed, sorry.") == [idea.id]
    assert db.session.scalar(select(StatusChange.response)) == "Closed, sorry."
    with pytest.raises(Invalid):
        services.archive_stale(months=0, now=NOW)


# The inbox


def test_the_default_inbox_is_unanswered_new_public_ideas_oldest_first(app):
    pm = factories.user(role="pm")
    ids = ideas_aged({"middle": 20, "oldest": 40, "newest": 1, "answered": 50, "reviewed": 60,
                      "hidden": 70, "merged": 80})
    services.change_status(idea_id=ids["answered"], actor_id=pm.id, status_slug="new", response="Thanks!")
    services.change_status(idea_id=ids["reviewed"], actor_id=pm.id, status_slug="under_review")
    set_idea_hidden(idea_id=ids["hidden"], actor_id=pm.id, hidden=True)
    set_columns(ids["merged"], merged_into_id=ids["newest"])
    page = queries.inbox(InboxFilter(), viewer_id=pm.id, now=NOW)
    assert [row.id for row in page.rows] == [ids["oldest"], ids["middle"], ids["newest"]]
    assert page.matching == page.attention == 3 and page.next_cursor is None


def test_inbox_pages_by_creation_time_and_id_without_gaps_or_repeats(app):
    pm = factories.user(role="pm")
    ids = ideas_aged({f"idea {number}": 10 - number // 2 for number in range(7)})  # pairs share a time
    expected = sorted(ids.values(), key=lambda idea_id: (fresh(idea_id).created_at, idea_id))
    seen, cursor = [], None
    while True:
        page = queries.inbox(InboxFilter(cursor=cursor), viewer_id=pm.id, limit=3, now=NOW)
        seen += [row.id for row in page.rows]
        assert page.matching == 7
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    with pytest.raises(Invalid):
        queries.inbox(InboxFilter(cursor="not-a-cursor"), viewer_id=pm.id)


def test_inbox_filters_compose(app):
    pm, other_pm = factories.user(role="pm"), factories.user(role="pm")
    phones = factories.category(slug="phones")
    ids = ideas_aged({"old phone": 100, "month phone": 35, "week phone": 8, "fresh phone": 1}, category_row=phones)
    ids |= ideas_aged({"old laptop": 95})
    services.assign_owner(idea_id=ids["month phone"], actor_id=pm.id, owner_id=pm.id)
    services.assign_owner(idea_id=ids["week phone"], actor_id=pm.id, owner_id=other_pm.id)
    services.change_status(idea_id=ids["old laptop"], actor_id=pm.id, status_slug="planned", response="Yes!")
    services.change_status(idea_id=ids["fresh phone"], actor_id=pm.id, status_slug="under_review")
    set_idea_hidden(idea_id=ids["old phone"], actor_id=pm.id, hidden=True)

    def titles(**filters) -> list[str]:
        page = queries.inbox(InboxFilter(**filters), viewer_id=pm.id, now=NOW)
        return [row.title for row in page.rows]

    assert titles() == ["month phone", "week phone"]
    assert titles(status="all") == ["old laptop", "month phone", "week phone", "fresh phone"]
    assert titles(status="all", category="phones") == ["month phone", "week phone", "fresh phone"]
    assert titles(status="all", older_than=30) == ["old laptop", "month phone"]
    assert titles(status="all", older_than=7) == ["old laptop", "month phone", "week phone"]
    assert titles(status="all", mine=True) == ["month phone"]
    assert titles(status="all", unanswered=True) == ["month phone", "week phone", "fresh phone"]
    assert titles(status="under_review") == ["fresh phone"]
    assert titles(status="all", hidden=True) == ["old phone"]
    page = queries.inbox(InboxFilter(status="all"), viewer_id=pm.id, now=NOW)
    assert {row.title: row.owner for row in page.rows}["week phone"] == other_pm.username
    assert page.matching == 4 and page.attention == 2


def test_inbox_search_combines_with_the_filters_pages_and_finds_hidden_ideas(app):
    pm = factories.user(role="pm")
    phones = factories.category(slug="phones")
    ids = ideas_aged({"Dark mode for the phone app": 40, "Export invoices": 30, "Sync contacts": 20},
                     category_row=phones)
    ids |= ideas_aged({"Dark mode on the desktop": 35, "Offline reading": 10})
    set_columns(ids["Sync contacts"], body="Keep the address book in step, day and night, in dark mode too.")
    set_columns(ids["Offline reading"], merged_into_id=ids["Export invoices"])
    set_idea_hidden(idea_id=ids["Dark mode on the desktop"], actor_id=pm.id, hidden=True)

    def titles(**filters) -> list[str]:
        return [row.title for row in queries.inbox(InboxFilter(**filters), viewer_id=pm.id, now=NOW).rows]

    assert titles(q="dark mode") == ["Dark mode for the phone app", "Sync contacts"]  # oldest first, body too
    assert titles(q="dark mode", older_than=30) == ["Dark mode for the phone app"]
    assert titles(q="dark -phone") == ["Sync contacts"]
    assert titles(q="dark mode", hidden=True) == ["Dark mode on the desktop"]
    assert titles(q="offline", status="all") == []  # merged away
    assert titles(q="the and of") == [] and titles(q="invoices", category="phones") == ["Export invoices"]
    first = queries.inbox(InboxFilter(q="dark mode"), viewer_id=pm.id, limit=1, now=NOW)
    rest = queries.inbox(InboxFilter(q="dark mode", cursor=first.next_cursor), viewer_id=pm.id, limit=1, now=NOW)
    assert [first.matching, rest.matching, rest.next_cursor] == [2, 2, None]
    assert [row.title for row in rest.rows] == ["Sync contacts"]
    assert queries.next_in_queue(InboxFilter(q="dark mode"), after_id=ids["Dark mode for the phone app"],
                                 viewer_id=pm.id) == ids["Sync contacts"]
    assert InboxFilter(q="dark mode").args() == {"status": "attention", "q": "dark mode"}


def test_inbox_search_of_a_common_word_ranks_only_its_newest_matches_and_says_so(app, monkeypatch):
    monkeypatch.setattr("ideaportal.ideas.queries.SEARCH_NEWEST", 3)
    pm = factories.user(role="pm")
    ids = ideas_aged({f"Calendar {number}": 50 - number for number in range(5)})
    ids |= ideas_aged({"Agenda": 1})

    page = queries.inbox(InboxFilter(q="calendar"), viewer_id=pm.id, now=NOW)
    assert [row.title for row in page.rows] == ["Calendar 2", "Calendar 3", "Calendar 4"]  # the newest, oldest first
    assert page.searched_newest == 3 and page.matching == 3
    assert [row.title for row in queries.export_rows(InboxFilter(q="calendar"), viewer_id=pm.id, now=NOW)] == [
        "Calendar 2", "Calendar 3", "Calendar 4"]
    assert queries.next_in_queue(InboxFilter(q="calendar"), after_id=ids["Calendar 0"], viewer_id=pm.id) == ids[
        "Calendar 2"]
    for within_bound in ("calendar 4", "agenda"):
        page = queries.inbox(InboxFilter(q=within_bound), viewer_id=pm.id, now=NOW)
        assert page.searched_newest is None and len(page.rows) == 1


def test_inbox_search_of_exactly_the_bound_is_not_cut(app, monkeypatch):
    monkeypatch.setattr("ideaportal.ideas.queries.SEARCH_NEWEST", 3)
    pm = factories.user(role="pm")
    ideas_aged({f"Calendar {number}": 50 - number for number in range(3)})
    page = queries.inbox(InboxFilter(q="calendar"), viewer_id=pm.id, now=NOW)
    assert page.searched_newest is None and len(page.rows) == 3


@pytest.mark.parametrize("bad", [{"status": "shipped"}, {"category": "nope"}, {"older_than": 5}])
def test_inbox_refuses_unknown_filter_values(app, bad):
    with pytest.raises(Invalid):
        queries.inbox(InboxFilter(**bad), viewer_id=1)


def test_next_in_queue_follows_the_filter_order(app):
    pm = factories.user(role="pm")
    ids = ideas_aged({"first": 30, "second": 20, "third": 10})
    services.change_status(idea_id=ids["second"], actor_id=pm.id, status_slug="new", response="Answered.")
    assert queries.next_in_queue(InboxFilter(), after_id=ids["first"], viewer_id=pm.id) == ids["third"]
    assert queries.next_in_queue(InboxFilter(status="all"), after_id=ids["first"], viewer_id=pm.id) == ids["second"]
    # An idea answered a moment ago has left the view but still marks the place in the queue.
    assert queries.next_in_queue(InboxFilter(), after_id=ids["second"], viewer_id=pm.id) == ids["third"]
    assert queries.next_in_queue(InboxFilter(), after_id=ids["third"], viewer_id=pm.id) is None


def test_filter_args_round_trip_only_what_is_set(app):
    assert InboxFilter().args() == {"status": "attention"}
    assert InboxFilter(status="all", category="phones", older_than=30, mine=True, cursor="x").args() == {
        "status": "all", "category": "phones", "older_than": 30, "mine": "1"}
    assert InboxFilter(cursor="abc").is_default and not InboxFilter(hidden=True).is_default


# Query plans


def test_the_stale_scan_and_the_attention_inbox_read_their_indexes(app):
    """On a table of realistic shape: PostgreSQL's choice on a near-empty table says nothing."""
    from tests.services.test_query_plans import plan

    seed = factories.idea()
    new, others = status_id("new"), db.session.scalars(select(Status.id).where(Status.slug != "new")).all()
    # Half the ideas are `new`, and one in fifty has been idle for more than six months.
    db.session.execute(insert(Idea), [
        {"title": "Bulk", "body": "b", "body_html": "b", "author_id": seed.author_id, "category_id": seed.category_id,
         "status_id": new if number % 2 else others[number % len(others)],
         "created_at": NOW - timedelta(days=number % 997), "updated_at": NOW,
         "last_activity_at": NOW - timedelta(days=300 if number % 50 == 1 else number % 120)}
        for number in range(2000)
    ])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE idea"))
    stale = plan(select(Idea.id).where(queries.stale_condition(months=6, now=NOW)))
    assert "ix_idea_stale" in stale, stale
    conditions = queries._conditions(InboxFilter(), viewer_id=None, now=NOW)
    inbox = plan(select(Idea.id).where(*conditions).order_by(Idea.created_at, Idea.id).limit(21))
    assert "ix_idea_triage" in inbox, inbox
