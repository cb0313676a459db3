"""Administration of one care provider: its units, the accounts of its staff and content editors, their work at the
units, invitations to choose a password, and ending an account at once.

An administrator reaches only the objects of their own provider: every lookup takes the provider and answers None
for anything else (the view turns that into 404). Every change is added to the access log (no patient: the
resource names the object) together with the change itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from portal.accounts.services import check_new_password, end_all_sessions, hash_password
from portal.core import keyset
from portal.core.access_log import Action, Actor, record_access
from portal.core.clock import as_utc
from portal.core.keyset import Key, Slice
from portal.core.text import parse_id
from portal.models import AccountInvitation, CarePlan, CareUnit, Notification, Role, StaffMember, User
from portal.notifications.services import INVITATION, STAFF_INVITATION, is_valid_email
from portal.relatives.services import hash_token, invitation_code, new_token

PAGE = 50
INVITE_DAYS = 7
MANAGED_ROLES = (Role.STAFF, Role.EDITOR)
MAX_NAME = 200
MAX_PHONE = 40
MAX_HOURS = 200
MAX_TITLE = 100
MAX_REPLY_DAYS = 30
MIN_PASSWORD = 12
MAX_PASSWORD = 200
WELCOME_PATH = "/welcome"
_PHONE = re.compile(r"^\+?[0-9 ()-]{5,40}$")


def _log(session: Session, by: User, action: Action, resource: str, unit_id: int | None = None) -> None:
    """An administrator's change in the access log: no patient's data, the object named by the resource."""
    record_access(session, Actor.of(by), action, resource, None, unit_id)


# --- units -------------------------------------------------------------------------------------------------------

@dataclass
class UnitInput:
    """A unit form as typed, kept as text so that a refused form shows exactly what was written."""

    name: str = ""
    phone: str = ""
    opening_hours: str = ""
    reply_days: str = "2"

    @classmethod
    def from_form(cls, form: dict[str, str]) -> UnitInput:
        return cls(**{name: str(form.get(name, "")).strip()[:400] for name in cls.__dataclass_fields__})

    @classmethod
    def of(cls, unit: CareUnit) -> UnitInput:
        return cls(unit.name, unit.phone, unit.opening_hours, str(unit.reply_days))


def check_unit(data: UnitInput) -> dict[str, str]:
    """Error codes per field (the view translates them)."""
    errors: dict[str, str] = {}
    if not data.name or len(data.name) > MAX_NAME:
        errors["name"] = "name"
    if not _PHONE.match(data.phone):
        errors["phone"] = "phone"
    if len(data.opening_hours) > MAX_HOURS:
        errors["opening_hours"] = "too_long"
    days = parse_id(data.reply_days)
    if days is None or days > MAX_REPLY_DAYS:
        errors["reply_days"] = "reply_days"
    return errors


def units(session: Session, provider_id: int | None, after: int | None = None) -> Slice[CareUnit]:
    """The provider's units by name, a page at a time after unit `after`."""
    keys = [Key(col(CareUnit.name)), Key(col(CareUnit.id))]
    query = select(CareUnit).where(CareUnit.provider_id == provider_id)
    start = None
    if after is not None and (last := unit_of(session, provider_id, after)) is not None:
        start = (last.name, last.id)
        query = query.where(keyset.after(keys, start))
    rows = list(session.exec(query.order_by(*keyset.order_by(keys)).limit(PAGE + 1)).all())
    return keyset.cut(rows, PAGE, lambda unit: unit.id, start)


def unit_of(session: Session, provider_id: int | None, unit_id: int) -> CareUnit | None:
    unit = session.get(CareUnit, unit_id)
    return unit if unit is not None and provider_id is not None and unit.provider_id == provider_id else None


def save_unit(session: Session, provider_id: int, by: User, data: UnitInput, unit: CareUnit | None = None
              ) -> CareUnit:
    """Add a unit to the provider, or change one of its units (checked first with check_unit)."""
    found = unit or CareUnit(provider_id=provider_id, name="", phone="")
    found.name, found.phone, found.opening_hours = data.name, data.phone, data.opening_hours
    found.reply_days = int(data.reply_days)
    session.add(found)
    session.flush()
    _log(session, by, Action.UPDATE if unit else Action.CREATE, f"care_unit:{found.id}", found.id)
    return found


