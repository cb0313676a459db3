"""The sign-in log: every sign-in by any method (failed or not), second-factor enrolment, sign-out and account change,
in the one security log (`security_event`) that the throttle and the hourly figures read too. Never the secret that
was typed; the identifier and the client address only as keyed hashes.

Two layers. `record` and `record_sign_in` are plain service functions (a session and values; no Flask). `note` and
`note_sign_in` are for views: they take the address from the request, the key from the app and the time from the
clock, then call the former. Other features call these; the signatures stay stable:

    note_sign_in(Method.TOTP, account=user, succeeded=False)           # a wrong code: counts towards the wait
    note(EventKind.SECOND_FACTOR_ENROLLED, account=user, method=Method.PASSKEY)
    note(EventKind.ACCOUNT_CHANGED, account=staff_user, detail="deactivated")

The administrator reads the log on /admin/security/sign-ins (paged, newest first) and exports it as CSV, each only
the events their own care provider answers for (`visible_to`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from flask import current_app, request
from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from portal.core import clock, keyset
from portal.models import CarePlan, CareTeamMembership, CareUnit, Delegation, Patient, SecurityEvent, User
from portal.security.services import EventKind, keyed_hash

__all__ = ["EventKind", "Method", "Row", "account_key_for", "csv_text", "note", "note_sign_in", "page", "record",
           "record_sign_in", "since", "visible_to"]

PAGE_SIZE = 50
MAX_DETAIL = 40
SHOWN_KEY = 8  # the start of an address's keyed hash: enough to see the same address again, not to find it


class Method(StrEnum):
    """How someone signed in (or tried to)."""

    EID = "eid"
    PASSWORD = "password"  # noqa: S105 (a method's name, not a secret)
    PASSKEY = "passkey"
    TOTP = "totp"
    RECOVERY = "recovery"
    ACTIVATION = "activation"  # a code from an activation letter


def account_key_for(secret: str, identifier: str) -> str:
    """The keyed hash of an account's identifier (a stored personal number, or an e-mail address in lower case), the
    same the throttle uses for what was typed at sign-in, so that every method counts towards one wait."""
    return keyed_hash(secret, "account", identifier.strip().lower() if "@" in identifier else identifier)


def _identifier(account: User | None) -> str:
    return (account.personal_id or account.email or "") if account is not None else ""


def record(session: Session, *, kind: EventKind, now: datetime, account: User | None = None, method: str = "",
           address_key: str = "", account_key: str = "", detail: str = "") -> SecurityEvent:
    """Add one event to the log (the request's unit of work saves it)."""
    event = SecurityEvent(occurred_at=now, kind=kind, account_key=account_key, address_key=address_key,
                          user_id=account.id if account is not None else None, method=method,
                          detail=detail[:MAX_DETAIL])
    session.add(event)
    return event


def record_sign_in(session: Session, *, method: str, succeeded: bool, now: datetime, account: User | None = None,
                   address_key: str = "", account_key: str = "", detail: str = "") -> SecurityEvent:
    """A sign-in attempt; a failure with an account key counts towards that account's growing wait."""
    from portal.security.services import record_sign_in as counted

    return counted(session, account_key, address_key, succeeded, now, user_id=account.id if account else None,
                   method=method, detail=detail[:MAX_DETAIL])


# --- for views: the address, the key and the time from the request ---------------------------------------------------

def _address_key() -> str:
    return keyed_hash(current_app.config["SECRET_KEY"], "address", request.remote_addr or "unknown")


def _account_key(account: User | None) -> str:
    identifier = _identifier(account)
    return account_key_for(current_app.config["SECRET_KEY"], identifier) if identifier else ""


def note(kind: EventKind, *, account: User | None = None, method: str = "", detail: str = "") -> SecurityEvent:
    """Log an event of this request (sign-out, enrolment, account change …)."""
    from portal.db import get_session

    return record(get_session(), kind=kind, now=clock.utcnow(), account=account, method=method,
                  address_key=_address_key(), account_key=_account_key(account), detail=detail)


def note_sign_in(method: str, *, account: User | None, succeeded: bool, detail: str = "") -> SecurityEvent:
    """Log a sign-in attempt of this request by `method` (with the account when it is known)."""
    from portal.db import get_session

    return record_sign_in(get_session(), method=method, succeeded=succeeded, now=clock.utcnow(), account=account,
                          address_key=_address_key(), account_key=_account_key(account), detail=detail)


# --- reading the log -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One line of the log as the administrator sees it."""

    id: int
    occurred_at: datetime
    kind: str
    method: str
    detail: str
    name: str | None
    role: str | None
    address: str


KEYS = (keyset.Key(col(SecurityEvent.id), descending=True),)


def visible_to(provider_id: int | None) -> ColumnElement[bool]:
    """The events an administrator of care provider `provider_id` may read:

    - those of the provider's own accounts (staff, editors, administrators with that `provider_id`);
    - those of patients with a plan in the care of one of the provider's units now (a unit in the care team whose
      part has not ended), and of relatives and guardians with a delegation from such a patient: the provider
      answers for their plans, so it must be able to see attacks on the accounts that reach them;
    - those with no account (a failed sign-in with an identifier nobody has). We show these to every administrator:
      they are attacks on the service as a whole, hold only keyed hashes (never what was typed), and hiding them
      would leave each provider blind to password spraying across accounts.

    Nothing else: no other provider's staff, no patient outside the provider's care. An administrator with no
    provider sees only the events with no account."""
    no_account = col(SecurityEvent.user_id).is_(None)
    if provider_id is None:
        return no_account
    in_care = (select(CarePlan.patient_id)
               .join(CareTeamMembership, col(CareTeamMembership.plan_id) == CarePlan.id)
               .join(CareUnit, col(CareUnit.id) == CareTeamMembership.unit_id)
               .where(CareUnit.provider_id == provider_id, col(CareTeamMembership.until).is_(None)))
    patients = select(Patient.user_id).where(col(Patient.id).in_(in_care), col(Patient.user_id).is_not(None))
    relatives = select(Delegation.relative_user_id).where(col(Delegation.patient_id).in_(in_care),
                                                          col(Delegation.relative_user_id).is_not(None))
    return or_(no_account, col(User.provider_id) == provider_id, col(SecurityEvent.user_id).in_(patients),
               col(SecurityEvent.user_id).in_(relatives))


def _rows(session: Session, *where: ColumnElement[bool], limit: int | None = None) -> list[Row]:
    query = (select(SecurityEvent, User.name, User.role).outerjoin(User, col(User.id) == SecurityEvent.user_id)
             .where(*where).order_by(*keyset.order_by(KEYS)))
    found = session.exec(query.limit(limit) if limit else query).all()
    return [Row(event.id or 0, event.occurred_at, event.kind, event.method, event.detail, name, role,
                event.address_key[:SHOWN_KEY]) for event, name, role in found]


def page(session: Session, provider_id: int | None, after: int | None = None,
         size: int = PAGE_SIZE) -> keyset.Slice[Row]:
    """The newest events an administrator of `provider_id` may read first, `size` at a time, after event `after`."""
    where = [keyset.after(KEYS, (after,))] if after is not None else []
    rows = _rows(session, visible_to(provider_id), *where, limit=size + 1)
    return keyset.cut(rows, size, lambda row: row.id, (after,) if after is not None else None)


CSV_COLUMNS = ("id", "occurred_at_utc", "kind", "method", "detail", "account_name", "account_role", "address_key")


def csv_text(rows: Iterable[Row]) -> str:
    """The log as CSV (UTC times; the address as the start of its keyed hash)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        at = clock.as_utc(row.occurred_at)
        writer.writerow([row.id, at.astimezone(UTC).isoformat(timespec="seconds"), row.kind, row.method, row.detail,
                         _safe(row.name or ""), row.role or "", row.address])
    return out.getvalue()


def _safe(cell: str) -> str:
    """No formula runs when the file is opened in a spreadsheet."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


EXPORT_LIMIT = 100_000


def since(session: Session, provider_id: int | None, start: datetime) -> list[Row]:
    """Every event since `start` that an administrator of `provider_id` may read, newest first (for the export; at
    most EXPORT_LIMIT)."""
    return _rows(session, visible_to(provider_id), col(SecurityEvent.occurred_at) >= start, limit=EXPORT_LIMIT)
