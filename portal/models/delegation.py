"""Relatives and guardians acting for a patient, and staff's emergency access to a plan outside their units."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from portal.models.base import utcnow


class Relation(StrEnum):
    PARTNER = "partner"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    FRIEND = "friend"
    OTHER = "other"
    GUARDIAN = "guardian"


class Scope(StrEnum):
    PLAN = "plan"  # se vårdplan och läsning
    MESSAGES_READ = "messages_read"
    MESSAGES_SEND = "messages_send"
    FORMS = "forms"


class DelegationStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Delegation(SQLModel, table=True):
    """A relative's (or guardian's) access to one patient: what (scopes), from when, until when, and its state.

    The invitation token is stored only as a SHA-256 hash; the relative accepts with their own account.
    """

    __tablename__ = "delegation"
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    relative_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    relation: str = Field(max_length=20)
    scopes: str = Field(max_length=200)  # space-separated Scope values
    valid_from: date
    valid_until: date
    status: str = Field(default=DelegationStatus.INVITED, max_length=20, index=True)
    invite_name: str = Field(max_length=200)
    invite_email: str = Field(max_length=254)
    invite_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    invite_expires_at: datetime | None = None
    created_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None
    changed_at: datetime | None = None

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class EmergencyAccess(SQLModel, table=True):
    """'Nödåtkomst': a staff member outside the care team reads a plan for a limited time, with a written reason."""

    __tablename__ = "emergency_access"
    id: int | None = Field(default=None, primary_key=True)
    staff_user_id: int = Field(foreign_key="user_account.id", index=True)
    unit_id: int = Field(foreign_key="care_unit.id")
    patient_id: int = Field(foreign_key="patient.id", index=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    reason: str = Field(max_length=1000)
    starts_at: datetime = Field(default_factory=utcnow)
    ends_at: datetime
