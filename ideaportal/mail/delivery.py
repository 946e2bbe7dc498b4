"""Deliver one outbox message: claim it, compose it, send it, record the outcome. Run by the job engine."""
import logging

from ..extensions import db
from . import outbox
from .compose import compose
from .transport import DeliveryFailed, send

log = logging.getLogger(__name__)


def deliver(message_id: int) -> outbox.Attempt:
    """One attempt at one message. Never raises for a delivery failure: the outcome says retry or dead."""
    message = outbox.claim(message_id)
    if message is None:
        return outbox.Attempt("skipped")
    lease = message.claimed_until
    try:
        user = outbox.recipient(message)
        email = compose(message, user) if user is not None else None
        db.session.rollback()  # end the read transaction before the network wait, holding no snapshot or lock
        if email is None:
            return outbox.finish(message_id, lease=lease, outcome="cancelled",
                                 error="nothing left to tell, or no such member")
        send(email)
    except DeliveryFailed as error:
        return _failed(message_id, lease, str(error))
    except Exception as error:  # a bug must not leave the message claimed forever: it counts as an attempt
        log.exception("mail %s could not be composed or sent", message_id)
        db.session.rollback()
        return _failed(message_id, lease, f"{type(error).__name__}: {error}")
    return outbox.finish(message_id, lease=lease, outcome="sent")


def _failed(message_id: int, lease, error: str) -> outbox.Attempt:
    attempt = outbox.finish(message_id, lease=lease, outcome="failed", error=error)
    log.warning("mail %s failed (%s): %s", message_id, attempt.outcome, error)
    return attempt
