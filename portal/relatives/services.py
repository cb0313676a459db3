"""Relatives acting for a patient: invitations, acceptance, scopes, the end of access, and guardians of children.

Whether a delegation may be used now is decided on every request by portal.plans.services.acting.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal.accounts.services import check_new_password, find_user, hash_password
from portal.core.access_log import Action, Actor, record_access
from portal.core.clock import STOCKHOLM, utcnow
from portal.models import AccessEvent, Delegation, DelegationStatus, Notification, Patient, Relation, Role, Scope, User
from portal.notifications.services import ACCOUNT_CODE, ACCOUNT_EXISTS, INVITATION, is_valid_email
from portal.plans.services.acting import ended_reason, is_guardian_of_child, thirteenth_birthday, usable_for_user

INVITE_DAYS = 7
DEFAULT_MONTHS = 12
MAX_MONTHS = 24
ALL_SCOPES = (Scope.PLAN, Scope.MESSAGES_READ, Scope.MESSAGES_SEND, Scope.FORMS)
RELATIONS = (Relation.PARTNER, Relation.CHILD, Relation.PARENT, Relation.SIBLING, Relation.FRIEND, Relation.OTHER)
MAX_NAME = 200
# The invitation's code: in the link after "#" (never sent to the server) and written out in the e-mail to type.
# Crockford's base 32 (no I, L, O or U to misread), 20 characters: 100 bits.
TOKEN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # noqa: S105 - the letters of a code, not a password
TOKEN_LENGTH = 20
_MISREAD = str.maketrans("OIL", "011")
CODE_DIGITS = 6
CODE_RESOURCE = "invitation_code"  # the access-log resource of a wrong account code, per invitation


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


@dataclass
class InviteInput:
    """What the patient typed; kept as text so that a refused form shows it again."""

    name: str = ""
    email: str = ""
    relation: str = ""
    scopes: tuple[str, ...] = (Scope.PLAN,)
    valid_until: str = ""


def check_invite(data: InviteInput, today: date, relations: tuple[str, ...] = RELATIONS) -> dict[str, str]:
    """Error codes per field (the view translates them)."""
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "name_required"
    elif len(data.name) > MAX_NAME:
        errors["name"] = "too_long"
    if not is_valid_email(data.email):
        errors["email"] = "email"
    if data.relation not in relations:
        errors["relation"] = "choose"
    errors.update(check_scopes(data.scopes))
    errors.update(check_until(data.valid_until, today))
    return errors


def check_scopes(scopes: tuple[str, ...] | list[str]) -> dict[str, str]:
    if not scopes:
        return {"scopes": "scope_required"}
    if any(scope not in ALL_SCOPES for scope in scopes):
        return {"scopes": "unknown_scope"}
    if Scope.MESSAGES_SEND in scopes and Scope.MESSAGES_READ not in scopes:
        return {"scopes": "send_needs_read"}
    return {}


def check_until(text: str, today: date) -> dict[str, str]:
    try:
        until = date.fromisoformat(text)
    except ValueError:
        return {"valid_until": "not_a_date"}
    if until < today:
        return {"valid_until": "in_the_past"}
    if until > add_months(today, MAX_MONTHS):
        return {"valid_until": "too_far"}
    return {}


def check_change(delegation: Delegation, scopes: list[str], valid_until: str, today: date) -> dict[str, str]:
    """Error codes for a change of what a relative may do; a guardian's access is set by the care unit, not here."""
    if is_guardian_of_child(delegation):
        return {"scopes": "unknown_scope"}
    return check_scopes(scopes) | check_until(valid_until, today)


def _ordered(scopes: tuple[str, ...] | list[str] | frozenset[str]) -> str:
    return " ".join(scope for scope in ALL_SCOPES if scope in scopes)


def invite(session: Session, patient: Patient, by: User, data: InviteInput, today: date, base_url: str,
           relation: str | None = None) -> Delegation:
    """A pending delegation and its single-use invitation link, sent through the outbox; the caller commits.

    The random token (100 bits) is stored only as a hash; the link sits in the outbox until the e-mail is sent. It
    follows "#" in the link, so it is never in a request line (nor in a server's access log): invite.js moves it
    into a form, or the person writes it.
    """
    token = new_token()
    delegation = Delegation(
        patient_id=patient.id or 0, relation=relation or data.relation, scopes=_ordered(data.scopes),
        valid_from=today, valid_until=date.fromisoformat(data.valid_until), invite_name=data.name,
        invite_email=data.email.lower(), invite_token_hash=hash_token(token),
        invite_expires_at=utcnow() + timedelta(days=INVITE_DAYS), created_by_user_id=by.id,
    )
    session.add(delegation)
    session.add(Notification(user_id=None, to_address=data.email.lower(), kind=INVITATION,
                             payload=f"{base_url.rstrip('/')}/invite#{token}"))
    session.flush()
    return delegation


