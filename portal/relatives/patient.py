"""The patient's relatives ("Närstående"): invite, change what they may do, end their access."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core.access_log import Action
from portal.core.clock import stockholm_today
from portal.db import get_session
from portal.models import Delegation, DelegationStatus, Patient
from portal.plans.access import current_patient, log, patient_guard
from portal.plans.services.acting import ended_reason
from portal.relatives import services as delegations
from portal.web.feedback import confirmed

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.before_request(patient_guard())

INVITE_ERRORS: dict[str, LazyString] = {
    "name_required": _l("Write the name of the person you invite."),
    "too_long": _l("Write a shorter name (at most 200 characters)."),
    "email": _l("Write the e-mail address like name@example.com."),
    "choose": _l("Choose how you are related."),
    "scope_required": _l("Choose at least one thing the person may do."),
    "unknown_scope": _l("Choose only among the things listed."),
    "send_needs_read": _l("To send messages, the person must also be allowed to read them."),
    "not_a_date": _l("Write the date like 2027-03-14."),
    "in_the_past": _l("The end date has passed. Choose a later date."),
    "too_far": _l("Access can last at most 24 months. Choose an earlier end date."),
}


def _patient_or_404() -> Patient:
    patient = current_patient()
    if patient is None:
        abort(404)
    return patient


def _invite_from_form() -> delegations.InviteInput:
    return delegations.InviteInput(
        name=request.form.get("name", "").strip()[:300],
        email=request.form.get("email", "").strip()[:300],
        relation=request.form.get("relation", ""),
        scopes=tuple(request.form.getlist("scopes")),
        valid_until=request.form.get("valid_until", "").strip(),
    )


def _page(form: delegations.InviteInput, errors: dict[str, str], status: int = 200,
          update_error: str | None = None) -> tuple[str, int]:
    patient = _patient_or_404()
    session = get_session()
    rows = delegations.for_patient(session, patient.id or 0)
    today = stockholm_today()
    return render_template(
        "relatives/patient/relative_list.html", rows=rows, form=form, update_error=update_error,
        errors={name: INVITE_ERRORS[code] for name, code in errors.items()}, today=today,
        max_until=delegations.add_months(today, delegations.MAX_MONTHS).isoformat(),
        ended=lambda d: ended_reason(session, d, d.relative_user_id or 0, today),
        done=request.args.get("done"),
    ), status


@bp.get("/relatives")
def relative_list() -> tuple[str, int]:
    """Who may see the plan, what they may do and until when; pending invitations; the invitation form."""
    patient = _patient_or_404()
    log(Action.READ, "delegations", patient.id)
    until = delegations.add_months(stockholm_today(), delegations.DEFAULT_MONTHS).isoformat()
    return _page(delegations.InviteInput(valid_until=until), {})


@bp.post("/relatives")
def relative_invite() -> Response | tuple[str, int]:
    """Invite someone: a single-use link by e-mail, valid 7 days; they accept with an account of their own."""
    patient = _patient_or_404()
    form = _invite_from_form()
    errors = delegations.check_invite(form, stockholm_today())
    if errors:  # a refused grant is a refusal like any other: logged (what was typed is not)
        log(Action.DENIED, "delegation:new", patient.id)
        return _page(form, errors, 422)
    session = get_session()
    delegation = delegations.invite(session, patient, current_user, form, stockholm_today(),
                                    str(current_app.config["PUBLIC_BASE_URL"]))
    log(Action.CREATE, f"delegation:{delegation.id}", patient.id)
    return confirmed("relatives.patient.relative_list", done="invited")


def _own_delegation_or_404(delegation_id: int) -> Delegation:
    patient = _patient_or_404()
    session = get_session()
    delegation = session.get(Delegation, delegation_id)
    if delegation is None or delegation.patient_id != patient.id:
        log(Action.DENIED, f"delegation:{delegation_id}", patient.id)
        abort(404)
    return delegation


@bp.post("/relatives/<int:delegation_id>")
def relative_update(delegation_id: int) -> Response | tuple[str, int]:
    """Change what a relative may do and until when; it applies to their very next click."""
    delegation = _own_delegation_or_404(delegation_id)
    if delegation.status not in (DelegationStatus.INVITED, DelegationStatus.ACTIVE):
        return redirect(url_for("relatives.patient.relative_list", done="not_changed"), code=303)
    scopes = request.form.getlist("scopes")
    until = request.form.get("valid_until", "").strip()
    errors = delegations.check_change(delegation, scopes, until, stockholm_today())
    if errors:
        log(Action.DENIED, f"delegation:{delegation.id}", delegation.patient_id)
        form = delegations.InviteInput(valid_until=delegations.add_months(stockholm_today(), 12).isoformat())
        message = " ".join(str(INVITE_ERRORS[code]) for code in errors.values())
        return _page(form, {}, 422, update_error=message)
    session = get_session()
    delegations.change(session, delegation, scopes, until)
    log(Action.UPDATE, f"delegation:{delegation.id}", delegation.patient_id)
    return confirmed("relatives.patient.relative_list", done="changed")


@bp.post("/relatives/<int:delegation_id>/revoke")
def relative_revoke(delegation_id: int) -> Response:
    """End a relative's access now (or withdraw an invitation that has not been accepted)."""
    delegation = _own_delegation_or_404(delegation_id)
    session = get_session()
    if delegation.status in (DelegationStatus.INVITED, DelegationStatus.ACTIVE):
        delegations.revoke(session, delegation)
        log(Action.UPDATE, f"delegation:{delegation.id}", delegation.patient_id)
    return confirmed("relatives.patient.relative_list", done="revoked")
