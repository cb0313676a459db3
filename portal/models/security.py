"""The security log: every sign-in (by any method, failed or not), second-factor enrolment, sign-out and account
change — never the secret anyone typed, and who typed what and from where only as keyed hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal.models.base import utcnow

KEY_LENGTH = 64  # an HMAC-SHA256 in hex


class SecurityEvent(SQLModel, table=True):
    """One event of the security log (`security/sign_in_log.py` writes them; the throttle reads failed sign-ins).

    `kind` says what happened (sign_in_failed, sign_in_succeeded, account_slowed, sign_out, second_factor_enrolled,
    account_changed …), `method` how (eid, password, passkey, totp, recovery), `user_id` whose account when it is
    known, `detail` a short code (why an e-ID sign-in was stopped, what changed on an account). The identifier typed
    and the client address are kept only as keyed hashes (`account_key`, `address_key`)."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_account_key_occurred_at", "account_key", "occurred_at"),)
    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=30)
    account_key: str = Field(max_length=KEY_LENGTH)
    address_key: str = Field(default="", max_length=KEY_LENGTH)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    method: str = Field(default="", max_length=20)
    detail: str = Field(default="", max_length=40)