def invite_guardian(session: Session, patient: Patient, by: User, name: str, email: str, today: date,
                    base_url: str) -> Delegation | dict[str, str]:
    """Staff register a guardian of a child under 13: every scope, until the 13th birthday."""
    until = thirteenth_birthday(patient.birth_date)
    errors: dict[str, str] = {}
    if until <= today:
        errors["form"] = "not_a_child"
    data = InviteInput(name=name, email=email, relation=Relation.GUARDIAN, scopes=ALL_SCOPES,
                       valid_until=(until - timedelta(days=1)).isoformat())
    if not name:
        errors["name"] = "name_required"
    elif len(name) > MAX_NAME:
        errors["name"] = "too_long"
    if not is_valid_email(email):
        errors["email"] = "email"
    if errors:
        return errors
    return invite(session, patient, by, data, today, base_url)


MIN_PASSWORD = 10
MAX_PASSWORD = 200
CODE_MINUTES = 15
CODE_TRIES = 5


@dataclass(frozen=True)
class PendingAccount:
    """What the session keeps between the two steps of a relative's own account: never the code, never a password.

    `digest` is an HMAC (keyed with the app's secret) of the code with the invitation, the address and the time sent,
    so the code cannot be worked out from the cookie, and only for this invitation and address.
    """

    invitation: int
    name: str
    email: str
    digest: str
    sent_at: str  # when the code was sent (UTC, ISO 8601)

    @classmethod
    def from_session(cls, raw: object) -> PendingAccount | None:
        try:
            return cls(**raw) if isinstance(raw, dict) else None
        except TypeError:
            return None


@dataclass
class AccountSecrets:
    """What someone types in the second step; never shown again, never kept."""

    code: str = ""
    password: str = ""
    password_again: str = ""


def code_digest(secret: str, invitation: int, email: str, sent_at: str, code: str) -> str:
    message = f"{invitation}\n{email}\n{sent_at}\n{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check_account_start(name: str, email: str) -> dict[str, str]:
    """Error codes for the first step (name and address); they depend only on what was typed."""
    errors: dict[str, str] = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = "name"
    if not is_valid_email(email):
        errors["email"] = "email"
    return errors


def start_account(session: Session, delegation: Delegation, name: str, email: str, now: datetime, secret: str
                  ) -> PendingAccount | dict[str, str]:
    """Step 1 of a relative's own account, with the same answer whether or not the address has an account (so an
    invitation cannot be used to find out who has one): a free address is e-mailed a 6-digit code; an address with
    an account is e-mailed that it should sign in instead, and its code is told to nobody. The caller commits."""
    errors = check_account_start(name, email)
    if errors:
        return errors
    email, code = email.lower(), f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    payload = ACCOUNT_EXISTS if find_user(session, email) is not None else ACCOUNT_CODE + code
    session.add(Notification(user_id=None, to_address=email, kind=INVITATION, payload=payload))
    sent_at = now.astimezone(UTC).isoformat(timespec="microseconds")
    invitation = delegation.id or 0
    return PendingAccount(invitation, name, email, code_digest(secret, invitation, email, sent_at, code), sent_at)


def check_password(password: str, again: str) -> dict[str, str]:
    return check_new_password(password, again, MIN_PASSWORD, MAX_PASSWORD)


def wrong_codes(session: Session, invitation: int, since: datetime) -> int:
    """Wrong codes written for this invitation since `since`: counted in the database, so that sending an old
    cookie again does not give more tries."""
    query = select(func.count()).select_from(AccessEvent).where(
        AccessEvent.resource == f"{CODE_RESOURCE}:{invitation}", AccessEvent.action == Action.DENIED,
        col(AccessEvent.at) >= since)
    return session.exec(query).one()


def _code_problem(session: Session, pending: PendingAccount, code: str, now: datetime, secret: str) -> str | None:
    """None for the right code in time; 'wrong' (wrong, too old, or an address that has an account: one answer),
    or 'restart' once the code has been wrong CODE_TRIES times. A wrong code is logged, and so counted."""
    try:
        sent = datetime.fromisoformat(pending.sent_at)
    except (TypeError, ValueError):
        return "restart"
    tries = wrong_codes(session, pending.invitation, sent)
    if tries >= CODE_TRIES:
        return "restart"
    typed = "".join(code.split())
    right = hmac.compare_digest(pending.digest, code_digest(secret, pending.invitation, pending.email,
                                                            pending.sent_at, typed))
    if not right:
        record_access(session, Actor.of(None), Action.DENIED, f"{CODE_RESOURCE}:{pending.invitation}", None)
        return "restart" if tries + 1 >= CODE_TRIES else "wrong"
    if now - sent > timedelta(minutes=CODE_MINUTES) or find_user(session, pending.email) is not None:
        return "wrong"
    return None


