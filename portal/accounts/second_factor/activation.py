"""Activation letters, no Flask: a nurse prints a one-time code (14 days, kept as a hash, a new letter voids the old)
with which a patient without e-ID sets a password and an authenticator app, and so gets an account of their own."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from portal.accounts.second_factor import services as factor
from portal.accounts.services import MAX_PASSWORD_LENGTH, MIN_NEW_PASSWORD, check_new_password, hash_password
from portal.core.clock import as_utc
from portal.models import ActivationLetter, Patient, Role, User

VALID_FOR = timedelta(days=14)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no O/0 or I/1 to mix up on paper
CODE_LENGTH = 12  # 60 random bits, typed with the personal number, tried slowly (the sign-in wait)
MIN_PASSWORD = MIN_NEW_PASSWORD


@dataclass(frozen=True)
class PrintedLetter:
    letter: ActivationLetter
    code: str  # shown once, on the printed page; only its hash is kept


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normal(typed: str) -> str:
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def print_letter(session: Session, patient: Patient, printed_by: User, now: datetime) -> PrintedLetter:
    """A new letter for the patient; any older letter not yet used stops working."""
    for older in session.exec(select(ActivationLetter).where(
            ActivationLetter.patient_id == patient.id, col(ActivationLetter.used_at).is_(None),
            col(ActivationLetter.voided_at).is_(None))).all():
        older.voided_at = now
        session.add(older)
    code = "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))
    letter = ActivationLetter(patient_id=patient.id or 0, code_hash=_hash(code), printed_by=printed_by.id or 0,
                              created_at=now, expires_at=now + VALID_FOR)
    session.add(letter)
    session.flush()
    return PrintedLetter(letter, "-".join(code[n:n + 4] for n in range(0, CODE_LENGTH, 4)))


def open_letter(session: Session, personal_id: str, typed_code: str, now: datetime) -> ActivationLetter | None:
    """The patient's current letter if the code is right, unused and not expired (never which part was wrong)."""
    patient = session.exec(select(Patient).where(Patient.personal_id == personal_id)).first()
    letter = session.exec(select(ActivationLetter).where(
        ActivationLetter.patient_id == (patient.id if patient else -1), col(ActivationLetter.used_at).is_(None),
        col(ActivationLetter.voided_at).is_(None)).order_by(col(ActivationLetter.id).desc())).first()
    digest = _hash(_normal(typed_code))
    if letter is None or not hmac.compare_digest(letter.code_hash, digest) or as_utc(letter.expires_at) <= now:
        return None
    return letter


def usable(session: Session, letter_id: int, now: datetime) -> ActivationLetter | None:
    """The letter again (step 2), if nothing used, voided or outdated it meanwhile."""
    letter = session.get(ActivationLetter, letter_id)
    if letter is None or letter.used_at or letter.voided_at or as_utc(letter.expires_at) <= now:
        return None
    return letter


def check_password(password: str, again: str) -> dict[str, str]:
    return check_new_password(password, again, MIN_PASSWORD, MAX_PASSWORD_LENGTH)


@dataclass(frozen=True)
class Activation:
    password: str
    password_again: str
    secret: str  # the TOTP secret shown on the page
    code: str  # the first code from the app


def activate(session: Session, letter: ActivationLetter, typed: Activation, now: datetime) -> User | dict[str, str]:
    """Use the letter: the patient's account gets the password and the app (made if the patient had none)."""
    errors = check_password(typed.password, typed.password_again)
    if factor.matching_step(typed.secret, typed.code, now) is None:
        errors["code"] = "code_wrong" if typed.code.strip() else "app_code_missing"
    if errors:
        return errors
    patient = session.get(Patient, letter.patient_id)
    if patient is None:
        return {"form": "letter_gone"}
    user = session.get(User, patient.user_id) if patient.user_id else session.exec(
        select(User).where(User.personal_id == patient.personal_id)).first()
    if user is None:
        user = User(personal_id=patient.personal_id, name=patient.name, role=Role.PATIENT, password_hash="")
    user.password_hash = hash_password(typed.password)
    user.is_active = True
    session.add(user)
    session.flush()
    factor.enrol_totp(session, user, typed.secret, typed.code, now)
    patient.user_id = user.id
    letter.used_at = now
    session.add_all([patient, letter])
    return user
