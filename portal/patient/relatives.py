"""The patient's relatives ("Närstående"): invite, change what they may do, end their access; and "Vem har tittat på
min vårdplan?" (who has looked at my plan)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.db import get_session
from portal.i18n import local_date, local_now
from portal.models import Delegation, DelegationStatus, Patient
from portal.patient import bp
from portal.patient.access import acting_patient
from portal.services import access_log as log_service
from portal.services import delegations
from portal.services.access_log import Action, record_access

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
    patient = acting_patient()
    if patient is None:
        abort(404)
    return patient


def _today() -> date:
    return local_now().date()


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
    today = _today()
    return render_template(
        "patient/relatives.html", rows=rows, form=form, update_error=update_error,
        errors={name: INVITE_ERRORS[code] for name, code in errors.items()}, today=today,
        max_until=delegations.add_months(today, delegations.MAX_MONTHS).isoformat(),
        ended=lambda d: delegations.ended_reason(session, d, d.relative_user_id or 0, today),
        done=request.args.get("done"),
    ), status


@bp.get("/relatives")
def relatives() -> tuple[str, int]:
    """Who may see the plan, what they may do and until when; pending invitations; the invitation form."""
    patient = _patient_or_404()
    record_access(get_session(), current_user, Action.READ, "delegations", patient.id)
    until = delegations.add_months(_today(), delegations.DEFAULT_MONTHS).isoformat()
    return _page(delegations.InviteInput(valid_until=until), {})


@bp.post("/relatives")
def relative_invite() -> Response | tuple[str, int]:
    """Invite someone: a single-use link by e-mail, valid 7 days; they accept with an account of their own."""
    patient = _patient_or_404()
    form = _invite_from_form()
    errors = delegations.check_invite(form, _today())
    if errors:  # a refused grant is a refusal like any other: logged (what was typed is not)
        record_access(get_session(), current_user, Action.DENIED, "delegation:new", patient.id)
        return _page(form, errors, 422)
    session = get_session()
    delegation = delegations.invite(session, patient, current_user, form, _today(),
                                    str(current_app.config["PUBLIC_BASE_URL"]))
    record_access(session, current_user, Action.CREATE, f"delegation:{delegation.id}", patient.id)
    return redirect(url_for("patient.relatives", done="invited"), code=303)


def _own_delegation_or_404(delegation_id: int) -> Delegation:
    patient = _patient_or_404()
    session = get_session()
    delegation = session.get(Delegation, delegation_id)
    if delegation is None or delegation.patient_id != patient.id:
        record_access(session, current_user, Action.DENIED, f"delegation:{delegation_id}", patient.id)
        abort(404)
    return delegation


@bp.post("/relatives/<int:delegation_id>")
def relative_update(delegation_id: int) -> Response | tuple[str, int]:
    """Change what a relative may do and until when; it applies to their very next click."""
    delegation = _own_delegation_or_404(delegation_id)
    if delegation.status not in (DelegationStatus.INVITED, DelegationStatus.ACTIVE):
        return redirect(url_for("patient.relatives", done="not_changed"), code=303)
    scopes = request.form.getlist("scopes")
    until = request.form.get("valid_until", "").strip()
    errors = delegations.check_scopes(scopes) | delegations.check_until(until, _today())
    if delegations.is_guardian_of_child(delegation):
        errors = {"scopes": "unknown_scope"}  # a guardian's access is set by the care unit
    if errors:
        record_access(get_session(), current_user, Action.DENIED, f"delegation:{delegation.id}", delegation.patient_id)
        form = delegations.InviteInput(valid_until=delegations.add_months(_today(), 12).isoformat())
        message = " ".join(str(INVITE_ERRORS[code]) for code in errors.values())
        return _page(form, {}, 422, update_error=message)
    session = get_session()
    delegations.change(session, delegation, scopes, until)
    record_access(session, current_user, Action.UPDATE, f"delegation:{delegation.id}", delegation.patient_id)
    return redirect(url_for("patient.relatives", done="changed"), code=303)


@bp.post("/relatives/<int:delegation_id>/revoke")
def relative_revoke(delegation_id: int) -> Response:
    """End a relative's access now (or withdraw an invitation that has not been accepted)."""
    delegation = _own_delegation_or_404(delegation_id)
    session = get_session()
    if delegation.status in (DelegationStatus.INVITED, DelegationStatus.ACTIVE):
        delegations.revoke(session, delegation)
        record_access(session, current_user, Action.UPDATE, f"delegation:{delegation.id}", delegation.patient_id)
    return redirect(url_for("patient.relatives", done="revoked"), code=303)


@bp.get("/access-log")
def access_log() -> str:
    """'Vem har tittat på min vårdplan?': everyone else who read or changed the plan, by day."""
    patient = _patient_or_404()
    session = get_session()
    everything = request.args.get("period") == "all"
    since = None if everything else local_now() - timedelta(days=30)
    rows = log_service.events_for_patient(session, patient.id or 0, since, exclude_user_id=patient.user_id)
    by_day: OrderedDict[date, list] = OrderedDict()
    for row in rows:
        by_day.setdefault(local_date(row.event.at), []).append(row)
    record_access(session, current_user, Action.READ, "access_log", patient.id)
    return render_template("patient/access_log.html", by_day=by_day, everything=everything, count=len(rows))
