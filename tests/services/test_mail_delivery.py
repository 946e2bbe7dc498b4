"""Email is never lost: a real SMTP server (aiosmtpd) in the test, the real job engine (Huey), real workers."""
import email
import os
import subprocess
import sys
import time
import uuid
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select, update

from ideaportal.comments.services import add_comment
from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote
from ideaportal.jobs import jobs
from ideaportal.models import Idea, OutboxMessage, Status, utcnow
from ideaportal.moderation.services import set_comment_hidden
from ideaportal.triage.services import change_status
from tests import factories
from tests.conftest import build_app, skip_or_fail
from tests.mail_server import fixture_smtp, run_jobs  # noqa: F401 (fixture smtp)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def answered(app):
    """An idea whose author, a voter and a commenter follow it; a PM then answers it publicly."""
    author, voter, commenter = (factories.user() for _ in range(3))
    pm = factories.user(role="pm", username="pm_petra")
    idea = factories.idea(author=author, title="Dark theme")
    cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    add_comment(idea_id=idea.id, author_id=commenter.id, body="Yes!")
    jobs().huey.flush()  # the comment's notifications wait for the digest: nothing to send
    return idea, (author, voter, commenter), pm


def test_a_public_answer_reaches_the_author_a_voter_and_a_commenter_exactly_once(app, smtp, answered):
    idea, members, pm = answered
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Coming in **May**.")
    run_jobs(app)
    run_jobs(app)  # running again sends nothing more
    assert sorted(message["To"] for message in smtp.inbox.messages) == sorted(member.email for member in members)
    message = smtp.inbox.to(members[1].email)[0]
    assert message["Subject"] == "pm_petra moved “Dark theme” to Planned"
    assert message["From"] == "Portal <portal@example.com>"
    assert message["Message-ID"].startswith("<outbox-") and message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert all(b"\nList-Unsubscribe: <http://127.0.0.1:5000/unsubscribe/" in raw for raw in smtp.inbox.raw)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Coming in May." in text and f"http://127.0.0.1:5000/ideas/{idea.id}-dark-theme#status-change-" in text
    assert "Coming in May." in html and "<a href=" in html
    for other in members:  # nobody else's address appears in a member's mail
        if other is not members[1]:
            assert other.email not in message.as_string()
    assert {row.state for row in db.session.scalars(select(OutboxMessage))} == {"sent"}


def test_with_smtp_down_the_change_commits_and_the_mail_arrives_once_it_is_back(app, smtp, answered):
    idea, members, pm = answered
    smtp.stop()
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Soon.")
    huey = jobs().huey
    for task in [huey.dequeue()]:  # one attempt while the server is down
        huey.execute(task)
    db.session.expire_all()
    assert db.session.scalar(select(Status.slug).join(Idea).where(Idea.id == idea.id)) == "planned"
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {row.state for row in rows} == {"pending"} and {row.attempts for row in rows} == {1}
    assert all("Connection refused" in row.last_error or "Errno" in row.last_error for row in rows)
    assert huey.scheduled_count() + huey.pending_count() == 3  # each retry is handed to the engine again
    smtp.start()
    run_jobs(app)
    assert sorted(message["To"] for message in smtp.inbox.messages) == sorted(member.email for member in members)


def test_after_the_last_attempt_a_message_is_a_dead_letter_that_an_admin_can_retry(app, smtp, answered, client,
                                                                                  auth):
    idea, members, pm = answered
    smtp.stop()
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Soon.")
    run_jobs(app)  # three attempts each (MAIL_MAX_ATTEMPTS), then no more
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {(row.state, row.attempts) for row in rows} == {("dead", 3)}
    assert jobs().huey.scheduled_count() == 0
    admin = factories.user(role="admin")
    auth.login(admin)
    page = client.get("/admin/outbox").text
    assert "Dead letters" in page and members[0].username in page and members[0].email not in page
    smtp.start()
    assert client.post("/admin/outbox/retry").status_code == 302
    run_jobs(app)
    assert len(smtp.inbox.messages) == 3


def test_mail_about_a_comment_hidden_meanwhile_is_cancelled_not_sent(app, smtp, answered):
    idea, (author, voter, commenter), pm = answered
    comment_id = add_comment(idea_id=idea.id, author_id=voter.id, body=f"Spam for @{author.username}")
    set_comment_hidden(comment_id=comment_id, actor_id=pm.id, hidden=True)
    run_jobs(app)
    assert smtp.inbox.messages == []
    assert db.session.scalars(select(OutboxMessage.state)).all() == ["cancelled"]


