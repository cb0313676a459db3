"""Reading the access log: one patient's events with who, in what role, from which unit and for whom."""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.core import keyset
from portal.core.access_log import Action
from portal.core.clock import as_utc, local_date
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


@dataclass(frozen=True)
class Filters:
    """Which of a patient's events a log shows: a time range (from `since`, before `until`), one person, one unit,
    one kind (KINDS), and whether the patient's own visits are left out (their own log: not news to them)."""

    since: datetime | None = None
    until: datetime | None = None
    exclude_user_id: int | None = None
    actor_user_id: int | None = None
    unit_id: int | None = None
    kind: str | None = None


NO_FILTER = Filters()
CHANGES = (Action.CREATE, Action.UPDATE, Action.DELETE)
KINDS = ("read", "change", "denied", "emergency")


def _kind(kind: str) -> ColumnElement[bool]:
    """The events of one kind: reads, changes (added, changed, removed), refusals, or emergency access."""
    if kind == "change":
        return col(AccessEvent.action).in_([str(action) for action in CHANGES])
    if kind == "emergency":
        return col(AccessEvent.emergency).is_(True)
    return col(AccessEvent.action) == (Action.DENIED if kind == "denied" else Action.READ)


def emergency_reason(user_id: Any, patient_id: Any, at: Any) -> ScalarSelect[str]:  # noqa: ANN401
    """The reason the nurse wrote for the emergency access that covered this moment (the newest that did)."""
    return (select(EmergencyAccess.reason)
            .where(EmergencyAccess.staff_user_id == user_id, EmergencyAccess.patient_id == patient_id,
                   col(EmergencyAccess.starts_at) <= at, col(EmergencyAccess.ends_at) >= at)
            .order_by(col(EmergencyAccess.starts_at).desc()).limit(1).correlate_except(EmergencyAccess)
            .scalar_subquery())


def filtered(patient_id: int, filters: Filters) -> Select:
    """One patient's events (on the patient_id, at index) that the filters let through."""
    query = select(AccessEvent).where(AccessEvent.patient_id == patient_id)
    if filters.since is not None:
        query = query.where(col(AccessEvent.at) >= as_utc(filters.since).astimezone(UTC))
    if filters.until is not None:
        query = query.where(col(AccessEvent.at) < as_utc(filters.until).astimezone(UTC))
    if filters.exclude_user_id is not None:
        # The patient's own visits are not news to them; a relative's visits are always shown.
        query = query.where(or_(col(AccessEvent.actor_user_id) != filters.exclude_user_id,
                                col(AccessEvent.actor_user_id).is_(None),  # no account: a calendar app, a system
                                col(AccessEvent.acting_for_delegation_id).is_not(None)))
    if filters.actor_user_id is not None:
        query = query.where(AccessEvent.actor_user_id == filters.actor_user_id)
    if filters.unit_id is not None:
        query = query.where(AccessEvent.unit_id == filters.unit_id)
    return query.where(_kind(filters.kind)) if filters.kind in KINDS else query


def events_for_patient(session: Session, patient_id: int, before: int | None = None, filters: Filters = NO_FILTER,
                       size: int = PAGE) -> Slice[LogRow]:
    """A page of one patient's log, newest first, older than event `before` (the newest page if that is not one of
    them): who (name, role, unit, acting for whom), when, what, and for emergency access the reason given. Names are
    joined to this page's events only."""
    query = filtered(patient_id, filters)
    start = start_of(session, query, before) if before is not None else None
    if start is not None:
        query = query.where(keyset.after(_keys(AccessEvent), start))
    shown = aliased(AccessEvent, query.order_by(*keyset.order_by(_keys(AccessEvent))).limit(size + 1).subquery())
    reason = case((col(shown.emergency).is_(True), emergency_reason(shown.actor_user_id, shown.patient_id, shown.at)),
                  else_=None)
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


def start_of(session: Session, query: Select, event_id: int) -> tuple[object, ...] | None:
    """Where this event stands in the log; None if it is not one of the events listed."""
    found = session.execute(query.where(AccessEvent.id == event_id)
                            .with_only_columns(AccessEvent.at, AccessEvent.id)).first()
    return tuple(found) if found is not None else None


def count_events(session: Session, patient_id: int, filters: Filters = NO_FILTER) -> int:
    """How many events the patient's log holds in this time (counted in the database, never loaded)."""
    query = filtered(patient_id, filters).with_only_columns(func.count())
    return session.execute(query).scalar_one()


def all_events(session: Session, patient_id: int, filters: Filters = NO_FILTER, chunk: int = 1000) -> Iterator[LogRow]:
    """Every event of the patient's log that the filters let through, newest first, read a chunk at a time (for the
    CSV file)."""
    page = events_for_patient(session, patient_id, filters=filters, size=chunk)
    yield from page.rows
    while page.next_after is not None:
        page = events_for_patient(session, patient_id, page.next_after, filters, chunk)
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


def people(session: Session, patient_id: int) -> list[tuple[int, str]]:
    """Everyone with an account who is in the patient's log, by name (the review's 'person' filter)."""
    ids = select(AccessEvent.actor_user_id).where(AccessEvent.patient_id == patient_id).distinct().subquery()
    query = select(User.id, User.name).where(col(User.id).in_(select(ids.c.actor_user_id))).order_by(User.name, User.id)
    return [(user_id, name) for user_id, name in session.exec(query).all()]


def units(session: Session, patient_id: int) -> list[tuple[int, str]]:
    """Every unit events in the patient's log were made for, by name (the review's 'unit' filter)."""
    ids = select(AccessEvent.unit_id).where(AccessEvent.patient_id == patient_id).distinct().subquery()
    query = (select(CareUnit.id, CareUnit.name).where(col(CareUnit.id).in_(select(ids.c.unit_id)))
             .order_by(CareUnit.name, CareUnit.id))
    return [(unit_id, name) for unit_id, name in session.exec(query).all()]
