"""The second factor after a password: passkeys, recovery codes, and the activation letters a clinic prints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary
from sqlmodel import Field, SQLModel

from portal.models.base import utcnow

HASH_LENGTH = 64  # SHA-256 in hex


class Passkey(SQLModel, table=True):
    """A WebAuthn credential: the public key a person's device signs sign-ins with."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    credential_id: str = Field(max_length=1400, unique=True)  # base64url, as the browser sends it
    public_key: bytes = Field(sa_type=LargeBinary)
    sign_count: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None


class RecoveryCode(SQLModel, table=True):
    """One of the ten codes shown once after enrolment; kept only as a hash, good for one sign-in."""

    __tablename__ = "recovery_code"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=HASH_LENGTH)
    created_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None


class ActivationLetter(SQLModel, table=True):
    """A one-time code on paper with which a patient without e-ID sets a password and an authenticator app."""

    __tablename__ = "activation_letter"
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    code_hash: str = Field(max_length=HASH_LENGTH)
    printed_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    voided_at: datetime | None = None  # a newer letter for the same patient