def test_a_digest_arrives_as_one_message_with_its_items(app, smtp, answered):
    idea, (author, voter, commenter), pm = answered
    add_comment(idea_id=idea.id, author_id=pm.id, body="What colour?")
    add_comment(idea_id=idea.id, author_id=voter.id, body="Black, please.")
    from ideaportal.notifications.services import queue_digests

    queue_digests()
    run_jobs(app)
    digest = smtp.inbox.to(author.email)
    assert len(digest) == 1 and digest[0]["Subject"] == "3 updates on ideas you follow"
    text = digest[0].get_body(("plain",)).get_content()
    assert "What colour?" in text and "Black, please." in text and "Yes!" in text


def test_the_sweep_hands_over_mail_the_engine_never_got(app, smtp, answered):
    idea, members, pm = answered
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Soon.")
    jobs().huey.flush()  # as if the process died between the commit and the hand-over
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow().replace(year=2020)))
    db.session.commit()
    assert len(jobs().sweep.call_local()) == 3
    run_jobs(app)
    assert len(smtp.inbox.messages) == 3


def test_without_a_mail_server_mail_is_written_to_the_instance_folder(app, answered, monkeypatch, tmp_path):
    idea, members, pm = answered
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Soon.")
    run_jobs(app)
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 3
    parsed = [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]
    assert sorted(message["To"] for message in parsed) == sorted(member.email for member in members)


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as error:
        skip_or_fail(f"no Redis at {url} ({error})")
    return url


@pytest.mark.slow
@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_two_worker_processes_deliver_each_message_once(app, database_url, smtp, tmp_path, queue):
    """Two `flask worker` processes share the engine's queue (a SQLite file, or Redis as for many hosts);
    every message is handed over twice, so the workers race for each one."""
    jobs_file = tmp_path / "jobs.sqlite3"
    settings = {"JOBS_BACKEND": queue, "JOBS_SQLITE_PATH": str(jobs_file), "JOBS_NAME": f"test-{uuid.uuid4().hex}"}
    if queue == "redis":
        settings["REDIS_URL"] = redis_url()
    producer = build_app(database_url, **settings)
    environment = {
        **os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "IDEAPORTAL_INSTANCE_PATH": str(tmp_path),
        **{key if key == "REDIS_URL" else f"IDEAPORTAL_{key}": value for key, value in settings.items()},
    }
    with producer.app_context():
        pm = factories.user(role="pm")
        idea = factories.idea()
        followers = [factories.user() for _ in range(20)]
        for member in followers:
            cast_vote(idea_id=idea.id, voter_id=member.id, value=1)
        change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Soon.")
        expected = sorted([idea_author(idea).email, *(member.email for member in followers)])
        message_ids = db.session.scalars(select(OutboxMessage.id)).all()
        assert len(message_ids) == 21
        for message_id in message_ids:  # a second hand-over of each: two workers race for every message
            jobs().hand_over([message_id])
        db.session.remove()
    workers = [
        subprocess.Popen([sys.executable, "-m", "flask", "--app", "ideaportal", "worker", "--workers", "2",
                          "--no-periodic"], cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(smtp.inbox.messages) < 21 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # any duplicate would arrive now
    finally:
        for worker in workers:
            worker.terminate()
        logs = [worker.communicate(timeout=20)[1].decode() for worker in workers]
    received = [message["To"] for message in smtp.inbox.messages]
    assert sorted(received) == expected, logs
    assert len({message["Message-ID"] for message in smtp.inbox.messages}) == 21
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.state))) == {"sent"}
    if queue == "redis":
        with producer.app_context():
            jobs().huey.storage.flush_all()


def idea_author(idea):
    from ideaportal.models import User

    return db.session.get(User, idea.author_id)


def test_a_worker_slower_than_its_lease_records_nothing_over_the_next_claim(app, smtp, answered):
    from datetime import timedelta

    from ideaportal.mail import outbox

    idea, members, pm = answered
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Soon.")
    message_id = db.session.scalars(select(OutboxMessage.id)).first()
    first = outbox.claim(message_id)
    stale = first.claimed_until
    later = stale + timedelta(seconds=1)  # the first worker's lease has lapsed: a second one claims it
    second = outbox.claim(message_id, now=later)
    assert second is not None and second.claimed_until != stale
    assert outbox.finish(message_id, lease=stale, outcome="failed", error="late").outcome == "skipped"
    assert outbox.finish(message_id, lease=second.claimed_until, outcome="sent").outcome == "sent"
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).state == "sent"


def test_a_title_with_a_line_break_still_makes_a_one_line_subject(app, smtp, answered):
    idea, members, pm = answered
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(title="Dark\ntheme"))
    db.session.commit()
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Soon.")
    run_jobs(app)
    assert {message["Subject"] for message in smtp.inbox.messages} == {"pm_petra moved “Dark theme” to Planned"}
