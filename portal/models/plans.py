"""The care plan, the units that share it, and the items on its timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from portal.models.base import utcnow


class Phase(StrEnum):
    INVESTIGATION = "investigation"
    TREATMENT = "treatment"
    REHABILITATION = "rehabilitation"
    FOLLOW_UP = "follow_up"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class ItemKind(StrEnum):
    EXAMINATION = "examination"
    TREATMENT = "treatment"
    APPOINTMENT = "appointment"
    MILESTONE = "milestone"


class ItemStatus(StrEnum):
    PLANNED = "planned"
    BOOKED = "booked"
    DONE = "done"
    CANCELLED = "cancelled"


class DatePrecision(StrEnum):
    """How exactly `starts_at` is known: an exact time, a day, a week or a month."""

    TIME = "time"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class TeamRole(StrEnum):
    RESPONSIBLE = "responsible"
    PARTICIPATING = "participating"


class ItemSource(StrEnum):
    STAFF = "staff"
    PATIENT = "patient"


class CarePlan(SQLModel, table=True):
    __tablename__ = "care_plan"
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    template_key: str = Field(max_length=60)
    template_version: int | None = None
    diagnosis_summary: str = Field(default="", max_length=4000)
    contact_nurse_id: int | None = Field(default=None, foreign_key="staff_member.id", index=True)
    responsible_doctor: str = Field(default="", max_length=200)
    current_phase: str = Field(default=Phase.INVESTIGATION, max_length=20)
    status: str = Field(default=PlanStatus.ACTIVE, max_length=20)
    personal_note: str = Field(default="", max_length=4000)
    what_matters: str = Field(default="", max_length=4000)
    what_matters_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # A draft until the nurse shares it: only a shared plan is shown to the patient and relatives.
    shared_at: datetime | None = None
    shared_by: int | None = Field(default=None, foreign_key="user_account.id")


class PlanVisit(SQLModel, table=True):
    """When a reader (the patient, or each relative for themself) last opened a plan's start page, and the visit
    before: "Nytt i din plan" lists the changes since `previous_at`."""

    __tablename__ = "plan_visit"
    plan_id: int = Field(foreign_key="care_plan.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    visited_at: datetime = Field(default_factory=utcnow)
    previous_at: datetime | None = None


class CareTeamMembership(SQLModel, table=True):
    """A unit's part in a plan; `until` is set when the unit hands the plan over."""

    __tablename__ = "care_team_membership"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    unit_id: int = Field(foreign_key="care_unit.id", index=True)
    role: str = Field(default=TeamRole.RESPONSIBLE, max_length=20)
    since: datetime = Field(default_factory=utcnow)
    until: datetime | None = None


class PlanItem(SQLModel, table=True):
    __tablename__ = "plan_item"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    phase: str = Field(max_length=20)
    kind: str = Field(default=ItemKind.APPOINTMENT, max_length=20)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=4000)
    preparation: str = Field(default="", max_length=4000)
    starts_at: datetime | None = Field(default=None, index=True)
    date_precision: str = Field(default=DatePrecision.TIME, max_length=10)
    location: str = Field(default="", max_length=200)
    unit_id: int | None = Field(default=None, foreign_key="care_unit.id")
    status: str = Field(default=ItemStatus.PLANNED, max_length=20)
    source: str = Field(default=ItemSource.STAFF, max_length=20)
    # The language of title and preparation as stored: the national content's (the patient's language where it has
    # one) or Swedish, written by the care team; the patient's own items are in their own words (not marked).
    text_language: str = Field(default="sv", max_length=12)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PlanChange(SQLModel, table=True):
    """One change to a plan, kept for staff to read: who, when, what (a code) and a short detail such as a title."""

    __tablename__ = "plan_change"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    role: str = Field(max_length=20)
    what: str = Field(max_length=40)
    detail: str = Field(default="", max_length=300)
