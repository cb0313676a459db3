"""The one check every staff page makes: the nurse works at a unit in the plan's care team."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal.db import get_session
from portal.models import CarePlan, Patient
from portal.services import plans
from portal.services.access_log import Action, record_access


def plan_or_404(plan_id: int | None, resource: str) -> tuple[CarePlan, Patient, int]:
    """The plan, its patient and the nurse's unit in its team; anyone else gets 404 and the attempt is logged."""
    session = get_session()
    unit_id = plans.staff_may_read_plan(session, current_user.id, plan_id) if plan_id else None
    plan = session.get(CarePlan, plan_id) if unit_id else None
    if plan is None or unit_id is None:
        record_access(session, current_user, Action.DENIED, resource, None)
        abort(404)
    return plan, session.get(Patient, plan.patient_id), unit_id
