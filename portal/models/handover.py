"""Handing a plan to another unit (a transfer the receiving unit accepts), and the patient's consent that a care
provider other than the responsible one may see the plan (PDL 6 kap., sammanhållen journalföring)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from portal.models.base import utcnow

MAX_HANDOVER_NOTE = 2000


class HandoverStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Handover(SQLModel, table=True):
    """One unit hands a plan to another: pending until the receiving unit accepts or declines (or the sender
    cancels). `to_nurse_id` is the contact nurse the sender proposed, if any."""

    __tablename__ = "handover"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    from_unit_id: int = Field(foreign_key="care_unit.id")
    to_unit_id: int = Field(foreign_key="care_unit.id", index=True)
    to_nurse_id: int | None = Field(default=None, foreign_key="staff_member.id")
    note: str = Field(default="", max_length=MAX_HANDOVER_NOTE)
    created_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default=HandoverStatus.PENDING, max_length=20, index=True)
    decided_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = None


class ConsentMethod(StrEnum):
    PORTAL = "portal"  # the patient agreed in Min vårdplan
    PHONE = "phone"  # a nurse asked the patient by phone and recorded the answer


class ProviderConsent(SQLModel, table=True):
    """The patient agrees that a care provider may see their plan; active until `withdrawn_at`."""

    __tablename__ = "provider_consent"
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    provider_id: int = Field(foreign_key="care_provider.id")
    given_at: datetime = Field(default_factory=utcnow)
    method: str = Field(max_length=10)
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    withdrawn_at: datetime | None = None
