"""The responsible unit's review of one patient's access log, on screen (a page at a time) or as a CSV file."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request, stream_with_context

from portal.audit import services
from portal.core.access_log import Action
from portal.db import get_session
from portal.models import Role
from portal.plans.access import editable_plan, log
from portal.web.guards import require_role
from portal.web.htmx import in_place
from portal.web.inputs import id_arg

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_role(Role.STAFF))


@bp.get("/plans/<int:plan_id>/access-log")
def access_log(plan_id: int) -> Response | str:
    """Every access to the patient's data, emergency access marked, newest first: 100 rows at a time on screen
    ('Show older', ?before=<event id>; under htmx only the rows to add), or all of them as a CSV file, sent while
    it is read."""
    plan, patient, unit_id = editable_plan(plan_id, f"access_log:{plan_id}")
    session = get_session()
    if request.args.get("format") == "csv":
        log(Action.READ, f"access_log:{plan.id}", patient.id, unit_id)
        return Response(stream_with_context(_csv(patient.id or 0)), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="access-log-plan-{plan.id}.csv"'})
    page = services.events_for_patient(session, patient.id or 0, id_arg("before"))
    log(Action.READ, f"access_log:{plan.id}", patient.id, unit_id)
    template = "audit/partials/staff_more.html" if in_place() else "audit/staff/access_log.html"
    return render_template(template, plan=plan, patient=patient, page=page)


def _csv(patient_id: int) -> Iterator[str]:
    """The CSV file's lines, read while they are sent: by then the request's work is committed and its session
    closed, so the reading takes a session of its own (closed when the file is sent)."""
    yield from services.csv_lines(services.all_events(get_session(), patient_id))
