"""Storm Sessions: states by dates, ideas only while open, votes final after close, the vote budget."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select, update

from ideaportal import demo
from ideaportal.campaigns import queries, rules, services
from ideaportal.errors import Conflict, Invalid, NotFound
from ideaportal.extensions import db
from ideaportal.ideas import services as idea_services
from ideaportal.models import AuditEntry, Campaign, Idea, User, Vote, utcnow
from ideaportal.triage.services import change_status
from tests import factories

START = datetime(2030, 3, 1, 9, 0, tzinfo=timezone.utc)
END = datetime(2030, 3, 15, 17, 0, tzinfo=timezone.utc)


def session_values(**overrides) -> dict:
    return {"title": "Mobile week", "slug": "", "question": "What would you change in the app?",
            "description": "Tell us *everything*.", "category_id": None, "starts_at": START, "ends_at": END,
            "voting_after_close": False, "vote_budget": None, **overrides}


def close(campaign_id: int) -> None:
    """Move a session's end into the past (its start too, to keep the start before the end)."""
    now = utcnow()
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                       .values(starts_at=now - timedelta(days=10), ends_at=now - timedelta(minutes=1)))
    db.session.commit()


def score(idea_id: int) -> int:
    return db.session.scalar(select(Idea.score).where(Idea.id == idea_id))


def votes_of(user_id: int) -> dict[int, int]:
    return dict(db.session.execute(select(Vote.idea_id, Vote.value).where(Vote.user_id == user_id)).all())


# States and the staff's use cases ------------------------------------------------------------

@pytest.mark.parametrize("now, state", [
    (START - timedelta(seconds=1), "upcoming"),
    (START, "active"),
    (END - timedelta(seconds=1), "active"),
    (END, "closed"),
    (END + timedelta(days=300), "closed"),
])
def test_a_session_is_upcoming_then_active_from_its_start_and_closed_at_its_end(now, state):
    assert rules.campaign_state(starts_at=START, ends_at=END, now=now) == state


def test_the_list_sorts_sessions_by_state_with_their_public_idea_counts(app):
    now = utcnow()
    active = factories.campaign(title="Active", ends_at=now + timedelta(days=3))
    ending_later = factories.campaign(title="Ending later", ends_at=now + timedelta(days=9))
    upcoming = factories.campaign(title="Upcoming", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=5))
    past = factories.campaign(title="Past", starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=20))
    factories.campaign_idea(active)
    hidden = factories.campaign_idea(active)
    db.session.execute(update(Idea).where(Idea.id == hidden.id).values(is_hidden=True))
    db.session.commit()

    lists = queries.list_campaigns(now=now)
    assert [(row.campaign.id, row.state, row.ideas) for row in lists.active] == [
        (active.id, "active", 1), (ending_later.id, "active", 0)]
    assert [row.campaign.id for row in lists.upcoming] == [upcoming.id]
    assert [(row.campaign.id, row.state) for row in lists.past] == [(past.id, "closed")]
    later = queries.list_campaigns(now=now + timedelta(days=4))  # the same rows, another moment
    assert [row.campaign.id for row in later.active] == [upcoming.id, ending_later.id]
    assert [row.campaign.id for row in later.past] == [active.id, past.id]


def test_creating_a_session_derives_the_slug_renders_markdown_and_is_audited(app):
    pm = factories.user(role="pm")
    campaign = services.create_campaign(actor_id=pm.id, **session_values(title="Mobile week: Ünïcode!"))
    assert campaign.slug == "mobile-week-unicode"
    assert campaign.description_html.strip() == "<p>Tell us <em>everything</em>.</p>"
    assert campaign.created_by_id == pm.id
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.target_id) == ("campaign.create", pm.id, campaign.id)
    assert entry.after["starts_at"] == "2030-03-01T09:00:00+00:00" and entry.after["vote_budget"] is None


@pytest.mark.parametrize("overrides, field", [
    ({"ends_at": START}, "ends_at"),
    ({"ends_at": START - timedelta(hours=1)}, "ends_at"),
    ({"starts_at": START.replace(tzinfo=None)}, "starts_at"),
    ({"slug": "Not a slug!"}, "slug"),
    ({"vote_budget": 0}, "vote_budget"),
    ({"title": "   "}, "title"),
    ({"question": ""}, "question"),
    ({"category_id": 999_999}, "category_id"),
])
def test_a_session_with_bad_values_is_refused_naming_the_field(app, overrides, field):
    with pytest.raises(Invalid) as refused:
        services.create_campaign(actor_id=None, **session_values(**overrides))
    assert refused.value.field == field
    assert db.session.scalar(select(func.count(Campaign.id))) == 0


