"""Signing in: find the account for an identifier and check the password."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from portal.models import User
from portal.models.base import utcnow
from portal.services.passwords import hash_password, needs_rehash, verify_password
from portal.services.personal_id import PersonalId


def find_user(session: Session, identifier: PersonalId | str) -> User | None:
    """The account for a checked personal id or an e-mail address (case-insensitive)."""
    if isinstance(identifier, PersonalId):
        query = select(User).where(User.personal_id == identifier.digits)
    else:
        query = select(User).where(User.email == identifier.strip().lower())
    return session.exec(query).first()


def authenticate(session: Session, identifier: PersonalId | str, password: str) -> User | None:
    """The user if the details are right and the account is active, else None (never which part failed)."""
    user = find_user(session, identifier)
    ok = verify_password(user.password_hash if user else None, password)
    if not (ok and user and user.is_active):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    session.commit()
    return user


def load_user(session: Session, token: str) -> User | None:
    """Flask-Login's loader: the id must carry the account's current session nonce."""
    user_id, _, nonce = token.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_nonce != nonce:
        return None
    return user


def end_all_sessions(session: Session, user: User) -> None:
    """A new nonce: every cookie issued before no longer signs anyone in."""
    user.session_nonce = secrets.token_urlsafe(16)
    session.add(user)
    session.commit()
