"""Guardians of child patients, emergency access ("nödåtkomst") and the access log review, for staff."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.db import get_session
from portal.i18n import local_now
from portal.models import EmergencyAccess
from portal.models.base import utcnow
from portal.services import access_log as log_service
from portal.services import delegations, plans
from portal.services.access_log import Action, record_access
from portal.services.personal_id import PersonalId
from portal.staff import bp
from portal.staff.access import patient_from_form
from portal.staff.builder import editable_plan

EMERGENCY_HOURS = (1, 2, 4, 8)
MIN_REASON = 10
MAX_REASON = 1000
GUARDIAN_ERRORS = {
    "name_required": _l("Write the guardian's name."),
    "too_long": _l("Write a shorter name (at most 200 characters)."),
    "email": _l("Write the e-mail address like name@example.com."),
    "not_a_child": _l("The patient is 13 or older. Guardians can only be registered for children under 13."),
}


@bp.route("/plans/<int:plan_id>/guardians", methods=["GET", "POST"])
def guardians(plan_id: int) -> Response | tuple[str, int]:
    """Register a guardian for a child under 13: all scopes, ending by itself on the 13th birthday."""
    plan, patient, unit_id = editable_plan(plan_id, f"guardians:{plan_id}")
    session = get_session()
    today = local_now().date()
    form = {"name": "", "email": ""}
    errors: dict[str, object] = {}
    if request.method == "POST":
        form = {name: request.form.get(name, "").strip()[:300] for name in ("name", "email")}
        result = delegations.invite_guardian(session, patient, current_user, form["name"], form["email"], today,
                                             str(current_app.config["PUBLIC_BASE_URL"]))
        if isinstance(result, dict):
            errors = {name: GUARDIAN_ERRORS[code] for name, code in result.items()}
            record_access(session, current_user, Action.DENIED, "delegation:new", patient.id, unit_id)
        else:
            record_access(session, current_user, Action.CREATE, f"delegation:{result.id}", patient.id, unit_id)
            return redirect(url_for("staff.guardians", plan_id=plan.id, done=1), code=303)
    rows = [(d, name) for d, name in delegations.for_patient(session, patient.id or 0) if d.relation == "guardian"]
    record_access(session, current_user, Action.READ, f"guardians:{plan.id}", patient.id, unit_id)
    return render_template("staff/guardians.html", plan=plan, patient=patient,
                           masked=PersonalId(patient.personal_id).masked(), rows=rows, form=form, errors=errors,
                           ends=delegations.thirteenth_birthday(patient.birth_date),
                           is_child=delegations.thirteenth_birthday(patient.birth_date) > today,
                           done=request.args.get("done")), 422 if errors else 200


@bp.post("/emergency")
def emergency() -> Response | tuple[str, int]:
    """'Nödåtkomst': read a plan outside your units for a few hours, with a written reason, logged prominently."""
    patient = patient_from_form("emergency")
    session = get_session()
    plan = plans.active_plan(session, patient.id or 0)
    units = plans.staff_units(session, current_user.id)
    if plan is None or not units:
        record_access(session, current_user, Action.DENIED, "emergency", patient.id)
        abort(404)
    if plans.staff_may_read_plan(session, current_user.id, plan.id or 0):
        return redirect(url_for("staff.plan", plan_id=plan.id), code=303)
    reason = request.form.get("reason", "").strip()
    hours = request.form.get("hours", "")
    error = None
    if request.form.get("confirm") == "yes":
        if len(reason) < MIN_REASON:
            error = _l("Write why you need emergency access (at least 10 characters).")
        elif len(reason) > MAX_REASON:
            error = _l("Write a shorter reason (at most 1000 characters).")
        elif not hours.isdigit() or int(hours) not in EMERGENCY_HOURS:
            error = _l("Choose for how long.")
        else:
            access = EmergencyAccess(staff_user_id=current_user.id, unit_id=units[0], patient_id=patient.id or 0,
                                     plan_id=plan.id or 0, reason=reason,
                                     ends_at=utcnow() + timedelta(hours=int(hours)))
            session.add(access)
            session.flush()
            g.emergency_access = access
            record_access(session, current_user, Action.CREATE, f"emergency:{access.id}", patient.id, units[0])
            return redirect(url_for("staff.plan", plan_id=plan.id), code=303)
    record_access(session, current_user, Action.READ, "emergency", patient.id, units[0])
    return render_template("staff/emergency.html", patient=patient, masked=PersonalId(patient.personal_id).masked(),
                           reason=reason, hours=hours or "2", choices=EMERGENCY_HOURS, error=error), \
        422 if error else 200


@bp.get("/plans/<int:plan_id>/access-log")
def plan_access_log(plan_id: int) -> Response | str:
    """Log review for one patient: every access, emergency access marked; as a table or a CSV file."""
    plan, patient, unit_id = editable_plan(plan_id, f"access_log:{plan_id}")
    session = get_session()
    rows = log_service.events_for_patient(session, patient.id or 0)
    record_access(session, current_user, Action.READ, f"access_log:{plan.id}", patient.id, unit_id)
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["time_utc", "actor", "role", "unit", "acting_for_delegation", "relation", "emergency",
                         "action", "resource"])
        for row in rows:
            event = row.event
            writer.writerow([event.at.isoformat(), _csv_safe(row.actor_name or ""), event.role,
                             _csv_safe(row.unit_name or ""), event.acting_for_delegation_id or "",
                             row.relation or "", "yes" if event.emergency else "no", event.action, event.resource])
        filename = f"access-log-plan-{plan.id}.csv"
        return Response(out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return render_template("staff/access_log.html", plan=plan, patient=patient,
                           masked=PersonalId(patient.personal_id).masked(), rows=rows)


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
