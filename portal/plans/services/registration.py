"""Registering a patient the care team meets for the first time: the one home for making a Patient.

The number (personal, coordination or reserve) is checked by core.personal_id; the birth date comes from it, except
for a reserve number, where the nurse writes it (a date in the number is offered first). The patient gets an account
without a password at once, holding the e-mail for notices (the phone is the patient's, see contact_details); they
sign in later with e-ID, or with the password and app set up from an activation letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.core.clock import EARLIEST_DAY
from portal.core.personal_id import InvalidPersonalId, PersonalId, parse_personal_id
from portal.models import Patient, Role, User
from portal.plans.services.contact_details import LANGUAGES, is_email, is_phone, portal_language

MAX_NAME = 200
NO_PASSWORD = ""  # never matches (accounts.services.verify_password): sign-in is by e-ID or an activation letter


@dataclass
class PatientInput:
    """The registration form as typed, kept as text so that a refused form shows exactly what was written."""

    personal_id: str = ""
    name: str = ""
    birth_date: str = ""
    language: str = "sv"
    email: str = ""
    phone: str = ""

    @classmethod
    def from_form(cls, form: dict[str, str]) -> PatientInput:
        return cls(**{name: str(form.get(name, "")).strip()[:400] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CheckedPatient:
    number: PersonalId
    name: str
    birth_date: date
    language: str
    email: str | None
    phone: str | None


def number_of(typed: str) -> PersonalId | None:
    try:
        return parse_personal_id(typed)
    except InvalidPersonalId:
        return None


def is_registered(session: Session, number: PersonalId) -> bool:
    return session.exec(select(Patient.id).where(Patient.personal_id == number.digits)).first() is not None


def check_patient(data: PatientInput, today: date) -> tuple[CheckedPatient | None, dict[str, str]]:
    """Error codes per field (the view translates them)."""
    errors: dict[str, str] = {}
    number = number_of(data.personal_id)
    if number is None:
        errors["personal_id"] = "number"
    if not data.name or len(data.name) > MAX_NAME:
        errors["name"] = "name"
    birth = number.birth_date if number is not None and not number.is_reserve_number else _date(data.birth_date)
    if birth is None or not EARLIEST_DAY <= birth <= today:
        errors["birth_date"] = "birth_date"
    if data.language not in LANGUAGES:
        errors["language"] = "language"
    if data.email and not is_email(data.email):
        errors["email"] = "email"
    if data.phone and not is_phone(data.phone):
        errors["phone"] = "phone"
    if errors or number is None or birth is None:
        return None, errors
    return CheckedPatient(number, data.name, birth, data.language, data.email.lower() or None, data.phone or None), {}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def register_patient(session: Session, checked: CheckedPatient, portal_languages: tuple[str, ...] = ("sv", "en")
                     ) -> Patient | None:
    """Make the patient and their account (or use the account their e-ID made already); None if the number was
    registered meanwhile (a second click, another nurse)."""
    account = session.exec(select(User).where(User.personal_id == checked.number.digits)).first()
    try:
        with session.begin_nested():
            if account is None:
                account = User(personal_id=checked.number.digits, name=checked.name, role=Role.PATIENT,
                               password_hash=NO_PASSWORD)
            account.contact_email = checked.email or account.contact_email
            account.notify_messages = account.notify_messages or checked.email is not None
            account.locale = account.locale or portal_language(checked.language, None, portal_languages)
            session.add(account)
            session.flush()
            patient = Patient(user_id=account.id, personal_id=checked.number.digits, name=checked.name,
                              birth_date=checked.birth_date, language=checked.language, phone=checked.phone)
            session.add(patient)
            session.flush()
    except IntegrityError:
        return None
    return patient
