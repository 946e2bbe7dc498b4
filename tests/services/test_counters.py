"""Stored numbers against their rows: `bench seed` writes them exact, `counters check|repair` finds and fixes drift."""
import random
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import joinedload

from ideaportal import counters
from ideaportal.bench import COMMON_WORD, seed
from ideaportal.comments.services import add_comment, delete_comment
from ideaportal.errors import DomainError
from ideaportal.extensions import db
from ideaportal.ideas import services
from ideaportal.models import Comment, Idea, StatusChange, Vote
from tests import factories


def _indexes() -> set[str]:
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name != 'idea_fts'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return set(db.session.scalars(text(query)))


def _matches(word: str) -> int:
    if db.engine.dialect.name == "sqlite":
        return db.session.scalar(text("SELECT count(*) FROM idea_fts WHERE idea_fts MATCH :word"), {"word": word})
    return db.session.scalar(text("SELECT count(*) FROM idea WHERE search_vector @@ to_tsquery('english', :word)"),
                             {"word": word})


def test_bench_seed_stores_every_number_as_its_rows_say_on_both_databases(app):
    before = _indexes()
    summary = seed(ideas=400, users=40, votes_per_idea=8, comments_per_idea=4, bulk=True)
    assert "400 ideas" in summary
    assert _indexes() == before  # dropped for the load, all built again
    ideas = db.session.execute(select(Idea)).scalars().all()
    votes = db.session.execute(select(Vote.idea_id, Vote.value, Vote.created_at)).all()
    comments = db.session.execute(select(Comment.idea_id, Comment.created_at)).all()
    answers = db.session.execute(select(StatusChange.idea_id, StatusChange.created_at)
                                 .where(StatusChange.response != "")).all()
    assert len(votes) > 400 and len(comments) > 200 and len(answers) > 200
    for idea in ideas:
        own = [vote for vote in votes if vote.idea_id == idea.id]
        posted = [comment.created_at for comment in comments if comment.idea_id == idea.id]
        answered = [answer.created_at for answer in answers if answer.idea_id == idea.id]
        assert idea.upvotes == sum(vote.value == 1 for vote in own)
        assert idea.downvotes == sum(vote.value == -1 for vote in own)
        assert idea.score == sum(vote.value for vote in own)
        assert idea.comment_count == len(posted)
        assert idea.hot_rank == services.rules.hot_rank(idea.score, idea.created_at)
        assert idea.last_activity_at == max([idea.created_at, *posted, *(vote.created_at for vote in own)])
        assert idea.first_response_at == (min(answered) if answered else None)
    # Stored as the ORM stores them: a row is found by its own datetime (SQLite compares the text).
    assert db.session.scalar(select(Idea.id).where(Idea.created_at == ideas[0].created_at)) == ideas[0].id
    assert db.session.scalar(select(func.count()).where(Vote.created_at == votes[0].created_at)) >= 1
    assert _matches(COMMON_WORD) == sum(COMMON_WORD in idea.body for idea in ideas) > 100
    assert not any(idea.status.slug == "duplicate" for idea in db.session.scalars(  # only a merge makes one
        select(Idea).options(joinedload(Idea.status))))
    assert counters.check() == []


def test_a_small_seed_goes_row_by_row_and_agrees_too(app):
    seed(ideas=50, users=5, votes_per_idea=4, comments_per_idea=2)
    assert _matches(COMMON_WORD) > 0
    assert counters.check() == []


def test_counters_check_reports_each_kind_of_drift_and_repair_fixes_it(app, runner):
    seed(ideas=60, users=8, votes_per_idea=6, comments_per_idea=3)
    answered = db.session.scalar(select(func.min(StatusChange.idea_id)))
    db.session.execute(update(Idea).where(Idea.id == 3).values(upvotes=Idea.upvotes + 2, score=Idea.score + 2))
    db.session.execute(update(Idea).where(Idea.id == 4).values(comment_count=Idea.comment_count + 5))
    db.session.execute(update(Idea).where(Idea.id == 5).values(hot_rank=-1.0))
    db.session.execute(update(Idea).where(Idea.id == answered).values(first_response_at=None))
    db.session.execute(update(Idea).where(Idea.id == 6).values(last_activity_at=Idea.created_at))
    db.session.execute(update(Idea).where(Idea.id == 7).values(excerpt="What the body said before an edit"))
    db.session.execute(update(Idea).where(Idea.id == answered).values(status_changed_at=None))
    db.session.execute(text(  # a vote the counters never heard of, later than the idea's last activity
        "INSERT INTO vote (user_id, idea_id, value, created_at) SELECT u.id, 6, 1, i.last_activity_at "
        "FROM \"user\" u, idea i WHERE i.id = 6 AND u.id NOT IN (SELECT user_id FROM vote WHERE idea_id = 6) LIMIT 1"
    ))
    db.session.commit()

    result = runner.invoke(args=["counters", "check"])
    assert result.exit_code == 1
    found = {drift.kind: drift for drift in counters.check()}
    assert set(found) == {"votes", "comment counts", "hot rank", "first response", "last activity", "excerpts",
                          "status changed at"}
    assert found["status changed at"].ids == [answered]
    assert found["excerpts"].ids == [7]
    assert found["votes"].count == 2 and "idea 3: stored" in found["votes"].examples[0]
    assert found["comment counts"].ids == [4]
    assert 5 in found["hot rank"].ids
    assert found["first response"].ids == [answered]
    assert "votes: 2 drifted" in result.output and "idea 4: stored" in result.output

    result = runner.invoke(args=["counters", "repair"])
    assert result.exit_code == 0 and "votes: 2 repaired" in result.output
    assert counters.check() == []
    assert runner.invoke(args=["counters", "check"]).exit_code == 0


def test_a_damaged_search_index_is_reported_and_rebuilt_on_sqlite(app):
    seed(ideas=20, users=3, votes_per_idea=1)
    if db.engine.dialect.name != "sqlite":
        assert counters.check() == []  # a generated column: nothing to drift
        return
    db.session.execute(text("DELETE FROM idea_fts WHERE rowid = 2"))
    db.session.commit()
    assert [drift.kind for drift in counters.check()] == ["search index"]
    counters.repair()
    assert counters.check() == []


def test_no_drift_after_members_vote_and_comment_at_once_on_both_databases(app):
    ideas = [factories.idea().id for _ in range(4)]
    members = [factories.user().id for _ in range(6)]
    failures = []

    def work(member_id: int) -> None:
        rng = random.Random(member_id)
        with app.app_context():
            mine = []
            for _ in range(25):
                idea_id = rng.choice(ideas)
                try:
                    if rng.random() < 0.7:
                        services.cast_vote(idea_id=idea_id, voter_id=member_id, value=rng.choice([1, -1, 0]))
                    elif mine and rng.random() < 0.3:
                        delete_comment(comment_id=mine.pop(), actor_id=member_id)
                    else:
                        mine.append(add_comment(idea_id=idea_id, author_id=member_id, body="Me too, please."))
                except DomainError:
                    pass
                except Exception as error:  # noqa: BLE001 (any other failure is a finding)
                    failures.append(repr(error))
            db.session.remove()

    with ThreadPoolExecutor(len(members)) as pool:
        list(pool.map(work, members))
    assert failures == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Vote.id))) > 0
    assert counters.check() == []
