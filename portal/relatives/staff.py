"""Guardians of child patients, registered by the responsible unit: every scope, ending on the 13th birthday."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core.access_log import Action
from portal.core.clock import stockholm_today
from portal.db import get_session
from portal.models import CarePlan, Patient, Relation, Role
from portal.plans.access import editable_plan, log
from portal.plans.services.acting import thirteenth_birthday
from portal.relatives import services as delegations
from portal.web.guards import require_role

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_role(Role.STAFF))

GUARDIAN_ERRORS = {
    "name_required": _l("Write the guardian's name."),
    "too_long": _l("Write a shorter name (at most 200 characters)."),
    "email": _l("Write the e-mail address like name@example.com."),
    "not_a_child": _l("The patient is 13 or older. Guardians can only be registered for children under 13."),
}


def _page(plan: CarePlan, patient: Patient, unit_id: int, form: dict[str, str],
          errors: dict[str, LazyString]) -> tuple[str, int]:
    rows = [(d, name) for d, name in delegations.for_patient(get_session(), patient.id or 0)
            if d.relation == Relation.GUARDIAN]
    log(Action.READ, f"guardians:{plan.id}", patient.id, unit_id)
    ends = thirteenth_birthday(patient.birth_date)
    return render_template("relatives/staff/guardians.html", plan=plan, patient=patient, rows=rows, form=form,
                           errors=errors, ends=ends, is_child=ends > stockholm_today(),
                           done=request.args.get("done")), 422 if errors else 200


@bp.get("/plans/<int:plan_id>/guardians")
def guardians(plan_id: int) -> tuple[str, int]:
    """Register a guardian for a child under 13: all scopes, ending by itself on the 13th birthday."""
    plan, patient, unit_id = editable_plan(plan_id, f"guardians:{plan_id}")
    return _page(plan, patient, unit_id, {"name": "", "email": ""}, {})


@bp.post("/plans/<int:plan_id>/guardians")
def guardian_create(plan_id: int) -> Response | tuple[str, int]:
    """Invite the guardian by e-mail; if something is wrong, say what, keeping what was typed."""
    plan, patient, unit_id = editable_plan(plan_id, f"guardians:{plan_id}")
    form = {name: request.form.get(name, "").strip()[:300] for name in ("name", "email")}
    result = delegations.invite_guardian(get_session(), patient, current_user, form["name"], form["email"],
                                         stockholm_today(), str(current_app.config["PUBLIC_BASE_URL"]))
    if isinstance(result, dict):
        log(Action.DENIED, "delegation:new", patient.id, unit_id)
        return _page(plan, patient, unit_id, form, {name: GUARDIAN_ERRORS[code] for name, code in result.items()})
    log(Action.CREATE, f"delegation:{result.id}", patient.id, unit_id)
    return redirect(url_for("relatives.staff.guardians", plan_id=plan.id, done=1), code=303)
