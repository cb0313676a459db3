"""The responsible unit's review of one patient's access log: visits on screen (filtered, a page at a time, each
visit's single events one click away), or the single events as a CSV file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from flask import Blueprint, Response, render_template, request, stream_with_context

from portal.audit import services, visits
from portal.audit.review_filters import FIELDS, chosen
from portal.core.access_log import Action
from portal.core.clock import stockholm_now
from portal.db import get_session
from portal.models import Role
from portal.plans.access import editable_plan, log
from portal.web.guards import require_role
from portal.web.htmx import in_place
from portal.web.inputs import id_arg

DAYS = 30  # on screen without days chosen: a month of visits (the grouping reads every event of the days shown)
bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_role(Role.STAFF))


@bp.get("/plans/<int:plan_id>/access-log")
def access_log(plan_id: int) -> Response | str:
    """Every access to the patient's data as visits, newest first, filtered by person, unit, kind and days (a GET
    form; without days, the last 30): 25 visits at a time ('Show older', ?before=<visit>; under htmx only the visits
    to add), or the single events of the same filters (without days: all of them) as a CSV file, sent while read."""
    plan, patient, unit_id = editable_plan(plan_id, f"access_log:{plan_id}")
    session = get_session()
    people, units = services.people(session, patient.id or 0), services.units(session, patient.id or 0)
    choice = chosen(people, units)
    log(Action.READ, f"access_log:{plan.id}", patient.id, unit_id, read_back=True)
    if request.args.get("format") == "csv":
        return Response(stream_with_context(_csv(patient.id or 0, choice.filters)), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="access-log-plan-{plan.id}.csv"'})
    page = visits.visits(session, patient.id or 0, id_arg("before"),
                         choice.on_screen(stockholm_now() - timedelta(days=DAYS)), raw=True)
    template = "audit/partials/staff_more.html" if in_place() else "audit/staff/access_log.html"
    return render_template(template, plan=plan, patient=patient, page=page, choice=choice, people=people,
                           units=units, kinds=services.KINDS, fields=FIELDS, days=DAYS)


def _csv(patient_id: int, filters: services.Filters) -> Iterator[str]:
    """The CSV file's lines, read while they are sent: by then the request's work is committed and its session
    closed, so the reading takes a session of its own (closed when the file is sent)."""
    yield from services.csv_lines(services.all_events(get_session(), patient_id, filters))
