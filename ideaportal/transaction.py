"""The write side's unit of work: one transaction per use case, and the events people must hear about.

A public service is decorated with `@use_case` (or opens `with unit_of_work():`). Inside, steps
are plain functions that write through `db.session` and never commit. When the outermost unit
ends normally, the events emitted inside it are written as notifications (and mail in the
outbox) in the same transaction, which then commits once; any exception rolls everything back.
A use case called from inside another joins the outer transaction instead of committing, so
a larger use case (hiding a reported comment) is still one commit.

After the commit, the unit runs its `after_commit` callbacks (handing new mail to the job
engine); a failure there is logged and loses nothing, because the rows are already committed.
"""
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from .errors import Conflict
from .extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")
_KEY = "ideaportal.unit_of_work"


@dataclass
class UnitOfWork:
    events: list = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Commit once when the block ends normally; roll back on any exception. Nested blocks join."""
    outer = db.session.info.get(_KEY)
    if outer is not None:
        yield outer
        return
    unit = UnitOfWork()
    db.session.info[_KEY] = unit
    try:
        yield unit
        _publish(unit)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        db.session.info.pop(_KEY, None)
    for callback in unit.after_commit:
        try:
            callback()
        except Exception:  # the rows are committed; the sweep picks up what was not handed over
            log.exception("after-commit step failed")


def use_case(function):
    """Run the decorated service in a unit of work: it commits once, or rolls back when it raises."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return function(*args, **kwargs)
    return wrapper


def retrying(attempt: Callable[[], T], *, attempts: int = 3, also: tuple[type[Exception], ...] = ()) -> T:
    """Run `attempt` (a whole unit of work) again when PostgreSQL made its transaction a deadlock's victim
    or could not serialise it, or when it raised one of `also`; the last failure is raised."""
    for remaining in range(attempts - 1, -1, -1):
        try:
            return attempt()
        except DBAPIError as error:
            if remaining and (is_retryable(error) or isinstance(error, also)):
                continue
            raise


def retrying_or_busy(attempt: Callable[[], T], *, busy: str) -> T:
    """`retrying(attempt)`, and when even the last attempt lost to another transaction, Conflict(`busy`): a
    message for the person, never a server error."""
    try:
        return retrying(attempt)
    except DBAPIError as error:
        if is_retryable(error):
            raise Conflict(busy) from None
        raise


def is_retryable(error: DBAPIError) -> bool:
    """40P01 deadlock detected, 40001 serialization failure: the other transaction won; trying again works."""
    return getattr(error.orig, "sqlstate", None) in ("40P01", "40001")


def emit(event) -> None:
    """Record an event that people must hear about; it is written with the current unit's commit."""
    unit = db.session.info.get(_KEY)
    if unit is None:
        raise RuntimeError("emit() outside a unit of work: decorate the service with @use_case")
    unit.events.append(event)


def current() -> UnitOfWork | None:
    return db.session.info.get(_KEY)


def _publish(unit: UnitOfWork) -> None:
    if not unit.events:
        return
    from .jobs import hand_over_after_commit
    from .notifications.writer import write_notifications

    hand_over_after_commit(write_notifications(unit.events))
