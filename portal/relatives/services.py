"""Relatives acting for a patient: invitations, acceptance, scopes, the end of access, and guardians of children.

Whether a delegation may be used now is decided on every request by portal.plans.services.acting.
"""

from __future__ import annotations

import calendar
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from portal.accounts.services import find_user, hash_password
from portal.core.clock import STOCKHOLM, utcnow
from portal.models import Delegation, DelegationStatus, Notification, Patient, Relation, Role, Scope, User
from portal.notifications.services import INVITATION, is_valid_email
from portal.plans.services.acting import ended_reason, is_guardian_of_child, thirteenth_birthday

INVITE_DAYS = 7
DEFAULT_MONTHS = 12
MAX_MONTHS = 24
ALL_SCOPES = (Scope.PLAN, Scope.MESSAGES_READ, Scope.MESSAGES_SEND, Scope.FORMS)
RELATIONS = (Relation.PARTNER, Relation.CHILD, Relation.PARENT, Relation.SIBLING, Relation.FRIEND, Relation.OTHER)
MAX_NAME = 200


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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

    The random token (128 bits) is stored only as a hash; the link sits in the outbox until the e-mail is sent.
    """
    token = secrets.token_urlsafe(16)
    delegation = Delegation(
        patient_id=patient.id or 0, relation=relation or data.relation, scopes=_ordered(data.scopes),
        valid_from=today, valid_until=date.fromisoformat(data.valid_until), invite_name=data.name,
        invite_email=data.email.lower(), invite_token_hash=hash_token(token),
        invite_expires_at=utcnow() + timedelta(days=INVITE_DAYS), created_by_user_id=by.id,
    )
    session.add(delegation)
    session.add(Notification(user_id=None, to_address=data.email.lower(), kind=INVITATION,
                             payload=f"{base_url.rstrip('/')}/invite/{token}"))
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


@dataclass
class AccountInput:
    """What someone typed to make a relative's account; the passwords are never shown again."""

    name: str = ""
    email: str = ""
    password: str = ""
    password_again: str = ""


def check_account(session: Session, data: AccountInput) -> dict[str, str]:
    """Error codes per field for a new relative's account (the view translates them)."""
    errors: dict[str, str] = {}
    if not data.name or len(data.name) > MAX_NAME:
        errors["name"] = "name"
    if not is_valid_email(data.email):
        errors["email"] = "email"
    elif find_user(session, data.email) is not None:
        errors["email"] = "taken"
    if len(data.password) < MIN_PASSWORD:
        errors["password"] = "password_short"  # noqa: S105 - an error code, not a password
    elif len(data.password) > MAX_PASSWORD:
        errors["password"] = "password_long"  # noqa: S105
    elif data.password != data.password_again:
        errors["password_again"] = "password_match"  # noqa: S105
    return errors


def create_relative_account(session: Session, data: AccountInput, delegation: Delegation
                            ) -> tuple[User | None, dict[str, str]]:
    """A relative's own account (never the patient's) that accepts the invitation at once; or error codes."""
    errors = check_account(session, data)
    if errors:
        return None, errors
    email = data.email.lower()
    user = User(email=email, name=data.name, role=Role.RELATIVE, password_hash=hash_password(data.password),
                contact_email=email)
    session.add(user)
    session.flush()
    accept(session, delegation, user)
    return user, {}


def find_invitation(session: Session, token: str) -> Delegation | None:
    if not token or len(token) > 100:
        return None
    return session.exec(select(Delegation).where(Delegation.invite_token_hash == hash_token(token))).first()


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
