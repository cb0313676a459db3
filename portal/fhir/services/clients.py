"""Other systems' OAuth 2.0 clients (client credentials) and their access tokens, both kept only as SHA-256 hashes:
a secret and a token are 256 random bits, so a fast hash is as safe as a slow one and costs nothing per request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from portal.models import ApiClient, ApiToken, User

NO_PASSWORD = "!"  # noqa: S105  (no hash matches it: a system's account never signs in)
SYSTEM_ROLE = "system"  # the access log's role for another system's reads
SCOPES = ("patient.read", "careplan.read", "questionnaireresponse.read", "appointment.write")
TOKEN_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    secret: str  # shown once, never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [scope for scope in scopes if scope not in SCOPES]


def create_client(session: Session, name: str, provider_id: int, scopes: list[str],
                  client_id: str | None = None, secret: str | None = None) -> NewClient:
    """A client of one care provider with these scopes, and an account for the access log to name it by."""
    account = User(name=name, role=SYSTEM_ROLE, password_hash=NO_PASSWORD, is_active=False)
    session.add(account)
    session.flush()
    secret = secret or secrets.token_urlsafe(32)
    client = ApiClient(client_id=client_id or secrets.token_urlsafe(16), name=name, secret_hash=digest(secret),
                       scopes=" ".join(s for s in SCOPES if s in scopes), provider_id=provider_id,
                       user_id=account.id)
    session.add(client)
    session.flush()
    return NewClient(client, secret)


def find_client(session: Session, client_id: str) -> ApiClient | None:
    return session.exec(select(ApiClient).where(ApiClient.client_id == client_id,
                                                col(ApiClient.active).is_(True))).first()


def secret_matches(client: ApiClient, secret: str) -> bool:
    return hmac.compare_digest(client.secret_hash, digest(secret))


def save_token(session: Session, client: ApiClient, access_token: str, scopes: str, now: datetime,
               expires_in: int) -> ApiToken:
    token = ApiToken(token_hash=digest(access_token), client_id=client.id or 0, scopes=scopes, issued_at=now,
                     expires_at=now + timedelta(seconds=expires_in))
    session.add(token)
    return token


def find_token(session: Session, access_token: str) -> tuple[ApiToken, ApiClient] | None:
    """The token and its (still active) client; None for a token we never gave."""
    found = session.exec(select(ApiToken, ApiClient).join(ApiClient, col(ApiClient.id) == ApiToken.client_id)
                         .where(ApiToken.token_hash == digest(access_token), col(ApiClient.active).is_(True))).first()
    return (found[0], found[1]) if found else None
