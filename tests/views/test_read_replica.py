"""The read replica (ideaportal/replica/): the replica here is a second database holding a copy of the primary
made before the test's writes, so it lags, and what a page shows says which database it read."""
import sqlite3
from contextlib import closing
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine, false, func, select, text, update

from ideaportal import cache, create_app
from ideaportal.extensions import db
from ideaportal.models import Idea, Vote
from ideaportal.replica import routing
from ideaportal.replica.session import READS_FROM_REPLICA
from tests import factories
from tests.conftest import build_app, fresh_database, migrate
from tests.views.test_page_cache import score_on

LAG = 5
UNREACHABLE = {"sqlite": "sqlite:///{tmp}/no-such-folder/replica.sqlite3",
               "postgresql": "postgresql+psycopg://nobody@127.0.0.1:1/nothing"}


@pytest.fixture(scope="session", name="replica_url")
def fixture_replica_url(backend, tmp_path_factory):
    """A second migrated database on the same backend, the replica's."""
    with fresh_database(backend, tmp_path_factory.mktemp("replica")) as url:
        migrate(build_app(url))
        yield url


def replicate(primary_url: str, replica_url: str) -> None:
    """The replica catches up: it becomes a copy of the primary, as replication would leave it."""
    if primary_url.startswith("sqlite"):
        with (closing(sqlite3.connect(primary_url.removeprefix("sqlite:///"))) as primary,
              closing(sqlite3.connect(replica_url.removeprefix("sqlite:///"))) as replica):
            primary.backup(replica)
        return
    source, target = schema_of(primary_url), schema_of(replica_url)
    engine = create_engine(primary_url)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # no triggers: rows as they are
        tables = connection.scalars(text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"
                                         " AND table_type = 'BASE TABLE'"), {"s": source}).all()
        for table in tables:
            columns = ", ".join(f'"{name}"' for name in connection.scalars(text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = :s AND table_name = :t"
                " AND is_generated = 'NEVER'"), {"s": source, "t": table}))
            connection.execute(text(f'DELETE FROM "{target}"."{table}"'))
            connection.execute(text(f'INSERT INTO "{target}"."{table}" ({columns}) SELECT {columns}'
                                    f' FROM "{source}"."{table}"'))
    engine.dispose()


def schema_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["options"][0].removeprefix("-csearch_path=")


@pytest.fixture(name="served")
def fixture_served(app, database_url, replica_url):
    """The app as served with a replica: `served(**settings)` builds it; its engines are closed afterwards."""
    apps = []

    def serve(**settings):
        apps.append(build_app(database_url, **{"REPLICA_DATABASE_URI": replica_url, "REPLICA_LAG_SECONDS": LAG, **settings}))
        with apps[-1].app_context():
            cache.clear()
        return apps[-1]

    yield serve
    for served in apps:
        with served.app_context():
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(name="clock")
def fixture_clock(monkeypatch):
    """The replica's clock, moved on by hand: `clock.later(seconds)`."""
    class Clock:
        offset = 0.0

        def later(self, seconds: float) -> None:
            self.offset += seconds

    clock = Clock()
    real = routing.now
    monkeypatch.setattr(routing, "now", lambda: real() + clock.offset)
    return clock


def login(client, user):
    assert client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return client


def votes_by(user_id: int, url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Vote).where(Vote.user_id == user_id))
    finally:
        engine.dispose()


def test_visitors_read_the_replica_and_a_voter_reads_the_primary_until_the_lag_has_passed(
        served, database_url, replica_url, clock):
    idea = factories.idea(title="Dark mode for the dashboard")
    voter = factories.user(username="voter")
    replicate(database_url, replica_url)
    factories.idea(title="Written after the copy")
    site = served()
    visitor = site.test_client()
    for path in ["/ideas?sort=new", "/ideas?q=written+copy", "/", "/roadmap", "/users/voter", "/feeds/ideas.atom"]:
        page = visitor.get(path)
        assert page.status_code == 200 and "Set-Cookie" not in page.headers, path
        assert "Written after the copy" not in page.text, path
    assert "Dark mode for the dashboard" in visitor.get("/ideas?q=dark+mode").text
    score = score_on(visitor.get("/ideas?sort=new").text, idea.id)

    member = login(site.test_client(), voter)
    voted = member.post(f"/ideas/{idea.id}/vote", data={"value": "1"})
    assert voted.status_code == 302 and routing.READ_PRIMARY in voted.headers["Set-Cookie"]
    assert votes_by(voter.id, database_url) == 1 and votes_by(voter.id, replica_url) == 0

    own = member.get("/ideas?sort=new").text
    assert score_on(own, idea.id) == score + 1 and "Written after the copy" in own
    assert "Written after the copy" in member.get("/ideas?q=written+copy").text
    assert score_on(visitor.get("/ideas?sort=new").text, idea.id) == score
    assert score_on(login(site.test_client(), factories.user()).get("/ideas?sort=new").text, idea.id) == score
    clock.later(LAG)
    assert score_on(member.get("/ideas?sort=new").text, idea.id) == score  # the replica again, still lagging


