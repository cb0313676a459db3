"""Sending e-mail: SMTP from SMTP_URL, or the app log in development; and the words of each e-mail."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal, Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app
from flask_babel import LazyString, force_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.models import User
from portal.notifications.services import ACCOUNT_CODE, ACCOUNT_EXISTS, STAFF_INVITATION

SMTP_TIMEOUT = 10.0
MESSAGES_PATH = "/plan/messages"
PLAN_PATH = "/plan/"
SETTINGS_PATH = "/plan/settings"
SIGN_IN_TO_INVITATION_PATH = "/login?next=/invite"
Security = Literal["none", "tls", "starttls"]
SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("none", 25),
    "smtps": ("tls", 465),
    "smtp+starttls": ("starttls", 587),
}


class MailerConfigError(RuntimeError):
    """E-mail cannot be sent with these settings."""


class Sender(Protocol):
    def __call__(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    username: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> SmtpSettings:
    """smtp://user:pass@host:port (plain), smtps://… (TLS from the start) or smtp+starttls://… (upgraded)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise MailerConfigError(f"SMTP_URL must start with {', '.join(s + '://' for s in SCHEMES)}")
    try:
        port = parts.port
    except ValueError:
        raise MailerConfigError("SMTP_URL has a port that is not a number") from None
    if not parts.hostname:
        raise MailerConfigError("SMTP_URL has no host name")
    security, default_port = SCHEMES[parts.scheme]
    return SmtpSettings(host=parts.hostname, port=port or default_port, security=security,
                        username=unquote(parts.username or ""), password=unquote(parts.password or ""))


def _stamp(message: EmailMessage, mail_from: str) -> EmailMessage:
    """Add the sender, the date and a message id (from the sender's domain, without asking DNS)."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    for header, value in (("From", mail_from), ("Date", formatdate(usegmt=True)),
                          ("Message-ID", make_msgid(domain=domain))):
        del message[header]
        message[header] = value
    return message


class SmtpSender:
    """Sends over one SMTP connection, opened at the first e-mail and opened again after an error."""

    def __init__(self, settings: SmtpSettings, mail_from: str, timeout: float = SMTP_TIMEOUT) -> None:
        self.settings = settings
        self.mail_from = mail_from
        self.timeout = timeout
        self._client: smtplib.SMTP | None = None

    def __call__(self, message: EmailMessage) -> None:
        try:
            self._connection().send_message(_stamp(message, self.mail_from))
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def _connection(self) -> smtplib.SMTP:
        if self._client is None:
            s = self.settings
            if s.security == "tls":
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            self._client = client
            if s.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.username:
                client.login(s.username, s.password)
        return self._client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
            client.close()

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class LogSender:
    """Development without SMTP_URL: the e-mail is written to the app log instead of being sent."""

    def __init__(self, logger: logging.Logger, mail_from: str) -> None:
        self.logger = logger
        self.mail_from = mail_from

    def __call__(self, message: EmailMessage) -> None:
        message = _stamp(message, self.mail_from)
        self.logger.warning("E-mail NOT sent (no SMTP_URL). To: %s\nSubject: %s\n\n%s",
                            message["To"], message["Subject"], message.get_content().rstrip())

    def close(self) -> None:
        return None

    def __enter__(self) -> LogSender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def sender_for(app: Flask) -> SmtpSender | LogSender:
    """SMTP when SMTP_URL is set; the log outside production; in production without SMTP_URL, an error."""
    production = app.config["PORTAL_ENV"] == "production"
    url = str(app.config.get("SMTP_URL") or "")
    if production and not url:
        raise MailerConfigError("SMTP_URL must be set to send e-mail when PORTAL_ENV=production "
                                "(smtp://, smtps:// or smtp+starttls://user:password@host:port)")
    if production and not str(app.config["PUBLIC_BASE_URL"]).startswith("https://"):
        raise MailerConfigError("PUBLIC_BASE_URL must be the portal's https:// address when PORTAL_ENV=production")
    if url:
        return SmtpSender(parse_smtp_url(url), str(app.config["MAIL_FROM"]))
    return LogSender(app.logger, str(app.config["MAIL_FROM"]))


def compose_new_message(user: User) -> tuple[str, str]:
    """Subject and text of 'you have a new message', in the user's language; never what the message says."""
    config = current_app.config
    base = str(config["PUBLIC_BASE_URL"]).rstrip("/")
    locale = user.locale if user.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject = gettext("New message in Min vårdplan")
        lines = [
            gettext("You have a new message in Min vårdplan."),
            gettext("Sign in to read it: %(url)s", url=base + MESSAGES_PATH),
            gettext("Do you not want these e-mails? You can turn them off in your settings: %(url)s",
                    url=base + SETTINGS_PATH),
            gettext("You cannot reply to this e-mail."),
        ]
    return subject, "\n\n".join(lines) + "\n"


