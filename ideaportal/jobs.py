"""The job engine: Huey runs mail delivery, digests and scheduled work outside web requests.

Storage: a SQLite file beside the app (`instance/jobs.sqlite3`) by default, so one box needs no
extra server; Redis when `REDIS_URL` is set, for many workers on many hosts. The database's
outbox is the record of what must be sent; Huey carries "send message 12 now" and "try again in
60 s", and a periodic sweep re-hands anything the engine lost (a crash between a commit and its
hand-over, a worker killed mid-send), so no mail is lost whichever part fails.
"""
import logging
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from .extensions import db

log = logging.getLogger(__name__)
BATCH = 50  # messages per delivery task


def init_app(app: Flask) -> None:
    huey = build_huey(app)
    app.extensions["jobs"] = Jobs(app, huey)


def build_huey(app: Flask) -> Huey:
    config, name = app.config, app.config["JOBS_NAME"]
    backend = config["JOBS_BACKEND"]
    if backend == "auto":
        backend = "redis" if config["REDIS_URL"] else "sqlite"
    if backend == "redis":
        return RedisHuey(name, url=config["REDIS_URL"], utc=True)
    if backend == "memory":  # tests: tasks wait in memory until a test runs them
        return MemoryHuey(name, utc=True)
    if backend == "immediate":
        return MemoryHuey(name, immediate=True, utc=True)
    path = config["JOBS_SQLITE_PATH"] or str(Path(app.instance_path) / "jobs.sqlite3")
    return SqliteHuey(name, filename=path, utc=True)


class Jobs:
    """The app's tasks, registered on its Huey instance; each runs inside an app context."""

    def __init__(self, app: Flask, huey: Huey):
        self.app, self.huey = app, huey
        config = app.config
        self.deliver = huey.task(name="deliver_mail")(self._in_app(self._deliver))
        self.sweep = huey.periodic_task(crontab(minute="*"), name="sweep_outbox")(self._in_app(self._sweep))
        self.digests = huey.periodic_task(crontab(minute="0", hour=str(config["DIGEST_HOUR"])),
                                          name="send_digests")(self._in_app(self._digests))
        self.prune = huey.periodic_task(crontab(minute="30", hour="3"),
                                        name="prune_notifications")(self._in_app(self._prune))
        self.archive = huey.periodic_task(crontab(minute="0", hour="4"),
                                          name="archive_stale")(self._in_app(self._archive))
        self.release = huey.periodic_task(crontab(minute="45", hour="3"),
                                          name="release_unconfirmed")(self._in_app(self._release))

    def _in_app(self, function):
        def run(*args):
            with self.app.app_context():
                try:
                    return function(*args)
                finally:
                    db.session.remove()
        run.__name__ = function.__name__
        return run

    def hand_over(self, message_ids: list[int]) -> None:
        for start in range(0, len(message_ids), BATCH):
            self.deliver(message_ids[start:start + BATCH])

    def _deliver(self, message_ids: list[int]) -> dict:
        from .mail.delivery import deliver

        outcomes = {}
        for message_id in message_ids:
            attempt = deliver(message_id)
            outcomes[message_id] = attempt.outcome
            if attempt.outcome == "retry":
                self.deliver.schedule(args=([message_id],), delay=attempt.retry_in)
        return outcomes

    def _sweep(self) -> list[int]:
        from .mail.outbox import due_ids

        message_ids = due_ids()
        if message_ids:
            log.info("sweep: handing %d outbox message(s) to the workers again", len(message_ids))
            self.hand_over(message_ids)
        return message_ids

    def _digests(self) -> list[int]:
        from .notifications.services import queue_digests

        return queue_digests()

    def _prune(self) -> int:
        from .notifications.services import prune

        return prune(older_than=timedelta(days=current_app.config["NOTIFICATION_RETENTION_DAYS"]))

    def _release(self) -> list[int]:
        from .account.services import release_unconfirmed

        return release_unconfirmed()

    def _archive(self) -> list[int]:
        from .triage.services import archive_stale

        months = current_app.config["ARCHIVE_STALE_MONTHS"]
        return archive_stale(months=months) if months else []


def jobs() -> Jobs:
    return current_app.extensions["jobs"]


def hand_over_mail(message_ids: list[int]) -> None:
    """Give outbox messages to the workers (the sweep catches any this misses)."""
    jobs().hand_over(message_ids)


def hand_over_after_commit(message_ids: list[int]) -> None:
    """Inside a unit of work: hand these outbox messages to the workers once it has committed."""
    if message_ids:
        from .transaction import current

        current().after_commit.append(lambda: hand_over_mail(message_ids))
