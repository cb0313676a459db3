"""The security log: sign-in attempts, kept without the identifier or address anyone typed or came from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal.models.base import utcnow

KEY_LENGTH = 64  # an HMAC-SHA256 in hex


class SecurityEvent(SQLModel, table=True):
    """One sign-in that failed, succeeded, or left an account slowed; who and from where only as keyed hashes."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_account_key_occurred_at", "account_key", "occurred_at"),)
    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=30)
    account_key: str = Field(max_length=KEY_LENGTH)
    address_key: str = Field(default="", max_length=KEY_LENGTH)