def test_slugs_are_unique(app):
    first = services.create_campaign(actor_id=None, **session_values())
    with pytest.raises(Conflict) as taken:
        services.create_campaign(actor_id=None, **session_values())  # the same title, so the same slug
    assert taken.value.field == "slug"
    other = services.create_campaign(actor_id=None, **session_values(slug="mobile-week-2"))
    with pytest.raises(Conflict):
        services.update_campaign(campaign_id=other.id, actor_id=None, **session_values(slug=first.slug))
    assert db.session.get(Campaign, other.id).slug == "mobile-week-2"


def test_an_update_records_only_what_changed(app):
    pm = factories.user(role="pm")
    campaign = services.create_campaign(actor_id=pm.id, **session_values())
    services.update_campaign(campaign_id=campaign.id, actor_id=pm.id,
                             **session_values(slug="mobile-week", vote_budget=10, description="New **text**"))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.update")).one()
    assert entry.before == {"description": "Tell us *everything*.", "vote_budget": None}
    assert entry.after == {"description": "New **text**", "vote_budget": 10}
    assert "<strong>text</strong>" in db.session.get(Campaign, campaign.id).description_html
    services.update_campaign(campaign_id=campaign.id, actor_id=pm.id,
                             **session_values(vote_budget=10, description="New **text**"))
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 2  # nothing changed, nothing recorded
    with pytest.raises(NotFound):
        services.update_campaign(campaign_id=campaign.id + 1, actor_id=pm.id, **session_values())


# Submitting --------------------------------------------------------------------------------

def test_an_active_session_takes_ideas_and_they_belong_to_it(app):
    campaign = factories.campaign()
    idea = factories.campaign_idea(campaign)
    assert idea.campaign_id == campaign.id and idea.score == 1


@pytest.mark.parametrize("starts_in, ends_in, message", [
    (timedelta(days=1), timedelta(days=8), "hasn't started yet"),
    (timedelta(days=-8), timedelta(minutes=-1), "takes no new ideas"),
])
def test_a_session_that_is_not_open_refuses_ideas_in_the_service(app, starts_in, ends_in, message):
    now = utcnow()
    campaign = factories.campaign(starts_at=now + starts_in, ends_at=now + ends_in)
    with pytest.raises(Conflict, match=message):
        factories.campaign_idea(campaign)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_submitting_into_a_session_that_does_not_exist_is_not_found(app):
    author, category = factories.user(), factories.category()
    with pytest.raises(NotFound):
        idea_services.submit_idea(author_id=author.id, title="Into nowhere", body="x", category_id=category.id,
                                  campaign_id=424242)


def test_the_authors_own_vote_counts_against_the_budget_and_is_left_off_when_none_remain(app):
    campaign = factories.campaign(vote_budget=1)
    member = factories.user()
    first = factories.campaign_idea(campaign, author=member)
    assert first.score == 1 and queries.votes_held(voter_id=member.id, campaign_id=campaign.id) == 1
    second = factories.campaign_idea(campaign, author=member)
    assert (second.score, second.upvotes) == (0, 0)
    assert votes_of(member.id) == {first.id: 1}


# Voting after close ---------------------------------------------------------------------------

def test_a_closed_session_without_voting_after_close_keeps_its_votes_final(app):
    campaign = factories.campaign()
    idea = factories.campaign_idea(campaign)
    voter, latecomer = factories.user(), factories.user()
    idea_services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    close(campaign.id)
    for user, value in ((latecomer, 1), (voter, 0), (voter, -1)):  # new, withdrawn, changed: all refused
        with pytest.raises(Conflict, match="votes are final"):
            idea_services.cast_vote(idea_id=idea.id, voter_id=user.id, value=value)
    assert score(idea.id) == 2 and votes_of(voter.id) == {idea.id: 1} and votes_of(latecomer.id) == {}
    assert idea_services.recount_all() == 0


