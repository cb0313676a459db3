"""Reading the access log: one patient's events with who, in what role, from which unit and for whom."""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ScalarSelect, Select, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.core import keyset
from portal.core.clock import local_date
from portal.core.keyset import Key, Slice
from portal.models import AccessEvent, CareUnit, Delegation, EmergencyAccess, User

CSV_HEADER = ["time_utc", "actor", "role", "unit", "acting_for_delegation", "relation", "emergency",
              "emergency_reason", "action", "resource"]
PAGE = 100


@dataclass(frozen=True)
class LogRow:
    event: AccessEvent
    actor_name: str | None
    unit_name: str | None
    relation: str | None
    emergency_reason: str | None = None


def _emergency_reason(event: type[AccessEvent]) -> ScalarSelect[str]:
    """The reason the nurse wrote for the emergency access an event was made under (the newest that covered it)."""
    return (select(EmergencyAccess.reason)
            .where(EmergencyAccess.staff_user_id == event.actor_user_id,
                   EmergencyAccess.patient_id == event.patient_id,
                   col(EmergencyAccess.starts_at) <= event.at, col(EmergencyAccess.ends_at) >= event.at)
            .order_by(col(EmergencyAccess.starts_at).desc()).limit(1).correlate_except(EmergencyAccess)
            .scalar_subquery())


def _events(patient_id: int, since: datetime | None, exclude_user_id: int | None) -> Select:
    """One patient's events (on the patient_id index), since a time, without the patient's own visits."""
    query = select(AccessEvent).where(AccessEvent.patient_id == patient_id)
    if since is not None:
        query = query.where(AccessEvent.at >= since)
    if exclude_user_id is not None:
        # The patient's own visits are not news to them; a relative's visits are always shown.
        query = query.where(or_(col(AccessEvent.actor_user_id) != exclude_user_id,
                                col(AccessEvent.acting_for_delegation_id).is_not(None)))
    return query


def events_for_patient(session: Session, patient_id: int, before: int | None = None, since: datetime | None = None,
                       exclude_user_id: int | None = None, size: int = PAGE) -> Slice[LogRow]:
    """A page of one patient's log, newest first, older than event `before` (the newest page if that is not one of
    them): who (name, role, unit, acting for whom), when, what, and for emergency access the reason given. Names are
    joined to this page's events only."""
    query = _events(patient_id, since, exclude_user_id)
    start = _start(session, query, before) if before is not None else None
    if start is not None:
        query = query.where(keyset.after(_keys(AccessEvent), start))
    shown = aliased(AccessEvent, query.order_by(*keyset.order_by(_keys(AccessEvent))).limit(size + 1).subquery())
    reason = case((col(shown.emergency).is_(True), _emergency_reason(shown)), else_=None)
    named = (
        select(shown, User.name, CareUnit.name, Delegation.relation, reason)
        .join(User, col(User.id) == shown.actor_user_id, isouter=True)
        .join(CareUnit, col(CareUnit.id) == shown.unit_id, isouter=True)
        .join(Delegation, col(Delegation.id) == shown.acting_for_delegation_id, isouter=True)
        .order_by(*keyset.order_by(_keys(shown)))
    )
    rows = [LogRow(event, name, unit, relation, why) for event, name, unit, relation, why in session.exec(named).all()]
    return keyset.cut(rows, size, lambda row: row.event.id, start)


def _keys(event: type[AccessEvent]) -> list[Key]:
    return [Key(col(event.at), descending=True), Key(col(event.id), descending=True)]


def _start(session: Session, query: Select, event_id: int) -> tuple[object, ...] | None:
    """Where this event stands in the log; None if it is not one of the events listed."""
    found = session.execute(query.where(AccessEvent.id == event_id)
                            .with_only_columns(AccessEvent.at, AccessEvent.id)).first()
    return tuple(found) if found is not None else None


def count_events(session: Session, patient_id: int, since: datetime | None = None,
                 exclude_user_id: int | None = None) -> int:
    """How many events the patient's log holds in this time (counted in the database, never loaded)."""
    query = _events(patient_id, since, exclude_user_id).with_only_columns(func.count())
    return session.execute(query).scalar_one()


def all_events(session: Session, patient_id: int, chunk: int = 1000) -> Iterator[LogRow]:
    """Every event of the patient's log, newest first, read a chunk at a time (for the CSV file)."""
    page = events_for_patient(session, patient_id, size=chunk)
    yield from page.rows
    while page.next_after is not None:
        page = events_for_patient(session, patient_id, page.next_after, size=chunk)
        yield from page.rows


def by_day(rows: list[LogRow]) -> OrderedDict[date, list[LogRow]]:
    """The rows grouped by their Swedish calendar day, newest day first (as the rows come)."""
    days: OrderedDict[date, list[LogRow]] = OrderedDict()
    for row in rows:
        days.setdefault(local_date(row.event.at), []).append(row)
    return days


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def csv_lines(rows: Iterable[LogRow]) -> Iterator[str]:
    """The log as lines of a CSV file for the log review (times in UTC, names safe from spreadsheet formulas), one
    line at a time so that a long log is sent while it is read."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        event = row.event
        writer.writerow([event.at.isoformat(), _csv_safe(row.actor_name or ""), event.role,
                         _csv_safe(row.unit_name or ""), event.acting_for_delegation_id or "", row.relation or "",
                         "yes" if event.emergency else "no", _csv_safe(row.emergency_reason or ""), event.action,
                         event.resource])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()
