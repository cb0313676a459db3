"""A real SMTP server in the test process (aiosmtpd), collecting what it receives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    recipients: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """The handler: keeps every e-mail it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class Credentials:
    """An authenticator that accepts one user name and password."""

    username: str
    password: str

    def __call__(self, _server: SMTP, _session: Session, _envelope: Envelope, mechanism: str,
                 data: object) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (
            self.username, self.password)
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(credentials: Credentials | None = None) -> Iterator[tuple[int, Inbox]]:
    """Run a server on 127.0.0.1 and a free port until the block ends; yields (port, inbox)."""
    inbox = Inbox()
    port = free_port()
    extra = {"authenticator": credentials, "auth_require_tls": False} if credentials else {}
    controller = Controller(inbox, hostname=HOST, port=port, **extra)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
