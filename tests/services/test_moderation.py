"""Reports (flags): once per member and item, never one's own; staff dismiss them or hide the item."""
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from ideaportal import rules
from ideaportal.comments import services as comments
from ideaportal.errors import Conflict, Invalid, NotFound, PermissionDenied
from ideaportal.extensions import db
from ideaportal.models import AuditEntry, Comment, Flag, Idea, utcnow
from ideaportal.moderation import queries, services
from tests import factories


def flags_on(**target) -> list[Flag]:
    db.session.expire_all()
    column, target_id = next(iter(target.items()))
    return list(db.session.scalars(select(Flag).where(getattr(Flag, column) == target_id).order_by(Flag.id)))


def audit_rows(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def report(idea_id=None, comment_id=None, *, reason="spam", note="", reporter=None):
    reporter = reporter or factories.user()
    if idea_id is not None:
        return services.flag_idea(idea_id=idea_id, reporter_id=reporter.id, reason=reason, note=note)
    return services.flag_comment(comment_id=comment_id, reporter_id=reporter.id, reason=reason, note=note)


def set_flag_times(flag_ids: list[int], start):
    """Give flags distinct, known dates (inserts in one test can share a clock tick)."""
    for offset, flag_id in enumerate(flag_ids):
        moment = start + timedelta(minutes=offset)
        db.session.execute(update(Flag).where(Flag.id == flag_id).values(created_at=moment))
    db.session.commit()


# Rules (no database)

def test_a_report_needs_a_listed_reason_and_a_short_note():
    rules.check_flag_report(reason="off_topic", note="x" * rules.FLAG_NOTE_MAX)
    with pytest.raises(Invalid) as error:
        rules.check_flag_report(reason="boring", note="")
    assert error.value.field == "reason"
    with pytest.raises(Invalid) as error:
        rules.check_flag_report(reason="spam", note="x" * (rules.FLAG_NOTE_MAX + 1))
    assert error.value.field == "note"


def test_nobody_reports_their_own_content():
    rules.check_can_flag(reporter_id=1, author_id=2, what="idea")
    with pytest.raises(PermissionDenied, match="your own comment"):
        rules.check_can_flag(reporter_id=3, author_id=3, what="comment")


# Reporting

def test_a_member_reports_an_idea_once_and_a_second_report_is_refused_cleanly(app):
    idea, reporter = factories.idea(), factories.user()
    flagged = services.flag_idea(idea_id=idea.id, reporter_id=reporter.id, reason="offensive", note="  Rude.  ")
    assert flagged.idea_id == idea.id
    # The second insert hits the unique constraint: the same path a second tab racing the first takes.
    with pytest.raises(Conflict, match="You've already reported this; the moderators will look at it."):
        services.flag_idea(idea_id=idea.id, reporter_id=reporter.id, reason="spam")
    [flag] = flags_on(idea_id=idea.id)
    assert (flag.id, flag.reporter_id, flag.reason, flag.note, flag.resolved_at) == (
        flagged.id, reporter.id, "offensive", "Rude.", None)
    # The session is usable afterwards, and other members may still report it.
    report(idea.id)
    assert len(flags_on(idea_id=idea.id)) == 2


def test_reporting_a_comment_is_separate_from_reporting_its_idea(app):
    idea, reporter = factories.idea(), factories.user()
    comment_id = comments.add_comment(idea_id=idea.id, author_id=factories.user().id, body="Buy cheap pills")
    report(idea.id, reporter=reporter)
    flagged = report(comment_id=comment_id, reporter=reporter)
    assert flagged.idea_id == idea.id
    with pytest.raises(Conflict):
        report(comment_id=comment_id, reporter=reporter)
    assert len(flags_on(comment_id=comment_id)) == 1 and len(flags_on(idea_id=idea.id)) == 1


def test_members_cannot_report_their_own_idea_or_comment(app):
    idea_author, comment_author = factories.user(), factories.user()
    idea = factories.idea(author=idea_author)
    own = comments.add_comment(idea_id=idea.id, author_id=comment_author.id, body="My comment")
    with pytest.raises(PermissionDenied, match="You can't report your own idea."):
        report(idea.id, reporter=idea_author)
    with pytest.raises(PermissionDenied, match="You can't report your own comment."):
        report(comment_id=own, reporter=comment_author)
    assert db.session.scalars(select(Flag)).all() == []


def test_staff_may_report_too(app):
    idea = factories.idea()
    assert report(idea.id, reporter=factories.user(role="pm")).id


def test_hidden_merged_deleted_or_missing_items_cannot_be_reported(app):
    staff, idea, target = factories.user(role="pm"), factories.idea(), factories.idea()
    merged = factories.idea()
    db.session.execute(update(Idea).where(Idea.id == merged.id).values(merged_into_id=target.id))
    db.session.commit()
    hidden_comment = comments.add_comment(idea_id=idea.id, author_id=target.author_id, body="Hidden")
    deleted_comment = comments.add_comment(idea_id=idea.id, author_id=target.author_id, body="Deleted")
    on_hidden_idea = comments.add_comment(idea_id=idea.id, author_id=target.author_id, body="On a hidden idea")
    services.set_comment_hidden(comment_id=hidden_comment, actor_id=staff.id, hidden=True)
    comments.delete_comment(comment_id=deleted_comment, actor_id=target.author_id)
    services.set_idea_hidden(idea_id=idea.id, actor_id=staff.id, hidden=True)
    for kwargs in ({"idea_id": idea.id}, {"idea_id": merged.id}, {"idea_id": 999_999},
                   {"comment_id": hidden_comment}, {"comment_id": deleted_comment},
                   {"comment_id": on_hidden_idea}, {"comment_id": 999_999}):
        with pytest.raises(NotFound):
            report(**kwargs)
    assert db.session.scalars(select(Flag)).all() == []


def test_a_member_who_reported_an_item_that_was_hidden_since_hears_it_is_gone(app):
    idea, reporter = factories.idea(), factories.user()
    report(idea.id, reporter=reporter)
    services.hide_flagged_idea(idea_id=idea.id, actor_id=factories.user(role="pm").id)
    with pytest.raises(NotFound):
        report(idea.id, reporter=reporter)


def test_a_bad_reason_or_a_long_note_writes_nothing(app):
    idea = factories.idea()
    with pytest.raises(Invalid):
        report(idea.id, reason="because")
    with pytest.raises(Invalid):
        report(idea.id, note="n" * 501)
    assert db.session.scalars(select(Flag)).all() == []


# Staff decisions

def test_dismissing_resolves_exactly_the_open_reports_of_that_item(app):
    staff, idea, other = factories.user(role="pm"), factories.idea(), factories.idea()
    comment_id = comments.add_comment(idea_id=idea.id, author_id=other.author_id, body="A comment")
    old = report(idea.id)
    services.dismiss_idea_flags(idea_id=idea.id, actor_id=staff.id)  # an earlier decision
    earlier_resolved_at = flags_on(idea_id=idea.id)[0].resolved_at
    for target in ({"idea_id": idea.id}, {"idea_id": idea.id}, {"idea_id": other.id}, {"comment_id": comment_id}):
        report(**target)

    assert services.dismiss_idea_flags(idea_id=idea.id, actor_id=staff.id) == 2

    on_idea = flags_on(idea_id=idea.id)
    assert [flag.id for flag in on_idea][0] == old.id
    assert on_idea[0].resolved_at == earlier_resolved_at  # the earlier decision is left alone
    assert all(flag.resolution == "dismissed" and flag.resolved_by_id == staff.id for flag in on_idea)
    assert all(flag.resolved_at is None for flag in flags_on(idea_id=other.id) + flags_on(comment_id=comment_id))
    assert not db.session.get(Idea, idea.id).is_hidden
    entries = audit_rows("flag.dismiss")
    latest = entries[-1]
    assert (latest.actor_id, latest.target_type, latest.target_id, latest.before, latest.after) == (
        staff.id, "idea", idea.id, {"open_flags": 2}, {"open_flags": 0, "resolution": "dismissed"})
    assert len(entries) == 2


def test_dismissing_when_nothing_is_open_changes_nothing(app):
    idea = factories.idea()
    assert services.dismiss_idea_flags(idea_id=idea.id, actor_id=None) == 0
    assert audit_rows("flag.dismiss") == []
    with pytest.raises(NotFound):
        services.dismiss_idea_flags(idea_id=999_999, actor_id=None)
    with pytest.raises(NotFound):
        services.dismiss_comment_flags(comment_id=999_999, actor_id=None)


def test_hiding_a_comment_resolves_its_reports_and_hides_it_in_one_commit(app):
    staff, idea = factories.user(role="pm"), factories.idea()
    comment_id = comments.add_comment(idea_id=idea.id, author_id=factories.user().id, body="Spam spam")
    other_comment = comments.add_comment(idea_id=idea.id, author_id=factories.user().id, body="Fine")
    report(comment_id=comment_id)
    report(comment_id=comment_id, reason="offensive")
    report(comment_id=other_comment)
    commits = []

    def count_commit(session):
        commits.append(session)

    event.listen(db.session.registry(), "after_commit", count_commit)
    try:
        assert services.hide_flagged_comment(comment_id=comment_id, actor_id=staff.id) == 2
    finally:
        event.remove(db.session.registry(), "after_commit", count_commit)
    assert len(commits) == 1
    db.session.expire_all()
    assert db.session.get(Comment, comment_id).is_hidden
    assert db.session.get(Idea, idea.id).comment_count == 1
    decisions = {(flag.resolution, flag.resolved_by_id) for flag in flags_on(comment_id=comment_id)}
    assert decisions == {("hidden", staff.id)}
    assert flags_on(comment_id=other_comment)[0].resolved_at is None
    [entry] = audit_rows("flag.hide")
    assert (entry.target_type, entry.target_id, entry.before) == ("comment", comment_id, {"open_flags": 2})
    assert len(audit_rows("comment.hide")) == 1


def test_hiding_an_idea_resolves_its_reports_and_a_failure_leaves_everything_as_it_was(app, monkeypatch):
    staff, idea = factories.user(role="pm"), factories.idea()
    report(idea.id)

    def broken(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.hide_flagged_idea(idea_id=idea.id, actor_id=staff.id)
    db.session.rollback()
    monkeypatch.undo()
    assert not db.session.get(Idea, idea.id).is_hidden  # nothing was committed half way
    assert flags_on(idea_id=idea.id)[0].resolved_at is None

    assert services.hide_flagged_idea(idea_id=idea.id, actor_id=staff.id) == 1
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).is_hidden
    assert flags_on(idea_id=idea.id)[0].resolution == "hidden"
    assert [entry.action for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [
        "idea.hide", "flag.hide"]
    with pytest.raises(NotFound):
        services.hide_flagged_idea(idea_id=999_999, actor_id=staff.id)


# The queue

def test_the_queue_groups_open_reports_by_item_most_reported_then_longest_waiting(app):
    author = factories.user(username="poster")
    busy, waiting, newer, settled = (factories.idea(author=author, title=f"Idea {name}")
                                     for name in ("busy", "waiting", "newer", "settled"))
    comment_id = comments.add_comment(idea_id=busy.id, author_id=author.id, body="Visit **my shop** now")
    start = utcnow() - timedelta(days=3)
    reporters = [factories.user(username=f"reporter{number}") for number in range(3)]
    flag_ids = [
        report(newer.id, reporter=reporters[0]).id,
        report(waiting.id, reporter=reporters[0], reason="off_topic").id,
        report(comment_id=comment_id, reporter=reporters[0], note="Advertising").id,
        report(comment_id=comment_id, reporter=reporters[1]).id,
        report(comment_id=comment_id, reporter=reporters[2], reason="offensive", note="And rude").id,
        report(settled.id, reporter=reporters[0]).id,
    ]
    set_flag_times(flag_ids, start)
    # Give `waiting` its oldest flag and `newer` a second one, so both have two open reports.
    db.session.execute(update(Flag).where(Flag.id == flag_ids[1]).values(created_at=start - timedelta(days=1)))
    db.session.commit()
    report(newer.id, reporter=reporters[1])
    report(waiting.id, reporter=reporters[1])
    services.dismiss_idea_flags(idea_id=settled.id, actor_id=None)

    page = queries.open_flag_queue()
    assert [(group.kind, group.target_id, group.open_flags) for group in page.items] == [
        ("comment", comment_id, 3), ("idea", waiting.id, 2), ("idea", newer.id, 2)]
    assert page.total == 3 and page.pages == 1
    top = page.items[0]
    assert (top.idea_id, top.idea_title, top.author) == (busy.id, "Idea busy", "poster")
    assert top.excerpt == "Visit my shop now"  # Markdown dropped
    assert top.reasons == [("spam", 2), ("offensive", 1)]
    assert [(note.note, note.reporter, note.reason) for note in top.notes] == [
        ("Advertising", "reporter0", "spam"), ("And rude", "reporter2", "offensive")]
    assert top.first_flagged_at == start + timedelta(minutes=2)
    assert top.states == []
    assert page.items[1].reasons == [("spam", 1), ("off_topic", 1)]  # ties keep the form's order
    assert page.items[1].first_flagged_at == start - timedelta(days=1)


def test_the_queue_says_when_a_reported_item_is_already_out_of_public_view(app):
    staff, idea = factories.user(role="pm"), factories.idea()
    comment_id = comments.add_comment(idea_id=idea.id, author_id=factories.user().id, body="Gone soon")
    report(idea.id)
    report(comment_id=comment_id)
    comments.delete_comment(comment_id=comment_id, actor_id=db.session.get(Comment, comment_id).author_id)
    services.set_idea_hidden(idea_id=idea.id, actor_id=staff.id, hidden=True)
    states = {group.kind: group.states for group in queries.open_flag_queue().items}
    assert states == {"idea": ["hidden"], "comment": ["deleted", "idea hidden"]}


def test_the_queue_pages_by_twenty_items(app):
    category = factories.category()
    ideas = [factories.idea(category_row=category) for _ in range(queries.PAGE_SIZE + 1)]
    for idea in ideas:
        report(idea.id)
    first, second = queries.open_flag_queue(1), queries.open_flag_queue(2)
    assert len(first.items) == queries.PAGE_SIZE and len(second.items) == 1
    assert first.total == second.total == queries.PAGE_SIZE + 1 and first.pages == 2
    assert {group.target_id for group in first.items + second.items} == {idea.id for idea in ideas}
    assert queries.open_flag_queue(3).items == []


def test_hidden_content_lists_hidden_ideas_and_comments_newest_first(app):
    staff, idea, shown = factories.user(role="pm"), factories.idea(title="Hidden idea"), factories.idea()
    comment_id = comments.add_comment(idea_id=shown.id, author_id=factories.user(username="commenter").id,
                                      body="A *hidden* comment")
    comments.add_comment(idea_id=shown.id, author_id=staff.id, body="A visible comment")
    services.set_idea_hidden(idea_id=idea.id, actor_id=staff.id, hidden=True)
    services.set_comment_hidden(comment_id=comment_id, actor_id=staff.id, hidden=True)
    page = queries.hidden_content()
    assert [(item.kind, item.target_id) for item in page.items] == [("comment", comment_id), ("idea", idea.id)]
    comment = page.items[0]
    assert (comment.idea_id, comment.idea_title, comment.author, comment.excerpt) == (
        shown.id, shown.title, "commenter", "A hidden comment")
    assert (comment.deleted, comment.idea_hidden) == (False, False)
    assert page.items[1].idea_title == "Hidden idea" and page.total == 2
    services.set_idea_hidden(idea_id=idea.id, actor_id=staff.id, hidden=False)
    assert [item.kind for item in queries.hidden_content().items] == ["comment"]
