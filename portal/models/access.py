"""The access log: who read or changed which patient's data, when and in what role."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal.models.base import utcnow


class AccessEvent(SQLModel, table=True):
    __tablename__ = "access_event"
    # One patient's log newest first, a time range of it, and the visits it is grouped into all read this index.
    __table_args__ = (Index("ix_access_event_patient_id_at_id", "patient_id", "at", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    role: str = Field(max_length=20)
    acting_for_delegation_id: int | None = Field(default=None, foreign_key="delegation.id", index=True)
    emergency: bool = Field(default=False)
    patient_id: int | None = Field(default=None, foreign_key="patient.id", index=True)
    action: str = Field(max_length=20)
    resource: str = Field(max_length=100)
    unit_id: int | None = Field(default=None, foreign_key="care_unit.id")
