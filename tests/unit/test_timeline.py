"""The timeline: phases in care order, items by date, one 'today' marker, the next event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.models import DatePrecision, ItemStatus, Phase, PlanItem
from portal.plans.services.timeline import build_timeline, last_day, next_item

TODAY = date(2026, 11, 25)  # a Wednesday


def to_local(value: datetime) -> date:
    return value.date()


def make(n: int, days: int | None, phase: str = Phase.TREATMENT, status: str = ItemStatus.PLANNED,
         precision: str = DatePrecision.TIME) -> PlanItem:
    starts = None if days is None else datetime(2026, 11, 25, 9, tzinfo=UTC) + timedelta(days=days)
    return PlanItem(id=n, plan_id=1, phase=phase, title=f"item {n}", starts_at=starts, status=status,
                    date_precision=precision)


def test_timeline_has_every_phase_in_care_order_even_when_empty() -> None:
    groups = build_timeline([make(1, 0, Phase.FOLLOW_UP)], TODAY, to_local, Phase.FOLLOW_UP)
    assert [g.phase for g in groups] == [Phase.INVESTIGATION, Phase.TREATMENT, Phase.REHABILITATION,
                                         Phase.FOLLOW_UP]
    assert [len(g.entries) for g in groups] == [0, 0, 0, 1]
    assert [g.is_current for g in groups] == [False, False, False, True]


def test_timeline_orders_items_by_date_with_undated_last() -> None:
    items = [make(1, None), make(2, 5), make(3, -3), make(4, 1)]
    treatment = build_timeline(items, TODAY, to_local, Phase.TREATMENT)[1]
    assert [e.item.id for e in treatment.entries] == [3, 4, 2, 1]


def test_timeline_marks_past_items_and_puts_today_before_the_first_upcoming() -> None:
    items = [make(1, -10, Phase.INVESTIGATION, ItemStatus.DONE), make(2, -1, status=ItemStatus.CANCELLED),
             make(3, 2), make(4, 9)]
    entries = [e for g in build_timeline(items, TODAY, to_local, Phase.TREATMENT) for e in g.entries]
    assert [e.is_past for e in entries] == [True, True, False, False]
    assert [e.today_before for e in entries] == [False, False, True, False]
    assert not any(e.today_after for e in entries)


def test_timeline_today_marker_goes_after_the_last_item_when_all_are_past() -> None:
    items = [make(1, -30, Phase.TREATMENT), make(2, -5, Phase.FOLLOW_UP), make(3, None, Phase.FOLLOW_UP)]
    entries = {e.item.id: e for g in build_timeline(items, TODAY, to_local, Phase.FOLLOW_UP) for e in g.entries}
    assert entries[2].today_after
    assert sum(e.today_before or e.today_after for e in entries.values()) == 1


def test_timeline_a_week_is_not_past_until_the_week_is_over() -> None:
    monday = make(1, -2, precision=DatePrecision.WEEK)  # Monday this week
    assert last_day(monday, to_local) == date(2026, 11, 29)
    entries = build_timeline([monday], TODAY, to_local, Phase.TREATMENT)[1].entries
    assert not entries[0].is_past


def test_timeline_a_month_lasts_to_its_last_day() -> None:
    assert last_day(make(1, -24, precision=DatePrecision.MONTH), to_local) == date(2026, 11, 30)


def test_next_item_is_the_first_planned_or_booked_from_today() -> None:
    items = [make(1, -1), make(2, 3, status=ItemStatus.CANCELLED), make(3, 5, status=ItemStatus.BOOKED),
             make(4, 0, status=ItemStatus.DONE), make(5, 8)]
    assert next_item(items, TODAY, to_local).id == 3


def test_next_item_includes_later_today_and_falls_back_to_undated() -> None:
    assert next_item([make(1, 0), make(2, 4)], TODAY, to_local).id == 1
    assert next_item([make(1, -4), make(2, None)], TODAY, to_local).id == 2
    assert next_item([make(1, -4, status=ItemStatus.DONE)], TODAY, to_local) is None