def test_a_closed_session_with_voting_after_close_still_takes_votes(app):
    campaign = factories.campaign(voting_after_close=True)
    idea = factories.campaign_idea(campaign)
    close(campaign.id)
    voter = factories.user()
    tally = idea_services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    assert tally.score == 2 and tally.budget_left is None
    assert idea_services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=0).score == 1


def test_votes_outside_sessions_are_untouched(app):
    idea, voter = factories.idea(), factories.user()
    tally = idea_services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    assert tally.as_dict() == {"score": 2, "upvotes": 2, "downvotes": 0, "my_vote": 1}


# The vote budget ------------------------------------------------------------------------------

@pytest.fixture
def budgeted(app):
    """A session with a budget of 2, four ideas by other members (each with its author's vote), and a voter."""
    campaign = factories.campaign(vote_budget=2)
    ideas = [factories.campaign_idea(campaign).id for _ in range(4)]
    return campaign, ideas, factories.user().id


def test_a_member_holds_at_most_the_budget_up_or_down(budgeted):
    campaign, (a, b, c, _), voter = budgeted
    assert idea_services.cast_vote(idea_id=a, voter_id=voter, value=1).budget_left == 1
    assert idea_services.cast_vote(idea_id=b, voter_id=voter, value=-1).budget_left == 0
    with pytest.raises(Conflict, match="used all 2 of your votes"):
        idea_services.cast_vote(idea_id=c, voter_id=voter, value=1)
    assert votes_of(voter) == {a: 1, b: -1} and score(c) == 1  # the refused vote left nothing behind
    assert idea_services.cast_vote(idea_id=a, voter_id=voter, value=-1).budget_left == 0  # a flip is free
    assert idea_services.cast_vote(idea_id=a, voter_id=voter, value=-1).budget_left == 0  # so is a repeat
    assert idea_services.cast_vote(idea_id=b, voter_id=voter, value=0).budget_left == 1  # withdrawing frees one
    assert idea_services.cast_vote(idea_id=c, voter_id=voter, value=1).budget_left == 0
    assert votes_of(voter) == {a: -1, c: 1}
    assert queries.budget(db.session.get(Campaign, campaign.id), voter).left == 0
    assert idea_services.recount_all() == 0


@pytest.mark.parametrize("status, response", [("implemented", ""), ("not_planned", "Not for us, sorry.")])
def test_votes_come_back_when_an_idea_is_completed_or_declined(budgeted, status, response):
    campaign, (a, b, c, d), voter = budgeted
    pm = factories.user(role="pm")
    idea_services.cast_vote(idea_id=a, voter_id=voter, value=1)
    idea_services.cast_vote(idea_id=b, voter_id=voter, value=1)
    with pytest.raises(Conflict):
        idea_services.cast_vote(idea_id=c, voter_id=voter, value=1)
    change_status(idea_id=a, actor_id=pm.id, status_slug=status, response=response)
    assert queries.votes_held(voter_id=voter, campaign_id=campaign.id) == 1
    assert idea_services.cast_vote(idea_id=c, voter_id=voter, value=1).budget_left == 0
    assert votes_of(voter) == {a: 1, b: 1, c: 1}  # the vote on the closed idea stays on it, uncounted
    # Ideas that are under way still hold votes; a vote on a closed idea costs nothing.
    change_status(idea_id=b, actor_id=pm.id, status_slug="planned")
    with pytest.raises(Conflict):
        idea_services.cast_vote(idea_id=d, voter_id=voter, value=1)
    assert idea_services.cast_vote(idea_id=a, voter_id=voter, value=-1).budget_left == 0


def test_hidden_ideas_do_not_hold_votes(budgeted):
    _, (a, b, c, _), voter = budgeted
    idea_services.cast_vote(idea_id=a, voter_id=voter, value=1)
    idea_services.cast_vote(idea_id=b, voter_id=voter, value=1)
    db.session.execute(update(Idea).where(Idea.id == a).values(is_hidden=True))  # a moderator hid it
    db.session.commit()
    assert idea_services.cast_vote(idea_id=c, voter_id=voter, value=1).budget_left == 0


