"""The e-mail outbox: who gets a nudge, retries with backoff, and an e-mail that never says anything about health."""

from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from portal.config import load_config
from portal.models import Message, Notification, User
from portal.notifications import mailer
from portal.notifications import services as notifications
from portal.notifications.services import GIVEN_UP, SendReport, queue_new_message, send_due
from tests import factories
from tests.smtp import Credentials, free_port, smtp_server

BASE = "https://vardplan.example"
DIAGNOSIS = "Du har en liten tumör som har opererats bort."
MESSAGE_BODY = "Provsvaren visar att cellgiftsbehandlingen fungerar."


def _utc(value: datetime) -> datetime:
    """SQLite gives timestamps back without a time zone; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _user(session: Session, email: str | None = "maria@example.se", notify: bool = True,
          locale: str | None = None) -> User:
    account = session.get(User, factories.patient(session).user_id)
    account.contact_email, account.notify_messages, account.locale = email, notify, locale
    session.add(account)
    session.commit()
    return account


def _queued(session: Session, user: User) -> Notification:
    notification = queue_new_message(session, user)
    assert notification is not None
    session.commit()
    return notification


def _compose(user: User) -> tuple[str, str]:
    return "New message", f"You have a new message. {BASE}/plan/messages"


class Outbox:
    """A fake `send` that keeps what it was given, or fails with `error`."""

    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[EmailMessage] = []
        self.error = error

    def __call__(self, message: EmailMessage) -> None:
        if self.error:
            raise self.error
        self.sent.append(message)


def _now() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=1)


# Queueing


@pytest.mark.parametrize(("email", "notify"), [("maria@example.se", False), (None, True), ("", True)])
def test_queue_new_message_only_for_users_who_opted_in(session: Session, email: str | None, notify: bool) -> None:
    user = _user(session, email=email, notify=notify)
    assert queue_new_message(session, user) is None
    session.commit()
    assert session.exec(select(Notification)).all() == []


def test_queue_new_message_not_for_a_closed_account(session: Session) -> None:
    user = _user(session)
    user.is_active = False
    assert queue_new_message(session, user) is None


def test_queue_new_message_adds_one_and_leaves_the_commit_to_the_caller(session: Session) -> None:
    user = _user(session)
    notification = queue_new_message(session, user)
    assert notification is not None
    assert (notification.user_id, notification.kind, notification.channel) == (user.id, "new_message", "email")
    assert (notification.sent_at, notification.attempts) == (None, 0)
    session.rollback()  # the caller's work failed: no e-mail about it either
    assert session.exec(select(Notification)).all() == []


def test_queue_new_message_sends_one_nudge_until_it_is_sent(session: Session) -> None:
    user = _user(session)
    first = _queued(session, user)
    assert queue_new_message(session, user) is None
    send_due(session, Outbox(), _now(), compose=_compose)
    second = _queued(session, user)
    assert second.id != first.id
    assert len(session.exec(select(Notification)).all()) == 2


def test_queue_new_message_again_after_giving_up(session: Session) -> None:
    user = _user(session)
    _queued(session, user)
    report = send_due(session, Outbox(smtplib.SMTPServerDisconnected("gone")), _now(), compose=_compose,
                      max_attempts=1)
    assert report == SendReport(gave_up=1)
    assert queue_new_message(session, user) is not None


# Sending


def test_send_due_sends_and_marks_sent(session: Session) -> None:
    user = _user(session)
    notification = _queued(session, user)
    outbox, now = Outbox(), _now()
    assert send_due(session, outbox, now, compose=_compose) == SendReport(sent=1)
    [message] = outbox.sent
    assert (message["To"], message["Subject"]) == ("maria@example.se", "New message")
    assert message["Auto-Submitted"] == "auto-generated"
    assert f"{BASE}/plan/messages" in message.get_content()
    session.refresh(notification)
    assert _utc(notification.sent_at) == now
    assert (notification.attempts, notification.last_error) == (1, "")
    assert send_due(session, outbox, now + timedelta(days=1), compose=_compose) == SendReport()


def test_send_due_waits_until_the_time_has_come(session: Session) -> None:
    notification = _queued(session, _user(session))
    notification.next_attempt_at = datetime.now(UTC) + timedelta(minutes=5)
    session.add(notification)
    session.commit()
    outbox = Outbox()
    assert send_due(session, outbox, datetime.now(UTC), compose=_compose) == SendReport()
    assert outbox.sent == []


def test_send_due_takes_the_oldest_first_in_bounded_batches(session: Session) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    for minutes, email in ((3, "c@example.se"), (1, "a@example.se"), (2, "b@example.se")):
        notification = _queued(session, _user(session, email=email))
        notification.created_at = start + timedelta(minutes=minutes)
        session.add(notification)
    session.commit()
    outbox = Outbox()
    assert send_due(session, outbox, _now(), compose=_compose, limit=2) == SendReport(sent=2)
    assert [m["To"] for m in outbox.sent] == ["a@example.se", "b@example.se"]
    assert send_due(session, outbox, _now(), compose=_compose, limit=2) == SendReport(sent=1)
    assert outbox.sent[-1]["To"] == "c@example.se"


def test_send_due_failure_retries_later_with_growing_waits(session: Session) -> None:
    notification = _queued(session, _user(session))
    failing = Outbox(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    now = _now()
    for attempt, wait in enumerate((1, 2, 4, 8), start=1):
        assert send_due(session, failing, now, compose=_compose) == SendReport(failed=1)
        session.refresh(notification)
        assert notification.attempts == attempt
        assert _utc(notification.next_attempt_at) == now + timedelta(minutes=wait)
        assert notification.sent_at is None
        assert send_due(session, failing, now + timedelta(minutes=wait, seconds=-1), compose=_compose) == SendReport()
        now += timedelta(minutes=wait)
    assert notification.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert send_due(session, Outbox(), now, compose=_compose) == SendReport(sent=1)


@pytest.mark.parametrize(("attempts", "wait"), [(1, timedelta(minutes=1)), (2, timedelta(minutes=2)),
                                                (5, timedelta(minutes=16)), (9, timedelta(hours=4, minutes=16)),
                                                (10, timedelta(hours=6)), (500, timedelta(hours=6))])
def test_retry_delay_doubles_and_stops_at_six_hours(attempts: int, wait: timedelta) -> None:
    assert notifications.retry_delay(attempts) == wait


def test_send_due_gives_up_after_max_attempts(session: Session) -> None:
    notification = _queued(session, _user(session))
    failing = Outbox(smtplib.SMTPRecipientsRefused({"maria@example.se": (550, b"No such user")}))
    now = _now()
    assert send_due(session, failing, now, compose=_compose, max_attempts=3) == SendReport(failed=1)
    assert send_due(session, failing, now + timedelta(minutes=1), compose=_compose, max_attempts=3) \
        == SendReport(failed=1)
    assert send_due(session, failing, now + timedelta(minutes=3), compose=_compose, max_attempts=3) \
        == SendReport(gave_up=1)
    session.refresh(notification)
    assert notification.attempts == 3
    assert notification.sent_at is None
    assert _utc(notification.next_attempt_at) == GIVEN_UP
    assert notification.last_error.startswith("Gave up after 3 attempts. SMTPRecipientsRefused")
    assert len(notification.last_error) <= notifications.MAX_ERROR_LENGTH
    assert send_due(session, Outbox(), now + timedelta(days=365), compose=_compose) == SendReport()


@pytest.mark.parametrize("change", ["off", "no_address"])
def test_send_due_skips_users_who_have_turned_email_off(session: Session, change: str) -> None:
    user = _user(session)
    notification = _queued(session, user)
    if change == "off":
        user.notify_messages = False
    else:
        user.contact_email = None
    session.add(user)
    session.commit()
    outbox = Outbox()
    assert send_due(session, outbox, _now(), compose=_compose) == SendReport(gave_up=1)
    assert outbox.sent == []
    session.refresh(notification)
    assert (notification.sent_at, _utc(notification.next_attempt_at)) == (None, GIVEN_UP)


def test_send_due_one_bad_email_does_not_stop_the_others(session: Session) -> None:
    _queued(session, _user(session, email="first@example.se"))
    _queued(session, _user(session, email="second@example.se"))

    def compose(user: User) -> tuple[str, str]:
        if user.contact_email == "first@example.se":
            raise KeyError("no text")
        return _compose(user)

    outbox = Outbox()
    assert send_due(session, outbox, _now(), compose=compose) == SendReport(sent=1, failed=1)
    assert [m["To"] for m in outbox.sent] == ["second@example.se"]


def test_short_error_is_one_short_line() -> None:
    error = smtplib.SMTPDataError(554, b"Rejected\n" + b"x" * 1000)
    text = notifications.short_error(error)
    assert "\n" not in text
    assert len(text) <= notifications.MAX_ERROR_LENGTH
    assert text.startswith("SMTPDataError")
    assert notifications.short_error(TimeoutError()) == "TimeoutError"


# What the e-mail says


def _plan_with_a_message(session: Session, locale: str | None) -> User:
    patient, plan, nurse = factories.patient_with_plan(session, items=2)
    user = session.get(User, patient.user_id)
    user.contact_email, user.notify_messages, user.locale = "maria@example.se", True, locale
    nurse_user = session.get(User, nurse.user_id)
    session.add(Message(plan_id=plan.id, author_user_id=nurse_user.id, author_role="staff",
                        author_name=nurse_user.name, body=MESSAGE_BODY, client_token="t1"))
    session.add(user)
    queue_new_message(session, user)
    session.commit()
    return user


@pytest.mark.parametrize(
    ("locale", "subject", "opening"),
    [("en", "New message in Min vårdplan", "You have a new message in Min vårdplan."),
     ("ar", "رسالة جديدة في Min vårdplan", "وصلتك رسالة جديدة في Min vårdplan."),
     ("fi", "Uusi viesti Min vårdplan -palvelussa", "Olet saanut uuden viestin Min vårdplan -palvelussa."),
     (None, "Nytt meddelande i Min vårdplan", "Du har fått ett nytt meddelande i Min vårdplan.")],
)
def test_email_never_contains_health_information(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch,
                                                 locale: str | None, subject: str, opening: str) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    user = _plan_with_a_message(session, locale)
    outbox = Outbox()
    with app.app_context():
        assert send_due(session, outbox, _now(), compose=mailer.compose_new_message) == SendReport(sent=1)
    [message] = outbox.sent
    text = message["Subject"] + "\n" + message.get_content()
    assert message["Subject"] == subject
    assert message.get_content().startswith(opening)
    assert f"{BASE}/plan/messages" in text
    assert f"{BASE}/plan/settings" in text
    for secret in (MESSAGE_BODY, "Provsvar", DIAGNOSIS, "tumör", "brostcancer", "Behandling", "Maria Ek",
                   user.personal_id, "Eva Lund", "Onkologimottagningen"):
        assert secret not in text


def test_compose_uses_the_default_language_for_an_unknown_locale(app: Flask) -> None:
    with app.app_context():
        unknown = mailer.compose_new_message(User(name="x", role="patient", password_hash="x", locale="de"))
        swedish = mailer.compose_new_message(User(name="x", role="patient", password_hash="x", locale="sv"))
    assert unknown == swedish


# The mailer and its settings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example:2525", mailer.SmtpSettings("mail.example", 2525, "none")),
        ("smtp://mail.example", mailer.SmtpSettings("mail.example", 25, "none")),
        ("smtps://user:p%40ss@mail.example", mailer.SmtpSettings("mail.example", 465, "tls", "user", "p@ss")),
        ("smtp+starttls://a%40b.se:pw@mail.example", mailer.SmtpSettings("mail.example", 587, "starttls",
                                                                           "a@b.se", "pw")),
    ],
)
def test_parse_smtp_url(url: str, expected: mailer.SmtpSettings) -> None:
    assert mailer.parse_smtp_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://mail.example:port", "mail.example"])
def test_parse_smtp_url_refuses_what_it_cannot_use(url: str) -> None:
    with pytest.raises(mailer.MailerConfigError):
        mailer.parse_smtp_url(url)


def test_config_defaults_and_environment(tmp_path: Path) -> None:
    defaults = load_config(tmp_path, {"PORTAL_ENV": "test"})
    assert defaults["SMTP_URL"] == ""
    assert defaults["MAIL_FROM"] == "Min vårdplan <no-reply@vardplan.example>"
    assert defaults["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    custom = load_config(tmp_path, {"PORTAL_ENV": "test", "SMTP_URL": "smtps://h", "MAIL_FROM": "a@b.se",
                                    "PUBLIC_BASE_URL": "https://vard.example/"})
    assert (custom["SMTP_URL"], custom["MAIL_FROM"], custom["PUBLIC_BASE_URL"]) == (
        "smtps://h", "a@b.se", "https://vard.example")


def test_development_without_smtp_url_writes_the_email_to_the_log(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(app.config, "PORTAL_ENV", "development")
    monkeypatch.setitem(app.config, "SMTP_URL", "")
    with mailer.sender_for(app) as send, caplog.at_level(logging.INFO):
        assert isinstance(send, mailer.LogSender)
        send(notifications.build_email("maria@example.se", "New message", "You have a new message."))
    assert "To: maria@example.se" in caplog.text
    assert "Subject: New message" in caplog.text
    assert "You have a new message." in caplog.text


@pytest.mark.parametrize(("settings", "problem"), [
    ({"SMTP_URL": "", "PUBLIC_BASE_URL": "https://vard.example"}, "SMTP_URL must be set"),
    ({"SMTP_URL": "smtp://mail.example", "PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, "PUBLIC_BASE_URL"),
])
def test_production_refuses_to_send_without_the_right_settings(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                               settings: dict[str, str], problem: str) -> None:
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    with pytest.raises(mailer.MailerConfigError, match=problem):
        mailer.sender_for(app)
    result = app.test_cli_runner().invoke(args=["send-notifications"])
    assert result.exit_code == 1
    assert problem in result.output


# The real thing: the CLI command against an SMTP server in this process


def test_cli_sends_due_emails_over_smtp(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    user = _plan_with_a_message(session, "en")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Min vårdplan <no-reply@vardplan.example>")
    with smtp_server() as (port, inbox):
        monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
        result = app.test_cli_runner().invoke(args=["send-notifications"])
        again = app.test_cli_runner().invoke(args=["send-notifications"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 1, failed 0, gave up 0"
    assert again.output.strip() == "sent 0, failed 0, gave up 0"
    [received] = inbox.received
    assert received.recipients == ["maria@example.se"]
    message = received.message
    assert message["To"] == "maria@example.se"
    assert message["From"] == "Min vårdplan <no-reply@vardplan.example>"
    assert message["Subject"] == "New message in Min vårdplan"
    assert message["Message-ID"].endswith("@vardplan.example>")
    body = message.get_content()
    assert body.startswith("You have a new message in Min vårdplan.")
    assert f"{BASE}/plan/messages" in body
    assert f"{BASE}/plan/settings" in body
    for secret in (MESSAGE_BODY, DIAGNOSIS, "Maria Ek", user.personal_id):
        assert secret not in body
    session.commit()
    session.expire_all()
    assert session.exec(select(Notification)).one().sent_at is not None


def test_cli_signs_in_to_the_smtp_server(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _queued(session, _user(session))
    with smtp_server(Credentials("portal", "s3cret pass")) as (port, inbox):
        monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://portal:s3cret%20pass@127.0.0.1:{port}")
        result = app.test_cli_runner().invoke(args=["send-notifications"])
    assert result.output.strip() == "sent 1, failed 0, gave up 0"
    assert [r.recipients for r in inbox.received] == [["maria@example.se"]]


def test_cli_wrong_smtp_password_is_a_failure_to_retry(app: Flask, session: Session,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _queued(session, _user(session))
    with smtp_server(Credentials("portal", "right")) as (port, inbox):
        monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://portal:wrong@127.0.0.1:{port}")
        result = app.test_cli_runner().invoke(args=["send-notifications"])
    assert result.output.strip() == "sent 0, failed 1, gave up 0"
    assert inbox.received == []
    session.commit()
    session.expire_all()
    assert session.exec(select(Notification)).one().last_error.startswith("SMTPAuthenticationError")


def test_cli_when_the_smtp_server_is_down(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _queued(session, _user(session))
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    result = app.test_cli_runner().invoke(args=["send-notifications"])
    assert result.exit_code == 0
    assert result.output.strip() == "sent 0, failed 1, gave up 0"
    session.commit()
    session.expire_all()
    notification = session.exec(select(Notification)).one()
    assert notification.last_error.startswith("ConnectionRefusedError")
    assert notification.attempts == 1


def test_cli_loop_keeps_sending_until_stopped(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    _queued(session, _user(session))
    monkeypatch.setitem(app.config, "SMTP_URL", "")
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("portal.notifications.commands.time.sleep", sleep)
    result = app.test_cli_runner().invoke(args=["send-notifications", "--loop", "30"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Sending due e-mails every 30 seconds. Stop with Ctrl+C.",
                                          "sent 1, failed 0, gave up 0", "Stopped."]  # quiet when nothing is due
    assert naps == [30, 30]
    assert "To: maria@example.se" in caplog.text  # not production, no SMTP_URL: written to the log
