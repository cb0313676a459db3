"""The security log's rules: keyed hashes instead of identifiers, the growing wait after failed sign-ins, and the
figures per hour that the admin page and `security-report` show."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, func, select

from portal.core.access_log import Action
from portal.core.clock import as_utc
from portal.models import AccessEvent, EmergencyAccess, SecurityEvent

FREE_FAILURES = 4  # the 5th failed sign-in in a row starts the first wait
FIRST_WAIT = timedelta(minutes=1)  # then 2, 4, 8 … minutes
LONGEST_WAIT = timedelta(minutes=15)  # never longer: the owner is slowed, never locked out
FAILURE_MEMORY = timedelta(hours=24)  # failures older than this (or before a success) no longer count
REPORT_HOURS = 24
# An hour with this many or more deserves a look (the page marks it, the command lists it).
ATTENTION = {"failed": 20, "slowed": 3, "denied": 20, "emergency": 1}


class EventKind(StrEnum):
    """What a security-log event records (security/sign_in_log.py writes them)."""

    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_SUCCEEDED = "sign_in_succeeded"
    ACCOUNT_SLOWED = "account_slowed"  # a failure that started a wait
    SIGN_OUT = "sign_out"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
    SECOND_FACTOR_REMOVED = "second_factor_removed"
    ACCOUNT_CREATED = "account_created"  # e.g. at a first e-ID sign-in
    ACCOUNT_CHANGED = "account_changed"  # detail says what: deactivated, password_set, role …


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of what was typed or where it came from: comparable, but not readable without the secret."""
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def wait_after(failures: int) -> timedelta | None:
    """How long an account waits after this many failures in a row: none, then 1, 2, 4 … minutes, at most 15."""
    if failures <= FREE_FAILURES:
        return None
    return min(FIRST_WAIT * 2 ** min(failures - FREE_FAILURES - 1, 10), LONGEST_WAIT)


def _failures(session: Session, account_key: str, now: datetime) -> tuple[int, datetime | None]:
    """Failed sign-ins in a row for this account (since its last success, within FAILURE_MEMORY) and the latest."""
    since = now - FAILURE_MEMORY
    success = session.exec(select(func.max(SecurityEvent.occurred_at)).where(
        SecurityEvent.account_key == account_key, SecurityEvent.kind == EventKind.SIGN_IN_SUCCEEDED,
        SecurityEvent.occurred_at >= since)).one()
    count, latest = session.exec(select(func.count(), func.max(SecurityEvent.occurred_at)).where(
        SecurityEvent.account_key == account_key, SecurityEvent.kind == EventKind.SIGN_IN_FAILED,
        SecurityEvent.occurred_at > (as_utc(success) if success else since))).one()
    return count, as_utc(latest) if latest else None


def sign_in_wait(session: Session, account_key: str, now: datetime) -> timedelta | None:
    """How much longer this account must wait before its password is checked again (None: not at all)."""
    count, latest = _failures(session, account_key, now)
    wait = wait_after(count)
    if wait is None or latest is None or latest + wait <= now:
        return None
    return latest + wait - now


def record_sign_in(session: Session, account_key: str, address_key: str, succeeded: bool, now: datetime,
                   user_id: int | None = None, method: str = "", detail: str = "") -> SecurityEvent:
    """Log the attempt; a failure that makes the account wait is logged as a slowed account too."""
    kind = EventKind.SIGN_IN_SUCCEEDED if succeeded else EventKind.SIGN_IN_FAILED
    event = SecurityEvent(occurred_at=now, kind=kind, account_key=account_key, address_key=address_key,
                          user_id=user_id, method=method, detail=detail)
    session.add(event)
    if not succeeded and account_key and wait_after(_failures(session, account_key, now)[0]) is not None:
        session.add(SecurityEvent(occurred_at=now, kind=EventKind.ACCOUNT_SLOWED, account_key=account_key,
                                  address_key=address_key, user_id=user_id, method=method))
    return event


@dataclass
class HourFigures:
    """One hour of the report (`hour` is its start, in UTC; the page and the command show it in Sweden)."""

    hour: datetime
    failed: int = 0
    slowed: int = 0
    denied: int = 0
    emergency: int = 0

    @property
    def attention(self) -> bool:
        return any(getattr(self, name) >= threshold for name, threshold in ATTENTION.items())


def _hour_of(value: datetime) -> datetime:
    # Swedish time is a whole number of hours from UTC, so an hour in UTC is an hour on a Swedish clock (DST too).
    return as_utc(value).astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _add(rows: dict[datetime, HourFigures], times: list[datetime], name: str) -> None:
    for at in times:
        if (row := rows.get(_hour_of(at))) is not None:
            setattr(row, name, getattr(row, name) + 1)


def hourly_figures(session: Session, now: datetime, hours: int = REPORT_HOURS) -> list[HourFigures]:
    """The last `hours` hours, oldest first, the current hour last: what happened in each."""
    last = _hour_of(now)
    rows = {last - timedelta(hours=back): HourFigures(last - timedelta(hours=back)) for back in range(hours)}
    since = min(rows)
    failed = session.exec(select(SecurityEvent.occurred_at).where(
        SecurityEvent.occurred_at >= since, SecurityEvent.kind == EventKind.SIGN_IN_FAILED)).all()
    slowed = session.exec(select(SecurityEvent.occurred_at, SecurityEvent.account_key).where(
        SecurityEvent.occurred_at >= since, SecurityEvent.kind == EventKind.ACCOUNT_SLOWED)).all()
    _add(rows, list(failed), "failed")
    _add(rows, [hour for hour, _account in {(_hour_of(at), account) for at, account in slowed}], "slowed")
    _add(rows, list(session.exec(select(AccessEvent.at).where(
        AccessEvent.at >= since, AccessEvent.action == Action.DENIED)).all()), "denied")
    _add(rows, list(session.exec(select(EmergencyAccess.starts_at).where(
        EmergencyAccess.starts_at >= since)).all()), "emergency")
    return [rows[hour] for hour in sorted(rows)]


def totals(rows: list[HourFigures]) -> HourFigures:
    """The sums over the report (slowed accounts are counted per hour, then added up)."""
    return HourFigures(rows[0].hour, failed=sum(r.failed for r in rows), slowed=sum(r.slowed for r in rows),
                       denied=sum(r.denied for r in rows), emergency=sum(r.emergency for r in rows))
