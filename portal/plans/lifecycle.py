"""A new plan's way to the patient: the draft previewed exactly as the patient will see it (phone width), the illness
in plain words written for this patient, and 'Dela med patienten' after a confirmation. The views sit on the staff
blueprint (plans.staff.*); the rules are in services/lifecycle.py."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from portal.core.access_log import Action
from portal.core.clock import local_date, stockholm_today, utcnow
from portal.db import get_session
from portal.models import CarePlan, Patient
from portal.plans.access import editable_plan, log, plan_or_404
from portal.plans.services import lifecycle, plans
from portal.plans.staff import bp

SUMMARY_ERRORS: dict[str, LazyString] = {
    "summary_empty": _l("Write a text about the illness, or choose to use the national text."),
    "summary_long": _l("Write a shorter text (at most 4000 characters)."),
}
BARE = "layouts/bare.html"  # the patient's page without its frame, drawn inside the preview


def _preview(found: CarePlan, patient: Patient, unit_id: int, page: str, inner: str) -> str:
    log(Action.READ, f"preview:{found.id}", patient.id, unit_id)
    drawn = Markup(inner)  # noqa: S704 (the patient's own template, escaped by Jinja when it was drawn)
    return render_template("plans/staff/preview.html", plan=found, patient=patient, page=page, inner=drawn,
                           draft=lifecycle.is_draft(found))


@bp.get("/plans/<int:plan_id>/preview")
def plan_preview(plan_id: int) -> str:
    """The patient's start page for this plan, exactly as the patient will see it, in a phone-wide frame. It is
    logged as a read by the nurse and is not the patient's visit."""
    found, patient, unit_id = plan_or_404(plan_id, f"preview:{plan_id}")
    page = lifecycle.start_page(get_session(), found, stockholm_today(), local_date)
    inner = render_template("plans/patient/start.html", layout=BARE, patient=patient, plan=found, next=page.next,
                            units=page.units, contact=page.contact, news=[], more_news=False)
    return _preview(found, patient, unit_id, "start", inner)


@bp.get("/plans/<int:plan_id>/preview/timeline")
def plan_preview_timeline(plan_id: int) -> str:
    """The patient's timeline for this plan, as the patient will see it."""
    found, patient, unit_id = plan_or_404(plan_id, f"preview:{plan_id}")
    groups, units = plans.timeline(get_session(), found, stockholm_today(), local_date)
    inner = render_template("plans/patient/timeline.html", layout=BARE, plan=found, groups=groups, units=units,
                            removed=None)
    return _preview(found, patient, unit_id, "timeline", inner)


@bp.post("/plans/<int:plan_id>/summary")
def plan_summary_update(plan_id: int) -> Response | tuple[str, int]:
    """Save the illness in plain words for this patient, or put back the national text ('reset')."""
    found, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    session = get_session()
    reset = request.form.get("action") == "reset"
    text = (lifecycle.national_summary(session, found, str(get_locale() or "sv")) if reset
            else request.form.get("diagnosis_summary", "").strip())
    error = lifecycle.check_summary(text)
    if error is not None:
        log(Action.READ, f"plan:{plan_id}", patient.id, unit_id)
        return render_template("plans/staff/summary.html", plan=found, patient=patient, text=text,
                               error=SUMMARY_ERRORS[error]), 422
    lifecycle.set_summary(session, found, current_user, text)
    log(Action.UPDATE, f"plan:{plan_id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=plan_id, summary="saved") + "#diagnosis-heading", code=303)


@bp.post("/plans/<int:plan_id>/share")
def plan_share(plan_id: int) -> Response | str:
    """'Dela med patienten': the first press asks to confirm on a page of its own; then the patient sees the plan
    and gets a notice without any health information."""
    found, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    if request.form.get("confirm") != "yes" or not lifecycle.is_draft(found):
        log(Action.READ, f"plan:{plan_id}", patient.id, unit_id)
        return render_template("plans/staff/share.html", plan=found, patient=patient,
                               draft=lifecycle.is_draft(found))
    lifecycle.share(get_session(), found, current_user, utcnow())
    log(Action.UPDATE, f"plan:{plan_id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=plan_id, shared=1), code=303)
