"""The patient's contact details, the one home of their rules: the phone the care team rings, the e-mail notices go
to (on the patient's account, where the notices read it and the patient changes it), the language the patient
wants and the interpreter they need. Checked here for registration and for the care team's changes alike.

Nothing here commits: the request saves the change once, with its access-log event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session

from portal.models import Patient, User

MAX_EMAIL = 254
MAX_PHONE = 40
MAX_TYPED = 400  # longer than any field allows, so a too-long text is shown again and refused, not cut
# The languages a patient can choose (ISO 639-1), Swedish first; the portal itself speaks those in LANGUAGES.
LANGUAGES = ("sv", "en", "ar", "fi", "so", "fa", "ti", "pl", "bs", "tr", "ku", "es", "de", "ru", "uk")
# Digits, spaces, '+' and '-', beginning with '+' or a digit and holding at least five digits.
_PHONE = re.compile(r"^\+?[0-9][0-9 -]*$")
MIN_PHONE_DIGITS = 5


@dataclass(frozen=True)
class ContactDetails:
    """What the care team sees about reaching the patient."""

    phone: str | None
    email: str | None
    language: str
    interpreter_language: str | None
    has_account: bool

    @property
    def phone_link(self) -> str:
        """The number for a tel: link (without spaces and dashes)."""
        return "".join(ch for ch in self.phone or "" if ch.isdigit() or ch == "+")


@dataclass
class ContactInput:
    """The form as typed, kept as text so that a refused form shows exactly what was written."""

    phone: str = ""
    email: str = ""
    language: str = "sv"
    interpreter: bool = False
    interpreter_language: str = ""

    @classmethod
    def from_form(cls, form: dict[str, str]) -> ContactInput:
        text = {name: str(form.get(name, "")).strip()[:MAX_TYPED]
                for name in ("phone", "email", "language", "interpreter_language")}
        return cls(interpreter=bool(form.get("interpreter")), **text)

    @classmethod
    def of(cls, details: ContactDetails) -> ContactInput:
        return cls(phone=details.phone or "", email=details.email or "", language=details.language,
                   interpreter=details.interpreter_language is not None,
                   interpreter_language=details.interpreter_language or "")


def is_phone(text: str) -> bool:
    return len(text) <= MAX_PHONE and bool(_PHONE.match(text)) and sum(ch.isdigit() for ch in text) >= MIN_PHONE_DIGITS


def is_email(address: str) -> bool:
    """As notifications.services.is_valid_email checks it (plans may not import notifications)."""
    try:
        validate_email(address, check_deliverability=False, allow_quoted_local=False)
    except EmailNotValidError:
        return False
    return len(address) <= MAX_EMAIL


def details_of(session: Session, patient: Patient) -> ContactDetails:
    account = session.get(User, patient.user_id) if patient.user_id else None
    return ContactDetails(patient.phone, account.contact_email if account else None, patient.language,
                          patient.interpreter_language, account is not None)


def check(data: ContactInput, has_account: bool) -> dict[str, str]:
    """Error codes per field (the view translates them); an empty phone or e-mail is allowed."""
    errors: dict[str, str] = {}
    if data.phone and not is_phone(data.phone):
        errors["phone"] = "phone"
    if data.email and (not has_account or not is_email(data.email)):
        errors["email"] = "email" if has_account else "no_account"
    if data.language not in LANGUAGES:
        errors["language"] = "language"
    if data.interpreter and data.interpreter_language not in LANGUAGES:
        errors["interpreter_language"] = "interpreter_language"
    return errors


def portal_language(language: str, interpreter_language: str | None, portal_languages: tuple[str, ...]) -> str | None:
    """The language the portal and its e-mails use for a person who has not chosen one: their preferred language if
    the portal speaks it, else the language they need an interpreter for if it does, else none (Swedish)."""
    return next((code for code in (language, interpreter_language) if code in portal_languages), None)


def save(session: Session, patient: Patient, data: ContactInput, portal_languages: tuple[str, ...] = ("sv", "en")
         ) -> None:
    """Store checked details. Notices by e-mail start when an address is first given (as at registration); a patient
    who turned them off keeps them off. An account still on the language the care team gave it follows a new one (a
    language the patient chose themself stays)."""
    account = session.get(User, patient.user_id) if patient.user_id else None
    if account is not None and account.locale in (None, portal_language(
            patient.language, patient.interpreter_language, portal_languages)):
        account.locale = portal_language(data.language, data.interpreter_language if data.interpreter else None,
                                         portal_languages)
    patient.phone = data.phone or None
    patient.language = data.language
    patient.interpreter_language = data.interpreter_language if data.interpreter else None
    session.add(patient)
    if account is not None:
        email = data.email.lower() or None
        account.notify_messages = (account.notify_messages or not account.contact_email) and email is not None
        account.contact_email = email
        session.add(account)
