"""'Vem har tittat på min vårdplan?': the patient's (or a guardian's) view of who has looked at the plan, as visits."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, render_template, request

from portal.audit import visits
from portal.audit.services import Filters
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
    """Everyone else who read or changed the plan, as visits by day ('Eva Lund, 14.02–14.17: looked at the care
    plan'), 25 at a time ('Show older', ?before=<visit>; under htmx only the visits to add): the last 30 days, or
    everything."""
    patient = current_patient()
    if patient is None:
        abort(404)
    everything = request.args.get("period") == "all"
    filters = Filters(since=None if everything else stockholm_now() - timedelta(days=30),
                      exclude_user_id=patient.user_id)
    session = get_session()
    page = visits.visits(session, patient.id or 0, id_arg("before"), filters)
    count = None if in_place() else visits.count(session, patient.id or 0, filters)
    log(Action.READ, "access_log", patient.id, read_back=True)
    template = "audit/partials/patient_more.html" if in_place() else "audit/patient/access_log.html"
    return render_template(template, page=page, by_day=visits.by_day(page.rows), everything=everything,
                           count=count, continued_day=local_date(page.start[0]) if page.start else None)