# --- accounts ----------------------------------------------------------------------------------------------------

def accounts(session: Session, provider_id: int | None, after: int | None = None) -> Slice[User]:
    """The provider's staff and content editors by name, a page at a time after account `after`."""
    keys = [Key(col(User.name)), Key(col(User.id))]
    query = select(User).where(User.provider_id == provider_id, col(User.role).in_(MANAGED_ROLES))
    start = None
    if after is not None and (last := account_of(session, provider_id, after)) is not None:
        start = (last.name, last.id)
        query = query.where(keyset.after(keys, start))
    rows = list(session.exec(query.order_by(*keyset.order_by(keys)).limit(PAGE + 1)).all())
    return keyset.cut(rows, PAGE, lambda user: user.id, start)


def account_of(session: Session, provider_id: int | None, user_id: int) -> User | None:
    """A staff or editor account of this provider, else None."""
    user = session.get(User, user_id)
    if user is None or provider_id is None or user.provider_id != provider_id or user.role not in MANAGED_ROLES:
        return None
    return user


def memberships(session: Session, user_id: int) -> list[tuple[StaffMember, CareUnit]]:
    """Where the person works now, by unit name."""
    query = (select(StaffMember, CareUnit).join(CareUnit, col(CareUnit.id) == StaffMember.unit_id)
             .where(StaffMember.user_id == user_id).order_by(col(CareUnit.name), col(StaffMember.id)))
    return [(member, unit) for member, unit in session.exec(query).all()]


def pending_invitation(session: Session, user_id: int, now: datetime) -> AccountInvitation | None:
    """The invitation not yet used and not yet expired, if any."""
    query = select(AccountInvitation).where(AccountInvitation.user_id == user_id,
                                            col(AccountInvitation.used_at).is_(None),
                                            col(AccountInvitation.expires_at) > now)
    return session.exec(query.order_by(col(AccountInvitation.id).desc())).first()


@dataclass
class InviteInput:
    name: str = ""
    email: str = ""
    role: str = Role.STAFF
    unit_id: str = ""
    title: str = ""

    @classmethod
    def from_form(cls, form: dict[str, str]) -> InviteInput:
        return cls(**{name: str(form.get(name, "")).strip()[:400] for name in cls.__dataclass_fields__})


def check_invite(session: Session, provider_id: int | None, data: InviteInput) -> dict[str, str]:
    """Error codes per field; staff start at one of the provider's units with a title."""
    errors: dict[str, str] = {}
    if not data.name or len(data.name) > MAX_NAME:
        errors["name"] = "name"
    if not is_valid_email(data.email):
        errors["email"] = "email"
    elif session.exec(select(User.id).where(User.email == data.email.lower())).first() is not None:
        errors["email"] = "taken"
    if data.role not in MANAGED_ROLES:
        errors["role"] = "role"
    elif data.role == Role.STAFF:
        errors.update(check_membership(session, provider_id, data.unit_id, data.title))
    return errors


