"""'Vem har tittat på min vårdplan?': the patient's (or a guardian's) view of who has looked at the plan."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, render_template, request

from portal.audit import services
from portal.core.access_log import Action
from portal.core.clock import stockholm_now
from portal.db import get_session
from portal.plans.access import current_patient, log, patient_guard

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.before_request(patient_guard())


@bp.get("/access-log")
def access_log() -> str:
    """Everyone else who read or changed the plan, by day: the last 30 days, or everything."""
    patient = current_patient()
    if patient is None:
        abort(404)
    everything = request.args.get("period") == "all"
    since = None if everything else stockholm_now() - timedelta(days=30)
    rows = services.events_for_patient(get_session(), patient.id or 0, since, exclude_user_id=patient.user_id)
    log(Action.READ, "access_log", patient.id)
    return render_template("audit/patient/access_log.html", by_day=services.by_day(rows), everything=everything,
                           count=len(rows))