def test_the_session_check_and_the_staff_read_the_primary(served, database_url, replica_url):
    member, pm = factories.user(username="leaving"), factories.user(username="petra", role="pm")
    site = served()
    browser, staff = login(site.test_client(), member), login(site.test_client(), pm)
    copied_cookie = browser.get_cookie("session").value
    replicate(database_url, replica_url)  # the replica still holds both sessions open
    assert browser.post("/auth/logout").status_code == 302
    replayed = site.test_client()
    replayed.set_cookie("session", copied_cookie)
    page = replayed.get("/ideas").text
    assert 'action="/auth/logout"' not in page and "Log in" in page

    factories.idea(title="Written after the copy")
    assert "Written after the copy" not in site.test_client().get("/ideas?sort=new").text
    assert "Written after the copy" in staff.get("/ideas?sort=new").text
    assert "Written after the copy" in staff.get("/admin").text


def test_an_unreachable_replica_leaves_the_pages_to_the_primary_and_is_logged_once(
        served, backend, tmp_path, caplog):
    factories.idea(title="Dark mode for the dashboard")
    site = served(REPLICA_DATABASE_URI=UNREACHABLE[backend].format(tmp=tmp_path))
    visitor = site.test_client()
    for _ in range(2):
        page = visitor.get("/ideas")
        assert page.status_code == 200 and "Dark mode for the dashboard" in page.text
    assert [record.message.startswith("replica unreachable") for record in caplog.records].count(True) == 1
    ready = visitor.get("/readyz")
    assert ready.status_code == 200 and ready.text == "ready\nreplica: unreachable (OperationalError), pages read the primary\n"


def test_readyz_names_a_reachable_replica(served):
    ready = served().test_client().get("/readyz")
    assert ready.status_code == 200 and ready.text == "ready\nreplica: ready\n"


def test_a_visitors_page_kept_from_the_lagging_replica_gives_way_once_the_lag_has_passed(
        served, database_url, replica_url, clock):
    idea = factories.idea(title="Dark mode for the dashboard")
    voter = factories.user()
    replicate(database_url, replica_url)
    site = served(PAGE_CACHE_SECONDS=60)
    visitor = site.test_client()
    first = visitor.get("/ideas")
    assert "Set-Cookie" not in first.headers and first.headers["ETag"]
    score = score_on(first.text, idea.id)
    assert login(site.test_client(), voter).post(f"/ideas/{idea.id}/vote", data={"value": "1"}).status_code == 302
    assert score_on(visitor.get("/ideas").text, idea.id) == score  # a new generation, rendered from the replica
    replicate(database_url, replica_url)  # the replica catches up...
    assert score_on(visitor.get("/ideas").text, idea.id) == score  # ...but that page is kept
    clock.later(LAG)
    assert score_on(visitor.get("/ideas").text, idea.id) == score + 1


def test_a_member_who_voted_sees_it_though_other_members_share_a_page_from_the_lagging_replica(
        served, database_url, replica_url):
    idea = factories.idea(title="Dark mode for the dashboard")
    voter, other = factories.user(), factories.user()
    replicate(database_url, replica_url)
    site = served(PAGE_CACHE_SECONDS=60)
    voting, reading = login(site.test_client(), voter), login(site.test_client(), other)
    reading.get("/ideas")
    score = score_on(reading.get("/ideas").text, idea.id)  # members' shared page (personal.py)
    assert voting.post(f"/ideas/{idea.id}/vote", data={"value": "1"}).status_code == 302
    voting.get("/ideas")  # (with the vote's message, if any)
    assert score_on(reading.get("/ideas").text, idea.id) == score  # kept anew, from the replica
    assert score_on(voting.get("/ideas").text, idea.id) == score + 1  # the voter's own, from the primary


def test_a_request_reads_the_replica_until_it_writes_and_the_primary_after(served, database_url, replica_url):
    factories.idea(title="Dark mode for the dashboard")
    replicate(database_url, replica_url)
    factories.idea(title="Written after the copy")
    with served().test_request_context("/ideas"):
        db.session.info[READS_FROM_REPLICA] = True
        count = text("SELECT count(*) FROM idea")
        assert db.session.scalar(count) == 1 and db.session.scalar(select(func.count(Idea.id))) == 1
        assert len(db.session.scalars(select(Idea.id).with_for_update()).all()) == 2  # read to write: the primary
        db.session.info[READS_FROM_REPLICA] = True
        db.session.execute(update(Idea).where(false()).values(title="nothing"))
        assert db.session.scalar(count) == 2 and db.session.info[READS_FROM_REPLICA] is False
        db.session.rollback()


def test_without_a_replica_a_write_sets_no_cookie(client):
    idea, voter = factories.idea(), factories.user()
    voted = login(client, voter).post(f"/ideas/{idea.id}/vote", data={"value": "1"})
    assert voted.status_code == 302 and routing.READ_PRIMARY not in voted.headers.get("Set-Cookie", "")


def test_a_replica_of_another_kind_of_database_is_refused(tmp_path):
    with pytest.raises(ValueError, match="The replica must be a sqlite database, as the primary is."):
        build_app(f"sqlite:///{tmp_path / 'primary.sqlite3'}", REPLICA_DATABASE_URI="postgresql://nobody@127.0.0.1:1/x")


def test_the_environment_names_the_replica_as_it_names_the_primary(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@primary-host/ideaportal")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgresql://app@replica-host/ideaportal")
    app = create_app({"TESTING": True})
    assert app.config["REPLICA_DATABASE_URI"] == "postgresql+psycopg://app@replica-host/ideaportal"
    with app.app_context():
        replica = db.engines[routing.BIND]
        assert replica.url.host == "replica-host" and replica.dialect.driver == "psycopg"
        assert db.engine.url.host == "primary-host"
