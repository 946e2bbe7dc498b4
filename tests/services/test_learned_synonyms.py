"""Merges teach the suggestions other words for the same thing, and an unmerge takes the lesson back."""
from sqlalchemy import func, select

from ideaportal.extensions import db
from ideaportal.merges import services as merges
from ideaportal.models import LearnedSynonym
from ideaportal.search import learned
from ideaportal.search.queries import ranked
from tests import factories


def test_a_merge_teaches_the_words_that_set_the_titles_apart_and_an_unmerge_forgets_them(app):
    staff = factories.user(role="admin")
    original = factories.idea(title="Quiet hours for alerts", body="No pings during the night.").id
    duplicate = factories.idea(title="Do not disturb schedule", body="Stop buzzing me after ten.").id
    factories.idea(title="Schedule a report", body="Weekly, by email.")
    db.session.commit()
    before = ranked("Disturb", "")
    assert original not in [idea.id for idea in before]

    merges.merge_idea(source_id=duplicate, target_id=original, actor_id=staff.id)
    pairs = set(db.session.execute(select(LearnedSynonym.word, LearnedSynonym.synonym)).all())
    assert ("disturb", "quiet") in pairs and ("quiet", "disturb") in pairs
    assert len(pairs) <= 2 * learned.PER_SIDE ** 2
    assert learned.expand({"disturbing": 1.0})["quiet"] == learned.PER_MERGE
    assert original in [idea.id for idea in ranked("Disturb", "")]  # found through "quiet", "hours", "alerts"

    merges.unmerge_idea(idea_id=duplicate, actor_id=staff.id)
    assert db.session.scalar(select(func.count()).select_from(LearnedSynonym)) == 0
    assert learned.expand({"disturb": 1.0}) == {}


def test_agreeing_merges_make_a_stronger_hint_but_never_a_word(app):
    staff = factories.user(role="admin")
    for number in range(4):
        target = factories.idea(title=f"Kanban board {number}", body="Columns.").id
        source = factories.idea(title=f"Trello style cards {number}", body="Lanes.").id
        merges.merge_idea(source_id=source, target_id=target, actor_id=staff.id)
    assert learned.expand({"trello": 1.0})["kanban"] == learned.MAX_WEIGHT
    assert learned.expand({"trello": 0.5})["kanban"] == learned.MAX_WEIGHT * 0.5
