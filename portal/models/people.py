"""Organisations and people: regions, care providers, care units, users, patients, staff."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from portal.models.base import utcnow


class Role(StrEnum):
    PATIENT = "patient"
    RELATIVE = "relative"
    STAFF = "staff"
    EDITOR = "editor"
    ADMIN = "admin"


class Region(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)


class CareProvider(SQLModel, table=True):
    """A vårdgivare: a region's hospital group or a private provider."""

    __tablename__ = "care_provider"
    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True)
    name: str = Field(max_length=200)


class CareUnit(SQLModel, table=True):
    """A vårdenhet: the clinic the patient calls."""

    __tablename__ = "care_unit"
    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="care_provider.id", index=True)
    name: str = Field(max_length=200)
    phone: str = Field(max_length=40)
    opening_hours: str = Field(default="", max_length=200)
    reply_days: int = Field(default=2, ge=0)
    # Where the unit is, for the item page's address and map link (empty: not known).
    street: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=10)
    city: str = Field(default="", max_length=100)

    @property
    def address(self) -> str:
        """'Sjukhusvägen 1, 413 45 Göteborg', or empty when the street is not known."""
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part) if self.street else ""


class User(SQLModel, table=True):
    """Someone who signs in: patients with a personal identity number, others with e-mail."""

    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=254, unique=True)
    personal_id: str | None = Field(default=None, max_length=12, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20, index=True)
    name: str = Field(max_length=200)
    locale: str | None = Field(default=None, max_length=10)
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_last_step: int | None = Field(default=None)  # the last TOTP time step used (no reuse)
    session_nonce: str = Field(default_factory=lambda: secrets.token_urlsafe(16), max_length=32)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    contact_email: str | None = Field(default=None, max_length=254)  # where notices go (the one home of it)
    notify_messages: bool = Field(default=False)
    # The care provider whose administrator manages this account (staff, editors, administrators); none for patients.
    provider_id: int | None = Field(default=None, foreign_key="care_provider.id", index=True)

    # Flask-Login protocol. The id it stores carries a nonce, so signing out
    # ends every copy of the session cookie, not only this browser's.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"


class Patient(SQLModel, table=True):
    """A person with a care plan. Their e-mail for notices is on their account (User.contact_email); the phone the
    care team rings, the language they want and the interpreter they need are here."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", unique=True)
    personal_id: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=200)
    birth_date: date
    language: str = Field(default="sv", max_length=10)  # the language the patient wants information in
    phone: str | None = Field(default=None, max_length=40)
    interpreter_language: str | None = Field(default=None, max_length=10)  # None: no interpreter needed
    # The private calendar feed (plans/calendar.py): only a SHA-256 hash of its secret address is kept; None: off.
    calendar_token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    calendar_token_created_at: datetime | None = None
    easy_read: bool = False  # lättläst: the patient reads easy-to-read Swedish where an article has it


class StaffMember(SQLModel, table=True):
    """A user's work at one care unit (a nurse may work at several)."""

    __tablename__ = "staff_member"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    unit_id: int = Field(foreign_key="care_unit.id", index=True)
    title: str = Field(max_length=100)
