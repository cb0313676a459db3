"""Reading the access log: one patient's events with who, in what role, from which unit and for whom."""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ScalarSelect, case, or_
from sqlmodel import Session, col, select

from portal.core.clock import local_date
from portal.models import AccessEvent, CareUnit, Delegation, EmergencyAccess, User

CSV_HEADER = ["time_utc", "actor", "role", "unit", "acting_for_delegation", "relation", "emergency",
              "emergency_reason", "action", "resource"]


@dataclass(frozen=True)
class LogRow:
    event: AccessEvent
    actor_name: str | None
    unit_name: str | None
    relation: str | None
    emergency_reason: str | None = None


def _emergency_reason() -> ScalarSelect[str]:
    """The reason the nurse wrote for the emergency access an event was made under (the newest that covered it)."""
    return (select(EmergencyAccess.reason)
            .where(EmergencyAccess.staff_user_id == AccessEvent.actor_user_id,
                   EmergencyAccess.patient_id == AccessEvent.patient_id,
                   col(EmergencyAccess.starts_at) <= AccessEvent.at, col(EmergencyAccess.ends_at) >= AccessEvent.at)
            .order_by(col(EmergencyAccess.starts_at).desc()).limit(1).correlate(AccessEvent).scalar_subquery())


def events_for_patient(session: Session, patient_id: int, since: datetime | None = None,
                       exclude_user_id: int | None = None, limit: int = 5000) -> list[LogRow]:
    """The log of one patient, newest first: who (name, role, unit, acting for whom), when, what, and for emergency
    access the reason the nurse gave."""
    reason = case((col(AccessEvent.emergency).is_(True), _emergency_reason()), else_=None)
    query = (
        select(AccessEvent, User.name, CareUnit.name, Delegation.relation, reason)
        .join(User, col(User.id) == AccessEvent.actor_user_id, isouter=True)
        .join(CareUnit, col(CareUnit.id) == AccessEvent.unit_id, isouter=True)
        .join(Delegation, col(Delegation.id) == AccessEvent.acting_for_delegation_id, isouter=True)
        .where(AccessEvent.patient_id == patient_id)
        .order_by(col(AccessEvent.at).desc(), col(AccessEvent.id).desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(AccessEvent.at >= since)
    if exclude_user_id is not None:
        # The patient's own visits are not news to them; a relative's visits are always shown.
        query = query.where(or_(col(AccessEvent.actor_user_id) != exclude_user_id,
                                col(AccessEvent.acting_for_delegation_id).is_not(None)))
    return [LogRow(event, name, unit, relation, why) for event, name, unit, relation, why in session.exec(query).all()]


def by_day(rows: list[LogRow]) -> OrderedDict[date, list[LogRow]]:
    """The rows grouped by their Swedish calendar day, newest day first (as the rows come)."""
    days: OrderedDict[date, list[LogRow]] = OrderedDict()
    for row in rows:
        days.setdefault(local_date(row.event.at), []).append(row)
    return days


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def as_csv(rows: list[LogRow]) -> str:
    """The log as a CSV file for the log review (times in UTC, names safe from spreadsheet formulas)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        event = row.event
        writer.writerow([event.at.isoformat(), _csv_safe(row.actor_name or ""), event.role,
                         _csv_safe(row.unit_name or ""), event.acting_for_delegation_id or "", row.relation or "",
                         "yes" if event.emergency else "no", _csv_safe(row.emergency_reason or ""), event.action,
                         event.resource])
    return out.getvalue()