def compose_plan_shared(user: User) -> tuple[str, str]:
    """Subject and text of 'you have a care plan', in the user's language; nothing about what the plan holds."""
    config = current_app.config
    base = str(config["PUBLIC_BASE_URL"]).rstrip("/")
    locale = user.locale if user.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject = gettext("You have a care plan in Min vårdplan")
        lines = [
            gettext("Your care team has made a care plan for you in Min vårdplan."),
            gettext("Sign in to see it: %(url)s", url=base + PLAN_PATH),
            gettext("Do you not want these e-mails? You can turn them off in your settings: %(url)s",
                    url=base + SETTINGS_PATH),
            gettext("You cannot reply to this e-mail."),
        ]
    return subject, "\n\n".join(lines) + "\n"


def compose_invitation(payload: str) -> tuple[str, str]:
    """An e-mail about an invitation to help someone in Min vårdplan: the invitation itself, the code for a relative's
    new account, or 'you have an account already'. No name, no health information; in Swedish and English, since we
    do not know the reader's language."""
    if payload.startswith(ACCOUNT_CODE):
        return _compose_account_code(payload.removeprefix(ACCOUNT_CODE))
    if payload == ACCOUNT_EXISTS:
        return _compose_account_exists()
    if payload.startswith(STAFF_INVITATION):
        return _compose_staff_invitation(payload.removeprefix(STAFF_INVITATION))
    return _compose_invitation_link(payload)


def _grouped(code: str) -> str:
    """ABCDE-FGHJK-… : easier to read and to write by hand."""
    return "-".join(code[start:start + 5] for start in range(0, len(code), 5))


def _both_languages(subject: LazyString, paragraphs: Callable[[], list[str]]) -> tuple[str, str]:
    lines: list[str] = []
    for locale in ("sv", "en"):
        with force_locale(locale):
            lines += paragraphs()
    with force_locale("sv"):
        return str(subject), "\n\n".join(lines) + "\n"


def _compose_invitation_link(link: str) -> tuple[str, str]:
    """The link carries the code after "#" (never sent to the server); the code is also written out, to type."""
    page, _, code = link.partition("#")

    def paragraphs() -> list[str]:
        return [
            gettext("This e-mail is from Min vårdplan, the care plan on the web from the health care services. "
                    "Someone who has a care plan there has invited you to follow it as a relative. The person "
                    "who invited you will usually have told you about it."),
            gettext("Open the link within 7 days. The page says who invited you and what you may see, before you "
                    "decide: %(url)s", url=link),
            *([gettext("If the link does not work, go to %(url)s and write this code: %(code)s",
                       url=page, code=_grouped(code))] if code else []),
            gettext("We never ask for your password or personal identity number by e-mail. "
                    "If you did not expect this e-mail, you can ignore it."),
        ]

    return _both_languages(_l("Invitation to Min vårdplan"), paragraphs)


def _compose_account_code(code: str) -> tuple[str, str]:
    def paragraphs() -> list[str]:
        return [
            gettext("Your code to make an account in Min vårdplan: %(code)s", code=code),
            gettext("Write it on the page where you asked for it. The code works for 15 minutes."),
            gettext("If you did not ask for a code, you can ignore this e-mail."),
        ]

    return _both_languages(_l("Your code for Min vårdplan"), paragraphs)


def _compose_account_exists() -> tuple[str, str]:
    """Someone asked for a new account with an address that has one: tell its owner, not the person asking."""
    url = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/") + SIGN_IN_TO_INVITATION_PATH

    def paragraphs() -> list[str]:
        return [
            gettext("Someone asked to make an account in Min vårdplan with this e-mail address. "
                    "You already have an account with this address."),
            gettext("Sign in with it to accept the invitation: %(url)s", url=url),
            gettext("If you did not ask for an account, you can ignore this e-mail."),
        ]

    return _both_languages(_l("Your account in Min vårdplan"), paragraphs)


def _compose_staff_invitation(link: str) -> tuple[str, str]:
    """An administrator made an account for this address: the one-time link to choose a password (its code after
    "#", never sent to the server), and the code written out."""
    page, _, code = link.partition("#")

    def paragraphs() -> list[str]:
        return [
            gettext("An administrator has made an account for you in Min vårdplan."),
            gettext("Open the link within 7 days and choose your password: %(url)s", url=link),
            gettext("If the link does not work, go to %(url)s and write this code: %(code)s",
                    url=page, code=_grouped(code)),
            gettext("If you did not expect this e-mail, you can ignore it."),
        ]

    return _both_languages(_l("Your account in Min vårdplan"), paragraphs)
