"""A real SMTP server (aiosmtpd) on a loopback port for tests, and a way to run the job engine's waiting tasks."""
import email
import socket
import threading
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller

from ideaportal.jobs import jobs


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.raw.append(envelope.content)
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [message for message in self.messages if message["To"] == address]


class SmtpServer:
    """aiosmtpd on a fixed loopback port, which the test can stop and start again."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None


@pytest.fixture(name="smtp")
def fixture_smtp(app, monkeypatch):
    """A running SMTP server the app sends to; retries at once, three attempts at most."""
    jobs().huey.flush()  # tasks other tests handed over name rows that are gone
    server = SmtpServer()
    server.start()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "MAIL_TIMEOUT": 5,
                       "MAIL_RETRY_SECONDS": 0, "MAIL_MAX_ATTEMPTS": 3,
                       "MAIL_DEFAULT_SENDER": "Portal <portal@example.com>"}.items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    if server.controller is not None:
        server.stop()


def run_jobs(app) -> int:
    """Run every task waiting in the (in-memory) engine, due retries included. Returns how many ran."""
    huey, ran = jobs().huey, 0
    while True:
        task = huey.dequeue()
        if task is None:
            due = huey.read_schedule(time.time() + 3600)  # retries, whatever their delay
            if not due:
                return ran
            for scheduled in due:
                huey.enqueue(scheduled)
            continue
        huey.execute(task)
        ran += 1
