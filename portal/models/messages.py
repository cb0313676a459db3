"""Messages between the patient and the care team, who has read what, and the notification outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import utcnow

MAX_MESSAGE_LENGTH = 5000


class Message(SQLModel, table=True):
    """One message in a plan's thread. The author's name and title are kept as they were when it was written."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("author_user_id", "client_token", name="uq_message_author_client_token"),
        Index("ix_message_plan_id_id", "plan_id", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id")
    author_user_id: int = Field(foreign_key="user_account.id")
    author_role: str = Field(max_length=20)
    author_name: str = Field(max_length=200)
    author_title: str = Field(default="", max_length=100)
    body: str = Field(sa_column=Column(Text, nullable=False))
    client_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class MessageReadState(SQLModel, table=True):
    """How far one reader has read one plan's thread."""

    __tablename__ = "message_read_state"
    __table_args__ = (UniqueConstraint("plan_id", "user_id", name="uq_message_read_state_plan_user"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id")
    user_id: int = Field(foreign_key="user_account.id", index=True)
    last_read_id: int = Field(default=0)


class MessageThreadState(SQLModel, table=True):
    """The care team's handling of a thread: patient messages up to `handled_upto_id` are dealt with."""

    __tablename__ = "message_thread_state"
    plan_id: int = Field(foreign_key="care_plan.id", primary_key=True)
    handled_upto_id: int = Field(default=0)
    handled_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    handled_at: datetime | None = None


class MessageDraft(SQLModel, table=True):
    """Text kept for a writer whose session ended before it was sent; shown again, then deleted."""

    __tablename__ = "message_draft"
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    path: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """The outbox: a note to a user that something new is waiting. Never carries health information."""

    __tablename__ = "notification"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    to_address: str | None = Field(default=None, max_length=254)  # invitations: someone who may have no account
    payload: str = Field(default="", max_length=500)  # an invitation's link or an account code, erased once sent
    channel: str = Field(default="email", max_length=20)
    kind: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime | None = Field(default=None, index=True)
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)