def finish_account(session: Session, delegation: Delegation, pending: PendingAccount, typed: AccountSecrets,
                   now: datetime, secret: str) -> User | dict[str, str]:
    """Step 2: the right code (within 15 minutes, before the 5th wrong one) and a password make the relative's own
    account (never the patient's), which accepts the invitation at once; or error codes. The caller commits."""
    if pending.invitation != delegation.id:
        return {"code": "restart"}
    problem = _code_problem(session, pending, typed.code, now, secret)
    errors = check_password(typed.password, typed.password_again)
    if problem is not None:
        return {"code": problem} if problem == "restart" else {"code": problem, **errors}
    if errors:
        return errors
    user = User(email=pending.email, name=pending.name, role=Role.RELATIVE, contact_email=pending.email,
                password_hash=hash_password(typed.password))
    session.add(user)
    session.flush()
    accept(session, delegation, user)
    return user


def invitation_code(typed: str) -> str | None:
    """The invitation's code as written or pasted (in groups, in any case, or the whole link), in its one form."""
    text = "".join(typed.rpartition("#")[2].split()).replace("-", "").upper().translate(_MISREAD)
    return text if len(text) == TOKEN_LENGTH and set(text) <= set(TOKEN_ALPHABET) else None


def find_invitation(session: Session, token: str) -> Delegation | None:
    code = invitation_code(token[:200])
    if code is None:
        return None
    return session.exec(select(Delegation).where(Delegation.invite_token_hash == hash_token(code))).first()


def invitation_problem(session: Session, delegation: Delegation | None, user: User | None, now: datetime
                       ) -> str | None:
    """Why an invitation cannot be accepted (by this user), or None."""
    if delegation is None or delegation.status != DelegationStatus.INVITED:
        return "unknown"  # forged, already used or revoked: the same answer
    if delegation.invite_expires_at is None or delegation.invite_expires_at < now:
        return "expired"
    if user is None:
        return None
    if user.role not in (Role.RELATIVE, Role.PATIENT):
        return "wrong_account"
    patient = session.get(Patient, delegation.patient_id)
    if patient is not None and patient.user_id == user.id:
        return "own"
    active = session.exec(
        select(Delegation).where(Delegation.patient_id == delegation.patient_id,
                                 Delegation.relative_user_id == user.id,
                                 Delegation.status == DelegationStatus.ACTIVE)
    ).all()
    today = now.astimezone(STOCKHOLM).date()
    if any(ended_reason(session, other, user.id, today) is None for other in active):
        return "already"  # an access that has run out (still marked active until next used) does not count
    return None


def accept(session: Session, delegation: Delegation, user: User) -> None:
    """The invitation becomes an active delegation for this account; the token can never be used again."""
    delegation.relative_user_id = user.id
    delegation.status = DelegationStatus.ACTIVE
    delegation.accepted_at = utcnow()
    delegation.invite_token_hash = None
    session.add(delegation)
    session.flush()


def accepted_access(session: Session, user_id: int, delegation_id: int | None, today: date
                    ) -> tuple[Delegation, Patient] | None:
    """The access this account acts through now and may use today (the welcome after accepting), or None."""
    return next(((delegation, patient) for delegation, patient in usable_for_user(session, user_id, today)
                 if delegation.id == delegation_id), None)


def for_patient(session: Session, patient_id: int) -> list[tuple[Delegation, str | None]]:
    """Every delegation of a patient, newest first, with the relative's account name once accepted."""
    query = (
        select(Delegation, User.name)
        .join(User, col(User.id) == Delegation.relative_user_id, isouter=True)
        .where(Delegation.patient_id == patient_id)
        .order_by(col(Delegation.created_at).desc(), col(Delegation.id).desc())
    )
    return [(d, name) for d, name in session.exec(query).all()]


def change(session: Session, delegation: Delegation, scopes: list[str], valid_until: str) -> None:
    delegation.scopes = _ordered(scopes)
    delegation.valid_until = date.fromisoformat(valid_until)
    delegation.changed_at = utcnow()
    session.add(delegation)
    session.flush()


def revoke(session: Session, delegation: Delegation) -> None:
    """Access ends now; an unused invitation can no longer be accepted."""
    delegation.status = DelegationStatus.REVOKED
    delegation.revoked_at = utcnow()
    delegation.invite_token_hash = None
    session.add(delegation)
    session.flush()
