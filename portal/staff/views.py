"""Staff views."""

from __future__ import annotations

from collections import Counter

from flask import render_template
from flask_login import current_user

from portal.db import get_session
from portal.i18n import local_date, local_now
from portal.services import forms, plans
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


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int) -> str:
    """A read-only plan, for staff of a unit in its care team; anyone else gets 404 and is logged."""
    found, patient, unit_id = plan_or_404(plan_id, f"plan:{plan_id}")
    session = get_session()
    items = plans.plan_items(session, plan_id)
    groups = build_timeline(items, local_now().date(), local_date, found.current_phase)
    units = plans.units_by_id(session, {i.unit_id for i in items if i.unit_id})
    contact = plans.contact_for(session, found)
    record_access(session, current_user, Action.READ, f"plan:{plan_id}", found.patient_id, unit_id)
    return render_template("staff/plan.html", plan=found, patient=patient, groups=groups, units=units,
                           contact=contact, masked=PersonalId(patient.personal_id).masked())
