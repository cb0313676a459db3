"""Emergency access ('nödåtkomst'): a nurse outside the care team reads a plan for a few hours, with a reason."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from portal.core.clock import utcnow
from portal.core.text import parse_id
from portal.models import CarePlan, EmergencyAccess

HOURS = (1, 2, 4, 8)
MIN_REASON = 10
MAX_REASON = 1000


def check_request(reason: str, hours: str) -> str | None:
    """Why the request cannot start (an error code the view translates), or None."""
    if len(reason) < MIN_REASON:
        return "reason_short"
    if len(reason) > MAX_REASON:
        return "reason_long"
    if parse_id(hours) not in HOURS:
        return "hours"
    return None


def start(session: Session, staff_user_id: int, unit_id: int, plan: CarePlan, reason: str,
          hours: int) -> EmergencyAccess:
    """Open the plan to this nurse until the hours have passed; the caller logs it as an emergency event."""
    access = EmergencyAccess(staff_user_id=staff_user_id, unit_id=unit_id, patient_id=plan.patient_id,
                             plan_id=plan.id or 0, reason=reason, ends_at=utcnow() + timedelta(hours=hours))
    session.add(access)
    session.flush()
    return access


def active(session: Session, user_id: int, plan_id: int) -> EmergencyAccess | None:
    """The nurse's emergency access to this plan that has not run out yet."""
    query = select(EmergencyAccess).where(EmergencyAccess.staff_user_id == user_id, EmergencyAccess.plan_id == plan_id,
                                          EmergencyAccess.ends_at > utcnow())
    return session.exec(query.order_by(col(EmergencyAccess.ends_at).desc())).first()
