"""The notification outbox: a short e-mail that something new is waiting in Min vårdplan, never what it is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from portal.models import Notification, User

NEW_MESSAGE = "new_message"
PLAN_SHARED = "plan_shared"  # "you have a care plan in Min vårdplan", when the nurse shares a new plan
# To an address that may have no account yet, about an invitation; the payload says which e-mail, and is erased once
# it is sent: the invitation's link, or the code for a relative's new account (ACCOUNT_CODE + 6 digits), or
# ACCOUNT_EXISTS (the address has an account already: sign in with it instead).
INVITATION = "invitation"
ACCOUNT_CODE = "account-code:"
ACCOUNT_EXISTS = "account-exists"
STAFF_INVITATION = "staff-invitation:"  # + the link with which invited staff choose a password
MAX_ATTEMPTS = 6
BATCH_SIZE = 100
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
MAX_ERROR_LENGTH = 200
MAX_EMAIL_LENGTH = 254
# next_attempt_at of a notification that will never be tried again (sent_at stays empty: it was never sent).
GIVEN_UP = datetime(9999, 1, 1, tzinfo=UTC)

Compose = Callable[[User], tuple[str, str]]
ComposeInvitation = Callable[[str], tuple[str, str]]
Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0


def is_valid_email(address: str) -> bool:
    """An address that can receive e-mail by its form (RFC 5322 via email-validator; no DNS look-up), at most 254
    characters. Quoted local parts and addresses without a dot in the domain are refused."""
    if len(address) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(address, check_deliverability=False, allow_quoted_local=False)
    except EmailNotValidError:
        return False
    return True


def wants_email(user: User) -> bool:
    """True if the user has asked for e-mails and told us where to send them."""
    return bool(user.is_active and user.notify_messages and user.contact_email)


def queue_new_message(session: Session, user: User, kind: str = NEW_MESSAGE) -> Notification | None:
    """Put one 'you have a new message' (or another `kind` of) e-mail in the outbox if the user wants it; the caller
    commits."""
    if not wants_email(user) or user.id is None:
        return None
    pending = select(Notification).where(
        Notification.user_id == user.id,
        Notification.kind == kind,
        col(Notification.sent_at).is_(None),
        col(Notification.next_attempt_at) < GIVEN_UP,
    )
    if session.exec(pending).first() is not None:
        return None  # one nudge is enough until it is sent
    notification = Notification(user_id=user.id, kind=kind)
    session.add(notification)
    return notification


def queue_plan_shared(_plan: object, *, session: Session, user: User | None) -> None:
    """Listens to plans' plan_shared signal: tell the patient a care plan is waiting (nothing about what is in it)."""
    if user is not None:
        queue_new_message(session, user, PLAN_SHARED)


def build_email(to: str, subject: str, body: str) -> EmailMessage:
    """The e-mail without a sender; the mailer adds From, Date and Message-ID."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failed attempt, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20), LONGEST_RETRY)


def short_error(error: BaseException) -> str:
    """What went wrong, in one short line for the operator: the kind of error and the server's answer."""
    text = f"{type(error).__name__}: {error}".splitlines()[0] if str(error) else type(error).__name__
    return text[:MAX_ERROR_LENGTH]


def send_due(session: Session, send: Send, now: datetime, *, compose: Compose,
             compose_invitation: ComposeInvitation | None = None, compose_plan_shared: Compose | None = None,
             max_attempts: int = MAX_ATTEMPTS, limit: int = BATCH_SIZE) -> SendReport:
    """Send the due e-mails, oldest first; each outcome is committed before the next one is tried."""
    outcomes: Counter[str] = Counter()
    kinds = (NEW_MESSAGE, INVITATION) if compose_invitation else (NEW_MESSAGE,)
    kinds += (PLAN_SHARED,) if compose_plan_shared else ()
    for _ in range(limit):
        notification = _next_due(session, now, kinds)
        if notification is None:
            break
        if notification.kind == INVITATION and compose_invitation is not None:
            outcome = _deliver_invitation(session, notification, send, compose_invitation, now, max_attempts)
        elif notification.kind == PLAN_SHARED and compose_plan_shared is not None:
            outcome = _deliver(session, notification, send, compose_plan_shared, now, max_attempts)
        else:
            outcome = _deliver(session, notification, send, compose, now, max_attempts)
        outcomes[outcome] += 1
        session.commit()
    return SendReport(sent=outcomes["sent"], failed=outcomes["failed"], gave_up=outcomes["gave_up"])


def _next_due(session: Session, now: datetime, kinds: tuple[str, ...] = (NEW_MESSAGE,)) -> Notification | None:
    """The oldest due notification, locked so that two senders never send the same one (PostgreSQL)."""
    query = (
        select(Notification)
        .where(col(Notification.kind).in_(kinds), col(Notification.sent_at).is_(None),
               col(Notification.next_attempt_at) <= now)
        .order_by(col(Notification.created_at), col(Notification.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.exec(query).first()


def _deliver(session: Session, notification: Notification, send: Send, compose: Compose, now: datetime,
             max_attempts: int) -> str:
    user = session.get(User, notification.user_id)
    if user is None or not wants_email(user):
        return _give_up(session, notification, "Not sent: the user has turned e-mail off or has no address.")
    notification.attempts += 1
    try:
        subject, body = compose(user)
        send(build_email(user.contact_email or "", subject, body))
    except Exception as error:  # any failure is retried later, so one bad e-mail never blocks the others
        return _failed(session, notification, short_error(error), now, max_attempts)
    notification.sent_at = now
    notification.last_error = ""
    session.add(notification)
    return "sent"


def _deliver_invitation(session: Session, notification: Notification, send: Send, compose: ComposeInvitation,
                        now: datetime, max_attempts: int) -> str:
    """An invitation to an address: the link goes out once, then it is erased from the outbox."""
    if not notification.to_address or not notification.payload:
        return _give_up(session, notification, "Not sent: no address or no link.")
    notification.attempts += 1
    try:
        subject, body = compose(notification.payload)
        send(build_email(notification.to_address, subject, body))
    except Exception as error:  # retried later, like every other e-mail
        return _failed(session, notification, short_error(error), now, max_attempts)
    notification.sent_at = now
    notification.last_error = ""
    notification.payload = ""
    session.add(notification)
    return "sent"


def _failed(session: Session, notification: Notification, error: str, now: datetime, max_attempts: int) -> str:
    if notification.attempts >= max_attempts:
        return _give_up(session, notification, f"Gave up after {notification.attempts} attempts. {error}")
    notification.last_error = error
    notification.next_attempt_at = now + retry_delay(notification.attempts)
    session.add(notification)
    return "failed"


def _give_up(session: Session, notification: Notification, reason: str) -> str:
    notification.last_error = reason[:MAX_ERROR_LENGTH]
    notification.next_attempt_at = GIVEN_UP
    session.add(notification)
    return "gave_up"
