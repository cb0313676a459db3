"""Patient views: parse, ask the services, log the access, render."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from portal.db import get_session
from portal.i18n import local_date, local_now
from portal.layout import current_patient_plan
from portal.models import CarePlan, Patient
from portal.patient import bp
from portal.services import plans
from portal.services.access_log import Action, record_access
from portal.services.timeline import build_timeline, last_day, next_item


def patient_and_plan() -> tuple[Patient | None, CarePlan | None]:
    """The signed-in patient and their current plan, looked up once per request."""
    return current_patient_plan()


@bp.get("/")
def start() -> str:
    """'Min vårdplan': what happens next, whom to call, the diagnosis in plain words."""
    patient, plan = patient_and_plan()
    if plan is None:
        return render_template("patient/no_plan.html", patient=patient)
    session = get_session()
    items = plans.plan_items(session, plan.id)
    upcoming = next_item(items, local_now().date(), local_date)
    units = plans.units_by_id(session, {upcoming.unit_id} if upcoming and upcoming.unit_id else set())
    contact = plans.contact_for(session, plan)
    record_access(session, current_user, Action.READ, f"plan:{plan.id}", patient.id)
    return render_template("patient/start.html", patient=patient, plan=plan, next=upcoming, units=units,
                           contact=contact)


@bp.get("/timeline")
def timeline() -> str:
    """Every plan item by phase and date, with a 'today' marker."""
    patient, plan = patient_and_plan()
    if plan is None:
        return render_template("patient/no_plan.html", patient=patient)
    session = get_session()
    items = plans.plan_items(session, plan.id)
    groups = build_timeline(items, local_now().date(), local_date, plan.current_phase)
    units = plans.units_by_id(session, {i.unit_id for i in items if i.unit_id})
    record_access(session, current_user, Action.READ, f"timeline:{plan.id}", patient.id)
    return render_template("patient/timeline.html", plan=plan, groups=groups, units=units,
                           removed=request.args.get("removed"))


@bp.get("/items/<int:item_id>")
def item(item_id: int) -> str:
    """One plan item: what, when, where, who does it and how to prepare."""
    session = get_session()
    patient, _plan = patient_and_plan()
    found = plans.item_for_patient(session, patient.id, item_id) if patient else None
    if found is None:
        record_access(session, current_user, Action.DENIED, f"item:{item_id}", None)
        abort(404)
    units = plans.units_by_id(session, {found.unit_id} if found.unit_id else set())
    record_access(session, current_user, Action.READ, f"item:{found.id}", patient.id)
    end = last_day(found, local_date)
    return render_template("patient/item.html", item=found, units=units, saved=request.args.get("saved"),
                           is_past=end is not None and end < local_now().date())
