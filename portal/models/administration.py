"""Administration: the one-time invitation with which a new staff or editor account chooses its password."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal.models.base import utcnow


class AccountInvitation(SQLModel, table=True):
    """Sent by e-mail when an administrator invites someone; only a hash of its code is kept, and it works once."""

    __tablename__ = "account_invitation"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
