"""'Vem har tittat på min vårdplan?': the patient's (or a guardian's) view of who has looked at the plan."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, render_template, request

from portal.audit import services
from portal.core.access_log import Action
from portal.core.clock import local_date, stockholm_now
from portal.db import get_session
from portal.plans.access import current_patient, log, patient_guard
from portal.web.htmx import in_place
from portal.web.inputs import id_arg

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.before_request(patient_guard())


@bp.get("/access-log")
def access_log() -> str:
    """Everyone else who read or changed the plan, by day, 100 at a time ('Show older', ?before=<event id>; under
    htmx only the events to add): the last 30 days, or everything."""
    patient = current_patient()
    if patient is None:
        abort(404)
    everything = request.args.get("period") == "all"
    since = None if everything else stockholm_now() - timedelta(days=30)
    session = get_session()
    page = services.events_for_patient(session, patient.id or 0, id_arg("before"), since, patient.user_id)
    count = None if in_place() else services.count_events(session, patient.id or 0, since, patient.user_id)
    log(Action.READ, "access_log", patient.id)
    template = "audit/partials/patient_more.html" if in_place() else "audit/patient/access_log.html"
    return render_template(template, page=page, by_day=services.by_day(page.rows), everything=everything,
                           count=count, continued_day=local_date(page.start[0]) if page.start else None)
