"""The one check every staff page makes: the nurse works at a unit in the plan's care team."""

from __future__ import annotations

from flask import abort, g, request
from flask_login import current_user
from sqlmodel import Session, col, select

from portal.db import get_session
from portal.models import CarePlan, EmergencyAccess, Patient
from portal.models.base import utcnow
from portal.services import plans
from portal.services.access_log import Action, record_access
from portal.services.personal_id import InvalidPersonalId, parse_personal_id


def plan_or_404(plan_id: int | None, resource: str) -> tuple[CarePlan, Patient, int]:
    """The plan, its patient and the nurse's unit in its team; anyone else gets 404 and the attempt is logged.

    Emergency access ('nödåtkomst') lets a nurse outside the team read (GET only) until it runs out; every event
    of such a request is marked as emergency in the log.
    """
    session = get_session()
    unit_id = plans.staff_may_read_plan(session, current_user.id, plan_id) if plan_id else None
    if unit_id is None and plan_id:
        access = active_emergency_access(session, current_user.id, plan_id)
        if access is not None:
            g.emergency_access = access
            if request.method != "GET":
                record_access(session, current_user, Action.DENIED, resource, access.patient_id, access.unit_id)
                abort(403)
            unit_id = access.unit_id
    plan = session.get(CarePlan, plan_id) if unit_id else None
    if plan is None or unit_id is None:
        record_access(session, current_user, Action.DENIED, resource, None)
        abort(404)
    return plan, session.get(Patient, plan.patient_id), unit_id


def active_emergency_access(session: Session, user_id: int, plan_id: int) -> EmergencyAccess | None:
    query = select(EmergencyAccess).where(EmergencyAccess.staff_user_id == user_id, EmergencyAccess.plan_id == plan_id,
                                          EmergencyAccess.ends_at > utcnow())
    return session.exec(query.order_by(col(EmergencyAccess.ends_at).desc())).first()


def patient_from_form(resource: str) -> Patient:
    """The patient whose personal number a form posted (numbers never travel in addresses); else 404, logged."""
    session = get_session()
    try:
        number = parse_personal_id(request.form.get("personal_id", ""))
    except InvalidPersonalId:
        number = None
    patient = session.exec(select(Patient).where(Patient.personal_id == number.digits)).first() if number else None
    if patient is None:
        record_access(session, current_user, Action.DENIED, resource, None)
        abort(404)
    return patient
