"""A patient's log read as visits: one person's events in one role, for one unit, through one delegation (or under
emergency access), each less than GAP after the one before, shown as one card ('Eva Lund, Onkologimottagningen,
14.02–14.17: looked at the care plan and the messages, changed 2 items').

The database does the grouping, with window functions over the filtered log: an event starts a visit when the same
actor's previous event is GAP or more before it (exactly GAP apart: two visits), and a visit is named by its newest
event's id. Events of other people in between do not split a visit.

Paging is keyset paging over whole visits, newest first by their last event (at, id); the cursor in an address is the
last visit's id. Every visit on a page is whole: the grouping always sees every event of the filtered log older than
the cursor, and leaves out only events later than the cursor by more than GAP, which cannot belong to a visit that
ends before it. A visit that runs past the edge of a date filter is cut at that edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, Subquery, case, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel import Session, col, select

from portal.audit.services import NO_FILTER, Filters, emergency_reason, filtered, start_of
from portal.core import keyset
from portal.core.clock import local_date
from portal.core.keyset import Key, Slice
from portal.models import AccessEvent, CareUnit, Delegation, User

GAP = timedelta(minutes=30)
PAGE = 25
RAW = 100  # single events shown per visit in the review
KEY = ("actor_user_id", "role", "unit_id", "acting_for_delegation_id", "emergency")


class gap_ms(FunctionElement):  # noqa: N801 (an SQL function)
    """Milliseconds from the second timestamp to the first, on SQLite and PostgreSQL (rounded, so that two events
    exactly GAP apart are GAP apart)."""

    type = Float()
    inherit_cache = True


@compiles(gap_ms, "sqlite")
def _gap_sqlite(element: gap_ms, compiler: Any, **kw: Any) -> str:  # noqa: ANN401
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"ROUND((julianday({later}) - julianday({earlier})) * 86400000.0)"


@compiles(gap_ms)
def _gap_postgresql(element: gap_ms, compiler: Any, **kw: Any) -> str:  # noqa: ANN401
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"ROUND(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000)"


@dataclass(frozen=True)
class Done:
    """What a visit did to one kind of thing: the action, the kind ('plan', 'item', …) and how many of them."""

    action: str
    kind: str
    count: int


@dataclass(frozen=True)
class RawEvent:
    """One event of a visit, for the review's 'show the single events'."""

    at: datetime
    action: str
    resource: str


@dataclass(frozen=True)
class Visit:
    """One card of the log: who, as what, for which unit and whom, from when to when, and what was done."""

    id: int
    first_at: datetime
    last_at: datetime
    events: int
    actor_user_id: int | None
    role: str
    unit_id: int | None
    delegation_id: int | None
    emergency: bool
    actor_name: str | None
    unit_name: str | None
    relation: str | None
    emergency_reason: str | None
    done: list[Done] = field(default_factory=list)
    raw: list[RawEvent] = field(default_factory=list)


def _key(table: Any) -> list[Any]:  # noqa: ANN401
    return [table.c[name] for name in KEY]


def _visited(events: Select) -> Subquery:
    """The events, each with the id of its visit (the id of the visit's newest event)."""
    event = events.subquery("event")
    order = (event.c.at, event.c.id)
    marked = select(event, func.lag(event.c.at).over(partition_by=_key(event), order_by=order).label("previous_at"),
                    func.lead(event.c.at).over(partition_by=_key(event), order_by=order).label("next_at")
                    ).subquery("marked")
    starts = case((or_(marked.c.previous_at.is_(None), gap_ms(marked.c.at, marked.c.previous_at) >= _gap()), 1),
                  else_=0)
    ends = or_(marked.c.next_at.is_(None), gap_ms(marked.c.next_at, marked.c.at) >= _gap())
    numbered = select(marked, func.sum(starts).over(partition_by=_key(marked), order_by=(marked.c.at, marked.c.id),
                                                     rows=(None, 0)).label("visit_no"),
                      case((ends, marked.c.id), else_=None).label("end_id")).subquery("numbered")
    visit = func.max(numbered.c.end_id).over(partition_by=[*_key(numbered), numbered.c.visit_no])
    columns = [numbered.c[name] for name in ("id", "at", "patient_id", "action", "resource", *KEY)]
    return select(*columns, visit.label("visit_id")).subquery("visited")


def _gap() -> int:
    return int(GAP.total_seconds() * 1000)


def _within(events: Select, later_than: datetime | None) -> Select:
    """Leave out events that cannot belong to a visit ending before `later_than` (more than GAP after it)."""
    if later_than is None:
        return events
    return events.where(col(AccessEvent.at) < later_than + GAP + timedelta(seconds=1))


