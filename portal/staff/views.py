"""Staff views."""

from __future__ import annotations

from collections import Counter

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.db import get_session
from portal.i18n import local_date, local_now
from portal.services import content, forms, plans
from portal.services import plan_builder as builder
from portal.services.access_log import Action, record_access
from portal.services.personal_id import PersonalId
from portal.services.timeline import build_timeline
from portal.staff import bp
from portal.staff.access import plan_or_404


@bp.get("/")
def caseload() -> str:
    """The nurse's own patients: those with open alerts from their forms first, then the rest by name."""
    session = get_session()
    rows = plans.nurse_caseload(session, current_user.id)
    alerts = Counter(alert.plan_id for alert in forms.open_alerts(session, [plan.id for plan, _p in rows]))
    rows.sort(key=lambda row: alerts[row[0].id] == 0)
    return render_template("staff/caseload.html", rows=rows, alerts=alerts, masked=lambda p: PersonalId(p).masked())


_NOTICES = {
    "created": _l("The care plan is made from the national content. Now change what is needed for this patient."),
    "removed": _l("The item is removed."),
    "handed_over": _l("The plan is handed over. The new unit is responsible now."),
    "moved_version": _l("The plan uses the newer content now."),
}
_ARG_NOTICES = {
    ("moved", "dated"): _l("Items with dates are shown in date order. Change the date to move the item."),
    ("moved", "edge"): _l("The item is already first or last in its part."),
    ("details", "saved"): _l("The plan details are saved."),
    ("details", "error"): _l("The plan details were not saved: a text was too long or a choice was missing."),
}


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int) -> str:
    """The plan builder: the whole plan, with tools when the nurse's unit is responsible; read-only for others in
    the care team; anyone else gets 404 and is logged."""
    found, patient, unit_id = plan_or_404(plan_id, f"plan:{plan_id}")
    session = get_session()
    items = plans.plan_items(session, plan_id)
    groups = build_timeline(items, local_now().date(), local_date, found.current_phase)
    units = plans.units_by_id(session, {i.unit_id for i in items if i.unit_id})
    contact = plans.contact_for(session, found)
    readings = builder.readings(session, plan_id)
    newest = content.latest_published(session, found.template_key)
    newer = newest.version if newest and found.template_version and newest.version > found.template_version else None
    notices = [(key, text) for key, text in _NOTICES.items() if request.args.get(key)]
    notices += [(key, text) for (key, value), text in _ARG_NOTICES.items() if request.args.get(key) == value]
    saved = request.args.get("saved", "")
    record_access(session, current_user, Action.READ, f"plan:{plan_id}", found.patient_id, unit_id)
    return render_template("staff/plan.html", plan=found, patient=patient, groups=groups, units=units,
                           contact=contact, masked=PersonalId(patient.personal_id).masked(),
                           editable=builder.staff_may_edit_plan(session, current_user.id, plan_id),
                           team=builder.team(session, plan_id), reading_total=len(readings),
                           reading_done=sum(1 for reading, _a in readings if reading.response == "understood"),
                           newer_version=newer, notices=notices, saved_id=int(saved) if saved.isdigit() else None)
