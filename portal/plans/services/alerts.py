"""How long the alerts from a plan's forms have waited, and which have waited past the responsible unit's reply time
(CareUnit.reply_days, counted in calendar days in Sweden): the one home of "overdue", for the plan page, the forms
pages and the caseload. The forms feature handles the alerts themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from portal.core import clock
from portal.core.clock import local_date
from portal.models import Alert, AlertStatus, CareTeamMembership, CareUnit, FormResponse, TeamRole

DEFAULT_REPLY_DAYS = 2  # a plan without a responsible unit (never in practice) waits as long as a new unit


@dataclass(frozen=True)
class Waiting:
    """How long an open alert has waited: calendar days since it was raised, and whether that is past the reply
    time."""

    days: int
    overdue: bool


@dataclass(frozen=True)
class PlanAlerts:
    """A plan's open alerts at a glance (the caseload): how many, how many overdue, and the longest wait in days."""

    open: int
    overdue: int
    longest_days: int


@dataclass(frozen=True)
class ResponseAlerts:
    """The open alerts of one form response (the plan page): handled together on one page."""

    response_id: int
    submitted_at: datetime | None
    count: int
    waiting: Waiting


def waiting(raised_at: datetime, now: datetime, reply_days: int) -> Waiting:
    days = max(0, (local_date(now) - local_date(raised_at)).days)
    return Waiting(days, days > reply_days)


_REPLY_DAYS = (select(CareTeamMembership.plan_id, CareUnit.reply_days)
               .join(CareUnit, col(CareUnit.id) == CareTeamMembership.unit_id)
               .where(col(CareTeamMembership.plan_id).in_(bindparam("plan_ids", expanding=True)),
                      CareTeamMembership.role == TeamRole.RESPONSIBLE, col(CareTeamMembership.until).is_(None)))
_REPLY_DAYS_OF_PLAN = (select(CareUnit.reply_days)
                       .join(CareTeamMembership, col(CareTeamMembership.unit_id) == CareUnit.id)
                       .where(CareTeamMembership.plan_id == bindparam("plan_id"),
                              CareTeamMembership.role == TeamRole.RESPONSIBLE, col(CareTeamMembership.until).is_(None))
                       .limit(1).scalar_subquery())
_OPEN_BY_RESPONSE = (select(Alert.response_id, FormResponse.submitted_at, func.count(), func.min(Alert.created_at),
                            _REPLY_DAYS_OF_PLAN)
                     .join(FormResponse, col(FormResponse.id) == Alert.response_id)
                     .where(Alert.plan_id == bindparam("plan_id"), Alert.status == AlertStatus.OPEN)
                     .group_by(Alert.response_id, FormResponse.submitted_at))


def reply_days_by_plan(session: Session, plan_ids: list[int]) -> dict[int, int]:
    """The responsible unit's reply time of each plan, in one query."""
    if not plan_ids:
        return {}
    return dict(session.execute(_REPLY_DAYS, {"plan_ids": plan_ids}).all())


def plan_alerts(session: Session, plan_ids: list[int], now: datetime | None = None) -> dict[int, PlanAlerts]:
    """For each plan with open alerts: how many, how many are overdue, the longest wait; two queries for any number
    of plans (for the caseload: a plan id in `plan_ids` without open alerts is left out)."""
    if not plan_ids:
        return {}
    now = now or clock.utcnow()
    rows = session.exec(select(Alert.plan_id, Alert.created_at).where(
        col(Alert.plan_id).in_(plan_ids), Alert.status == AlertStatus.OPEN)).all()
    reply = reply_days_by_plan(session, sorted({plan_id for plan_id, _at in rows}))
    found: dict[int, PlanAlerts] = {}
    for plan_id, raised_at in rows:
        wait = waiting(raised_at, now, reply.get(plan_id, DEFAULT_REPLY_DAYS))
        before = found.get(plan_id, PlanAlerts(0, 0, 0))
        found[plan_id] = PlanAlerts(before.open + 1, before.overdue + wait.overdue,
                                    max(before.longest_days, wait.days))
    return found


def open_by_response(session: Session, plan_id: int, now: datetime | None = None) -> list[ResponseAlerts]:
    """The plan's open alerts grouped by the response that raised them, the longest waiting first (one query, with
    the responsible unit's reply time)."""
    now = now or clock.utcnow()
    groups = [ResponseAlerts(response_id, submitted_at, count,
                             waiting(raised_at, now, DEFAULT_REPLY_DAYS if reply is None else reply))
              for response_id, submitted_at, count, raised_at, reply in
              session.execute(_OPEN_BY_RESPONSE, {"plan_id": plan_id}).all()]
    return sorted(groups, key=lambda group: (-group.waiting.days, group.response_id))


def waits(session: Session, alerts: list[Alert], now: datetime | None = None) -> dict[int, Waiting]:
    """How long each open alert in `alerts` has waited, by alert id (handled ones are left out)."""
    waiting_alerts = [alert for alert in alerts if alert.status == AlertStatus.OPEN]
    reply = reply_days_by_plan(session, sorted({alert.plan_id for alert in waiting_alerts}))
    now = now or clock.utcnow()
    return {alert.id or 0: waiting(alert.created_at, now, reply.get(alert.plan_id, DEFAULT_REPLY_DAYS))
            for alert in waiting_alerts}