def visits(session: Session, patient_id: int, before: int | None = None, filters: Filters = NO_FILTER,
           size: int = PAGE, raw: bool = False) -> Slice[Visit]:
    """A page of whole visits, newest first, older than visit `before` (the newest page if that is not one of the
    log's events), with names, what each did, and (`raw`) its events: a fixed number of statements a page."""
    events = filtered(patient_id, filters)
    start = start_of(session, events, before) if before is not None else None
    visited = _visited(_within(events, start[0] if start else None))  # type: ignore[arg-type]
    grouped = (select(visited.c.visit_id, func.min(visited.c.at).label("first_at"),
                      func.max(visited.c.at).label("last_at"), func.count().label("events"), *_key(visited))
               .group_by(visited.c.visit_id, *_key(visited)).subquery("visit"))
    keys = [Key(grouped.c.last_at, descending=True), Key(grouped.c.visit_id, descending=True)]
    page = select(grouped).where(keyset.after(keys, start)) if start else select(grouped)
    shown = page.order_by(*keyset.order_by(keys)).limit(size + 1).subquery("shown")
    reason = case((shown.c.emergency.is_(True), emergency_reason(shown.c.actor_user_id, patient_id, shown.c.last_at)),
                  else_=None)
    named = (select(shown, User.name, CareUnit.name, Delegation.relation, reason)
             .join(User, col(User.id) == shown.c.actor_user_id, isouter=True)
             .join(CareUnit, col(CareUnit.id) == shown.c.unit_id, isouter=True)
             .join(Delegation, col(Delegation.id) == shown.c.acting_for_delegation_id, isouter=True)
             .order_by(shown.c.last_at.desc(), shown.c.visit_id.desc()))
    found = [_visit(row) for row in session.execute(named).all()]
    cut = keyset.cut(found, size, lambda visit: visit.id, start)
    _fill(session, events, cut.rows, raw)
    return cut


def count(session: Session, patient_id: int, filters: Filters = NO_FILTER) -> int:
    """How many visits the filtered log holds (counted in the database)."""
    visited = _visited(filtered(patient_id, filters))
    return session.execute(select(func.count()).where(visited.c.id == visited.c.visit_id)).scalar_one()


def by_day(shown: list[Visit]) -> dict[date, list[Visit]]:
    """The visits by the Swedish day they ended on, newest day first (as the visits come)."""
    days: dict[date, list[Visit]] = {}
    for visit in shown:
        days.setdefault(local_date(visit.last_at), []).append(visit)
    return days


def _visit(row: Sequence[Any]) -> Visit:
    (visit_id, first_at, last_at, events, user_id, role, unit_id, delegation_id, emergency, name, unit, relation,
     reason) = row
    return Visit(visit_id, first_at, last_at, events, user_id, role, unit_id, delegation_id, bool(emergency), name,
                 unit, relation, reason)


def _fill(session: Session, events: Select, shown: list[Visit], raw: bool) -> None:
    """What each visit shown did, and (`raw`) its newest RAW events: one statement each over the page's time span,
    however many visits and events."""
    if not shown:
        return
    since, until = min(visit.first_at for visit in shown), max(visit.last_at for visit in shown)
    visited = _visited(_within(events.where(col(AccessEvent.at) >= since), until))
    in_page = visited.c.visit_id.in_([visit.id for visit in shown])
    first = func.min(visited.c.at)
    things = session.execute(select(visited.c.visit_id, visited.c.action, visited.c.resource).where(in_page)
                             .group_by(visited.c.visit_id, visited.c.action, visited.c.resource)
                             .order_by(first, visited.c.resource)).all()
    done: dict[int, list[tuple[str, str]]] = {}
    for visit_id, action, resource in things:
        done.setdefault(visit_id, []).append((action, resource))
    single = _raw(session, visited, in_page) if raw else {}
    for visit in shown:
        visit.done.extend(summary(done.get(visit.id, [])))
        visit.raw.extend(single.get(visit.id, []))


def _raw(session: Session, visited: Subquery, in_page: ColumnElement[bool]) -> dict[int, list[RawEvent]]:
    """The newest RAW events of each visit (the CSV file has them all)."""
    place = func.row_number().over(partition_by=visited.c.visit_id, order_by=(visited.c.at.desc(), visited.c.id.desc()))
    ranked = select(visited.c.visit_id, visited.c.at, visited.c.action, visited.c.resource,
                    place.label("place")).where(in_page).subquery("ranked")
    rows = session.execute(select(ranked).where(ranked.c.place <= RAW).order_by(ranked.c.visit_id, ranked.c.place))
    found: dict[int, list[RawEvent]] = {}
    for visit_id, at, action, resource, _place in rows.all():
        found.setdefault(visit_id, []).append(RawEvent(at, action, resource))
    return found


ORDER = ("read", "create", "update", "delete", "denied")


def summary(things: list[tuple[str, str]]) -> list[Done]:
    """What a visit did, per action (looked at, added, changed, removed, was refused) and kind of thing, in the order
    it was first done: how many different things (the care plan read 30 times is one; two items changed are two).
    `things` are the (action, resource) pairs the visit touched, in the order it first touched them."""
    kinds: dict[tuple[str, str], set[str]] = {}
    for action, resource in things:
        kinds.setdefault((action, resource.split(":", 1)[0]), set()).add(resource)
    done = [Done(action, kind, len(resources)) for (action, kind), resources in kinds.items()]
    return sorted(done, key=lambda item: ORDER.index(item.action) if item.action in ORDER else len(ORDER))
