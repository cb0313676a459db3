"""Second-factor rules, no Flask: TOTP codes (30 s, 6 digits, one step of drift, never the same step twice), recovery
codes (ten, shown once, kept as hashes, one sign-in each), and an administrator's reset of a lost authenticator."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp
from sqlmodel import Session, col, func, select

from portal.core.clock import utcnow
from portal.models import Passkey, RecoveryCode, SecurityEvent, User
from portal.security.services import EventKind

ISSUER = "Min vårdplan"
PERIOD = 30  # seconds per TOTP step
DIGITS = 6
DRIFT = 1  # a code of the step before or after is accepted too (a phone clock a little off)
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mix up
RECOVERY_LENGTH = 16  # about 79 random bits: a plain SHA-256 is enough to keep them


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    REUSED = "reused"  # right, but its time step was used already


@dataclass(frozen=True)
class Factors:
    """What an account can use as its second factor now."""

    totp: bool
    passkeys: int
    recovery_left: int

    @property
    def any(self) -> bool:
        return self.totp or self.passkeys > 0


def factors(session: Session, user: User) -> Factors:
    passkeys = session.exec(select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id)).one()
    left = session.exec(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None))).one()
    return Factors(totp=bool(user.totp_secret), passkeys=passkeys, recovery_left=left)


# --- TOTP ----------------------------------------------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()  # 32 base32 letters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account_name: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(name=account_name, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[n:n + 4] for n in range(0, len(secret), 4))


def _digits(typed: str) -> str:
    return "".join(typed.split()).replace("-", "")


def matching_step(secret: str, typed: str, now: datetime) -> int | None:
    """The time step whose code was typed (now, or one step either side), else None."""
    code = _digits(typed)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp, current = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD), int(now.timestamp()) // PERIOD
    found = None
    for step in range(current - DRIFT, current + DRIFT + 1):
        if hmac.compare_digest(totp.at(step * PERIOD), code):
            found = step
    return found


def check_totp(session: Session, user: User, typed: str, now: datetime) -> CodeCheck:
    """A right code of a step not used before signs in once; the step is remembered so it cannot be used again."""
    step = matching_step(user.totp_secret, typed, now) if user.totp_secret else None
    if step is None:
        return CodeCheck.WRONG
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return CodeCheck.REUSED
    user.totp_last_step = step
    session.add(user)
    return CodeCheck.OK


def enrol_totp(session: Session, user: User, secret: str, typed: str, now: datetime) -> bool:
    """Keep the app's secret once a code from it proves it was set up right."""
    step = matching_step(secret, typed, now)
    if step is None:
        return False
    user.totp_secret, user.totp_last_step = secret, step
    session.add(user)
    return True


def _remove(session: Session, model: type[Passkey] | type[RecoveryCode], user: User) -> None:
    for row in session.exec(select(model).where(model.user_id == user.id)).all():
        session.delete(row)
    session.flush()


# --- recovery codes ------------------------------------------------------------------------------------------------

def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normal(typed: str) -> str:
    return "".join(ch for ch in typed.lower() if ch.isalnum())


def looks_like_recovery_code(typed: str) -> bool:
    return len(_normal(typed)) == RECOVERY_LENGTH


def issue_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    """Ten new codes (the old ones stop working), returned once in plain text to show; only hashes are kept."""
    _remove(session, RecoveryCode, user)
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _n in range(RECOVERY_LENGTH))
             for _c in range(RECOVERY_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(code), created_at=now))
    return ["-".join(code[n:n + 4] for n in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def use_recovery_code(session: Session, user: User, typed: str, now: datetime) -> bool:
    """A code not used before signs in once."""
    if not looks_like_recovery_code(typed):
        return False
    found = session.exec(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(_normal(typed)),
        col(RecoveryCode.used_at).is_(None))).first()
    if found is None:
        return False
    found.used_at = now
    session.add(found)
    return True


def check_code(session: Session, user: User, typed: str, now: datetime) -> CodeCheck:
    """The code from the app, or one of the recovery codes."""
    if looks_like_recovery_code(typed):
        return CodeCheck.OK if use_recovery_code(session, user, typed, now) else CodeCheck.WRONG
    return check_totp(session, user, typed, now)


# --- a lost authenticator ------------------------------------------------------------------------------------------

def reset_second_factor(session: Session, account: User) -> None:
    """An administrator's reset: no app, passkey or recovery code is left, the account's sessions end, and the next
    sign-in with the password asks the owner to set up a new second factor."""
    account.totp_secret = None
    account.totp_last_step = None
    account.session_nonce = secrets.token_urlsafe(16)
    _remove(session, Passkey, account)
    _remove(session, RecoveryCode, account)
    session.add(account)
    session.add(SecurityEvent(occurred_at=utcnow(), kind=EventKind.SECOND_FACTOR_REMOVED, account_key="",
                              user_id=account.id, detail="reset"))
