"""Accounts: find the account for an identifier, check the password (argon2id), load and end sessions."""

from __future__ import annotations

import os
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam
from sqlmodel import Session, select

from portal.core.clock import utcnow
from portal.core.personal_id import PersonalId
from portal.core.text import parse_id
from portal.models import User

MAX_PASSWORD_LENGTH = 256
MIN_NEW_PASSWORD = 10  # a password someone chooses (relatives, activated patients); staff choose longer ones


def check_new_password(password: str, again: str, minimum: int = MIN_NEW_PASSWORD,
                       maximum: int = MAX_PASSWORD_LENGTH) -> dict[str, str]:
    """A chosen password, typed twice: {field: error code} ("password_short", "password_long", "password_match"),
    empty when it will do. The one rule for every page where a password is set."""
    if len(password) < minimum:
        return {"password": "password_short"}  # noqa: S105 - an error code, not a password
    if len(password) > maximum:
        return {"password": "password_long"}  # noqa: S105
    if password != again:
        return {"password_again": "password_match"}  # noqa: S105
    return {}


def password_hasher(portal_env: str) -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes; about a third
    of a second of CPU per sign-in), except in the test suite (PORTAL_ENV=test), which signs in thousands of times and
    uses argon2's cheapest parameters. A hash carries its own parameters, and a sign-in rehashes a hash made with
    other ones (needs_rehash), so a database never keeps a cheap hash outside the tests."""
    return PasswordHasher.from_parameters(profiles.CHEAPEST) if portal_env == "test" else PasswordHasher()


_hasher = password_hasher(os.environ.get("PORTAL_ENV", "development"))  # the process's environment, as config.py
# Verified against when no account matches, so a wrong identifier costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only for the right password; never raises for a wrong or broken hash. An empty hash (an account made by
    e-ID, with no password) never matches."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


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
    return user


USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def load_user(session: Session, token: str) -> User | None:
    """Flask-Login's loader: the id must carry the account's current session nonce."""
    user_id, _, nonce = token.partition(":")
    number = parse_id(user_id)
    if number is None or not nonce:
        return None
    user = session.exec(USER_BY_ID, params={"user_id": number}).first()  # built once: cheaper than session.get
    if user is None or not user.is_active or user.session_nonce != nonce:
        return None
    return user


def end_all_sessions(session: Session, user: User) -> None:
    """A new nonce: every cookie issued before no longer signs anyone in."""
    user.session_nonce = secrets.token_urlsafe(16)
    session.add(user)