def check_membership(session: Session, provider_id: int | None, unit_id: str, title: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if unit_of(session, provider_id, parse_id(unit_id) or 0) is None:
        errors["unit_id"] = "unit"
    if not title or len(title) > MAX_TITLE:
        errors["title"] = "title"
    return errors


def invite(session: Session, provider_id: int, by: User, data: InviteInput, now: datetime, base_url: str) -> User:
    """A new account (with no password anyone knows), its first unit for staff, and an e-mailed invitation."""
    user = User(email=data.email.lower(), name=data.name, role=data.role, provider_id=provider_id,
                password_hash=hash_password(new_token() + new_token()))
    session.add(user)
    session.flush()
    _log(session, by, Action.CREATE, f"account:{user.id}")
    if data.role == Role.STAFF:
        add_membership(session, user, by, int(data.unit_id), data.title)
    send_invitation(session, user, by, now, base_url)
    return user


def send_invitation(session: Session, user: User, by: User, now: datetime, base_url: str) -> AccountInvitation:
    """A new one-time link by e-mail (any earlier one stops working): the code after "#", never in a request line."""
    for old in session.exec(select(AccountInvitation).where(AccountInvitation.user_id == user.id,
                                                            col(AccountInvitation.used_at).is_(None))).all():
        old.expires_at = min(as_utc(old.expires_at), now)
        session.add(old)
    code = new_token()
    invitation = AccountInvitation(user_id=user.id or 0, token_hash=hash_token(code), invited_by_user_id=by.id,
                                   created_at=now, expires_at=now + timedelta(days=INVITE_DAYS))
    session.add(invitation)
    link = f"{base_url.rstrip('/')}{WELCOME_PATH}#{code}"
    session.add(Notification(user_id=None, to_address=user.email, kind=INVITATION, payload=STAFF_INVITATION + link))
    session.flush()
    _log(session, by, Action.CREATE, f"account_invitation:{invitation.id}")
    return invitation


def add_membership(session: Session, user: User, by: User, unit_id: int, title: str) -> StaffMember:
    """Work at one more unit (checked first with check_membership)."""
    member = StaffMember(user_id=user.id or 0, unit_id=unit_id, title=title)
    session.add(member)
    session.flush()
    _log(session, by, Action.CREATE, f"staff_member:{member.id}", unit_id)
    return member


def membership_of(session: Session, user: User, member_id: int) -> StaffMember | None:
    member = session.get(StaffMember, member_id)
    return member if member is not None and member.user_id == user.id else None


def set_title(session: Session, by: User, member: StaffMember, title: str) -> None:
    member.title = title
    session.add(member)
    _log(session, by, Action.UPDATE, f"staff_member:{member.id}", member.unit_id)


def end_membership(session: Session, by: User, member: StaffMember) -> int:
    """The person no longer works at the unit: the row goes, and plans that had them as contact nurse have none
    until the unit chooses one (each such plan's change is logged for its patient). How many plans that was."""
    plans = session.exec(select(CarePlan).where(CarePlan.contact_nurse_id == member.id)).all()
    for plan in plans:
        plan.contact_nurse_id = None
        session.add(plan)
        record_access(session, Actor.of(by), Action.UPDATE, f"plan:{plan.id}", plan.patient_id, member.unit_id)
    session.flush()
    _log(session, by, Action.DELETE, f"staff_member:{member.id}", member.unit_id)
    session.delete(member)
    return len(plans)


def set_active(session: Session, by: User, user: User, active: bool, now: datetime) -> None:
    """Deactivate at once (every session ends: a new session nonce, and inactive accounts are never loaded; unused
    invitations stop working), or let the account sign in again."""
    user.is_active = active
    end_all_sessions(session, user)
    if not active:
        for invitation in session.exec(select(AccountInvitation).where(AccountInvitation.user_id == user.id,
                                                                       col(AccountInvitation.used_at).is_(None))):
            invitation.expires_at = min(as_utc(invitation.expires_at), now)
            session.add(invitation)
    session.add(user)
    _log(session, by, Action.UPDATE, f"account:{user.id}")


# --- accepting an invitation -------------------------------------------------------------------------------------

def find_invitation(session: Session, typed: str) -> AccountInvitation | None:
    code = invitation_code(typed[:200])
    if code is None:
        return None
    return session.exec(select(AccountInvitation).where(AccountInvitation.token_hash == hash_token(code))).first()


def invitation_problem(session: Session, invitation: AccountInvitation | None, now: datetime) -> str | None:
    """Why an invitation cannot be used now ('unknown', 'used', 'expired'), or None."""
    if invitation is None:
        return "unknown"
    user = session.get(User, invitation.user_id)
    if invitation.used_at is not None:
        return "used"
    if user is None or not user.is_active or as_utc(invitation.expires_at) <= now:
        return "expired"
    return None


def check_password(password: str, again: str) -> dict[str, str]:
    return check_new_password(password, again, MIN_PASSWORD, MAX_PASSWORD)


def accept_invitation(session: Session, invitation: AccountInvitation, password: str, now: datetime) -> User:
    """The password is set and the invitation is used up (checked first with invitation_problem, which also makes
    sure the account exists); the account signs in from now on."""
    user = session.get(User, invitation.user_id)
    if user is None:
        raise LookupError("the invited account is gone")
    user.password_hash = hash_password(password)
    end_all_sessions(session, user)
    invitation.used_at = now
    session.add_all([user, invitation])
    record_access(session, Actor.of(user), Action.UPDATE, f"account_invitation:{invitation.id}", None)
    return user