def test_a_lowered_budget_keeps_votes_but_takes_no_new_ones_until_under_it(budgeted):
    campaign, (a, b, c, _), voter = budgeted
    idea_services.cast_vote(idea_id=a, voter_id=voter, value=1)
    idea_services.cast_vote(idea_id=b, voter_id=voter, value=1)
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(vote_budget=1))
    db.session.commit()
    assert queries.budget(db.session.get(Campaign, campaign.id), voter).left == 0
    with pytest.raises(Conflict):
        idea_services.cast_vote(idea_id=c, voter_id=voter, value=1)
    assert idea_services.cast_vote(idea_id=a, voter_id=voter, value=-1).budget_left == 0
    idea_services.cast_vote(idea_id=a, voter_id=voter, value=0)
    with pytest.raises(Conflict):  # still at the budget of 1, with b
        idea_services.cast_vote(idea_id=c, voter_id=voter, value=1)


def test_two_votes_at_once_cannot_both_take_the_last_vote(app):
    """Both votes are written before either is counted; the second must see the first once it commits.

    PostgreSQL: the threads meet at a barrier after inserting their votes, then the lock on the member
    makes one count after the other has committed. SQLite: the second vote cannot write until the
    first commits (the barrier times out), which serialises them the same way.
    """
    campaign = factories.campaign(vote_budget=1)
    ideas = [factories.campaign_idea(campaign).id for _ in range(2)]  # by two authors, each with their vote
    voter = factories.user().id
    barrier = threading.Barrier(2, timeout=3)
    local = threading.local()

    def meet_after_inserting(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO VOTE") and not getattr(local, "met", False):
            local.met = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    outcomes = []

    def vote(idea_id: int) -> None:
        with app.app_context():
            try:
                outcomes.append(idea_services.cast_vote(idea_id=idea_id, voter_id=voter, value=1).budget_left)
            except Conflict:
                outcomes.append("refused")

    event.listen(db.engine, "after_cursor_execute", meet_after_inserting)
    try:
        threads = [threading.Thread(target=vote, args=(idea_id,)) for idea_id in ideas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        event.remove(db.engine, "after_cursor_execute", meet_after_inserting)
    assert sorted(outcomes, key=str) == [0, "refused"]
    assert len(votes_of(voter)) == 1
    assert sorted(score(idea_id) for idea_id in ideas) == [1, 2]
    assert idea_services.recount_all() == 0


def test_a_vote_and_an_own_vote_on_submission_at_once_cannot_both_take_the_last_vote(app):
    """The new idea is written before the author's budget is counted, so it serialises like a vote does."""
    campaign = factories.campaign(vote_budget=1)
    existing = factories.campaign_idea(campaign).id
    member, category = factories.user().id, factories.category().id
    barrier = threading.Barrier(2, timeout=3)
    local = threading.local()

    def meet_after_the_first_write(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT INTO IDEA", "INSERT INTO VOTE")) \
                and not getattr(local, "met", False):
            local.met = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    outcomes = {}

    def submit() -> None:
        with app.app_context():
            outcomes["own vote"] = idea_services.submit_idea(
                author_id=member, title="Posted while voting", body="b", category_id=category,
                campaign_id=campaign.id).upvotes

    def vote() -> None:
        with app.app_context():
            try:
                outcomes["vote"] = idea_services.cast_vote(idea_id=existing, voter_id=member, value=1).my_vote
            except Conflict:
                outcomes["vote"] = "refused"

    event.listen(db.engine, "after_cursor_execute", meet_after_the_first_write)
    try:
        threads = [threading.Thread(target=submit), threading.Thread(target=vote)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        event.remove(db.engine, "after_cursor_execute", meet_after_the_first_write)
    assert outcomes in ({"own vote": 1, "vote": "refused"}, {"own vote": 0, "vote": 1})
    assert len(votes_of(member)) == 1
    assert idea_services.recount_all() == 0


def test_the_demo_sessions_respect_their_budget(app):
    demo.load()
    first_week = db.session.scalar(select(Campaign).where(Campaign.slug == "first-week"))
    members = db.session.scalars(select(User.id)).all()
    held = [queries.votes_held(voter_id=member, campaign_id=first_week.id) for member in members]
    assert max(held) <= first_week.vote_budget == 5 and sum(held) > 20
    past = db.session.scalar(select(Campaign).where(Campaign.slug == "accessibility-month"))
    page = queries.campaign_page(past.slug, sort="top", cursor=None, viewer_id=None, limit=20, now=utcnow())
    assert page.state == "closed" and len(page.results) == 5
    assert all(result.response_html for result in page.results)
