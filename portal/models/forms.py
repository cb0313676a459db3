"""Questionnaires: pinned definitions, which plan answers which form when, the answers, and the alerts they raise."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import utcnow


class ResponseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class AlertStatus(StrEnum):
    OPEN = "open"
    HANDLED = "handled"


class AlertAction(StrEnum):
    """What the care team did about an alert."""

    CONTACTED = "contacted"
    REFERRED = "referred"
    NO_ACTION = "no_action"


class Questionnaire(SQLModel, table=True):
    """One version of a form definition, stored as loaded so that answers always meet the questions they had."""

    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_questionnaire_key_version"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, index=True)
    version: int
    content_hash: str = Field(max_length=64)
    definition: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class FormAssignment(SQLModel, table=True):
    """A form turned on for a plan: once, or again every `repeat_weeks` weeks."""

    __tablename__ = "form_assignment"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    questionnaire_key: str = Field(max_length=60)
    repeat_weeks: int | None = None
    due_at: datetime = Field(default_factory=utcnow)
    active: bool = Field(default=True)
    created_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class FormResponse(SQLModel, table=True):
    """One filling-in of a form: a draft kept on the server until it is submitted, exactly once."""

    __tablename__ = "form_response"
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="form_assignment.id", index=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id")
    author_user_id: int = Field(foreign_key="user_account.id")
    answers: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    score: int | None = None
    status: str = Field(default=ResponseStatus.DRAFT, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None


class Alert(SQLModel, table=True):
    """Something in an answer that the care team should act on, until someone has handled it."""

    __tablename__ = "alert"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    response_id: int = Field(foreign_key="form_response.id")
    reason: str = Field(max_length=60)
    profession: str | None = Field(default=None, max_length=40)
    status: str = Field(default=AlertStatus.OPEN, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    handled_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    handled_at: datetime | None = None
    action: str = Field(default="", max_length=20)  # an AlertAction; "" before actions were recorded
    action_note: str = Field(default="", max_length=2000)
    plan_item_id: int | None = Field(default=None, foreign_key="plan_item.id")
