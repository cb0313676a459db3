"""The responsible unit's review of one patient's access log, on screen or as a CSV file."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from portal.audit import services
from portal.core.access_log import Action
from portal.db import get_session
from portal.models import Role
from portal.plans.access import editable_plan, log
from portal.web.guards import require_role

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_role(Role.STAFF))


@bp.get("/plans/<int:plan_id>/access-log")
def access_log(plan_id: int) -> Response | str:
    """Every access to the patient's data, emergency access marked; as a table or a CSV file."""
    plan, patient, unit_id = editable_plan(plan_id, f"access_log:{plan_id}")
    rows = services.events_for_patient(get_session(), patient.id or 0)
    log(Action.READ, f"access_log:{plan.id}", patient.id, unit_id)
    if request.args.get("format") == "csv":
        return Response(services.as_csv(rows), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="access-log-plan-{plan.id}.csv"'})
    return render_template("audit/staff/access_log.html", plan=plan, patient=patient, rows=rows)
