"""Whose account an e-ID sign-in opens: found or made by personal number, never by a password.

- An account with this personal number (a patient, a relative, or staff whose number the administrator entered —
  staff e-ID/SITHS arrives through the same brokers) is used as it is.
- A patient the care team has registered, who has no account yet, gets one now (role patient; no password).
- Someone who opened a relative's invitation in this browser gets a relative's account (no password).
- Anyone else gets no account: the care team registers patients; nothing is made for an unknown number.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core.clock import utcnow
from portal.core.personal_id import PersonalId
from portal.models import Patient, Role, User

NO_PASSWORD = ""  # accounts made by e-ID have no password (verify_password refuses an empty hash)
MAX_NAME = 200


@dataclass(frozen=True)
class Found:
    """The account an e-ID sign-in opens, and whether it was made just now."""

    user: User
    created: bool = False


def _by_number(session: Session, digits: str) -> User | None:
    return session.exec(select(User).where(User.personal_id == digits)).first()


def _made(session: Session, user: User, patient: Patient | None) -> Found:
    """Add the new account (and tie the patient to it); a twin made at the same moment by another request wins."""
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
            if patient is not None:
                patient.user_id = user.id
                session.add(patient)
                session.flush()
    except IntegrityError:
        twin = _by_number(session, user.personal_id or "")
        if twin is None:
            raise
        return Found(twin)
    return Found(user, created=True)


def account_for(session: Session, number: PersonalId, name: str, invited: bool) -> Found | None:
    """The account for this personal number (see the module's rules), or None when there is none to open."""
    user = _by_number(session, number.digits)
    if user is not None:
        return Found(user)
    patient = session.exec(select(Patient).where(Patient.personal_id == number.digits)).first()
    if patient is not None and patient.user_id is not None:
        owner = session.get(User, patient.user_id)
        return Found(owner) if owner is not None else None
    if patient is not None:
        account = User(personal_id=number.digits, name=patient.name, role=Role.PATIENT, password_hash=NO_PASSWORD,
                       locale=patient.language or None)
        return _made(session, account, patient)
    if invited:
        account = User(personal_id=number.digits, name=(name.strip() or number.masked())[:MAX_NAME],
                       role=Role.RELATIVE, password_hash=NO_PASSWORD)
        return _made(session, account, None)
    return None


def signed_in(session: Session, user: User) -> None:
    """Note the sign-in on the account."""
    user.last_login_at = utcnow()
    session.add(user)
