"""How plan items become a timeline: phases in order, dates in order, a 'today' marker, the next event."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from portal.models import DatePrecision, ItemStatus, Phase, PlanItem

PHASE_ORDER = (Phase.INVESTIGATION, Phase.TREATMENT, Phase.REHABILITATION, Phase.FOLLOW_UP)
UPCOMING = (ItemStatus.PLANNED, ItemStatus.BOOKED)
ToLocalDate = Callable[[datetime], date]
NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass
class Entry:
    item: PlanItem
    is_past: bool
    today_before: bool = False
    today_after: bool = False


@dataclass
class PhaseGroup:
    phase: Phase
    entries: list[Entry] = field(default_factory=list)
    is_current: bool = False


def last_possible_day(day: date, precision: str) -> date:
    """The last day something dated `day` may happen on: the week's Sunday, the month's last day, or the day."""
    if precision == DatePrecision.WEEK:
        return day + timedelta(days=6 - day.weekday())
    if precision == DatePrecision.MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return day


def last_day(item: PlanItem, to_local: ToLocalDate) -> date | None:
    """The last day an item may happen on, given how exactly its date is known."""
    if item.starts_at is None:
        return None
    return last_possible_day(to_local(item.starts_at), item.date_precision)


def sort_key(item: PlanItem) -> tuple[bool, datetime, int, int]:
    return (item.starts_at is None, item.starts_at or NEVER, item.position, item.id or 0)


def next_item(items: Iterable[PlanItem], today: date, to_local: ToLocalDate) -> PlanItem | None:
    """The first planned or booked item from today on; an undated one only if nothing is dated."""
    upcoming = [i for i in items if i.status in UPCOMING]
    dated = [i for i in upcoming if (end := last_day(i, to_local)) is not None and end >= today]
    if dated:
        return min(dated, key=sort_key)
    undated = [i for i in upcoming if i.starts_at is None]
    return min(undated, key=sort_key) if undated else None


def _mark_today(entries: list[Entry]) -> None:
    dated = sorted((e for e in entries if e.item.starts_at is not None), key=lambda e: sort_key(e.item))
    if not dated:
        return
    upcoming = [e for e in dated if not e.is_past]
    if upcoming:
        upcoming[0].today_before = True
    else:
        dated[-1].today_after = True


def build_timeline(
    items: Iterable[PlanItem], today: date, to_local: ToLocalDate, current_phase: str
) -> list[PhaseGroup]:
    """Every phase in care order, each with its items by date, and one 'today' marker."""
    groups = {phase: PhaseGroup(phase, is_current=phase == current_phase) for phase in PHASE_ORDER}
    entries: list[Entry] = []
    for item in sorted(items, key=sort_key):
        end = last_day(item, to_local)
        entry = Entry(item, is_past=end is not None and end < today)
        groups[Phase(item.phase)].entries.append(entry)
        entries.append(entry)
    _mark_today(entries)
    return list(groups.values())
