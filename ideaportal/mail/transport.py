"""Hand a message to the SMTP server in MAIL_SERVER, or, with none set, write it to instance/mail/ and log it."""
import logging
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The message was not accepted; it may be tried again."""


def send(message: EmailMessage) -> None:
    """Deliver one message. Raises DeliveryFailed when the server is unreachable or refuses it."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_to_folder(message, Path(current_app.instance_path) / "mail")
        return
    try:
        _smtp(message, config)
    except (OSError, smtplib.SMTPException) as error:  # refused, timed out, or the server said no
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error


def _smtp(message: EmailMessage, config) -> None:
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            connection.starttls(context=context)
        if config["MAIL_USERNAME"]:
            connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        connection.send_message(message)


def _write_to_folder(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").split("@")[0]
    path = folder / f"{name}.eml"
    path.write_bytes(bytes(message))
    log.info("mail to %s, %r, written to %s (no MAIL_SERVER set)", message["To"], message["Subject"], path)
