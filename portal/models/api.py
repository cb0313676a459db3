"""Other systems that read plans through the FHIR API: their OAuth 2.0 clients and the access tokens they got."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal.models.base import utcnow


class ApiClient(SQLModel, table=True):
    """A system of one care provider (a booking system, a record system) with its scopes; the secret only hashed."""

    __tablename__ = "api_client"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    secret_hash: str = Field(max_length=64)  # SHA-256 of a 256-bit random secret
    scopes: str = Field(max_length=300)  # space-separated
    provider_id: int = Field(foreign_key="care_provider.id", index=True)
    # The account the access log names it by (role 'system', never signs in)
    user_id: int = Field(foreign_key="user_account.id", unique=True)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """An access token given to a client (client credentials); only its SHA-256 is kept."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    client_id: int = Field(foreign_key="api_client.id", index=True)
    scopes: str = Field(max_length=300)
    issued_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
