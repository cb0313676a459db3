"""The security figures per hour (failed sign-ins, slowed accounts, denied and emergency accesses) and the
`security-report` command that prints them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlmodel import Session

from portal.core import clock
from portal.core.access_log import Action
from portal.models import AccessEvent, EmergencyAccess, SecurityEvent
from portal.security.services import EventKind, hourly_figures, totals
from tests import factories

# Sunday 29 March 2026: Swedish clocks go from 02:00 to 03:00, so this day's last 24 hours have no 02:00.
NOW = datetime(2026, 3, 29, 12, 40, tzinfo=UTC)  # 14:40 in Sweden


def _sign_in_event(session: Session, at: datetime, kind: str = EventKind.SIGN_IN_FAILED, account: str = "a") -> None:
    session.add(SecurityEvent(occurred_at=at, kind=kind, account_key=account * 64, address_key="b" * 64))


def _denied(session: Session, at: datetime) -> None:
    session.add(AccessEvent(at=at, role="patient", action=Action.DENIED, resource="item:1"))


def _events(session: Session) -> None:
    """Failed sign-ins, slowed accounts, refusals and emergency accesses at known hours (and some outside the day)."""
    for minutes in (5, 20, 39):
        _sign_in_event(session, NOW - timedelta(minutes=minutes))  # the current hour: 3 failed
    for minutes in (61, 62):
        _sign_in_event(session, NOW - timedelta(minutes=minutes), EventKind.ACCOUNT_SLOWED)  # same account twice
    _sign_in_event(session, NOW - timedelta(minutes=62), EventKind.ACCOUNT_SLOWED, account="c")
    _sign_in_event(session, NOW - timedelta(hours=3), EventKind.SIGN_IN_SUCCEEDED)  # not a figure
    _sign_in_event(session, NOW - timedelta(hours=25))  # older than the day
    _denied(session, NOW - timedelta(hours=11, minutes=30))  # 01:10 UTC = 03:10 in Sweden
    _denied(session, NOW - timedelta(hours=11, minutes=35))
    session.add(AccessEvent(at=NOW - timedelta(hours=11), role="staff", action=Action.READ, resource="plan:1"))
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    session.add(EmergencyAccess(staff_user_id=nurse.user_id, unit_id=nurse.unit_id, patient_id=patient.id,
                                plan_id=plan.id, reason="Akut", starts_at=NOW - timedelta(hours=23, minutes=30),
                                ends_at=NOW))
    session.commit()


def test_security_report_counts_each_hour_of_the_last_day(session: Session) -> None:
    _events(session)
    rows = hourly_figures(session, NOW)
    assert len(rows) == 24
    assert rows[-1].hour == datetime(2026, 3, 29, 12, tzinfo=UTC)
    assert rows[0].hour == datetime(2026, 3, 28, 13, tzinfo=UTC)
    figures = {row.hour.hour: (row.failed, row.slowed, row.denied, row.emergency) for row in rows
               if (row.failed, row.slowed, row.denied, row.emergency) != (0, 0, 0, 0)}
    assert figures == {12: (3, 0, 0, 0), 11: (0, 2, 0, 0), 1: (0, 0, 2, 0), 13: (0, 0, 0, 1)}
    total = totals(rows)
    assert (total.failed, total.slowed, total.denied, total.emergency) == (3, 2, 2, 1)


def test_security_report_marks_an_hour_with_many_failures(session: Session) -> None:
    for second in range(20):
        _sign_in_event(session, NOW - timedelta(seconds=second))
    session.commit()
    rows = hourly_figures(session, NOW)
    assert [row.attention for row in rows[-2:]] == [False, True]


def test_security_report_command_prints_the_table(app: Flask, session: Session,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _events(session)
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)
    result = app.test_cli_runner().invoke(args=["security-report"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [part.strip() for part in lines[0].split("  ") if part.strip()] == [
        "Hour (Sweden)", "Failed sign-ins", "Slowed accounts", "Denied", "Emergency"]
    hours = [line[:16] for line in lines[1:25]]
    assert (hours[0], hours[-1]) == ("2026-03-28 14:00", "2026-03-29 14:00")
    assert hours[11:13] == ["2026-03-29 01:00", "2026-03-29 03:00"]  # no 02:00 that night
    assert lines[24].split() == ["2026-03-29", "14:00", "3", "0", "0", "0"]
    assert lines[23].split() == ["2026-03-29", "13:00", "0", "2", "0", "0"]
    assert lines[13].split() == ["2026-03-29", "03:00", "0", "0", "2", "0"]
    assert lines[1].split() == ["2026-03-28", "14:00", "0", "0", "0", "1", "!"]
    assert lines[25].split() == ["Total", "3", "2", "2", "1"]


def test_security_report_command_takes_fewer_hours(app: Flask, session: Session,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _events(session)
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)
    result = app.test_cli_runner().invoke(args=["security-report", "--hours", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].split() == ["Total", "3", "2", "0", "0"]
